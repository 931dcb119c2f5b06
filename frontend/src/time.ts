// Times are stored in UTC and shown in China Standard Time (ARCHITECTURE.md: Asia/Shanghai by
// default). The server's LEITAI_TIMEZONE is not yet passed to the browser; until it is, the zone
// is fixed here.

/** DISPLAY_TIME_ZONE is the IANA zone every time is shown in. */
export const DISPLAY_TIME_ZONE = 'Asia/Shanghai'

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
