// Blind rounds (盲评): the places a project's texts name its unit, and the admin's redacted copy that
// the round's experts read instead (/api/v1/rounds/{id}/blind). Offsets count code points, as the
// server counts characters (runes).
import { api, type RequestOptions } from './client'
import type { Round } from './rounds'

/** BLIND_FIELDS are the texts an expert reads, in form order. */
export const BLIND_FIELDS = ['title', 'summary', 'problem', 'approach', 'results', 'replicability', 'sustainability'] as const
export type BlindField = (typeof BLIND_FIELDS)[number]

/** The masks a redaction puts in place of a name. */
export const MASKS = ['■■', '【单位】'] as const

export type BlindTexts = Record<string, string>

/** BlindHit is one place [start, end) (code points) that names the unit. */
export interface BlindHit {
  start: number
  end: number
  text: string
  term: string
  kind: 'unit' | 'ancestor' | 'short' | 'contact' | 'phone'
}

export type BlindHits = Record<string, BlindHit[]>

export interface BlindProject {
  project_id: number
  version: number
  original: BlindTexts
  hits: BlindHits
  copy: BlindTexts | null
  copy_hits: BlindHits
  terms: { text: string; kind: string }[]
  saved_by: string
  saved_at: string | null
  stale: boolean
  scored: boolean
  editable: boolean
  unredacted: number
}

export interface BlindReview {
  round: Round
  projects: BlindProject[]
  unredacted_projects: number
}

export async function getBlindReview(roundID: number, options?: RequestOptions): Promise<BlindReview> {
  const res = await api.get<BlindReview>(`/api/v1/rounds/${roundID}/blind`, options)
  return { ...res, projects: res.projects ?? [] }
}

export function saveRedaction(roundID: number, projectID: number, texts: BlindTexts, options?: RequestOptions): Promise<BlindProject> {
  return api.put<BlindProject>(`/api/v1/rounds/${roundID}/blind/${projectID}`, { texts }, options)
}

/** Segment is a piece of a text: plain, or a hit (with its index in the field's hits). */
export interface Segment {
  text: string
  hit: number | null
}

/** segments cuts a text at its hits, for highlighting; hits out of order or range are ignored. */
export function segments(text: string, hits: readonly BlindHit[]): Segment[] {
  const cps = Array.from(text)
  const out: Segment[] = []
  let at = 0
  hits.forEach((h, i) => {
    if (h.start < at || h.end > cps.length || h.start >= h.end) return
    if (h.start > at) out.push({ text: cps.slice(at, h.start).join(''), hit: null })
    out.push({ text: cps.slice(h.start, h.end).join(''), hit: i })
    at = h.end
  })
  if (at < cps.length || out.length === 0) out.push({ text: cps.slice(at).join(''), hit: null })
  return out
}

/**
 * redactHit masks hit i of a field: the new text and the remaining hits, those after it shifted by
 * the change in length.
 */
export function redactHit(text: string, hits: readonly BlindHit[], i: number, mask: string): { text: string; hits: BlindHit[] } {
  const h = hits[i]
  const cps = Array.from(text)
  if (!h || h.end > cps.length || h.start >= h.end) return { text, hits: [...hits] }
  const maskLen = Array.from(mask).length
  const delta = maskLen - (h.end - h.start)
  const next = cps.slice(0, h.start).join('') + mask + cps.slice(h.end).join('')
  const rest = hits.filter((_, j) => j !== i).map((o) => (o.start >= h.end ? { ...o, start: o.start + delta, end: o.end + delta } : o))
  return { text: next, hits: rest }
}

/** redactAll masks every hit of a field. */
export function redactAll(text: string, hits: readonly BlindHit[], mask: string): string {
  let cur = { text, hits: [...hits] }
  while (cur.hits.length > 0) {
    const before = cur.hits.length
    cur = redactHit(cur.text, cur.hits, cur.hits.length - 1, mask)
    if (cur.hits.length === before) break
  }
  return cur.text
}
