// Expert review: an expert's rounds, the assigned projects, scoring and declared conflicts of
// interest (/api/v1/review/… and /api/v1/me/conflicts). In blind rounds the server leaves the unit
// out of everything it sends; the screens must not add it back from anywhere else.
import { api, type RequestOptions } from './client'
import type { Media } from './media'
import type { Round, Score } from './rounds'

/** ReviewRound is one of the expert's rounds with their progress ("12 / 15"). */
export interface ReviewRound extends Round {
  /** done counts the expert's submitted scores, total the projects assigned to them. */
  done: number
  total: number
  /** reminder is the organisers' latest reminder in this round, null when none. */
  reminder: { message: string; remaining: number; sent_at: string } | null
}

/** ItemStatus is where the expert stands with one project. */
export type ItemStatus = 'todo' | 'draft' | 'submitted'

/** ReviewItem is one assigned project on the expert's list, in review order. */
export interface ReviewItem {
  project_id: number
  title: string
  category: string
  /** unit_name is absent in blind rounds. */
  unit_name?: string
  position: number
  status: ItemStatus
  total: number | null
  score: Score | null
}

/** ReviewList is the expert's list for one round. */
export interface ReviewList {
  round: Round
  items: ReviewItem[]
  done: number
  total: number
}

/** ReviewProjectTexts are the texts an expert reads: the project without its contact details. */
export interface ReviewProjectTexts {
  id: number
  title: string
  category: string
  summary: string
  problem: string
  approach: string
  results: string
  replicability: string
  sustainability: string
  start_date: string
  /** unit_name and unit_path are empty in blind rounds. */
  unit_name: string
  unit_path: string[]
}

/** ReviewProject is an assigned project with the round (and its rubric) and the expert's score. */
export interface ReviewProject {
  round: Round
  project: ReviewProjectTexts
  score: Score | null
}

/** ScoreInput is a draft or a submission: points per criterion key, as decimals. */
export interface ScoreInput {
  points: Record<string, number>
  comment: string
  submit: boolean
}

/** listReviewRounds returns the rounds (not drafts) in which the caller has projects. */
export async function listReviewRounds(options?: RequestOptions): Promise<ReviewRound[]> {
  const res = await api.get<{ rounds: ReviewRound[] | null }>('/api/v1/review/rounds', options)
  return res.rounds ?? []
}

/** getReviewList returns the caller's assigned projects of a round, in review order. */
export async function getReviewList(roundID: number, options?: RequestOptions): Promise<ReviewList> {
  const res = await api.get<ReviewList>(`/api/v1/review/rounds/${roundID}`, options)
  return { ...res, items: res.items ?? [] }
}

/** getReviewProject returns one assigned project; 403 when not assigned or conflicted. */
export function getReviewProject(roundID: number, projectID: number, options?: RequestOptions): Promise<ReviewProject> {
  return api.get<ReviewProject>(`/api/v1/review/rounds/${roundID}/projects/${projectID}`, options)
}

/**
 * saveScore stores a draft or submits. 422 names the criterion in `fields`; 409 when the round is
 * not open (closed, or outside its window) or when a submitted score is saved as a draft.
 */
export function saveScore(roundID: number, projectID: number, input: ScoreInput, options?: RequestOptions): Promise<Score> {
  return api.put<Score>(`/api/v1/review/rounds/${roundID}/projects/${projectID}/score`, input, options)
}

/** listMyConflicts returns the units the caller declared a conflict of interest with. */
export async function listMyConflicts(options?: RequestOptions): Promise<number[]> {
  const res = await api.get<{ unit_ids: number[] | null }>('/api/v1/me/conflicts', options)
  return res.unit_ids ?? []
}

/** declareConflict records a conflict with a unit and everything under it. */
export async function declareConflict(unitID: number, reason: string, options?: RequestOptions): Promise<number[]> {
  const res = await api.post<{ unit_ids: number[] | null }>('/api/v1/me/conflicts', { unit_id: unitID, reason }, options)
  return res.unit_ids ?? []
}

/**
 * listReviewMedia returns an assigned project's media with expiring links (403 when not assigned or
 * conflicted). In blind rounds the server has already replaced the file names (附件1.pdf …).
 */
export async function listReviewMedia(roundID: number, projectID: number, options?: RequestOptions): Promise<Media[]> {
  const res = await api.get<{ media: Media[] | null }>(`/api/v1/review/rounds/${roundID}/projects/${projectID}/media`, options)
  return res.media ?? []
}
