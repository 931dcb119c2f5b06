// Site visits (实地考察) in a round that records them (/api/v1/review/rounds/{id}/projects/{pid}/visit…
// for the experts, /api/v1/rounds/{id}/projects/{pid}/visits for the admins). A visit's photos go
// through the resumable upload pipeline; only their first call differs (visitTransport).
import { api, type RequestOptions } from './client'
import type { Media, Upload } from './media'
import type { UploadTransport } from '@/components/media/uploader'
import { xhrTransport } from '@/components/media/xhrTransport'

/** SiteVisit is one expert's visit to a project. */
export interface SiteVisit {
  id: number
  round_id: number
  project_id: number
  expert_id: number
  expert_name: string
  /** visited_on is a date, YYYY-MM-DD. */
  visited_on: string
  notes: string
  photos: Media[]
  /** mine is the caller's own visit. */
  mine: boolean
  created_at: string
  updated_at: string
}

/** ProjectVisits is the panel's view of a project's visits in a round. */
export interface ProjectVisits {
  site_visits: boolean
  /** editable: the caller may record or change their own visit now. */
  editable: boolean
  round_status: string
  closes_at: string
  visits: SiteVisit[]
}

/** VisitInput is what an expert saves. */
export interface VisitInput {
  visited_on: string
  notes: string
  media_ids: number[]
}

/** VISIT_NOTES_LIMIT is the server's limit on a visit's notes, in characters. */
export const VISIT_NOTES_LIMIT = 5000
/** VISIT_PHOTOS_LIMIT is the server's limit on a visit's photos. */
export const VISIT_PHOTOS_LIMIT = 20

/** visitsPath is the panel's route: the experts' (review) or the admins'. */
export function visitsPath(roundID: number, projectID: number, admin = false): string {
  return admin ? `/api/v1/rounds/${roundID}/projects/${projectID}/visits` : `/api/v1/review/rounds/${roundID}/projects/${projectID}/visits`
}

/** projectVisits reads the round's visits to a project. */
export async function projectVisits(roundID: number, projectID: number, admin = false, options?: RequestOptions): Promise<ProjectVisits> {
  const res = await api.get<ProjectVisits>(visitsPath(roundID, projectID, admin), options)
  return { ...res, visits: res.visits ?? [] }
}

/** saveVisit records or changes the caller's own visit. */
export function saveVisit(roundID: number, projectID: number, input: VisitInput, options?: RequestOptions): Promise<SiteVisit> {
  return api.put<SiteVisit>(`/api/v1/review/rounds/${roundID}/projects/${projectID}/visit`, input, options)
}

/** visitTransport is the upload transport of a visit's photos: created through the visit's route. */
export function visitTransport(roundID: number): UploadTransport {
  return {
    ...xhrTransport,
    create: (projectID, input) =>
      api.post<Upload>(
        `/api/v1/review/rounds/${roundID}/projects/${projectID}/visit/uploads`,
        { filename: input.filename, size: input.size, content_type: input.content_type },
        { silent: true },
      ),
  }
}
