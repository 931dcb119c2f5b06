// The submission window of an edition as people read it: where it stands now and how long is left,
// and the conversion between UTC times and the wall-clock times organisers type (in the server's zone).
import type { Edition } from '@/api/editions'
import { DISPLAY_TIME_ZONE, formatDateTime, zoneOffsetMinutes } from '@/time'

/** Phase is where the submission window stands at a moment. */
export type Phase = 'before' | 'open' | 'grace' | 'closed' | 'inactive'

/** phaseOf tells the phase of an edition at now (ms since the epoch). */
export function phaseOf(e: Pick<Edition, 'opens_at' | 'closes_at' | 'deadline' | 'status'>, now: number): Phase {
  if (e.status !== 'active') return 'inactive'
  const opens = Date.parse(e.opens_at)
  const closes = Date.parse(e.closes_at)
  const deadline = Date.parse(e.deadline)
  if (now < opens) return 'before'
  if (now <= closes) return 'open'
  if (now <= deadline) return 'grace'
  return 'closed'
}

/** Span is a duration in whole days, hours and minutes (rounded up to the minute). */
export interface Span {
  days: number
  hours: number
  minutes: number
  /** totalMinutes is the whole span in minutes. */
  totalMinutes: number
}

/** spanUntil returns the time from now to then (never negative), rounded up to the minute. */
export function spanUntil(then: number, now: number): Span {
  const totalMinutes = Math.max(0, Math.ceil((then - now) / 60_000))
  return {
    days: Math.floor(totalMinutes / 1440),
    hours: Math.floor((totalMinutes % 1440) / 60),
    minutes: totalMinutes % 60,
    totalMinutes,
  }
}

/**
 * spanKey picks how to say a span: days and hours when a day or more is left, hours and minutes
 * under a day, minutes under an hour. The i18n messages are `<prefix>.days`, `.hours`, `.minutes`.
 */
export function spanKey(span: Span): 'days' | 'hours' | 'minutes' {
  if (span.days > 0) return 'days'
  if (span.hours > 0) return 'hours'
  return 'minutes'
}

/** toZoneInput turns an RFC 3339 time into "YYYY-MM-DD HH:mm" on the display zone's clock. */
export function toZoneInput(iso: string): string {
  return iso ? formatDateTime(iso, false) : ''
}

/**
 * fromZoneInput turns "YYYY-MM-DD HH:mm" on the zone's clock into RFC 3339 (UTC); '' when it is not
 * such a time. The offset is the zone's at that moment (found in two steps, for daylight saving).
 */
export function fromZoneInput(value: string, zone: string = DISPLAY_TIME_ZONE): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value.trim())
  if (!m) return ''
  const [y, mo, d, h, mi, se] = [+m[1], +m[2], +m[3], +m[4], +m[5], +(m[6] ?? '0')]
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 59) return ''
  const wall = Date.UTC(y, mo - 1, d, h, mi, se)
  const probe = new Date(wall)
  if (probe.getUTCDate() !== d) return '' // 31 April and the like
  let utc = wall - zoneOffsetMinutes(wall, zone) * 60_000
  utc = wall - zoneOffsetMinutes(utc, zone) * 60_000
  return new Date(utc).toISOString()
}
