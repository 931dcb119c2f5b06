// Published results (公示): public, no sign-in. Objections are sent while a round's window is open,
// with a name and a contact that only the organisers see.
import { api, type RequestOptions } from './client'
import type { Round } from './rounds'

/** PublishedEntry is one line of a published ranking. */
export interface PublishedEntry {
  rank: number
  project_id: string
  title: string
  unit_name: string
  score: number
  /** display is the score half-up to 2 decimals: show this. */
  display: string
  judges: number
  method_applied: string
  tied: boolean
  /** advances is present once the advancement is decided. */
  advances?: boolean
  advance_reason?: string
}

/** AnsweredObjection is an objection and the organisers' answer, without the sender. */
export interface AnsweredObjection {
  id: number
  project_id: number | null
  body: string
  created_at: string
  answer: string
  answered_at: string
}

/** Publication is one published round. */
export interface Publication {
  round: Round
  published_at: string
  /** objection_from is the publication window's start: objections before it are refused. */
  objection_from?: string
  objection_until: string
  objections_open: boolean
  ranking: PublishedEntry[]
  sheet_url: string
  objection_url: string
  objections: number
  answered: AnsweredObjection[]
}

/** listPublications returns the published rounds, newest first. */
export async function listPublications(options?: RequestOptions): Promise<Publication[]> {
  const res = await api.get<{ results: Publication[] | null }>('/api/v1/results', options)
  return (res.results ?? []).map((p) => ({ ...p, ranking: p.ranking ?? [], answered: p.answered ?? [] }))
}

/** ObjectionInput is an objection: a name and a contact (phone or e-mail) are required. */
export interface ObjectionInput {
  project_id: number | null
  name: string
  contact: string
  body: string
}

/** submitObjection sends an objection; 409 once the window has closed, 422 naming fields. */
export function submitObjection(roundID: number, input: ObjectionInput, options?: RequestOptions): Promise<{ id: number }> {
  return api.post<{ id: number }>(`/api/v1/results/${roundID}/objections`, input, options)
}
