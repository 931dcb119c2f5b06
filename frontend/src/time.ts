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
