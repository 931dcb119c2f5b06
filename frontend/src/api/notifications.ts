// The caller's own notifications and settings: /api/v1/notifications and /api/v1/me/settings.
import { api, type RequestOptions } from './client'

/** NOTIFICATION_KINDS are the kinds of notification, in the order the settings page lists them. */
export const NOTIFICATION_KINDS = [
  'project.submitted',
  'project.returned',
  'project.eligibility',
  'round.assigned',
  'round.closing',
  'round.published',
  'objection.answered',
  'project.recommended',
  'project.returned_by_recommender',
  'project.awaiting_recommendation',
] as const

export type NotificationKind = (typeof NOTIFICATION_KINDS)[number]

/** Notification is one message to the caller, written by the server in the caller's language. */
export interface Notification {
  id: number
  kind: NotificationKind
  title: string
  body: string
  /** link is the app path of the thing, e.g. /portal/projects/12 ('' when none). */
  link: string
  created_at: string
  read_at: string | null
}

/** NotificationPage is one page of the caller's notifications, newest first. */
export interface NotificationPage {
  notifications: Notification[]
  total: number
  unread: number
  offset: number
  limit: number
}

/** UserSettings are the caller's own e-mail address, language and e-mail opt-outs. */
export interface UserSettings {
  email: string
  language: 'zh-CN' | 'en'
  email_off: NotificationKind[]
  /** kinds is every kind the server knows (read only). */
  kinds?: string[]
}

/** notificationQuery is the query string of GET /notifications ('' for the defaults). */
export function notificationQuery(page: { offset?: number; limit?: number; unread?: boolean }): string {
  const params = new URLSearchParams()
  if (page.offset && page.offset > 0) params.set('offset', String(Math.floor(page.offset)))
  if (page.limit && page.limit > 0) params.set('limit', String(Math.min(100, Math.floor(page.limit))))
  if (page.unread) params.set('unread', '1')
  const q = params.toString()
  return q ? `?${q}` : ''
}

/** listNotifications returns a page of the caller's own notifications. */
export async function listNotifications(
  page: { offset?: number; limit?: number; unread?: boolean } = {},
  options?: RequestOptions,
): Promise<NotificationPage> {
  const res = await api.get<NotificationPage>(`/api/v1/notifications${notificationQuery(page)}`, options)
  return { ...res, notifications: res.notifications ?? [] }
}

/** markRead marks one notification read and returns the unread count left. */
export async function markRead(id: number, options?: RequestOptions): Promise<number> {
  const res = await api.post<{ unread: number }>(`/api/v1/notifications/${id}/read`, {}, options)
  return res.unread
}

/** markAllRead marks every notification of the caller read. */
export async function markAllRead(options?: RequestOptions): Promise<number> {
  const res = await api.post<{ marked: number }>('/api/v1/notifications/read-all', {}, options)
  return res.marked
}

/** getSettings returns the caller's settings. */
export async function getSettings(options?: RequestOptions): Promise<UserSettings> {
  const res = await api.get<UserSettings>('/api/v1/me/settings', options)
  return { ...res, email_off: res.email_off ?? [] }
}

/** saveSettings replaces the caller's settings (422 names the field). */
export async function saveSettings(s: UserSettings, options?: RequestOptions): Promise<UserSettings> {
  const res = await api.put<UserSettings>(
    '/api/v1/me/settings',
    { email: s.email, language: s.language, email_off: s.email_off },
    options,
  )
  return { ...res, email_off: res.email_off ?? [] }
}

/** isAppLink reports whether a notification's link is a path inside the app (never another site). */
export function isAppLink(link: string): boolean {
  return link.startsWith('/') && !link.startsWith('//')
}
