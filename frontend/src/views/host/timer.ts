// Timer maths for the live final. Timers are server-authoritative (docs/live.md): a running timer
// is drawn from `started_at + duration_ms`, corrected by the difference between the server's clock
// (`server_time` of the board) and the device's own; a paused one is frozen at `remaining_ms`.
import type { ShowTimer } from '@/api/liveEvents'

/**
 * clockOffset is how far the server's clock is ahead of this device's, in ms: the server's time
 * when it answered minus the local time the answer arrived. 0 when the server's time is unknown.
 */
export function clockOffset(serverTime: string | null | undefined, receivedAt: number): number {
  if (!serverTime) return 0
  const at = Date.parse(serverTime)
  return Number.isNaN(at) ? 0 : at - receivedAt
}

/**
 * timerRemaining returns the ms left on timer at local time now (negative once overrun), frozen at
 * remaining_ms while that is set, or null when there is no timer.
 */
export function timerRemaining(timer: ShowTimer | null | undefined, now: number, offset = 0): number | null {
  if (!timer) return null
  if (timer.remaining_ms !== null && timer.remaining_ms !== undefined) return timer.remaining_ms
  const started = Date.parse(timer.started_at)
  if (Number.isNaN(started)) return null
  return started + timer.duration_ms - (now + offset)
}

/**
 * formatTimer writes ms as m:ss. A countdown shows whole seconds rounded up (it reads 5:00 at the
 * start and 0:00 only when time is up); overtime is shown as "+m:ss", rounded down.
 */
export function formatTimer(ms: number): string {
  const over = ms < 0
  const seconds = over ? Math.floor(-ms / 1000) : Math.ceil(ms / 1000)
  const m = Math.floor(seconds / 60)
  const s = seconds % 60
  return `${over && seconds > 0 ? '+' : ''}${m}:${String(s).padStart(2, '0')}`
}

/** TimerTone is how urgent a countdown looks: calm, the last minute, the last 30 s, or overrun. */
export type TimerTone = 'calm' | 'soon' | 'urgent' | 'over'

/** timerTone grades the ms left for the display's colour. */
export function timerTone(ms: number): TimerTone {
  if (ms <= 0) return 'over'
  if (ms <= 30_000) return 'urgent'
  if (ms <= 60_000) return 'soon'
  return 'calm'
}
