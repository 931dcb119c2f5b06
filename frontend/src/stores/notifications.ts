// The notifications store: the signed-in user's unread count and latest notifications, shared by
// the bell in the header and the notifications page. It refreshes on demand and every minute while
// someone is signed in; a session that may not read notifications (a judge's tablet link) hides
// the bell instead of showing an error.
import { defineStore } from 'pinia'
import { ref } from 'vue'
import { isApiError } from '@/api/client'
import * as api from '@/api/notifications'
import type { Notification } from '@/api/notifications'

/** POLL_MS is how often the bell asks for the unread count. */
export const POLL_MS = 60_000

export const useNotificationsStore = defineStore('notifications', () => {
  const unread = ref(0)
  const latest = ref<Notification[]>([])
  /** available is false when this session may not read notifications. */
  const available = ref(true)
  let timer: ReturnType<typeof setInterval> | null = null
  let generation = 0

  async function refresh(): Promise<void> {
    const mine = ++generation
    try {
      const page = await api.listNotifications({ limit: 5 }, { silent: true })
      if (mine !== generation) return
      unread.value = page.unread
      latest.value = page.notifications
      available.value = true
    } catch (err) {
      if (mine !== generation) return
      if (isApiError(err, 'forbidden') || isApiError(err, 'unauthenticated')) available.value = false
    }
  }

  /** start refreshes now and then every POLL_MS until stop. */
  function start(): void {
    void refresh()
    if (timer === null) timer = setInterval(() => void refresh(), POLL_MS)
  }

  function stop(): void {
    if (timer !== null) clearInterval(timer)
    timer = null
    generation++
    unread.value = 0
    latest.value = []
  }

  async function read(n: Notification): Promise<void> {
    if (n.read_at) return
    unread.value = await api.markRead(n.id, { silent: true })
    n.read_at = new Date().toISOString()
    for (const l of latest.value) if (l.id === n.id) l.read_at = n.read_at
  }

  async function readAll(): Promise<void> {
    await api.markAllRead()
    unread.value = 0
    const now = new Date().toISOString()
    for (const l of latest.value) l.read_at = l.read_at ?? now
  }

  return { unread, latest, available, refresh, start, stop, read, readAll }
})
