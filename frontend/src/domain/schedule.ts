// The submission window of an edition as people read it: where it stands now and how long is left,
// and the conversion between UTC times and the Beijing wall-clock times organisers type.
import type { Edition } from '@/api/editions'
import { formatDateTime } from '@/time'

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

// Beijing time has had no daylight saving since 1991: a fixed UTC+8.
const BEIJING_OFFSET = '+08:00'

/** toBeijingInput turns an RFC 3339 time into "YYYY-MM-DD HH:mm" on the Beijing clock. */
export function toBeijingInput(iso: string): string {
  return iso ? formatDateTime(iso, false) : ''
}

/** fromBeijingInput turns "YYYY-MM-DD HH:mm" on the Beijing clock into RFC 3339 (UTC). */
export function fromBeijingInput(value: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value.trim())
  if (!m) return ''
  const date = new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6] ?? '00'}${BEIJING_OFFSET}`)
  return Number.isNaN(date.getTime()) ? '' : date.toISOString()
}
