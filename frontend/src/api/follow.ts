// Follow-through of funded projects (实施跟踪): awards, implementation plans, progress reports,
// expert checks, tranches and the public tracker. Money is always integer fen; see money helpers
// at the end (yuanToFen / formatFen) — never floats.
import { api, type RequestOptions } from './client'

export type AwardStatus = 'active' | 'suspended' | 'terminated' | 'completed'
export type PlanStatus = 'proposed' | 'returned' | 'approved' | 'superseded'
export type DueFlag = 'upcoming' | 'due' | 'late' | 'very_late' | 'done'
export type Gate = 'signing' | 'report' | 'midterm' | 'final'
export type ReportStatus = 'draft' | 'submitted' | 'accepted' | 'changes_requested'
export type TrancheState = 'pending' | 'payable' | 'approved' | 'paid' | 'withheld'
export type Grade = 'excellent' | 'good' | 'pass' | 'fail'
export type CheckKind = 'midterm' | 'final'

export const GATES: readonly Gate[] = ['signing', 'report', 'midterm', 'final']
export const GRADES: readonly Grade[] = ['excellent', 'good', 'pass', 'fail']

export interface AwardTier {
  code: string
  name_zh: string
  name_en: string
}

export interface NextDue {
  seq: number
  title: string
  due_on: string
  flag: DueFlag
}

export interface Award {
  id: number
  edition_id: number
  round_id: number
  publication_id: number
  project_id: number
  project_title: string
  unit_id: number
  unit_name: string
  county_name: string
  tier: string
  tier_name_zh: string
  tier_name_en: string
  rank: number
  funding_fen: number
  signed_on: string | null
  agreement_media_id: number | null
  status: AwardStatus
  status_reason: string
  recover_fen: number
  version: number
  created_at: string
  plan_status: 'none' | PlanStatus
  paid_fen: number
  approved_fen: number
  remaining_fen: number
  milestones_done?: number
  milestones_total?: number
  next_due: NextDue | null
}

export interface KPI {
  name: string
  unit: string
  baseline: string
  target: string
}

export interface MilestoneInput {
  title: string
  due_on: string
  deliverables: string
  share: number
  gate: Gate
  kpis: KPI[]
}

export interface PlanMilestone extends MilestoneInput {
  seq: number
}

export interface Plan {
  /** contact_name and contact_email are the project's responsible person (reminders by e-mail). */
  contact_name?: string
  contact_email?: string
  version: number
  status: PlanStatus
  reason: string
  comment: string
  proposed_by: string
  proposed_at: string
  decided_by: string
  decided_at: string | null
  milestones: PlanMilestone[]
}

export interface Report {
  status: ReportStatus
  text: string
  kpi_actuals: Record<string, string> | null
  media_ids: number[] | null
  comment: string
  revision: number
  submitted_at: string | null
  decided_by: string
  decided_at: string | null
  updated_at: string
}

export interface CheckExpert {
  user_id: number
  name: string
  grade: Grade | ''
  notes: string
  submitted: boolean
}

export interface Check {
  id: number
  kind: CheckKind
  status: 'open' | 'done'
  result: Grade | null
  experts: CheckExpert[]
  rule: string
}

export interface Tranche {
  seq: number
  amount_fen: number
  state: TrancheState
  gate_missing: string[]
  approved_by: string
  approved_at: string | null
  paid_by: string
  paid_at: string | null
  paid_on: string
  reference: string
  reason: string
}

export interface Milestone extends PlanMilestone {
  flag: DueFlag
  report: Report | null
  check: Check | null
  tranche: Tranche
}

export interface Adoption {
  unit_name: string
  adopted_on: string
  evidence: string
}

export interface AwardVersion {
  version: number
  tier: string
  funding_fen: number
  reason: string
  by: string
  at: string
}

export interface Mentor {
  expert_id: number
  name: string
}

export interface MentorVisit {
  id: number
  expert_id: number
  name: string
  visited_on: string
  notes: string
  created_at: string
}

export interface AwardDetail extends Award {
  plan: Plan | null
  plan_versions: Plan[]
  milestones: Milestone[]
  history: AwardVersion[]
  adoptions: Adoption[]
  mentors: Mentor[]
  visits: MentorVisit[]
}

export interface AwardInput {
  project_id: number
  tier: string
  funding_fen: number
}

export interface ExpertCheck {
  id: number
  award_id: number
  seq: number
  kind: CheckKind
  project_title: string
  unit_name: string
  milestone: PlanMilestone
  report: Report | null
  grade: Grade | ''
  notes: string
  submitted: boolean
  result: Grade | null
  rule: string
}

export interface TrackerPhoto {
  url: string
  alt: string
}

export interface TrackerProject {
  id: number
  edition_id: number
  edition_name: string
  project_title: string
  unit_name: string
  county_id: number | null
  county_name: string
  tier: string
  tier_name_zh: string
  tier_name_en: string
  status: AwardStatus
  progress: { done: number; total: number }
  next: NextDue | null
  funding_fen: number
  paid_fen: number
  milestones: { seq: number; title: string; due_on: string; deliverables: string; share: number; flag: DueFlag; released: boolean }[]
  kpis: (KPI & { actual: string | null })[]
  adoptions: Adoption[]
  photos: TrackerPhoto[]
  reports?: { seq: number; title: string; accepted_at: string; text: string; photos: TrackerPhoto[] }[]
}

export interface TrackerList {
  editions: { id: number; name: string }[]
  counties: { id: number; name: string }[]
  tiers: AwardTier[]
  projects: TrackerProject[]
}

export interface TrackerFilter {
  edition?: number | null
  county?: number | null
  tier?: string | null
}

// --- awards ---

export async function awardTiers(editionID: number, options?: RequestOptions): Promise<AwardTier[]> {
  return (await api.get<{ tiers: AwardTier[] | null }>(`/api/v1/editions/${editionID}/award-tiers`, options)).tiers ?? []
}

/** setAwardTiers replaces an edition's tier list, in order of rank (409 when a tier in use is removed). */
export async function setAwardTiers(editionID: number, tiers: AwardTier[], options?: RequestOptions): Promise<AwardTier[]> {
  return (await api.put<{ tiers: AwardTier[] | null }>(`/api/v1/editions/${editionID}/award-tiers`, { tiers }, options)).tiers ?? []
}

/** newTierCode is a code for an added tier: "tier-N" with the smallest N no tier of list has. */
export function newTierCode(list: readonly AwardTier[]): string {
  for (let n = 1; ; n++) {
    const code = `tier-${n}`
    if (!list.some((t) => t.code === code)) return code
  }
}

/** exportURL is the edition's implementation status as a spreadsheet (one row per milestone). */
export function exportURL(editionID: number, format: 'xlsx' | 'csv' = 'xlsx'): string {
  return `/api/v1/editions/${editionID}/awards/export?format=${format}`
}

/** assignMentor makes an expert the project's mentor (导师); conflicts are refused with the reason. */
export function assignMentor(id: number, expertID: number, options?: RequestOptions): Promise<AwardDetail> {
  return detail(api.post<AwardDetail>(`/api/v1/awards/${id}/mentors`, { expert_id: expertID }, options))
}

export interface MentoredAward extends Award {
  visits: MentorVisit[]
}

/** mentoring lists the projects the signed-in expert mentors, with their visits. */
export async function mentoring(options?: RequestOptions): Promise<MentoredAward[]> {
  const list = (await api.get<{ awards: MentoredAward[] | null }>('/api/v1/mentoring', options)).awards ?? []
  return list.map((a) => ({ ...a, visits: a.visits ?? [] }))
}

/** logVisit records the mentor's visit (date, notes). */
export function logVisit(id: number, visitedOn: string, notes: string, options?: RequestOptions): Promise<MentorVisit> {
  return api.post<MentorVisit>(`/api/v1/awards/${id}/visits`, { visited_on: visitedOn, notes }, options)
}

/** addAdoption records another unit that took the project up (推广). */
export function addAdoption(id: number, input: { unit_id: number; adopted_on: string; evidence: string }, options?: RequestOptions): Promise<AwardDetail> {
  return detail(api.post<AwardDetail>(`/api/v1/awards/${id}/adoptions`, input, options))
}

export async function listAwards(editionID: number, options?: RequestOptions): Promise<Award[]> {
  return (await api.get<{ awards: Award[] | null }>(`/api/v1/editions/${editionID}/awards`, options)).awards ?? []
}

/** createAwards turns projects of a published round's ranking into awards. */
export async function createAwards(roundID: number, awards: AwardInput[], options?: RequestOptions): Promise<Award[]> {
  return (await api.post<{ awards: Award[] | null }>(`/api/v1/rounds/${roundID}/awards`, { awards }, options)).awards ?? []
}

function normalise(d: AwardDetail): AwardDetail {
  return { ...d, plan_versions: d.plan_versions ?? [], milestones: d.milestones ?? [], history: d.history ?? [], adoptions: d.adoptions ?? [], mentors: d.mentors ?? [], visits: d.visits ?? [] }
}

async function detail(p: Promise<AwardDetail>): Promise<AwardDetail> {
  return normalise(await p)
}

export function getAward(id: number, options?: RequestOptions): Promise<AwardDetail> {
  return detail(api.get<AwardDetail>(`/api/v1/awards/${id}`, options))
}

export function updateAward(id: number, change: { tier?: string; funding_fen?: number; reason: string }, options?: RequestOptions): Promise<AwardDetail> {
  return detail(api.patch<AwardDetail>(`/api/v1/awards/${id}`, change, options))
}

export function signAward(id: number, signedOn: string, agreementMediaID: number | null, options?: RequestOptions): Promise<AwardDetail> {
  return detail(api.post<AwardDetail>(`/api/v1/awards/${id}/sign`, { signed_on: signedOn, agreement_media_id: agreementMediaID }, options))
}

export function suspendAward(id: number, reason: string, options?: RequestOptions): Promise<AwardDetail> {
  return detail(api.post<AwardDetail>(`/api/v1/awards/${id}/suspend`, { reason }, options))
}

export function resumeAward(id: number, options?: RequestOptions): Promise<AwardDetail> {
  return detail(api.post<AwardDetail>(`/api/v1/awards/${id}/resume`, {}, options))
}

export function terminateAward(id: number, reason: string, recoverFen: number, options?: RequestOptions): Promise<AwardDetail> {
  return detail(api.post<AwardDetail>(`/api/v1/awards/${id}/terminate`, { reason, recover_fen: recoverFen }, options))
}

// --- plans ---

export function proposePlan(
  id: number,
  milestones: MilestoneInput[],
  reason: string,
  options?: RequestOptions,
  contact: { contact_name: string; contact_email: string } = { contact_name: '', contact_email: '' },
): Promise<AwardDetail> {
  return detail(api.put<AwardDetail>(`/api/v1/awards/${id}/plan`, { milestones, reason, ...contact }, options))
}

export function approvePlan(id: number, version: number, options?: RequestOptions): Promise<AwardDetail> {
  return detail(api.post<AwardDetail>(`/api/v1/awards/${id}/plan/${version}/approve`, {}, options))
}

export function returnPlan(id: number, version: number, comment: string, options?: RequestOptions): Promise<AwardDetail> {
  return detail(api.post<AwardDetail>(`/api/v1/awards/${id}/plan/${version}/return`, { comment }, options))
}

// --- reports ---

export interface ReportInput {
  text: string
  kpi_actuals: Record<string, string>
  media_ids: number[]
}

export function saveReport(id: number, seq: number, input: ReportInput, options?: RequestOptions): Promise<AwardDetail> {
  return detail(api.put<AwardDetail>(`/api/v1/awards/${id}/milestones/${seq}/report`, input, options))
}

export function submitReport(id: number, seq: number, options?: RequestOptions): Promise<AwardDetail> {
  return detail(api.post<AwardDetail>(`/api/v1/awards/${id}/milestones/${seq}/report/submit`, {}, options))
}

export function acceptReport(id: number, seq: number, options?: RequestOptions): Promise<AwardDetail> {
  return detail(api.post<AwardDetail>(`/api/v1/awards/${id}/milestones/${seq}/report/accept`, {}, options))
}

export function requestChanges(id: number, seq: number, comment: string, options?: RequestOptions): Promise<AwardDetail> {
  return detail(api.post<AwardDetail>(`/api/v1/awards/${id}/milestones/${seq}/report/changes`, { comment }, options))
}

// --- tranches ---

export function approveTranche(id: number, seq: number, options?: RequestOptions): Promise<AwardDetail> {
  return detail(api.post<AwardDetail>(`/api/v1/awards/${id}/tranches/${seq}/approve`, {}, options))
}

export function payTranche(id: number, seq: number, reference: string, paidOn: string, options?: RequestOptions): Promise<AwardDetail> {
  return detail(api.post<AwardDetail>(`/api/v1/awards/${id}/tranches/${seq}/pay`, { reference, paid_on: paidOn }, options))
}

export function withholdTranche(id: number, seq: number, reason: string, options?: RequestOptions): Promise<AwardDetail> {
  return detail(api.post<AwardDetail>(`/api/v1/awards/${id}/tranches/${seq}/withhold`, { reason }, options))
}

// --- checks ---

/** createCheck assigns experts to a milestone's check; its kind follows the milestone's gate. */
export function createCheck(id: number, seq: number, experts: number[], options?: RequestOptions): Promise<AwardDetail> {
  return detail(api.post<AwardDetail>(`/api/v1/awards/${id}/milestones/${seq}/check`, { experts }, options))
}

export async function myChecks(options?: RequestOptions): Promise<ExpertCheck[]> {
  return (await api.get<{ checks: ExpertCheck[] | null }>('/api/v1/checks', options)).checks ?? []
}

export function getCheck(id: number, options?: RequestOptions): Promise<ExpertCheck> {
  return api.get<ExpertCheck>(`/api/v1/checks/${id}`, options)
}

export function saveGrade(id: number, grade: Grade | '', notes: string, options?: RequestOptions): Promise<ExpertCheck> {
  return api.put<ExpertCheck>(`/api/v1/checks/${id}/grade`, { grade, notes }, options)
}

export function submitGrade(id: number, grade: Grade, notes: string, options?: RequestOptions): Promise<ExpertCheck> {
  return api.post<ExpertCheck>(`/api/v1/checks/${id}/grade/submit`, { grade, notes }, options)
}

// --- public tracker ---

export function trackerQuery(f: TrackerFilter): string {
  const q = new URLSearchParams()
  if (f.edition) q.set('edition', String(f.edition))
  if (f.county) q.set('county', String(f.county))
  if (f.tier) q.set('tier', f.tier)
  const s = q.toString()
  return s ? `?${s}` : ''
}

export async function tracker(f: TrackerFilter = {}, options?: RequestOptions): Promise<TrackerList> {
  const r = await api.get<TrackerList>(`/api/v1/tracker${trackerQuery(f)}`, options)
  return { editions: r.editions ?? [], counties: r.counties ?? [], tiers: r.tiers ?? [], projects: r.projects ?? [] }
}

export function trackerProject(id: number, options?: RequestOptions): Promise<TrackerProject> {
  return api.get<TrackerProject>(`/api/v1/tracker/${id}`, options)
}

// --- pure helpers ---

/**
 * yuanToFen parses a yuan amount typed by a person ("12,345.67", "¥ 100", "0.5") into integer fen
 * with string arithmetic only. It returns null for anything else: negatives, more than two
 * decimals, letters, misplaced thousands separators, or amounts beyond Number.MAX_SAFE_INTEGER.
 */
export function yuanToFen(input: string): number | null {
  let s = input.trim().replace(/^[¥￥]\s*/, '')
  if (s === '') return null
  if (s.includes(',') || s.includes('，')) {
    s = s.replace(/，/g, ',')
    if (!/^\d{1,3}(,\d{3})+(\.\d*)?$/.test(s)) return null
    s = s.replace(/,/g, '')
  }
  const m = /^(\d+)(?:\.(\d{0,2}))?$/.exec(s)
  if (!m) return null
  const whole = m[1].replace(/^0+(?=\d)/, '')
  const frac = (m[2] ?? '').padEnd(2, '0')
  const digits = (whole + frac).replace(/^0+(?=\d)/, '')
  const n = Number(digits)
  return Number.isSafeInteger(n) ? n : null
}

/** fenToYuan writes integer fen as a yuan string with two decimals and thousands separators: 1234567 → "12,345.67". */
export function fenToYuan(fen: number): string {
  if (!Number.isSafeInteger(fen)) return ''
  const neg = fen < 0
  const digits = String(Math.abs(fen)).padStart(3, '0')
  const whole = digits.slice(0, -2).replace(/\B(?=(\d{3})+(?!\d))/g, ',')
  return `${neg ? '-' : ''}${whole}.${digits.slice(-2)}`
}

/** formatFen is fenToYuan with the currency sign: "¥12,345.67". */
export function formatFen(fen: number): string {
  return `¥${fenToYuan(fen)}`
}

/** sharesTotal sums the milestones' payment shares (non-integers count as invalid: NaN). */
export function sharesTotal(milestones: { share: number }[]): number {
  let sum = 0
  for (const m of milestones) {
    if (!Number.isInteger(m.share)) return NaN
    sum += m.share
  }
  return sum
}

/** sharesOK reports whether every share is a whole 1..100 and they sum to exactly 100. */
export function sharesOK(milestones: { share: number }[]): boolean {
  return milestones.length > 0 && milestones.every((m) => Number.isInteger(m.share) && m.share >= 1 && m.share <= 100) && sharesTotal(milestones) === 100
}

/** splitFen divides an amount by shares like the server: floor each, the last takes the remainder. */
export function splitFen(totalFen: number, shares: number[]): number[] {
  const out = shares.map((s) => Math.floor((totalFen * s) / 100))
  if (out.length > 0) out[out.length - 1] += totalFen - out.reduce((a, b) => a + b, 0)
  return out
}

/** addDays adds days to a YYYY-MM-DD date (calendar arithmetic in UTC, no time zone drift). */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number)
  const t = new Date(Date.UTC(y, m - 1, d + days))
  return t.toISOString().slice(0, 10)
}

/** defaultPlan is the 50/30/20 template: on signing, after the mid-term check, after final acceptance. */
export function defaultPlan(start: string, titles: [string, string, string]): MilestoneInput[] {
  return [
    { title: titles[0], due_on: addDays(start, 30), deliverables: '', share: 50, gate: 'signing', kpis: [] },
    { title: titles[1], due_on: addDays(start, 180), deliverables: '', share: 30, gate: 'midterm', kpis: [] },
    { title: titles[2], due_on: addDays(start, 365), deliverables: '', share: 20, gate: 'final', kpis: [] },
  ]
}

/** flagType is the Element Plus tag type of a due flag. */
export function flagType(flag: DueFlag): 'info' | 'warning' | 'danger' | 'success' | 'primary' {
  switch (flag) {
    case 'done':
      return 'success'
    case 'due':
      return 'warning'
    case 'late':
    case 'very_late':
      return 'danger'
    default:
      return 'info'
  }
}

/** flagKey is the i18n key of a due flag's label. */
export function flagKey(flag: DueFlag): string {
  return `follow.flag.${flag}`
}

/** tierName picks a tier's name in the current language. */
export function tierName(t: { tier_name_zh: string; tier_name_en: string } | { name_zh: string; name_en: string }, locale: string): string {
  if ('tier_name_zh' in t) return locale.startsWith('zh') ? t.tier_name_zh : t.tier_name_en
  return locale.startsWith('zh') ? t.name_zh : t.name_en
}

/** progressPercent is the share of milestones done, 0..100 (0 with no milestones). */
export function progressPercent(p: { done: number; total: number }): number {
  return p.total > 0 ? Math.round((p.done * 100) / p.total) : 0
}

/** releasedPercent is the share of funding paid, 0..100, rounded down (integer arithmetic). */
export function releasedPercent(paidFen: number, fundingFen: number): number {
  return fundingFen > 0 ? Math.floor((paidFen * 100) / fundingFen) : 0
}

/** fieldOf finds a field error for a path like "milestones[0].title" (or a prefix of it). */
export function fieldsUnder(fields: Readonly<Record<string, string>>, prefix: string): [string, string][] {
  return Object.entries(fields).filter(([k]) => k === prefix || k.startsWith(prefix + '.') || k.startsWith(prefix + '['))
}
