// The live final (终审PK赛) as the organiser sets it up, the host runs it and the judges score it on
// their tablets: /api/v1/rounds/{id}/live-events and /api/v1/live-events/… (docs/live.md).
// Points are decimals sent as JSON numbers; totals and aggregates come back as strings ("87.5",
// "85.33") that are shown as they are, never recomputed in floating point.
import { api, type RequestOptions } from './client'

/** AUDIENCE_MODES lists how the audience votes: printed tickets, open phone votes, both, or none. */
export const AUDIENCE_MODES = ['tickets', 'open', 'both', 'none'] as const
export type AudienceMode = (typeof AUDIENCE_MODES)[number]

/** PAIRINGS lists how the programme is cut: PK pairs or one project per slot. */
export const PAIRINGS = ['pk', 'single'] as const
export type Pairing = (typeof PAIRINGS)[number]

/** SHOW_PHASES lists the show's phases (models.ShowPhase). */
export const SHOW_PHASES = ['idle', 'presenting', 'qa', 'scoring', 'sealed', 'revealed', 'finished'] as const
export type ShowPhase = (typeof SHOW_PHASES)[number]

/** SHOW_ACTIONS lists the host's transitions in the order the console shows them (models.ShowAction). */
export const SHOW_ACTIONS = [
  'present',
  'qa',
  'open_scoring',
  'seal',
  'reveal',
  'reseal',
  'finish',
  'pause',
  'resume',
  'back',
  'timer_pause',
  'timer_resume',
  'timer_restart',
] as const
export type ShowAction = (typeof SHOW_ACTIONS)[number]

/** Weights are the composite's shares in percent; they sum to 100. */
export interface Weights {
  panel: number
  previous: number
  audience: number
}

/** LiveJudge is one seat of the panel. */
export interface LiveJudge {
  seat: number
  user_id: number
  username: string
  display_name: string
}

/** Finalist is one project of the live round. */
export interface Finalist {
  id: number
  title: string
  unit_name: string
}

/** LiveEventInput is the body of creating (all fields) or changing (any fields) a live event. */
export interface LiveEventInput {
  title: string
  audience_mode: AudienceMode
  weights: Weights
  presentation_secs: number
  qa_secs: number
  pairing: Pairing
  judge_ids: number[]
  previous_round_id: number | null
  rehearsal: boolean
  /** votes_per_address caps open votes from one network address per slot (0: the server's default). */
  votes_per_address?: number
  /** audience_floor is the minimum turnout audience points divide by (0: the server's default). */
  audience_floor?: number
}

/** LiveEvent is a live final attached to a round of kind `live`. */
export interface LiveEvent {
  id: number
  round_id: number
  edition_id: number
  title: string
  audience_mode: AudienceMode
  weights: Weights
  presentation_secs: number
  qa_secs: number
  pairing: Pairing
  previous_round_id: number | null
  rehearsal: boolean
  /** seed is the published seed of the draw, '' before it. */
  seed: string
  /** slots are the drawn programme: project ids per slot, in order. */
  slots: number[][]
  /** started is true once the show's first transition happened: settings and draw are fixed. */
  started: boolean
  judges: LiveJudge[]
  finalists: Finalist[]
  display_path: string
  vote_path: string
  /** votes_per_address and audience_floor as set (0: default); vote_cap and floor those in force. */
  votes_per_address?: number
  vote_cap?: number
  audience_floor?: number
  floor?: number
}

/** ShowTimer is a server-authoritative countdown (docs/live.md). */
export interface ShowTimer {
  started_at: string
  duration_ms: number
  /** remaining_ms is set while paused: the countdown is frozen there. */
  remaining_ms: number | null
}

/** Show is the show's state as the host sees it. */
export interface Show {
  phase: ShowPhase
  /** slot is the current slot's index from 0 (-1 before the first). */
  slot: number
  /** presenting is the index, within the slot, of the project presenting or answering. */
  presenting: number
  paused: boolean
  pause_message: string
  timer: ShowTimer | null
  /** allowed lists the transitions the state machine allows now. */
  allowed: ShowAction[]
}

/** LiveCriterion is one line of the live round's rubric. */
export interface LiveCriterion {
  key: string
  name_zh: string
  name_en: string
  description?: string
  max: number
  step: number
}

/** SeatScore is one judge's score of one project of the current slot (sealed: host only). */
export interface SeatScore {
  seat: number
  submitted: boolean
  total: string | null
  points: Record<string, number> | null
  on_behalf: boolean
}

/** CurrentProject is one project of the current slot with the judges' scores. */
export interface CurrentProject {
  project_id: number
  seats: SeatScore[]
  /** panel is the panel score to 2 decimals, '' or null before enough scores. */
  panel: string | null
}

/**
 * BoardSummary is the part of the public board state (docs/live.md) the host console and tablet
 * read. The full type belongs to the public screens (api/liveBoard.ts).
 */
export interface BoardSummary {
  event_id: number
  title: string
  server_time: string
  phase: ShowPhase
  slot: number
  slot_count: number
  slots: { index: number; projects: number[]; status: 'done' | 'current' | 'next' }[]
  projects: Record<string, { id: number; title: string; unit_name: string; photo_url: string | null }>
  judges: number
  submitted: Record<string, number>
  voting_open: boolean
  tally: Record<string, number>
}

/** HostState is GET /live-events/{id}/host: the only place sealed scores are shown. */
export interface HostState {
  event: LiveEvent
  show: Show
  rubric: LiveCriterion[]
  current: CurrentProject[]
  tally: Record<string, number>
  /** voters counts the audience members who voted, when the server says. */
  voters?: number
  board: BoardSummary | null
}

/** JudgeScore is the judge's own stored score of a project. */
export interface JudgeScore {
  points: Record<string, number>
  total: string
  submitted_at: string
}

/** JudgeProject is one project of the current slot on the tablet. */
export interface JudgeProject {
  id: number
  title: string
  unit_name: string
  summary: string
  photo_url: string | null
  score: JudgeScore | null
}

/** JudgeState is GET /live-events/{id}/judge: what a seated judge's tablet shows. */
export interface JudgeState {
  event_id: number
  title: string
  seat: number
  rubric: LiveCriterion[]
  phase: ShowPhase
  paused: boolean
  pause_message?: string
  slot: number
  slot_count?: number
  projects: JudgeProject[]
}

/** JudgeSubmission is the body of a tablet's score. */
export interface JudgeSubmission {
  points: Record<string, number>
  submission_id: string
}

/** JudgeReceipt is the server's 200 to a stored tablet score. */
export interface JudgeReceipt {
  project_id: number
  points: Record<string, number>
  total: string
  submitted_at: string
  submission_id: string
}

/** TicketRow is one printed ticket code and how many slots it voted in. */
export interface TicketRow {
  code: string
  used_slots: number
}

/** JudgeLink is a new single-use tablet login link. */
export interface JudgeLink {
  token: string
  url: string
  expires_at: string
}

/** SheetSeat is one judge's line on the printable score sheet. */
export interface SheetSeat {
  seat: number
  display_name: string
  points: Record<string, number> | null
  total: string | null
  submitted_at: string | null
}

/** SlotSheet is the printable per-slot score sheet for the judges to sign. */
export interface SlotSheet {
  event: LiveEvent
  slot: number
  rubric: LiveCriterion[]
  projects: { id: number; title: string; unit_name: string; seats: SheetSeat[]; panel: string | null }[]
}

const base = (id: number) => `/api/v1/live-events/${id}`

/** normalizeEvent fills the lists a server may send as null. */
export function normalizeEvent(e: LiveEvent): LiveEvent {
  return {
    ...e,
    seed: e.seed ?? '',
    slots: e.slots ?? [],
    judges: e.judges ?? [],
    finalists: e.finalists ?? [],
    previous_round_id: e.previous_round_id ?? null,
  }
}

/** normalizeHostState fills the lists a server may send as null. */
export function normalizeHostState(s: HostState): HostState {
  return {
    ...s,
    event: normalizeEvent(s.event),
    show: { ...s.show, allowed: s.show.allowed ?? [], timer: s.show.timer ?? null },
    rubric: s.rubric ?? [],
    current: (s.current ?? []).map((c) => ({ ...c, seats: c.seats ?? [] })),
    tally: s.tally ?? {},
    board: s.board ?? null,
  }
}

// Setting up (admin).

/** createLiveEvent attaches a live event to a draft or open round of kind `live` (201). */
export async function createLiveEvent(roundID: number, input: LiveEventInput, options?: RequestOptions): Promise<LiveEvent> {
  return normalizeEvent(await api.post<LiveEvent>(`/api/v1/rounds/${roundID}/live-events`, input, options))
}

/** listLiveEvents returns every live event (admin, host). */
export async function listLiveEvents(options?: RequestOptions): Promise<LiveEvent[]> {
  const res = await api.get<{ items: LiveEvent[] | null }>('/api/v1/live-events', options)
  return (res.items ?? []).map(normalizeEvent)
}

/** getLiveEvent returns one live event (admin, host). */
export async function getLiveEvent(id: number, options?: RequestOptions): Promise<LiveEvent> {
  return normalizeEvent(await api.get<LiveEvent>(base(id), options))
}

/** updateLiveEvent changes settings; 409 once the show has started. */
export async function updateLiveEvent(id: number, input: Partial<LiveEventInput>, options?: RequestOptions): Promise<LiveEvent> {
  return normalizeEvent(await api.patch<LiveEvent>(base(id), input, options))
}

/** drawLots draws the programme from seed (generated by the server when empty); 409 once started. */
export async function drawLots(id: number, seed: string, options?: RequestOptions): Promise<LiveEvent> {
  const body = seed.trim() ? { seed: seed.trim() } : {}
  return normalizeEvent(await api.post<LiveEvent>(`${base(id)}/draw`, body, options))
}

/** addTickets creates count new ticket codes and returns them. */
export async function addTickets(id: number, count: number, options?: RequestOptions): Promise<string[]> {
  const res = await api.post<{ codes: string[] | null }>(`${base(id)}/tickets`, { count }, options)
  return res.codes ?? []
}

/** listTickets returns every ticket code of the event, for printing. */
export async function listTickets(id: number, options?: RequestOptions): Promise<TicketRow[]> {
  const res = await api.get<{ items: TicketRow[] | null }>(`${base(id)}/tickets`, options)
  return res.items ?? []
}

/** reissueJudgeLink makes a new single-use tablet login link for the judge on seat (admin, host). */
export function reissueJudgeLink(id: number, seat: number, options?: RequestOptions): Promise<JudgeLink> {
  return api.post<JudgeLink>(`${base(id)}/judges/${seat}/link`, {}, options)
}

// Running the show (host or admin).

/** getHostState returns the host console's state, sealed scores included. */
export async function getHostState(id: number, options?: RequestOptions): Promise<HostState> {
  return normalizeHostState(await api.get<HostState>(`${base(id)}/host`, options))
}

/** showAction applies a transition; 409 names why when it is out of order. `pause` needs a message. */
export async function showAction(id: number, action: ShowAction, message = '', options?: RequestOptions): Promise<HostState> {
  const body = message ? { action, message } : { action }
  return normalizeHostState(await api.post<HostState>(`${base(id)}/actions`, body, options))
}

/**
 * putSeatScore enters a score on a judge's behalf while scoring is open, or corrects one while
 * sealed or revealed (a revealed slot is re-sealed). The reason is required and audited.
 */
export async function putSeatScore(
  id: number,
  projectID: number,
  seat: number,
  points: Record<string, number>,
  reason: string,
  options?: RequestOptions,
): Promise<HostState> {
  return normalizeHostState(
    await api.put<HostState>(`${base(id)}/scores/${projectID}/seats/${seat}`, { points, reason }, options),
  )
}

/** wipeRehearsal wipes a rehearsal's scores, votes and show state; confirm is the event's title. */
export async function wipeRehearsal(id: number, confirm: string, rehearsal: boolean, options?: RequestOptions): Promise<LiveEvent> {
  return normalizeEvent(await api.post<LiveEvent>(`${base(id)}/wipe`, { confirm, rehearsal }, options))
}

/** getSlotSheet returns the printable score sheet of slot n (from 0). */
export async function getSlotSheet(id: number, n: number, options?: RequestOptions): Promise<SlotSheet> {
  const res = await api.get<SlotSheet>(`${base(id)}/slots/${n}/sheet`, options)
  return {
    ...res,
    event: normalizeEvent(res.event),
    rubric: res.rubric ?? [],
    projects: (res.projects ?? []).map((p) => ({ ...p, seats: p.seats ?? [] })),
  }
}

// Judging on a tablet.

/** getJudgeState returns the current slot as the calling judge sees it; 403 when not on the panel. */
export async function getJudgeState(id: number, options?: RequestOptions): Promise<JudgeState> {
  const res = await api.get<JudgeState>(`${base(id)}/judge`, options)
  return { ...res, rubric: res.rubric ?? [], projects: res.projects ?? [] }
}

/**
 * submitJudgeScore stores the judge's score. 409 outside the scoring window or for a project not in
 * the current slot; 422 names the criterion. The same submission_id twice is stored once.
 */
export function submitJudgeScore(id: number, projectID: number, body: JudgeSubmission, options?: RequestOptions): Promise<JudgeReceipt> {
  return api.put<JudgeReceipt>(`${base(id)}/judge/scores/${projectID}`, body, options)
}
