// Projects (申报项目): drafts with autosave, submission with versions, withdrawal, eligibility and
// the submissions export. A unit sees its own projects, administrators all of them.
import { api, errorFromResponse, ApiError, type RequestOptions } from './client'

/** PROJECT_STATUSES lists the statuses of the submission stage, in their order. */
export const PROJECT_STATUSES = [
  'draft',
  'submitted',
  'withdrawn',
  'eligible',
  'ineligible',
  'returned',
  // The recommendation step (县区推荐): recommended to the city, or returned by the recommender.
  'recommended',
  'returned_by_recommender',
] as const

/** ProjectStatus is one of PROJECT_STATUSES. */
export type ProjectStatus = (typeof PROJECT_STATUSES)[number]

/** PROJECT_FIELDS lists the texts of a project in form order. */
export const PROJECT_FIELDS = [
  'title',
  'category',
  'summary',
  'problem',
  'approach',
  'results',
  'replicability',
  'sustainability',
  'start_date',
  'contact_name',
  'contact_phone',
] as const

/** ProjectField is one of PROJECT_FIELDS. */
export type ProjectField = (typeof PROJECT_FIELDS)[number]

/** ProjectFields are the texts a unit writes; every one is required to submit. */
export type ProjectFields = Record<ProjectField, string>

/** FIELD_LIMITS are the servers' caps in characters (code points, not UTF-16 units). */
export const FIELD_LIMITS: Record<ProjectField, number> = {
  title: 60,
  category: 20,
  summary: 500,
  problem: 3000,
  approach: 5000,
  results: 5000,
  replicability: 3000,
  sustainability: 3000,
  start_date: 10,
  contact_name: 30,
  contact_phone: 20,
}

/** Project is a unit's entry in an edition. */
export interface Project extends ProjectFields {
  id: number
  edition_id: number
  unit_id: number
  unit_name: string
  unit_path: string[]
  status: ProjectStatus
  eligibility_reason: string
  /** version counts the submissions. */
  version: number
  submitted_at: string | null
  created_at: string
  updated_at: string
  /** missing lists the required fields still empty. */
  missing: string[]
  /** recommendation is the recommender's decision or comment (null before any). */
  recommendation?: Recommendation | null
}

/** Recommendation is the county's or department's word on the current submission (县区推荐). */
export interface Recommendation {
  /** root_id is the subtree root the recommendation counts against (null for a return). */
  root_id: number | null
  root_name: string
  /** by is the recommender's username. */
  by: string
  at: string | null
  /** comment is the comment, or the reason of a return. */
  comment: string
}

/** ProjectVersion is one submitted snapshot. */
export interface ProjectVersion {
  version: number
  submitted_at: string
  submitted_by: string
  fields: ProjectFields
}

/** ProjectFilter narrows a project list (and the export). */
export interface ProjectFilter {
  category?: string
  county_id?: number | null
  unit_id?: number | null
  status?: string
  q?: string
}

/** emptyFields returns a project's fields, all empty. */
export function emptyFields(): ProjectFields {
  const out = {} as ProjectFields
  for (const f of PROJECT_FIELDS) out[f] = ''
  return out
}

/** pickFields copies the texts out of a project (or anything shaped like one). */
export function pickFields(p: Partial<Record<ProjectField, string | null | undefined>>): ProjectFields {
  const out = {} as ProjectFields
  for (const f of PROJECT_FIELDS) out[f] = p[f] ?? ''
  return out
}

/** charCount counts code points, as the server counts characters (an emoji is one, not two). */
export function charCount(s: string): number {
  let n = 0
  // for…of walks code points; it is cheaper than [...s] on long texts.
  for (const _ of s) n++
  return n
}

/** isEditable reports whether a unit may still change a project of this status. */
export function isEditable(status: ProjectStatus): boolean {
  return status === 'draft' || status === 'withdrawn' || status === 'returned' || status === 'returned_by_recommender'
}

/**
 * isJudgeable reports whether administrators may record eligibility for this status; with the
 * edition's recommendation step on, a submission must be recommended first.
 */
export function isJudgeable(status: ProjectStatus, recommendStep = false): boolean {
  if (status === 'submitted') return !recommendStep
  return status === 'recommended' || status === 'eligible' || status === 'ineligible'
}

function query(filter: ProjectFilter, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams()
  if (filter.category) params.set('category', filter.category)
  if (filter.county_id) params.set('county_id', String(filter.county_id))
  if (filter.unit_id) params.set('unit_id', String(filter.unit_id))
  if (filter.status) params.set('status', filter.status)
  if (filter.q && filter.q.trim()) params.set('q', filter.q.trim())
  for (const [k, v] of Object.entries(extra)) params.set(k, v)
  const s = params.toString()
  return s ? `?${s}` : ''
}

/** listProjects returns the projects of an edition the caller may see. */
export async function listProjects(editionID: number, filter: ProjectFilter = {}, options?: RequestOptions): Promise<Project[]> {
  const res = await api.get<{ projects: Project[] | null }>(`/api/v1/editions/${editionID}/projects${query(filter)}`, options)
  return res.projects ?? []
}

/** createProject starts a draft for the caller's unit (409 outside the window or over the quota). */
export function createProject(editionID: number, fields: Partial<ProjectFields> = {}, options?: RequestOptions): Promise<Project> {
  return api.post<Project>(`/api/v1/editions/${editionID}/projects`, fields, options)
}

/** getProject returns one project. */
export function getProject(id: number, options?: RequestOptions): Promise<Project> {
  return api.get<Project>(`/api/v1/projects/${id}`, options)
}

/** saveProject stores a draft's texts (autosave); every field is sent. */
export function saveProject(id: number, fields: ProjectFields, options?: RequestOptions): Promise<Project> {
  return api.put<Project>(`/api/v1/projects/${id}`, fields, options)
}

/** submitProject submits (422 names every missing field, "media" too; 409 after the deadline). */
export function submitProject(id: number, options?: RequestOptions): Promise<Project> {
  return api.post<Project>(`/api/v1/projects/${id}/submit`, undefined, options)
}

/** withdrawProject takes a submission back to change it (before the deadline). */
export function withdrawProject(id: number, options?: RequestOptions): Promise<Project> {
  return api.post<Project>(`/api/v1/projects/${id}/withdraw`, undefined, options)
}

/** deleteDraft deletes the unit's own draft that was never submitted (its quota place comes back). */
export function deleteDraft(id: number, options?: RequestOptions): Promise<void> {
  return api.delete<void>(`/api/v1/projects/${id}`, options)
}

/** returnProject sends a submitted project back to its unit for changes, with the reason (admins). */
export function returnProject(id: number, reason: string, options?: RequestOptions): Promise<Project> {
  return api.post<Project>(`/api/v1/projects/${id}/return`, { reason }, options)
}

/** listVersions returns the submitted versions, newest first. */
export async function listVersions(id: number, options?: RequestOptions): Promise<ProjectVersion[]> {
  const res = await api.get<{ versions: ProjectVersion[] | null }>(`/api/v1/projects/${id}/versions`, options)
  return res.versions ?? []
}

/** setEligibility records the eligibility check for several projects: all or none. */
export async function setEligibility(
  projectIDs: number[],
  eligible: boolean,
  reason: string,
  options?: RequestOptions,
): Promise<Project[]> {
  const res = await api.post<{ projects: Project[] | null }>(
    '/api/v1/projects/eligibility',
    { project_ids: projectIDs, eligible, reason },
    options,
  )
  return res.projects ?? []
}

/** exportURL is the address of the submissions export of an edition with the given filter. */
export function exportURL(editionID: number, format: 'xlsx' | 'csv', filter: ProjectFilter = {}): string {
  return `/api/v1/editions/${editionID}/projects/export${query(filter, { format })}`
}

/** ExportFile is a downloaded export. */
export interface ExportFile {
  blob: Blob
  filename: string
}

/** filenameFrom reads the file name of a Content-Disposition header, or returns fallback. */
export function filenameFrom(disposition: string | null, fallback: string): string {
  if (!disposition) return fallback
  const star = /filename\*\s*=\s*(?:UTF-8'')?([^;]+)/i.exec(disposition)
  if (star && star[1]) {
    try {
      return decodeURIComponent(star[1].trim().replace(/^"|"$/g, ''))
    } catch {
      // fall through to the plain parameter
    }
  }
  const plain = /filename\s*=\s*"?([^";]+)"?/i.exec(disposition)
  return plain && plain[1] ? plain[1].trim() : fallback
}

/**
 * downloadExport fetches the export with the session cookie. It rejects with an ApiError (never
 * shown by itself: the caller explains it in place).
 */
export async function downloadExport(editionID: number, format: 'xlsx' | 'csv', filter: ProjectFilter = {}): Promise<ExportFile> {
  let response: Response
  try {
    response = await fetch(exportURL(editionID, format, filter), { credentials: 'same-origin' })
  } catch (cause) {
    throw new ApiError({ status: 0, code: 'network', message: String(cause) })
  }
  if (!response.ok) throw await errorFromResponse(response)
  const blob = await response.blob()
  return { blob, filename: filenameFrom(response.headers.get('Content-Disposition'), `submissions.${format}`) }
}

/** saveBlob offers a blob to the user as a file download. */
export function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = filename
  a.rel = 'noopener'
  document.body.appendChild(a)
  a.click()
  a.remove()
  window.setTimeout(() => URL.revokeObjectURL(url), 30_000)
}
