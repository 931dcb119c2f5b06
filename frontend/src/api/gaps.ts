// The review's admin tools (issue 13, "Review gaps"): conflicts of interest an administrator adds or
// removes beside the automatic ones, moving one project from one expert to another once scoring has
// started, the edition's holiday calendar (法定节假日 and 调休) and the publication (公示) window.
import { api, type RequestOptions } from './client'
import type { Round, Score } from './rounds'

/** ConflictRoot is a unit whose subtree an expert may not review automatically, and why. */
export interface ConflictRoot {
  unit_id: number
  name: string
  why: 'affiliation' | 'county'
}

/** DeclaredConflict is a conflict an expert declared or an administrator added. */
export interface DeclaredConflict {
  unit_id: number
  unit_name: string
  reason: string
  by_id: number | null
  by: string
  by_expert: boolean
  at: string
}

/** ExpertConflicts is one expert's conflicts: automatic (from the unit chain) beside declared. */
export interface ExpertConflicts {
  expert_id: number
  username: string
  display_name: string
  unit_id: number | null
  unit_name: string
  automatic: ConflictRoot[]
  automatic_units: number
  declared: DeclaredConflict[]
}

/** listConflicts returns every expert's conflicts of interest. */
export async function listConflicts(options?: RequestOptions): Promise<ExpertConflicts[]> {
  const res = await api.get<{ experts: ExpertConflicts[] | null }>('/api/v1/conflicts', options)
  return res.experts ?? []
}

/** ConflictInput names the expert, the unit and the reason (required). */
export interface ConflictInput {
  expert_id: number
  unit_id: number
  reason: string
}

/** addConflict declares a conflict for an expert; 409 when already declared. */
export async function addConflict(input: ConflictInput, options?: RequestOptions): Promise<ExpertConflicts[]> {
  const res = await api.post<{ experts: ExpertConflicts[] | null }>('/api/v1/conflicts', input, options)
  return res.experts ?? []
}

/** removeConflict removes a declared conflict; an automatic one is refused (409). */
export async function removeConflict(input: ConflictInput, options?: RequestOptions): Promise<ExpertConflicts[]> {
  const res = await api.post<{ experts: ExpertConflicts[] | null }>('/api/v1/conflicts/remove', input, options)
  return res.experts ?? []
}

/** AssignedExpert is an expert assigned a project; score is '' (not started), draft or submitted. */
export interface AssignedExpert {
  expert_id: number
  name: string
  score: '' | 'draft' | 'submitted'
}

/** AssignedProject is one project of a round with its experts. */
export interface AssignedProject {
  project_id: number
  title: string
  unit_id: number
  unit_name: string
  experts: AssignedExpert[]
}

/** listAssignments returns a round's projects with their assigned experts. */
export async function listAssignments(roundID: number, options?: RequestOptions): Promise<AssignedProject[]> {
  const res = await api.get<{ projects: AssignedProject[] | null }>(`/api/v1/rounds/${roundID}/assignments`, options)
  return res.projects ?? []
}

/** ReassignInput moves one project from one expert to another, with the reason. */
export interface ReassignInput {
  project_id: number
  from_expert_id: number
  to_expert_id: number
  reason: string
}

/** ExpertLoad is one expert's number of projects before and after a move. */
export interface ExpertLoad {
  expert_id: number
  name: string
  before: number
  after: number
}

/** Reassignment reports a move: the loads and the balance rule (a warning when it breaks). */
export interface Reassignment {
  round_id: number
  project_id: number
  from_expert_id: number
  to_expert_id: number
  loads: ExpertLoad[]
  spread_before: number
  spread_after: number
  balance_rule: number
  balanced: boolean
  warning: string
  discarded_draft: boolean
}

/** reassignProject moves one project; 409 when refused (submitted score, conflict, already has it). */
export function reassignProject(roundID: number, input: ReassignInput, options?: RequestOptions): Promise<Reassignment> {
  return api.post<Reassignment>(`/api/v1/rounds/${roundID}/reassign`, input, options)
}

/** Calendar is an edition's holiday calendar: dates (YYYY-MM-DD) in the server's time zone. */
export interface Calendar {
  days_off: string[]
  working_days: string[]
}

/** getCalendar returns an edition's holiday calendar. */
export async function getCalendar(editionID: number, options?: RequestOptions): Promise<Calendar> {
  const res = await api.get<Calendar>(`/api/v1/editions/${editionID}/calendar`, options)
  return { days_off: res.days_off ?? [], working_days: res.working_days ?? [] }
}

/** setCalendar replaces an edition's holiday calendar; a bad day is a 422 naming it (days_off[2]). */
export async function setCalendar(editionID: number, cal: Calendar, options?: RequestOptions): Promise<Calendar> {
  const res = await api.put<Calendar>(`/api/v1/editions/${editionID}/calendar`, cal, options)
  return { days_off: res.days_off ?? [], working_days: res.working_days ?? [] }
}

/** WindowProposal is a round's default publication window and the working days of a chosen one. */
export interface WindowProposal {
  default_from: string
  default_until: string
  default_working_days: number
  working_days: number
  calendar: Calendar
}

/** proposeWindow returns the default window from now and counts the working days of from–until. */
export function proposeWindow(roundID: number, from?: string, until?: string, options?: RequestOptions): Promise<WindowProposal> {
  const q = from && until ? `?from=${encodeURIComponent(from)}&until=${encodeURIComponent(until)}` : ''
  return api.get<WindowProposal>(`/api/v1/rounds/${roundID}/publication-window${q}`, options)
}

/** publishRound publishes a closed round with the administrator's objection window. */
export async function publishRound(
  roundID: number,
  from: string,
  until: string,
  options?: RequestOptions,
): Promise<{ round: Round; uncounted_drafts: Score[] }> {
  const res = await api.post<{ round: Round; uncounted_drafts: Score[] | null }>(
    `/api/v1/rounds/${roundID}/status`,
    { status: 'published', objection_from: from, objection_until: until },
    options,
  )
  return { round: res.round, uncounted_drafts: res.uncounted_drafts ?? [] }
}

/** isDate reports whether s is a real calendar date written YYYY-MM-DD. */
export function isDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false
  const [y, m, d] = s.split('-').map(Number)
  const dt = new Date(Date.UTC(y, m - 1, d))
  return dt.getUTCFullYear() === y && dt.getUTCMonth() === m - 1 && dt.getUTCDate() === d
}

/** isWeekend reports whether the date YYYY-MM-DD is a Saturday or Sunday. */
export function isWeekend(s: string): boolean {
  const [y, m, d] = s.split('-').map(Number)
  const wd = new Date(Date.UTC(y, m - 1, d)).getUTCDay()
  return wd === 0 || wd === 6
}

/** calendarProblem checks a day about to be added: '' when fine, else the message key's tail. */
export function calendarProblem(cal: Calendar, day: string, kind: 'off' | 'work'): '' | 'badDate' | 'duplicate' | 'notWeekend' {
  if (!isDate(day)) return 'badDate'
  if (cal.days_off.includes(day) || cal.working_days.includes(day)) return 'duplicate'
  if (kind === 'work' && !isWeekend(day)) return 'notWeekend'
  return ''
}
