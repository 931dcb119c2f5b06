// Editions (年度评选): /api/v1/editions. Everyone may read the active ones; administrators write.
import { api, type RequestOptions } from './client'

/** EDITION_STATUSES lists an edition's statuses in their order. */
export const EDITION_STATUSES = ['draft', 'active', 'archived'] as const

/** EditionStatus is one of EDITION_STATUSES. */
export type EditionStatus = (typeof EDITION_STATUSES)[number]

/** Edition is one year's selection with its submission window. Times are RFC 3339 (UTC). */
export interface Edition {
  id: number
  year: number
  title: string
  categories: string[]
  opens_at: string
  closes_at: string
  grace_minutes: number
  /** deadline is closes_at plus the grace period: the last moment a change is accepted. */
  deadline: string
  /** quota_per_unit caps the projects of one unit; 0 means no cap. */
  quota_per_unit: number
  status: EditionStatus
  /** accepting says whether units may create, change, submit or withdraw projects right now. */
  accepting: boolean
  /** recommend_step: submissions wait for their county's or department's recommendation (县区推荐). */
  recommend_step?: boolean
  /** recommend_quotas are how many projects each subtree root may recommend. */
  recommend_quotas?: RecommendQuota[]
}

/** RecommendQuota is how many projects one county or department may recommend. */
export interface RecommendQuota {
  unit_id: number
  quota: number
}

/** EditionInput is what an administrator sends to create or change an edition (all fields). */
export interface EditionInput {
  year: number
  title: string
  categories: string[]
  opens_at: string
  closes_at: string
  grace_minutes: number
  quota_per_unit: number
  status: EditionStatus
  /** Left out: the edition keeps its recommendation settings. */
  recommend_step?: boolean
  recommend_quotas?: RecommendQuota[]
}

/** getCurrentEdition returns the running edition; 404 (not_found) when none is running. */
export function getCurrentEdition(options?: RequestOptions): Promise<Edition> {
  return api.get<Edition>('/api/v1/editions/current', options)
}

/** listEditions returns the editions, newest first (drafts only for administrators). */
export async function listEditions(options?: RequestOptions): Promise<Edition[]> {
  const res = await api.get<{ editions: Edition[] | null }>('/api/v1/editions', options)
  return res.editions ?? []
}

/** getEdition returns one edition. */
export function getEdition(id: number, options?: RequestOptions): Promise<Edition> {
  return api.get<Edition>(`/api/v1/editions/${id}`, options)
}

/** createEdition adds an edition (201). */
export function createEdition(input: EditionInput, options?: RequestOptions): Promise<Edition> {
  return api.post<Edition>('/api/v1/editions', input, options)
}

/** updateEdition changes an edition; every field is sent. */
export function updateEdition(id: number, input: EditionInput, options?: RequestOptions): Promise<Edition> {
  return api.patch<Edition>(`/api/v1/editions/${id}`, input, options)
}
