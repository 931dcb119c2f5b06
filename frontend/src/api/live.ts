// The live board's websocket (GET /ws/live/{event_id}): connects, remembers the epoch and offset of
// the last message so that a reconnect can ask for recovery, and reconnects with backoff.
import { onBeforeUnmount, onMounted, readonly, ref, type Ref } from 'vue'

/**
 * LiveStatus is the connection state: `connecting` before the first connection is open, `online`
 * while one is open, `offline` after a connection failed or dropped (a reconnect is scheduled).
 */
export type LiveStatus = 'connecting' | 'online' | 'offline'

/** LiveMessage is one frame from the server: snapshot, recovered or event (ARCHITECTURE.md). */
export interface LiveMessage {
  type: string
  epoch?: string
  offset?: number
  [key: string]: unknown
}

/** LiveConnection is what useLiveConnection returns. */
export interface LiveConnection {
  status: Readonly<Ref<LiveStatus>>
  /** retries counts the reconnect attempts since the last open connection. */
  retries: Readonly<Ref<number>>
}

const MIN_DELAY_MS = 1000
const MAX_DELAY_MS = 15000

/** liveURL returns the websocket address for eventId, with epoch and offset when recovering. */
export function liveURL(base: string, eventId: string, epoch: string | null, offset: number | null): string {
  const url = new URL(`/ws/live/${encodeURIComponent(eventId)}`, base)
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:'
  if (epoch !== null && offset !== null) {
    url.searchParams.set('epoch', epoch)
    url.searchParams.set('offset', String(offset))
  }
  return url.toString()
}

/** trackerURL returns the address of the public tracker's live channel (GET /ws/tracker). */
export function trackerURL(base: string, epoch: string | null, offset: number | null): string {
  const url = new URL('/ws/tracker', base)
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:'
  if (epoch !== null && offset !== null) {
    url.searchParams.set('epoch', epoch)
    url.searchParams.set('offset', String(offset))
  }
  return url.toString()
}

/** reconnectDelay is the wait before retry number n (1-based): doubling, capped, with jitter. */
export function reconnectDelay(n: number, random: () => number = Math.random): number {
  const base = Math.min(MAX_DELAY_MS, MIN_DELAY_MS * 2 ** Math.max(0, n - 1))
  // ±20% so that a hall full of phones does not reconnect in lockstep after a restart.
  return Math.round(base * (0.8 + 0.4 * random()))
}

/**
 * LiveMessageHandler receives every decoded message. Returning false says the message could not be
 * applied (an event after a gap in the offsets): the connection then does not remember its epoch
 * and offset, and reconnects at once to recover from the last message that was applied.
 */
export type LiveMessageHandler = (msg: LiveMessage) => void | boolean

/**
 * useLiveConnection keeps a websocket to the event's live board open while the calling component
 * is mounted, and passes every decoded message to onMessage.
 */
export function useLiveConnection(
  eventId: string,
  onMessage?: LiveMessageHandler,
  urlOf: (base: string, epoch: string | null, offset: number | null) => string = (base, e, o) => liveURL(base, eventId, e, o),
): LiveConnection {
  const status = ref<LiveStatus>('connecting')
  const retries = ref(0)
  let socket: WebSocket | null = null
  let timer: number | undefined
  let stopped = false
  let epoch: string | null = null
  let offset: number | null = null

  function connect(): void {
    window.clearTimeout(timer)
    if (stopped) return
    let ws: WebSocket
    try {
      ws = new WebSocket(urlOf(window.location.href, epoch, offset))
    } catch {
      scheduleReconnect()
      return
    }
    socket = ws
    ws.onopen = () => {
      status.value = 'online'
      retries.value = 0
    }
    ws.onmessage = (ev: MessageEvent) => {
      if (typeof ev.data !== 'string') return
      let msg: LiveMessage
      try {
        msg = JSON.parse(ev.data) as LiveMessage
      } catch {
        return
      }
      if (onMessage?.(msg) === false) {
        resync(ws)
        return
      }
      if (typeof msg.epoch === 'string') epoch = msg.epoch
      if (typeof msg.offset === 'number') offset = msg.offset
    }
    ws.onclose = () => {
      if (socket !== ws) return
      socket = null
      scheduleReconnect()
    }
  }

  // resync drops a connection whose stream the handler could not follow and opens a new one at
  // once, presenting the last applied epoch and offset (the server recovers or sends a snapshot).
  // A second resync within a few seconds waits like a reconnect, so a server that keeps sending
  // gaps cannot make the page spin.
  let lastResync = 0
  function resync(ws: WebSocket): void {
    if (socket !== ws) return
    closeSocket()
    const now = Date.now()
    const again = now - lastResync < 5000
    lastResync = now
    if (again) scheduleReconnect()
    else connect()
  }

  function scheduleReconnect(): void {
    if (stopped) return
    status.value = 'offline'
    retries.value += 1
    timer = window.setTimeout(connect, reconnectDelay(retries.value))
  }

  function closeSocket(): void {
    const ws = socket
    socket = null
    if (ws) {
      ws.onopen = ws.onmessage = ws.onclose = null
      ws.close()
    }
  }

  // The browser knows before the socket does: react to the network going away and coming back.
  function onOffline(): void {
    closeSocket()
    window.clearTimeout(timer)
    status.value = 'offline'
  }
  function onOnline(): void {
    if (socket === null) connect()
  }

  onMounted(() => {
    window.addEventListener('offline', onOffline)
    window.addEventListener('online', onOnline)
    connect()
  })
  onBeforeUnmount(() => {
    stopped = true
    window.removeEventListener('offline', onOffline)
    window.removeEventListener('online', onOnline)
    window.clearTimeout(timer)
    closeSocket()
  })

  return { status: readonly(status), retries: readonly(retries) }
}

/**
 * useTrackerChanges calls onChange whenever the public tracker changed (a report accepted, a
 * tranche paid …) while the calling component is mounted, and once after each (re)connection's
 * snapshot, so a page that was offline catches up.
 */
export function useTrackerChanges(onChange: () => void): LiveConnection {
  return useLiveConnection(
    'tracker',
    (msg) => {
      if (msg.type === 'snapshot' || msg.type === 'recovered') onChange()
      else if (msg.type === 'event') {
        const ev = msg.event as { kind?: string } | undefined
        if (ev?.kind === 'tracker.changed') onChange()
      }
    },
    trackerURL,
  )
}
