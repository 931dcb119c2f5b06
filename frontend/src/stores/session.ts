// The session store: who is signed in, their roles, and the CSRF token for mutating requests.
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import * as auth from '@/api/auth'
import type { Role, User } from '@/api/auth'
import { api, isApiError } from '@/api/client'
import { readSetting, writeSetting } from '@/settings'

// The CSRF token must survive a reload (the HttpOnly session cookie does), so it is kept in
// localStorage, shared by the tabs of the same session. It is cleared on sign-out and on any 401.
const CSRF_STORAGE_KEY = 'leitai.csrf'

/** NavLink is one navigation entry: an i18n key for its label and the route it opens. */
export interface NavLink {
  key: 'home' | 'tracker' | 'portal' | 'review' | 'admin' | 'host'
  to: string
}

/** ROLE_HOME maps each role to the interface it works in. */
export const ROLE_HOME: Record<Role, NavLink> = {
  admin: { key: 'admin', to: '/admin' },
  unit: { key: 'portal', to: '/portal' },
  expert: { key: 'review', to: '/review' },
  host: { key: 'host', to: '/host' },
}

/** PUBLIC_LINKS are shown to everyone, signed in or not. */
export const PUBLIC_LINKS: readonly NavLink[] = [
  { key: 'home', to: '/' },
  { key: 'tracker', to: '/tracker' },
]

/** useSessionStore holds the signed-in user. */
export const useSessionStore = defineStore('session', () => {
  const user = ref<User | null>(null)
  const csrfToken = ref<string | null>(readSetting(CSRF_STORAGE_KEY))
  // idle: not asked yet; loading: GET /me in flight; ready: we know whether someone is signed in.
  const status = ref<'idle' | 'loading' | 'ready'>('idle')
  let pending: Promise<void> | null = null

  api.csrfToken = csrfToken.value
  api.onUnauthenticated = () => clear()

  const signedIn = computed(() => user.value !== null)
  const roles = computed<Role[]>(() => user.value?.roles ?? [])

  /** navLinks are the public links followed by one link per role, in a fixed order. */
  const navLinks = computed<NavLink[]>(() => {
    const order: Role[] = ['unit', 'expert', 'host', 'admin']
    return [...PUBLIC_LINKS, ...order.filter((r) => roles.value.includes(r)).map((r) => ROLE_HOME[r])]
  })

  function hasRole(role: Role): boolean {
    return roles.value.includes(role)
  }

  function setToken(token: string | null): void {
    csrfToken.value = token
    api.csrfToken = token
    writeSetting(CSRF_STORAGE_KEY, token)
  }

  function clear(): void {
    user.value = null
    setToken(null)
  }

  /** load asks the server who is signed in; 401 and 404 (endpoint not there yet) mean nobody. */
  async function load(): Promise<void> {
    status.value = 'loading'
    try {
      const me = await auth.fetchMe({ silent: true })
      user.value = auth.normalizeUser(me)
      if (typeof me.csrf_token === 'string' && me.csrf_token !== '') setToken(me.csrf_token)
    } catch (err) {
      // Signed out, or the API cannot say: either way show the public shell.
      if (!isApiError(err)) console.error('session: loading /api/v1/me failed', err)
      clear()
    } finally {
      status.value = 'ready'
    }
  }

  /** ensureLoaded loads the session once; concurrent callers share the same request. */
  function ensureLoaded(): Promise<void> {
    if (status.value === 'ready') return Promise.resolve()
    pending ??= load().finally(() => {
      pending = null
    })
    return pending
  }

  /**
   * signIn posts the credentials and stores the user and CSRF token. Errors reject with an
   * ApiError; 401 and 429 are left to the caller (the login form explains them in place).
   */
  async function signIn(username: string, password: string): Promise<User> {
    const res = await auth.login(username, password, {
      silent: (err) => err.code === 'unauthenticated' || err.code === 'rate_limited' || err.code === 'invalid',
    })
    user.value = auth.normalizeUser(res.user)
    setToken(res.csrf_token)
    status.value = 'ready'
    return user.value
  }

  /** signOut ends the session on the server (best effort) and forgets it locally. */
  async function signOut(): Promise<void> {
    try {
      await auth.logout({ silent: true })
    } catch {
      // Already signed out on the server, or unreachable: the local session ends either way.
    }
    clear()
    status.value = 'ready'
  }

  return { user, csrfToken, status, signedIn, roles, navLinks, hasRole, load, ensureLoaded, signIn, signOut }
})
