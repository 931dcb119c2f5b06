// Authentication endpoints: /api/v1/me, /api/v1/auth/login, /api/v1/auth/logout.
import { api, type RequestOptions } from './client'

/** ROLES lists the roles the server grants (ARCHITECTURE.md). */
export const ROLES = ['admin', 'unit', 'expert', 'host'] as const

/** Role is one of ROLES. */
export type Role = (typeof ROLES)[number]

/** User is the signed-in account as the API returns it. */
export interface User {
  id: number
  username: string
  display_name: string
  roles: Role[]
  unit_id: number | null
}

/** LoginResponse is the body of a successful POST /api/v1/auth/login. */
export interface LoginResponse {
  user: User
  csrf_token: string
}

/**
 * MeResponse is the body of GET /api/v1/me: the user object. The server may also include the
 * session's csrf_token so that a reloaded page can keep making mutating requests.
 */
export type MeResponse = User & { csrf_token?: string }

/** isRole reports whether value is a known role. */
export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value)
}

/** normalizeUser keeps only the roles this frontend knows, so unknown ones never grant a link. */
export function normalizeUser(user: User): User {
  const roles = Array.isArray(user.roles) ? user.roles.filter(isRole) : []
  return { ...user, roles, unit_id: user.unit_id ?? null }
}

/** fetchMe loads the current user; it rejects with an ApiError (401/404 when signed out). */
export function fetchMe(options?: RequestOptions): Promise<MeResponse> {
  return api.get<MeResponse>('/api/v1/me', options)
}

/** login signs in with a username and password. */
export function login(username: string, password: string, options?: RequestOptions): Promise<LoginResponse> {
  return api.post<LoginResponse>('/api/v1/auth/login', { username, password }, options)
}

/** logout ends the session. */
export function logout(options?: RequestOptions): Promise<void> {
  return api.post<void>('/api/v1/auth/logout', undefined, options)
}
