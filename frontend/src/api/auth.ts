// Authentication endpoints: /api/v1/me, /api/v1/auth/*, /api/v1/setup and /api/v1/me/password.
import { api, type RequestOptions } from './client'

/** ROLES lists the roles the server grants (ARCHITECTURE.md). */
export const ROLES = ['admin', 'unit', 'expert', 'host', 'recommender'] as const

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

/**
 * LoginResponse is the body of a successful sign-in: POST /auth/login, POST /auth/link and
 * POST /setup all answer with it.
 */
export interface LoginResponse {
  user: User
  csrf_token: string
}

/**
 * MeResponse is the body of GET /api/v1/me: the user object plus the session's csrf_token, so that a
 * reloaded page can keep making mutating requests without storing the token anywhere.
 */
export type MeResponse = User & { csrf_token?: string }

/** SetupStatus is the body of GET /api/v1/setup. */
export interface SetupStatus {
  /** needed is true only while no administrator exists. */
  needed: boolean
}

/** SetupInput creates the first administrator. */
export interface SetupInput {
  username: string
  display_name: string
  password: string
}

/** isRole reports whether value is a known role. */
export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value)
}

/** normalizeUser keeps only the roles this frontend knows, so unknown ones never grant a link. */
export function normalizeUser<T extends User>(user: T): T {
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

/** redeemLink signs in with the one-time token of a login link (expert tablets). */
export function redeemLink(token: string, options?: RequestOptions): Promise<LoginResponse> {
  return api.post<LoginResponse>('/api/v1/auth/link', { token }, options)
}

/** logout ends the session. */
export function logout(options?: RequestOptions): Promise<void> {
  return api.post<void>('/api/v1/auth/logout', undefined, options)
}

/**
 * changePassword changes the signed-in user's password. The server signs out every other session of
 * the user and gives this one a new CSRF token.
 */
export function changePassword(
  currentPassword: string,
  newPassword: string,
  options?: RequestOptions,
): Promise<{ csrf_token: string }> {
  return api.post<{ csrf_token: string }>(
    '/api/v1/me/password',
    { current_password: currentPassword, new_password: newPassword },
    options,
  )
}

/** fetchSetup asks whether the first administrator still has to be created. */
export function fetchSetup(options?: RequestOptions): Promise<SetupStatus> {
  return api.get<SetupStatus>('/api/v1/setup', options)
}

/** setup creates the first administrator and signs them in (409 once an administrator exists). */
export function setup(input: SetupInput, options?: RequestOptions): Promise<LoginResponse> {
  return api.post<LoginResponse>('/api/v1/setup', input, options)
}
