// Keeping a signed-in live screen current: the public websocket says *that* something changed
// (every event carries the whole public board, which has no sealed scores); the screen then
// re-fetches its own, richer state (host: GET …/host, tablet: GET …/judge), debounced so that a
// burst of events costs one request, and once more after every reconnect.
import { onBeforeUnmount, watch } from 'vue'
import { useLiveConnection, type LiveConnection, type LiveMessage } from '@/api/live'

/** Debounced is a trailing debounce with a maximum wait, so that a steady stream still refreshes. */
export interface Debounced {
  (): void
  cancel(): void
}

/** TimerAPI is the part of window's timers the debounce uses (fakes in tests). */
export interface TimerAPI {
  setTimeout(fn: () => void, ms: number): number
  clearTimeout(id: number | undefined): void
  now(): number
}

const browserTimers: TimerAPI = {
  setTimeout: (fn, ms) => window.setTimeout(fn, ms),
  clearTimeout: (id) => window.clearTimeout(id),
  now: () => Date.now(),
}

/** debounce calls fn wait ms after the last call, but no later than maxWait ms after the first. */
export function debounce(fn: () => void, wait: number, maxWait: number, timers: TimerAPI = browserTimers): Debounced {
  let timer: number | undefined
  let first: number | null = null
  const fire = () => {
    timer = undefined
    first = null
    fn()
  }
  const call = (() => {
    const now = timers.now()
    if (first === null) first = now
    timers.clearTimeout(timer)
    const delay = Math.max(0, Math.min(wait, first + maxWait - now))
    timer = timers.setTimeout(fire, delay)
  }) as Debounced
  call.cancel = () => {
    timers.clearTimeout(timer)
    timer = undefined
    first = null
  }
  return call
}

/** LiveRefreshOptions tune useLiveRefresh. */
export interface LiveRefreshOptions {
  /** debounceMs is the quiet time before a re-fetch (default 100). */
  debounceMs?: number
  /**
   * onTally receives the tallies sent outside the history (up to 4 a second); they carry the whole
   * tally, so they are applied directly instead of re-fetching. Without it they are ignored.
   */
  onTally?: (tally: Record<string, number>, voters: number | null) => void
}

/**
 * useLiveRefresh opens the event's public websocket while the component is mounted and calls
 * refresh (debounced) on every snapshot, recovery and event, and after every reconnect.
 */
export function useLiveRefresh(eventID: string, refresh: () => void, options: LiveRefreshOptions = {}): LiveConnection {
  const wait = options.debounceMs ?? 100
  const schedule = debounce(refresh, wait, wait * 5)
  const connection = useLiveConnection(eventID, (msg: LiveMessage) => {
    if (msg.type === 'tally') {
      const tally = msg.tally
      if (options.onTally && typeof tally === 'object' && tally !== null) {
        options.onTally(tally as Record<string, number>, typeof msg.voters === 'number' ? msg.voters : null)
      }
      return
    }
    schedule()
  })
  watch(connection.status, (status, before) => {
    if (status === 'online' && before === 'offline') schedule()
  })
  onBeforeUnmount(() => schedule.cancel())
  return connection
}
