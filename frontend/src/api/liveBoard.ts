// The live final's public board (docs/live.md): its types, the public calls (board, device token,
// votes), a pure reducer that applies the websocket's messages, the clock correction for timers,
// and useLiveBoard, the composable the big screen and the phone page share.
import { computed, onBeforeUnmount, onMounted, readonly, ref, shallowRef, type Ref } from 'vue'
import { api, isApiError, type RequestOptions } from '@/api/client'
import { useLiveConnection, type LiveMessage, type LiveStatus } from '@/api/live'

/** ShowPhase is where the show stands (models/show.go). */
export type ShowPhase = 'idle' | 'presenting' | 'qa' | 'scoring' | 'sealed' | 'revealed' | 'finished'

/** AudienceMode says how the audience votes: printed tickets, open phone votes, both, or not at all. */
export type AudienceMode = 'tickets' | 'open' | 'both' | 'none'

/** BoardTimer is a server-authoritative countdown; remaining_ms is set (frozen) while paused. */
export interface BoardTimer {
  started_at: string
  duration_ms: number
  remaining_ms: number | null
}

/** BoardSlot is one slot of the drawn programme. */
export interface BoardSlot {
  index: number
  projects: number[]
  status: 'done' | 'current' | 'next'
}

/** BoardProject is a finalist as the public sees it. */
export interface BoardProject {
  id: number
  title: string
  unit_name: string
  photo_url: string | null
}

/** JudgeScore is one anonymised judge's total in a revealed result; struck marks the dropped ones. */
export interface JudgeScore {
  seat: number
  total: string
  struck: 'high' | 'low' | null
}

/** ProjectResult is a revealed project's scores; points are decimal strings exact to hundredths. */
export interface ProjectResult {
  scores: JudgeScore[]
  panel: string
  panel_value: number
  previous: string | null
  audience: string | null
  composite: string
  composite_value: number
}

/** LeaderboardRow is one project's place; movement is the ranks gained at the latest reveal. */
export interface LeaderboardRow {
  project_id: number
  rank: number
  composite: string
  movement: number
  tied: boolean
}

/** BoardState is the whole public board: nothing sealed is ever in it. */
export interface BoardState {
  event_id: number
  title: string
  edition_title: string
  rehearsal: boolean
  audience_mode: AudienceMode
  weights: { panel: number; previous: number; audience: number }
  seed: string
  server_time: string
  /** revealed_at is when the current slot was revealed (null outside the revealed phase). */
  revealed_at?: string | null
  phase: ShowPhase
  paused: boolean
  pause_message: string
  /** slot is the current slot's index from 0 (-1 before the first). */
  slot: number
  slot_count: number
  /** presenting is the index, within the slot, of the project presenting or answering questions. */
  presenting: number
  timer: BoardTimer | null
  slots: BoardSlot[]
  projects: Record<string, BoardProject>
  judges: number
  submitted: Record<string, number>
  voting_open: boolean
  tally: Record<string, number>
  /** tallies_public is the host's choice that phones show the tallies while voting is open. */
  tallies_public?: boolean
  /** presence_required: a phone needs the big screen's current code to get a device token. */
  presence_required?: boolean
  /** voters counts the current slot's voters; event_voters the whole event's (older servers send neither). */
  voters?: number
  event_voters?: number
  results: Record<string, ProjectResult>
  leaderboard: LeaderboardRow[]
  winners: Record<string, number>
  podium: number[] | null
}

/** TallyFrame is a vote tally sent outside the history (at most 4 per second). */
export interface TallyFrame {
  type: 'tally'
  tally: Record<string, number>
  /** voters counts the voters of slot `slot` (the current one when sent). */
  voters?: number
  slot?: number
  event_voters?: number
}

/** getBoard fetches the public board state. */
export function getBoard(eventId: string, options: RequestOptions = { silent: true }): Promise<BoardState> {
  return api.get<BoardState>(`/api/v1/live-events/${encodeURIComponent(eventId)}/board`, options)
}

/**
 * issueDeviceToken asks the server for a signed device token for open phone votes, with the big
 * screen's proof-of-presence code from its QR code (403 without the current one while the event
 * has a screen link).
 */
export function issueDeviceToken(eventId: string, presence = ''): Promise<{ device_token: string }> {
  return api.post<{ device_token: string }>(
    `/api/v1/live-events/${encodeURIComponent(eventId)}/device`,
    presence ? { presence } : undefined,
    { silent: true },
  )
}

/** VoteRequest is one audience vote: by ticket code or by device token. */
export type VoteRequest = { project_id: number; ticket: string } | { project_id: number; device_token: string }

/** castVote records one vote; errors (409, 422, 429) are left to the caller to explain. */
export function castVote(eventId: string, vote: VoteRequest): Promise<{ counted: boolean; slot: number }> {
  return api.post<{ counted: boolean; slot: number }>(`/api/v1/live-events/${encodeURIComponent(eventId)}/votes`, vote, {
    silent: true,
  })
}

// ---------------------------------------------------------------------------------------------
// Clock correction

/** ClockSample is one reading of the server's clock against ours: offset = server − local. */
export interface ClockSample {
  at: number
  offset: number
}

/** CLOCK_WINDOW_MS is how long a clock sample counts. */
export const CLOCK_WINDOW_MS = 5 * 60 * 1000

/**
 * clockSample reads a board's server_time against the local time it arrived at. A message is
 * always a little older than its arrival, so a sample never overstates the offset; null when the
 * time is unreadable.
 */
export function clockSample(serverTime: string | undefined, receivedAt: number): ClockSample | null {
  if (!serverTime) return null
  const server = Date.parse(serverTime)
  if (Number.isNaN(server)) return null
  return { at: receivedAt, offset: server - receivedAt }
}

/**
 * clockOffset estimates server − local in milliseconds from recent samples. Every sample
 * understates the offset by its delivery time (and events replayed on recovery by much more), so
 * the largest recent one is the best estimate. Samples older than CLOCK_WINDOW_MS before the
 * latest are ignored, so a local clock that was adjusted is followed within minutes.
 */
export function clockOffset(samples: readonly ClockSample[]): number {
  if (samples.length === 0) return 0
  const latest = Math.max(...samples.map((s) => s.at))
  let best = -Infinity
  for (const s of samples) if (latest - s.at <= CLOCK_WINDOW_MS && s.offset > best) best = s.offset
  return best
}

/** addClockSample returns the recent samples with s added (at most 20, none outside the window). */
export function addClockSample(samples: readonly ClockSample[], s: ClockSample | null): ClockSample[] {
  if (s === null) return [...samples]
  return [...samples, s].filter((x) => s.at - x.at <= CLOCK_WINDOW_MS).slice(-20)
}

/**
 * timerRemainingMs is what is left of timer at the server time serverNow (ms since the epoch):
 * the frozen remaining_ms while paused, otherwise started_at + duration_ms − serverNow, never
 * below 0. Null when there is no timer.
 */
export function timerRemainingMs(timer: BoardTimer | null | undefined, serverNow: number): number | null {
  if (!timer) return null
  if (timer.remaining_ms !== null && timer.remaining_ms !== undefined) return Math.max(0, timer.remaining_ms)
  const started = Date.parse(timer.started_at)
  if (Number.isNaN(started)) return null
  return Math.max(0, started + timer.duration_ms - serverNow)
}

/** formatCountdown shows ms as "mm:ss", rounding up so that "00:00" means the time is over. */
export function formatCountdown(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000))
  const m = Math.floor(total / 60)
  const s = total % 60
  return `${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`
}

// ---------------------------------------------------------------------------------------------
// Applying messages

/** BoardModel is what the messages build: the board and where in the stream it stands. */
export interface BoardModel {
  state: BoardState | null
  epoch: string | null
  /** offset is the offset of the last applied message of the history. */
  offset: number | null
  /** voters is the number of people who voted, from the latest tally frame. */
  voters: number | null
  clock: ClockSample[]
}

/** emptyBoardModel is the model before anything arrived. */
export function emptyBoardModel(): BoardModel {
  return { state: null, epoch: null, offset: null, voters: null, clock: [] }
}

/** ApplyResult is the model after a message, and whether the stream must be resynchronised. */
export interface ApplyResult {
  model: BoardModel
  /** resync is true when an event arrived after a gap: the connection must recover. */
  resync: boolean
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function isBoardState(value: unknown): value is BoardState {
  return isRecord(value) && typeof value.phase === 'string' && isRecord(value.projects)
}

/**
 * applyLiveMessage applies one websocket message to model: a snapshot replaces the board, recovered
 * keeps it (the missed events follow), an event replaces the board with the event's state (an event
 * already applied is ignored; one after a gap asks for a resync), a tally frame updates the tally.
 * Unknown messages change nothing. model is not changed.
 */
export function applyLiveMessage(model: BoardModel, msg: LiveMessage, receivedAt: number): ApplyResult {
  const epoch = typeof msg.epoch === 'string' ? msg.epoch : model.epoch
  const offset = typeof msg.offset === 'number' ? msg.offset : null
  switch (msg.type) {
    case 'snapshot': {
      if (!isBoardState(msg.state)) return { model, resync: false }
      const sample = clockSample(msg.state.server_time, receivedAt)
      return {
        model: {
          ...model,
          state: msg.state,
          voters: typeof msg.state.voters === 'number' ? msg.state.voters : model.voters,
          epoch,
          offset,
          clock: sample ? [sample] : [],
        },
        resync: false,
      }
    }
    case 'recovered':
      return { model: { ...model, epoch, offset }, resync: false }
    case 'event': {
      const event = msg.event
      if (offset === null || !isRecord(event) || !isBoardState(event.state)) return { model, resync: false }
      if (model.offset !== null && epoch === model.epoch) {
        if (offset <= model.offset) return { model, resync: false }
        if (offset > model.offset + 1) return { model, resync: true }
      } else if (model.state === null || epoch !== model.epoch) {
        // An event with nothing to build on (or from another history): ask for a snapshot.
        return { model, resync: true }
      }
      // A new slot starts its own count (the board's, until the next tally frame).
      const slotChanged = model.state !== null && model.state.slot !== event.state.slot
      const voters = slotChanged ? (typeof event.state.voters === 'number' ? event.state.voters : null) : model.voters
      return {
        model: {
          ...model,
          state: event.state,
          voters,
          epoch,
          offset,
          clock: addClockSample(model.clock, clockSample(event.state.server_time, receivedAt)),
        },
        resync: false,
      }
    }
    case 'tally': {
      if (!isRecord(msg.tally)) return { model, resync: false }
      const tally = msg.tally as Record<string, number>
      // A frame counted in another slot than the board's (one in flight as the slot changes)
      // does not set the screen's count: the count is the current slot's.
      const otherSlot = typeof msg.slot === 'number' && model.state !== null && msg.slot !== model.state.slot
      const voters = typeof msg.voters === 'number' && !otherSlot ? msg.voters : model.voters
      const state = model.state ? { ...model.state, tally } : null
      return { model: { ...model, state, voters }, resync: false }
    }
    default:
      return { model, resync: false }
  }
}

/**
 * applyFetchedBoard applies a board fetched over HTTP: only while the websocket has given nothing
 * newer (no board yet, or this one is at least as recent by server_time), since a slow answer must
 * not take the screen back in time. The stream position is left alone.
 */
export function applyFetchedBoard(model: BoardModel, state: BoardState, receivedAt: number): BoardModel {
  if (!isBoardState(state)) return model
  if (model.state) {
    const mine = Date.parse(model.state.server_time)
    const theirs = Date.parse(state.server_time)
    if (Number.isNaN(theirs) || (!Number.isNaN(mine) && theirs < mine)) return model
  }
  const sample = clockSample(state.server_time, receivedAt)
  return { ...model, state, clock: addClockSample(model.clock, sample) }
}

// ---------------------------------------------------------------------------------------------
// Reading the board

/** currentProjectIds are the projects of the current slot, in their presenting order. */
export function currentProjectIds(state: BoardState | null): number[] {
  if (!state || state.slot < 0) return []
  const slot = state.slots.find((s) => s.index === state.slot) ?? state.slots[state.slot]
  return slot ? slot.projects : []
}

/** finalistIds are all finalists in programme order (projects not in a slot last, by id). */
export function finalistIds(state: BoardState | null): number[] {
  if (!state) return []
  const seen = new Set<number>()
  const out: number[] = []
  for (const slot of state.slots) {
    for (const id of slot.projects) {
      if (!seen.has(id) && state.projects[String(id)]) {
        seen.add(id)
        out.push(id)
      }
    }
  }
  const rest = Object.values(state.projects)
    .map((p) => p.id)
    .filter((id) => !seen.has(id))
    .sort((a, b) => a - b)
  return [...out, ...rest]
}

/** totalVotes sums a tally, over the given projects when named. */
export function totalVotes(tally: Record<string, number> | null | undefined, ids?: number[]): number {
  if (!tally) return 0
  const keys = ids ? ids.map(String) : Object.keys(tally)
  return keys.reduce((sum, k) => sum + (Number(tally[k]) || 0), 0)
}

// ---------------------------------------------------------------------------------------------
// The composable

/** LiveBoard is what useLiveBoard returns. */
export interface LiveBoard {
  state: Readonly<Ref<BoardState | null>>
  epoch: Readonly<Ref<string | null>>
  offset: Readonly<Ref<number | null>>
  voters: Readonly<Ref<number | null>>
  /** clockOffsetMs is server − local time, for timers. */
  clockOffsetMs: Readonly<Ref<number>>
  status: Readonly<Ref<LiveStatus>>
  retries: Readonly<Ref<number>>
  /** notFound is true when the board answered 404: no such event. */
  notFound: Readonly<Ref<boolean>>
  /** serverNow returns the server's time now, in ms since the epoch. */
  serverNow: () => number
}

/** FALLBACK_POLL_MS is how often the board is fetched over HTTP while the websocket is down. */
export const FALLBACK_POLL_MS = 10000

/**
 * useLiveBoard follows an event's public board while the calling component is mounted: it fetches
 * the board once for a quick first paint, then follows the websocket (snapshot, recovery, events,
 * tallies), and fetches the board over HTTP every FALLBACK_POLL_MS while the websocket is down (a
 * venue network or WeChat may block websockets but not HTTP).
 */
export function useLiveBoard(eventId: string): LiveBoard {
  const model = shallowRef<BoardModel>(emptyBoardModel())
  const notFound = ref(false)

  const { status, retries } = useLiveConnection(eventId, (msg) => {
    const result = applyLiveMessage(model.value, msg, Date.now())
    model.value = result.model
    if (result.model.state) notFound.value = false
    return !result.resync
  })

  let poll: number | undefined
  let stopped = false
  async function fetchBoard(): Promise<void> {
    try {
      const state = await getBoard(eventId)
      if (stopped) return
      notFound.value = false
      model.value = applyFetchedBoard(model.value, state, Date.now())
    } catch (err) {
      if (stopped) return
      if (isApiError(err, 'not_found')) notFound.value = true
    }
  }
  function schedulePoll(): void {
    window.clearTimeout(poll)
    if (stopped) return
    poll = window.setTimeout(() => {
      if (status.value !== 'online') void fetchBoard()
      schedulePoll()
    }, FALLBACK_POLL_MS)
  }

  onMounted(() => {
    void fetchBoard()
    schedulePoll()
  })
  onBeforeUnmount(() => {
    stopped = true
    window.clearTimeout(poll)
  })

  const clockOffsetMs = computed(() => clockOffset(model.value.clock))
  return {
    state: computed(() => model.value.state),
    epoch: computed(() => model.value.epoch),
    offset: computed(() => model.value.offset),
    voters: computed(() => model.value.voters),
    clockOffsetMs,
    status,
    retries,
    notFound: readonly(notFound),
    serverNow: () => Date.now() + clockOffsetMs.value,
  }
}

/**
 * useTicker returns a number that changes every intervalMs while mounted, for views that render
 * from a clock (timers); the reading itself comes from serverNow.
 */
export function useTicker(intervalMs = 250): Ref<number> {
  const tick = ref(Date.now())
  let timer: number | undefined
  onMounted(() => {
    timer = window.setInterval(() => {
      tick.value = Date.now()
    }, intervalMs)
  })
  onBeforeUnmount(() => window.clearInterval(timer))
  return tick
}
