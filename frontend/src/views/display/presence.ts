import { onBeforeUnmount, onMounted, ref, type Ref } from 'vue'
import { isApiError } from '@/api/client'
import { getPresence, SCREEN_KEY_PREFIX, takeScreenKey } from '@/api/liveAudience'

// The big screen's proof-of-presence code (docs/live.md): a screen opened with the host's screen
// link (#screen=KEY) keeps the key, takes it off the address bar, and fetches the rotating code
// with it; the QR code then carries the code. Without a key (or once it is revoked) the QR code
// carries none. The code is fetched well within its window, so the QR code is never more than
// REFRESH_MS behind (the server also takes the previous window's code).

/** REFRESH_MS is how often the screen fetches the code; RETRY_MS after a failure. */
export const REFRESH_MS = 15_000
export const RETRY_MS = 5_000

export function usePresenceCode(eventId: string, enabled: boolean): { code: Ref<string | null>; keyed: Ref<boolean> } {
  const code = ref<string | null>(null)
  const keyed = ref(false)
  let key: string | null = null
  let timer: ReturnType<typeof setTimeout> | undefined
  let stopped = false

  async function refresh(): Promise<void> {
    if (!key || stopped) return
    try {
      const p = await getPresence(eventId, key)
      code.value = p.code
      const untilMs = Date.parse(p.until) - Date.now()
      schedule(Number.isFinite(untilMs) && untilMs > 0 ? Math.min(REFRESH_MS, untilMs + 500) : REFRESH_MS)
    } catch (err) {
      if (isApiError(err, 'forbidden')) {
        // Revoked or replaced: the QR code carries no code from now on.
        code.value = null
        keyed.value = false
        key = null
        try {
          window.localStorage.removeItem(SCREEN_KEY_PREFIX + eventId)
        } catch {
          /* storage unavailable */
        }
        return
      }
      schedule(RETRY_MS) // keep the last code: the server accepts it for another window
    }
  }

  function schedule(ms: number): void {
    clearTimeout(timer)
    if (!stopped) timer = setTimeout(() => void refresh(), ms)
  }

  onMounted(() => {
    if (!enabled) return
    let store: Pick<Storage, 'getItem' | 'setItem'>
    try {
      store = window.localStorage
    } catch {
      const mem: Record<string, string> = {}
      store = { getItem: (k) => mem[k] ?? null, setItem: (k, v) => void (mem[k] = v) }
    }
    const taken = takeScreenKey(eventId, window.location.hash, store)
    if (taken.cleanedHash !== null) {
      window.history.replaceState(window.history.state, '', window.location.pathname + window.location.search + taken.cleanedHash)
    }
    key = taken.key
    keyed.value = key !== null
    void refresh()
  })
  onBeforeUnmount(() => {
    stopped = true
    clearTimeout(timer)
  })
  return { code, keyed }
}
