// Times are stored in UTC and shown in the server's time zone (LEITAI_TIMEZONE, Asia/Shanghai by
// default), which the server writes into the page as <meta name="leitai-timezone">.

/** DEFAULT_TIME_ZONE is the zone when the page does not say (a test, a page served by Vite). */
export const DEFAULT_TIME_ZONE = 'Asia/Shanghai'

/** zoneFrom reads the zone from a document's meta tag, if it names one this browser knows. */
export function zoneFrom(doc: Pick<Document, 'querySelector'> | undefined): string {
  const zone = doc?.querySelector('meta[name="leitai-timezone"]')?.getAttribute('content')?.trim()
  if (!zone) return DEFAULT_TIME_ZONE
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone })
    return zone
  } catch {
    return DEFAULT_TIME_ZONE
  }
}

/** DISPLAY_TIME_ZONE is the IANA zone every time is shown in, and organisers' typed times are read in. */
export const DISPLAY_TIME_ZONE = zoneFrom(typeof document === 'undefined' ? undefined : document)

/**
 * zoneOffsetMinutes is how far the zone's wall clock is ahead of UTC at the instant ms (e.g. 480 for
 * Asia/Shanghai), from the browser's zone data, so that zones with daylight saving work too.
 */
export function zoneOffsetMinutes(ms: number, zone: string = DISPLAY_TIME_ZONE): number {
  const parts: Record<string, string> = {}
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  })
  for (const part of format.formatToParts(new Date(ms))) parts[part.type] = part.value
  const wall = Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour, +parts.minute, +parts.second)
  return Math.round((wall - Math.floor(ms / 1000) * 1000) / 60_000)
}

/** formatClock returns the time of day (24-hour, with seconds) in DISPLAY_TIME_ZONE. */
export function formatClock(date: Date, locale: string): string {
  return new Intl.DateTimeFormat(locale, {
    timeZone: DISPLAY_TIME_ZONE,
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).format(date)
}

/** formatLongDate returns the full date with weekday in DISPLAY_TIME_ZONE. */
export function formatLongDate(date: Date, locale: string): string {
  return new Intl.DateTimeFormat(locale, {
    timeZone: DISPLAY_TIME_ZONE,
    year: 'numeric',
    month: 'long',
    day: 'numeric',
    weekday: 'long',
  }).format(date)
}

/**
 * formatDateTime returns an RFC 3339 time as "2026-05-01 14:03:22" in DISPLAY_TIME_ZONE, the same
 * in every language so that columns of times line up; an unreadable value is returned as it is.
 */
export function formatDateTime(value: string | Date | null | undefined, withSeconds = true): string {
  if (value === null || value === undefined || value === '') return ''
  const date = value instanceof Date ? value : new Date(value)
  if (Number.isNaN(date.getTime())) return String(value)
  const parts: Record<string, string> = {}
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone: DISPLAY_TIME_ZONE,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  })
  for (const part of format.formatToParts(date)) parts[part.type] = part.value
  const time = withSeconds ? `${parts.hour}:${parts.minute}:${parts.second}` : `${parts.hour}:${parts.minute}`
  return `${parts.year}-${parts.month}-${parts.day} ${time}`
}
