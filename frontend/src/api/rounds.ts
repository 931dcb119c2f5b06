// Review rounds (初审, 复审, 终审) as the organiser runs them: /api/v1/editions/{id}/rounds and
// /api/v1/rounds/{id}/…. Points are decimal numbers (22.5); the server keeps them exactly.
import { api, ApiError, errorFromResponse, type RequestOptions } from './client'

/** ROUND_KINDS lists how a round is judged: online review or the live final on stage. */
export const ROUND_KINDS = ['online', 'live'] as const
export type RoundKind = (typeof ROUND_KINDS)[number]

/** ROUND_METHODS lists the published aggregation methods (PRODUCT.md, "Scoring rules"). */
export const ROUND_METHODS = ['mean', 'median', 'trimmed_mean', 'zscore'] as const
export type RoundMethod = (typeof ROUND_METHODS)[number]

/** LIVE_METHODS are the methods a live round may use: a revealed score must never move. */
export const LIVE_METHODS: readonly RoundMethod[] = ['mean', 'trimmed_mean']

/** ROUND_STATUSES lists a round's statuses in their order. */
export const ROUND_STATUSES = ['draft', 'open', 'closed', 'published'] as const
export type RoundStatus = (typeof ROUND_STATUSES)[number]

/** Criterion is one line of a rubric; its max is its weight. */
export interface Criterion {
  key: string
  name_zh: string
  name_en: string
  description: string
  max: number
  step: number
}

/** RoundInput is what an administrator sends to create or change a round. */
export interface RoundInput {
  name: string
  kind: RoundKind
  opens_at: string
  closes_at: string
  /** rubric is omitted for the default (online) or final (live) rubric. */
  rubric?: Criterion[]
  reviewers_per_project: number
  method: RoundMethod
  trim: number
  key_criterion: string
  blind: boolean
  /** site_visits: the round's experts record site visits (实地考察); online, non-blind rounds only. */
  site_visits?: boolean
}

/** Round is one stage of an edition's review. Times are RFC 3339 (UTC). */
export interface Round {
  id: number
  edition_id: number
  name: string
  order: number
  kind: RoundKind
  opens_at: string
  closes_at: string
  rubric: Criterion[]
  rubric_total: number
  reviewers_per_project: number
  method: RoundMethod
  trim: number
  key_criterion: string
  blind: boolean
  /** site_visits: the round's experts record site visits (实地考察). */
  site_visits?: boolean
  status: RoundStatus
}

/** Score is one expert's score of one project. */
export interface Score {
  round_id: number
  project_id: number
  expert_id: number
  points: Record<string, number>
  total: number
  comment: string
  status: 'draft' | 'submitted'
  submitted_at: string | null
  updated_at: string
}

/** AssignResult is a complete assignment: every project has exactly k experts. */
export interface AssignResult {
  /** seed reproduces the assignment (a decimal string: it may exceed 2^53). */
  seed: string
  min_load: number
  max_load: number
  /** balanced is true when max_load − min_load ≤ 1. */
  balanced: boolean
  /** note explains, when unbalanced, why. */
  note: string
  /** projects lists each project's experts (ids sorted), by project id. */
  projects: { project: number; experts: number[] }[]
  /** experts lists each expert's projects in review order, by expert id. */
  experts: { expert: number; projects: number[] }[]
}

/** ExpertProgress is how far one expert is in a round. */
export interface ExpertProgress {
  expert_id: number
  username: string
  display_name: string
  assigned: number
  submitted: number
  drafts: number
}

/** Tiebreak names the step of the tie chain that separated a project from equal scores. */
export type Tiebreak = '' | 'key_criterion' | 'previous' | 'decision'

/** RankingEntry is one project's place. */
export interface RankingEntry {
  /** project is the project id as a string. */
  project: string
  score: number
  /** display is the score half-up to 2 decimals on the exact value: show this, never score. */
  display: string
  rank: number
  judges: number
  method_applied: RoundMethod
  tied: boolean
  tiebreak: Tiebreak
}

/** TieGroup is a set of projects still tied after the chain: the organiser decides. */
export interface TieGroup {
  rank: number
  projects: string[]
}

/** Results are a round's ranking of the submitted scores. */
export interface Results {
  ranking: RankingEntry[]
  ties: TieGroup[]
  /** scores counts the submitted scores ranked. */
  scores: number
}

/** StatusChange is what moving a round reports; closing lists the drafts left uncounted. */
export interface StatusChange {
  round: Round
  uncounted_drafts: Score[]
}

/**
 * DEFAULT_RUBRIC mirrors the server's default (models.DefaultRubric): 100 points in steps of 0.5.
 * The server applies it itself when a round is created without a rubric; the dialog shows it.
 */
export const DEFAULT_RUBRIC: readonly Criterion[] = [
  { key: 'innovative', name_zh: '创新性', name_en: 'Innovative', description: '做法新颖，有别于既有做法', max: 25, step: 0.5 },
  { key: 'exploratory', name_zh: '探索性', name_en: 'Exploratory', description: '直面治理难题，探索新路径', max: 20, step: 0.5 },
  { key: 'demonstrative', name_zh: '示范性', name_en: 'Demonstrative', description: '成效显著，具有示范带动作用', max: 20, step: 0.5 },
  { key: 'replicable', name_zh: '推广性', name_en: 'Replicable', description: '可复制、可推广到其他地区', max: 20, step: 0.5 },
  { key: 'sustainable', name_zh: '长效性', name_en: 'Sustainable', description: '有制度和经费保障，能长期运行', max: 15, step: 0.5 },
]

/** FINAL_RUBRIC mirrors models.FinalRubric: the default scaled to 90 plus presentation worth 10. */
export const FINAL_RUBRIC: readonly Criterion[] = [
  ...DEFAULT_RUBRIC.map((c) => ({ ...c, max: Math.floor((c.max * 100 * 9) / 10) / 100 })),
  {
    key: 'presentation',
    name_zh: '现场陈述与答辩',
    name_en: 'Presentation and Q&A',
    description: '陈述清晰、答辩准确',
    max: 10,
    step: 0.5,
  },
]

/** defaultRubricFor returns a copy of the rubric the server applies to a kind of round. */
export function defaultRubricFor(kind: RoundKind): Criterion[] {
  return (kind === 'live' ? FINAL_RUBRIC : DEFAULT_RUBRIC).map((c) => ({ ...c }))
}

/** sameRubric reports whether two rubrics are equal line by line. */
export function sameRubric(a: readonly Criterion[], b: readonly Criterion[]): boolean {
  return (
    a.length === b.length &&
    a.every((c, i) => {
      const d = b[i]!
      return (
        c.key === d.key &&
        c.name_zh === d.name_zh &&
        c.name_en === d.name_en &&
        c.description === d.description &&
        c.max === d.max &&
        c.step === d.step
      )
    })
  )
}

/** listRounds returns an edition's rounds in order. */
export async function listRounds(editionID: number, options?: RequestOptions): Promise<Round[]> {
  const res = await api.get<{ rounds: Round[] | null }>(`/api/v1/editions/${editionID}/rounds`, options)
  return res.rounds ?? []
}

/** getRound returns one round. */
export function getRound(id: number, options?: RequestOptions): Promise<Round> {
  return api.get<Round>(`/api/v1/rounds/${id}`, options)
}

/** createRound adds a draft round after the edition's last one (201). */
export function createRound(editionID: number, input: RoundInput, options?: RequestOptions): Promise<Round> {
  return api.post<Round>(`/api/v1/editions/${editionID}/rounds`, input, options)
}

/** updateRound changes a round: every setting while a draft, only the window afterwards. */
export function updateRound(id: number, input: RoundInput, options?: RequestOptions): Promise<Round> {
  return api.patch<Round>(`/api/v1/rounds/${id}`, input, options)
}

/** moveRound changes a round's status; closing reports the drafts it leaves uncounted. */
export async function moveRound(
  id: number,
  status: Exclude<RoundStatus, 'draft'>,
  options?: RequestOptions,
  /** confirmUnredacted opens a blind round although projects still name their unit (else 409). */
  confirmUnredacted = false,
): Promise<StatusChange> {
  const body = confirmUnredacted ? { status, confirm_unredacted: true } : { status }
  const res = await api.post<StatusChange>(`/api/v1/rounds/${id}/status`, body, options)
  return { round: res.round, uncounted_drafts: res.uncounted_drafts ?? [] }
}

/**
 * assignRound runs the balanced assignment, reproducibly for a seed (a decimal string up to
 * 2^64 − 1, sent as a JSON number without going through a float). 422 names the projects that
 * lack experts in `fields` ("project 12": "only 2 eligible expert(s), 3 conflicted").
 */
export function assignRound(id: number, seed: string | null, options?: RequestOptions): Promise<AssignResult> {
  const body = seed !== null && /^\d+$/.test(seed) ? new Blob([`{"seed":${seed}}`], { type: 'application/json' }) : undefined
  const headers = body ? { ...options?.headers, 'Content-Type': 'application/json' } : options?.headers
  return api.post<AssignResult>(`/api/v1/rounds/${id}/assign`, body ?? {}, { ...options, headers })
}

/** getProgress returns each expert's progress in a round. */
export async function getProgress(id: number, options?: RequestOptions): Promise<ExpertProgress[]> {
  const res = await api.get<{ experts: ExpertProgress[] | null }>(`/api/v1/rounds/${id}/progress`, options)
  return res.experts ?? []
}

/** getResults ranks the round's submitted scores by its method. */
export async function getResults(id: number, options?: RequestOptions): Promise<Results> {
  const res = await api.get<Results>(`/api/v1/rounds/${id}/results`, options)
  return { ranking: res.ranking ?? [], ties: res.ties ?? [], scores: res.scores ?? 0 }
}

/** sheetURL is the address of a round's score sheet (the input of `leitai rank`). */
export function sheetURL(id: number): string {
  return `/api/v1/rounds/${id}/sheet`
}

/** SheetFile is a downloaded score sheet. */
export interface SheetFile {
  blob: Blob
  filename: string
}

/**
 * downloadSheet fetches the score sheet with the session cookie. It rejects with an ApiError that
 * it has not shown: the caller explains it in place.
 */
export async function downloadSheet(id: number): Promise<SheetFile> {
  let response: Response
  try {
    response = await fetch(sheetURL(id), { credentials: 'same-origin', headers: { Accept: 'application/json' } })
  } catch (cause) {
    throw new ApiError({ status: 0, code: 'network', message: String(cause) })
  }
  if (!response.ok) throw await errorFromResponse(response)
  const blob = await response.blob()
  const disposition = response.headers.get('Content-Disposition') ?? ''
  const match = /filename="?([^";]+)"?/i.exec(disposition)
  return { blob, filename: match?.[1]?.trim() || `round-${id}-score-sheet.json` }
}

/** RoundExport is what a round export holds: the ranking, or every submitted score per criterion. */
export type RoundExport = 'results' | 'scores'

/** roundExportURL is the address of a round's results or scores as .xlsx or CSV. */
export function roundExportURL(id: number, what: RoundExport, format: 'xlsx' | 'csv'): string {
  return `/api/v1/rounds/${id}/export?what=${what}&format=${format}`
}

/** downloadRoundExport fetches a round export with the session cookie (rejects with an ApiError). */
export async function downloadRoundExport(id: number, what: RoundExport, format: 'xlsx' | 'csv'): Promise<SheetFile> {
  let response: Response
  try {
    response = await fetch(roundExportURL(id, what, format), { credentials: 'same-origin' })
  } catch (cause) {
    throw new ApiError({ status: 0, code: 'network', message: String(cause) })
  }
  if (!response.ok) throw await errorFromResponse(response)
  const blob = await response.blob()
  const disposition = response.headers.get('Content-Disposition') ?? ''
  const match = /filename="?([^";]+)"?/i.exec(disposition)
  return { blob, filename: match?.[1]?.trim() || `round-${id}-${what}.${format}` }
}

/** TieDecision is the organiser's order for a group the tie chain left tied (best first). */
export interface TieDecision {
  id: number
  /** order lists project ids (as strings), best first. */
  order: string[]
  reason: string
  decided_by: string
  decided_at: string
}

/** AdvanceOverride adds (advance) or removes a project from advancement, with the reason. */
export interface AdvanceOverride {
  project: string
  advance: boolean
  reason: string
}

/** AdvancementInput is top N or a threshold (exactly one) plus overrides. */
export interface AdvancementInput {
  top: number
  threshold: number | null
  overrides: AdvanceOverride[]
}

/** Advancement is a round's decided advancement into the next round. */
export interface Advancement {
  top: number
  threshold: number | null
  overrides: AdvanceOverride[]
  /** advancing lists the advancing project ids in ranking order. */
  advancing: string[]
  by_rule?: string[]
  /** tie_at_cut is a tied group straddling a top-N cut: all of it advances. */
  tie_at_cut?: string[]
  /** next_round_id is the draft next round whose projects were set. */
  next_round_id?: number
  decided_by: string
  decided_at: string
}

/** Decisions are a round's tie decisions and its advancement (null while undecided). */
export interface Decisions {
  decisions: TieDecision[]
  advancement: Advancement | null
}

/** getDecisions returns a round's tie decisions and advancement. */
export async function getDecisions(id: number, options?: RequestOptions): Promise<Decisions> {
  const res = await api.get<Decisions>(`/api/v1/rounds/${id}/decisions`, options)
  return { decisions: res.decisions ?? [], advancement: res.advancement ?? null }
}

/**
 * decideTie records the order of one flagged tie with a reason (closed, unpublished rounds). 422
 * names `order` when it is not exactly one still-tied group; 409 when the round is not closed.
 */
export function decideTie(id: number, order: string[], reason: string, options?: RequestOptions): Promise<TieDecision> {
  return api.post<TieDecision>(`/api/v1/rounds/${id}/decisions`, { order, reason }, options)
}

/** withdrawTie removes a tie decision: its group is tied again. */
export function withdrawTie(id: number, decisionID: number, options?: RequestOptions): Promise<void> {
  return api.delete<void>(`/api/v1/rounds/${id}/decisions/${decisionID}`, options)
}

/** setAdvancement decides who advances into the next round. */
export function setAdvancement(id: number, input: AdvancementInput, options?: RequestOptions): Promise<Advancement> {
  const body: Record<string, unknown> = { overrides: input.overrides }
  if (input.threshold !== null) body.threshold = input.threshold
  else body.top = input.top
  return api.put<Advancement>(`/api/v1/rounds/${id}/advancement`, body, options)
}

/** getPanel returns the round's chosen experts; empty means every enabled expert. */
export async function getPanel(id: number, options?: RequestOptions): Promise<number[]> {
  const res = await api.get<{ expert_ids: number[] | null }>(`/api/v1/rounds/${id}/experts`, options)
  return res.expert_ids ?? []
}

/** setPanel chooses the round's experts for its next assignment (empty: every enabled expert). */
export async function setPanel(id: number, expertIDs: number[], options?: RequestOptions): Promise<number[]> {
  const res = await api.put<{ expert_ids: number[] | null }>(`/api/v1/rounds/${id}/experts`, { expert_ids: expertIDs }, options)
  return res.expert_ids ?? []
}

/** Reminder is a reminder sent to an expert with unfinished work. */
export interface Reminder {
  id: number
  expert_id: number
  username: string
  display_name: string
  message: string
  /** remaining is how many projects were unsubmitted when it was sent. */
  remaining: number
  sent_by: string
  sent_at: string
}

/** listReminders returns the reminders sent in a round, newest first. */
export async function listReminders(id: number, options?: RequestOptions): Promise<Reminder[]> {
  const res = await api.get<{ reminders: Reminder[] | null }>(`/api/v1/rounds/${id}/reminders`, options)
  return res.reminders ?? []
}

/** remindExperts reminds every expert with unsubmitted projects; returns those reminded. */
export async function remindExperts(id: number, message: string, options?: RequestOptions): Promise<Reminder[]> {
  const res = await api.post<{ reminders: Reminder[] | null }>(`/api/v1/rounds/${id}/reminders`, { message }, options)
  return res.reminders ?? []
}

/** Objection is an objection to published results, as the organisers see it. */
export interface Objection {
  id: number
  round_id: number
  project_id: number | null
  name: string
  contact: string
  body: string
  created_at: string
  answer: string
  answered_by: string
  answered_at: string | null
}

/** listObjections returns a round's objections with the senders' names and contacts. */
export async function listObjections(id: number, options?: RequestOptions): Promise<Objection[]> {
  const res = await api.get<{ objections: Objection[] | null }>(`/api/v1/rounds/${id}/objections`, options)
  return res.objections ?? []
}

/** answerObjection records the (public) answer to an objection. */
export function answerObjection(id: number, answer: string, options?: RequestOptions): Promise<Objection> {
  return api.post<Objection>(`/api/v1/objections/${id}/answer`, { answer }, options)
}

/** JudgeStats are one expert's figures in a round. */
export interface JudgeStats {
  judge: string
  expert_id: number
  scores: number
  mean: number
  sd: number
  /** leniency is the expert's mean minus the panel's, in points. */
  leniency: number
  /** totals are the expert's totals, sorted. */
  totals: number[]
}

/** Outlier is a score more than 2σ from the project's mean. */
export interface Outlier {
  judge: string
  expert_id: number
  project: string
  total: number
  project_mean: number
  project_sd: number
  z: number
}

/** Statistics are the judge-statistics dashboard's data. */
export interface Statistics {
  judges: JudgeStats[]
  outliers: Outlier[]
  kendall_w: number | null
  kendall_projects: number
}

/** getStatistics returns the round's judge statistics. */
export async function getStatistics(id: number, options?: RequestOptions): Promise<Statistics> {
  const res = await api.get<Statistics>(`/api/v1/rounds/${id}/statistics`, options)
  return { judges: res.judges ?? [], outliers: res.outliers ?? [], kendall_w: res.kendall_w ?? null, kendall_projects: res.kendall_projects ?? 0 }
}

/** ScoreChange is one stored change of an expert's score (the admin's score history); totals in points. */
export interface ScoreChange {
  expert_id: number
  expert: string
  at: string
  status: 'draft' | 'submitted'
  points: Record<string, number>
  total: number
  /** previous is the total of the expert's change before this one, null for the first. */
  previous: number | null
  comment: string
  /** by is who wrote the change ('' for changes kept before this was recorded). */
  by: string
  /** action is the audit's action: score.submit, score.live, score.on_behalf, score.correct; '' for a draft. */
  action: string
  reason: string
}

/** getScoreHistory lists every change of one project's scores in a round (admins only). */
export async function getScoreHistory(id: number, projectID: number, options?: RequestOptions): Promise<ScoreChange[]> {
  const res = await api.get<{ changes: ScoreChange[] | null }>(`/api/v1/rounds/${id}/projects/${projectID}/score-history`, options)
  return res.changes ?? []
}
