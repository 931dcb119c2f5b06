// Accounts, for administrators: /api/v1/users.
import type { Role, User } from './auth'
import { api, type RequestOptions, type UploadOptions } from './client'

/** AdminUser is a user as the administrators' lists show it. */
export interface AdminUser extends User {
  unit_name: string | null
  /** phone is whole for administrators, masked (138****5678) for anyone else. */
  phone: string
  expertise: string[]
  bio: string
  /** email is where notifications go by e-mail ('' for none). */
  email: string
  disabled: boolean
  /** created_at is RFC 3339 in UTC. */
  created_at: string
}

/** UserFilter narrows GET /users; empty values are not sent. */
export interface UserFilter {
  role?: Role | ''
  unit_id?: number | null
  q?: string
  include_disabled?: boolean
}

/** NewUserInput is the body of POST /users. */
export interface NewUserInput {
  username: string
  display_name: string
  password: string
  roles: Role[]
  unit_id: number | null
  phone: string
  email?: string
  expertise: string[]
  bio: string
}

/** UserUpdate is the body of PATCH /users/{id}. */
export interface UserUpdate {
  display_name: string
  roles: Role[]
  unit_id: number | null
  phone: string
  expertise: string[]
  bio: string
  /** email: absent keeps the address, '' removes it. */
  email?: string
  disabled: boolean
}

/** GeneratedPassword is a password the server made up for an imported user; it is shown once. */
export interface GeneratedPassword {
  username: string
  password: string
}

/** UserImportResult is the body of a successful user import. */
export interface UserImportResult {
  imported: number
  passwords: GeneratedPassword[]
}

/** LoginLink is a one-time sign-in link for a tablet. */
export interface LoginLink {
  url: string
  expires_at: string
}

/** userQuery builds the query string of GET /users from a filter. */
export function userQuery(filter: UserFilter): string {
  const params = new URLSearchParams()
  if (filter.role) params.set('role', filter.role)
  if (filter.unit_id != null) params.set('unit_id', String(filter.unit_id))
  const q = filter.q?.trim()
  if (q) params.set('q', q)
  if (filter.include_disabled) params.set('include_disabled', 'true')
  const text = params.toString()
  return text ? `?${text}` : ''
}

function normalize(user: AdminUser): AdminUser {
  return {
    ...user,
    roles: Array.isArray(user.roles) ? user.roles : [],
    unit_id: user.unit_id ?? null,
    unit_name: user.unit_name ?? null,
    phone: user.phone ?? '',
    expertise: Array.isArray(user.expertise) ? user.expertise : [],
    bio: user.bio ?? '',
    email: user.email ?? '',
    disabled: user.disabled === true,
  }
}

/** listUsers loads the users that match filter. */
export async function listUsers(filter: UserFilter = {}, options?: RequestOptions): Promise<AdminUser[]> {
  const res = await api.get<{ users: AdminUser[] | null }>(`/api/v1/users${userQuery(filter)}`, options)
  return (res.users ?? []).map(normalize)
}

/** createUser adds an account (409 when the username is taken). */
export async function createUser(input: NewUserInput, options?: RequestOptions): Promise<AdminUser> {
  return normalize(await api.post<AdminUser>('/api/v1/users', input, options))
}

/** updateUser changes an account (409 when it would leave no enabled administrator). */
export async function updateUser(id: number, input: UserUpdate, options?: RequestOptions): Promise<AdminUser> {
  return normalize(await api.patch<AdminUser>(`/api/v1/users/${id}`, input, options))
}

/** resetPassword sets a new password and signs the user out everywhere. */
export function resetPassword(id: number, password: string, options?: RequestOptions): Promise<void> {
  return api.post<void>(`/api/v1/users/${id}/password`, { password }, options)
}

/** createLoginLink makes a one-time sign-in link valid for ttlMinutes. */
export function createLoginLink(id: number, ttlMinutes: number, options?: RequestOptions): Promise<LoginLink> {
  return api.post<LoginLink>(`/api/v1/users/${id}/login-links`, { ttl_minutes: ttlMinutes }, options)
}

/** importUsers uploads a .csv or .xlsx file of users; 422 lists the problems per row. */
export async function importUsers(file: File, options?: UploadOptions): Promise<UserImportResult> {
  const form = new FormData()
  form.append('file', file)
  const res = await api.upload<UserImportResult>('/api/v1/users/import', form, options)
  return { imported: res.imported, passwords: res.passwords ?? [] }
}
