// The audience's defences (docs/live.md, #11 item 3, #15 item 4): the big screen's link and its
// rotating proof-of-presence code, the host's per-address breakdown of a slot's open votes with
// burst and share flags, voids with a reason, and the host's choice whether phones show tallies.
import { api, type RequestOptions } from './client'

const base = (id: number | string) => `/api/v1/live-events/${encodeURIComponent(String(id))}`

/** ScreenLinkState is whether the event's big-screen link is active, and who issued it when. */
export interface ScreenLinkState {
  active: boolean
  issued_by?: string
  issued_at?: string
}

/** AddressVotes is one network address's open votes in a slot (the address masked). */
export interface AddressVotes {
  /** address is the address's keyed hash: what a void names. */
  address: string
  masked: string
  votes: number
  voided: number
  share_percent: number
  /** burst is the most counted votes within the burst window. */
  burst: number
  flags: ('burst' | 'share')[]
}

/** AudienceVoid is one host's void of an address's open votes in a slot. */
export interface AudienceVoid {
  slot: number
  address: string
  masked: string
  votes: number
  reason: string
  by: string
  at: string
}

/** AudienceBreakdown is the host console's view of a slot's open votes. */
export interface AudienceBreakdown {
  slot: number
  open_votes: number
  ticket_votes: number
  addresses: number
  top: AddressVotes[]
  voids: AudienceVoid[]
  tallies_public: boolean
  screen_link: ScreenLinkState
  flags: { burst_votes: number; burst_window_secs: number; share_percent: number; share_min_votes: number }
}

/** getAudience returns a slot's breakdown (the current slot without one). */
export async function getAudience(id: number, slot?: number, options?: RequestOptions): Promise<AudienceBreakdown> {
  const q = slot === undefined ? '' : `?slot=${slot}`
  const b = await api.get<AudienceBreakdown>(`${base(id)}/audience${q}`, options)
  return { ...b, top: b.top ?? [], voids: b.voids ?? [] }
}

/** voidAddress voids an address's counted open votes in a slot; the reason is required. */
export function voidAddress(
  id: number,
  slot: number,
  address: string,
  reason: string,
  options?: RequestOptions,
): Promise<{ voided: number; slot: number }> {
  return api.post<{ voided: number; slot: number }>(`${base(id)}/audience/voids`, { slot, address, reason }, options)
}

/** setTalliesPublic is the host's choice whether phones show the live tallies while voting is open. */
export function setTalliesPublic(id: number, pub: boolean, options?: RequestOptions): Promise<{ tallies_public: boolean }> {
  return api.put<{ tallies_public: boolean }>(`${base(id)}/tallies-public`, { public: pub }, options)
}

/** createScreenLink issues the big screen's link (replacing any earlier one): shown once. */
export function createScreenLink(id: number, options?: RequestOptions): Promise<{ url: string; screen_link: ScreenLinkState }> {
  return api.post<{ url: string; screen_link: ScreenLinkState }>(`${base(id)}/screen-link`, {}, options)
}

/** revokeScreenLink ends the big screen's link: phones then need no code. */
export function revokeScreenLink(id: number, options?: RequestOptions): Promise<void> {
  return api.delete<void>(`${base(id)}/screen-link`, options)
}

/** Presence is the code the big screen puts in its QR code, until the next rotation. */
export interface Presence {
  code: string
  until: string
  window_secs: number
}

/** getPresence fetches the current code with the screen's key (403 without a valid key). */
export function getPresence(eventId: string, key: string, options: RequestOptions = { silent: true }): Promise<Presence> {
  return api.get<Presence>(`${base(eventId)}/presence`, { ...options, headers: { ...options.headers, 'X-Screen-Key': key } })
}

/** SCREEN_KEY_PREFIX names where a display keeps its screen key (per event) across reloads. */
export const SCREEN_KEY_PREFIX = 'leitai.screen.'

/**
 * takeScreenKey reads a screen key from a URL fragment (#screen=KEY), or the one kept for the
 * event; a key from the fragment is kept and the fragment is returned cleaned (the key must not
 * stay on a projected address bar).
 */
export function takeScreenKey(
  eventId: string,
  hash: string,
  store: Pick<Storage, 'getItem' | 'setItem'>,
): { key: string | null; cleanedHash: string | null } {
  const m = /(?:^#|&)screen=([^&]+)/.exec(hash)
  if (m) {
    const key = decodeURIComponent(m[1])
    store.setItem(SCREEN_KEY_PREFIX + eventId, key)
    const rest = hash.replace(/(^#|&)screen=[^&]+/, '$1').replace(/^#&/, '#').replace(/&$/, '')
    return { key, cleanedHash: rest === '#' ? '' : rest }
  }
  return { key: store.getItem(SCREEN_KEY_PREFIX + eventId), cleanedHash: null }
}

/** voteURLWithCode adds the presence code to the phone page's address. */
export function voteURLWithCode(url: string, code: string | null): string {
  return code ? `${url}?c=${encodeURIComponent(code)}` : url
}
