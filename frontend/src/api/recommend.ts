// County and department recommendation (县区推荐): the recommender's console and their scoped
// administration of units and unit accounts. The server narrows everything to the caller's subtree.
import { api, type RequestOptions } from './client'
import type { Project } from './projects'
import type { Unit, UnitInput } from './units'
import type { AdminUser } from './users'

/** QuotaUse is one county's or department's quota and how much of it is used. */
export interface QuotaUse {
  unit_id: number
  unit_name: string
  quota: number
  /** set is false when the edition sets no quota for the unit (nothing can be recommended). */
  set: boolean
  used: number
  left: number
}

/** RecommendationPage is the console: the step, the quotas and the subtree's submissions. */
export interface RecommendationPage {
  edition_id: number
  recommend_step: boolean
  quotas: QuotaUse[]
  projects: Project[]
}

/** getRecommendations loads the console of an edition. */
export function getRecommendations(editionID: number, options?: RequestOptions): Promise<RecommendationPage> {
  return api.get<RecommendationPage>(`/api/v1/editions/${editionID}/recommendations`, options)
}

/** recommendProject sends a submission on to the city, with an optional comment. */
export function recommendProject(id: number, comment: string, options?: RequestOptions): Promise<Project> {
  return api.post<Project>(`/api/v1/projects/${id}/recommend`, { comment }, options)
}

/** returnByRecommender sends a submission back to its unit with the (required) reason. */
export function returnByRecommender(id: number, reason: string, options?: RequestOptions): Promise<Project> {
  return api.post<Project>(`/api/v1/projects/${id}/recommender-return`, { reason }, options)
}

/** commentProject sets the recommender's comment ('' clears it). */
export function commentProject(id: number, comment: string, options?: RequestOptions): Promise<Project> {
  return api.put<Project>(`/api/v1/projects/${id}/recommend-comment`, { comment }, options)
}

/** listScopedUnits returns the recommender's units, their root first. */
export async function listScopedUnits(options?: RequestOptions): Promise<Unit[]> {
  const res = await api.get<{ units: Unit[] | null }>('/api/v1/recommend/units', options)
  return res.units ?? []
}

/** createScopedUnit adds a unit under one of the recommender's units. */
export function createScopedUnit(input: UnitInput, options?: RequestOptions): Promise<Unit> {
  return api.post<Unit>('/api/v1/recommend/units', input, options)
}

/** updateScopedUnit changes a unit below the recommender's root. */
export function updateScopedUnit(id: number, input: UnitInput, options?: RequestOptions): Promise<Unit> {
  return api.patch<Unit>(`/api/v1/recommend/units/${id}`, input, options)
}

/** ScopedUserInput is a unit account a recommender creates. */
export interface ScopedUserInput {
  username: string
  display_name: string
  password: string
  unit_id: number | null
  phone?: string
  email?: string
}

/** listScopedUsers returns the unit accounts of the recommender's subtree. */
export async function listScopedUsers(options?: RequestOptions): Promise<AdminUser[]> {
  const res = await api.get<{ users: AdminUser[] | null }>('/api/v1/recommend/users', options)
  return res.users ?? []
}

/** createScopedUser creates a unit account. */
export function createScopedUser(input: ScopedUserInput, options?: RequestOptions): Promise<AdminUser> {
  return api.post<AdminUser>('/api/v1/recommend/users', input, options)
}

/** setScopedUserDisabled disables or enables a unit account. */
export function setScopedUserDisabled(id: number, disabled: boolean, options?: RequestOptions): Promise<AdminUser> {
  return api.patch<AdminUser>(`/api/v1/recommend/users/${id}`, { disabled }, options)
}

/** resetScopedPassword sets a new password on a unit account. */
export function resetScopedPassword(id: number, password: string, options?: RequestOptions): Promise<void> {
  return api.post<void>(`/api/v1/recommend/users/${id}/password`, { password }, options)
}
