// The session store: who is signed in, their roles, and the CSRF token for mutating requests.
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import * as auth from '@/api/auth'
import type { LoginResponse, Role, SetupInput, User } from '@/api/auth'
import { api, isApiError } from '@/api/client'
import { writeSetting } from '@/settings'

// Earlier builds kept the CSRF token in localStorage. GET /me now returns it, so the token lives in
// memory only; the old copy is removed once, on start-up.
const LEGACY_CSRF_STORAGE_KEY = 'leitai.csrf'

/** NavLink is one navigation entry: an i18n key for its label and the route it opens. */
export interface NavLink {
  key: 'home' | 'results' | 'tracker' | 'portal' | 'review' | 'admin' | 'host' | 'recommend'
  to: string
}

/** ROLE_HOME maps each role to the interface it works in. */
export const ROLE_HOME: Record<Role, NavLink> = {
  admin: { key: 'admin', to: '/admin' },
  unit: { key: 'portal', to: '/portal' },
  expert: { key: 'review', to: '/review' },
  host: { key: 'host', to: '/host' },
  recommender: { key: 'recommend', to: '/recommend' },
}

/** PUBLIC_LINKS are shown to everyone, signed in or not. */
export const PUBLIC_LINKS: readonly NavLink[] = [
  { key: 'home', to: '/' },
  { key: 'results', to: '/results' },
  { key: 'tracker', to: '/tracker' },
]

/**
 * homeFor returns where user starts: the interface of the first of their roles in `preference`
 * (default: the order the server lists them), or the home page for a user without roles.
 */
export function homeFor(user: User, preference: readonly Role[] = user.roles): string {
  const role = preference.find((r) => user.roles.includes(r)) ?? user.roles[0]
  return role ? ROLE_HOME[role].to : '/'
}

/** safeRedirect accepts only same-site paths: an open redirect would make a good phishing link. */
export function safeRedirect(value: unknown): string | null {
  return typeof value === 'string' && value.startsWith('/') && !value.startsWith('//') && !value.startsWith('/\\')
    ? value
    : null
}

/** useSessionStore holds the signed-in user. */
export const useSessionStore = defineStore('session', () => {
  const user = ref<User | null>(null)
  const csrfToken = ref<string | null>(null)
  // idle: not asked yet; loading: GET /me in flight; ready: we know whether someone is signed in.
  const status = ref<'idle' | 'loading' | 'ready'>('idle')
  // expired is set when the server ended a session the page thought it had (a 401 on any call),
  // as opposed to the user signing out; the layout then asks to sign in again.
  const expired = ref(false)
  // generation counts sign-ins, so that a GET /me sent before one cannot undo it when it answers.
  let generation = 0
  let pending: Promise<void> | null = null

  writeSetting(LEGACY_CSRF_STORAGE_KEY, null)
  api.csrfToken = null
  api.onUnauthenticated = () => {
    if (user.value) expired.value = true
    clear()
  }

  const signedIn = computed(() => user.value !== null)
  const roles = computed<Role[]>(() => user.value?.roles ?? [])

  /** navLinks are the public links followed by one link per role, in a fixed order. */
  const navLinks = computed<NavLink[]>(() => {
    const order: Role[] = ['unit', 'recommender', 'expert', 'host', 'admin']
    return [...PUBLIC_LINKS, ...order.filter((r) => roles.value.includes(r)).map((r) => ROLE_HOME[r])]
  })

  function hasRole(role: Role): boolean {
    return roles.value.includes(role)
  }

  function setToken(token: string | null): void {
    csrfToken.value = token
    api.csrfToken = token
  }

  function clear(): void {
    user.value = null
    setToken(null)
  }

  function accept(res: LoginResponse): User {
    generation++
    user.value = auth.normalizeUser(res.user)
    setToken(res.csrf_token)
    status.value = 'ready'
    expired.value = false
    return user.value
  }

  /** load asks the server who is signed in; 401 and 404 (endpoint not there yet) mean nobody. */
  async function load(): Promise<void> {
    status.value = 'loading'
    const started = generation
    try {
      const me = await auth.fetchMe({ silent: true })
      if (started !== generation) return
      const { csrf_token: token, ...rest } = me
      user.value = auth.normalizeUser(rest)
      setToken(typeof token === 'string' && token !== '' ? token : null)
    } catch (err) {
      // Signed out, or the API cannot say: either way show the public shell.
      if (!isApiError(err)) console.error('session: loading /api/v1/me failed', err)
      if (started === generation) clear()
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
   * ApiError; 401, 422 and 429 are left to the caller (the login form explains them in place).
   */
  async function signIn(username: string, password: string): Promise<User> {
    const res = await auth.login(username, password, {
      silent: (err) => err.code === 'unauthenticated' || err.code === 'rate_limited' || err.code === 'invalid',
    })
    return accept(res)
  }

  /** signInWithLink redeems a one-time login link; 401 (expired or used) is left to the caller. */
  async function signInWithLink(token: string): Promise<User> {
    const res = await auth.redeemLink(token, {
      silent: (err) => err.code === 'unauthenticated' || err.code === 'invalid' || err.code === 'rate_limited',
    })
    return accept(res)
  }

  /** setupAdmin creates the first administrator and signs in as them; 409 and 422 are the caller's. */
  async function setupAdmin(input: SetupInput): Promise<User> {
    const res = await auth.setup(input, {
      silent: (err) => err.code === 'conflict' || err.code === 'invalid',
    })
    return accept(res)
  }

  /**
   * changePassword changes the signed-in user's password and keeps the session's new CSRF token;
   * 422 is left to the caller (the dialog shows the fields).
   */
  async function changePassword(currentPassword: string, newPassword: string): Promise<void> {
    const res = await auth.changePassword(currentPassword, newPassword, {
      silent: (err) => err.code === 'invalid',
    })
    if (typeof res?.csrf_token === 'string' && res.csrf_token !== '') setToken(res.csrf_token)
  }

  /** signOut ends the session on the server (best effort) and forgets it locally. */
  async function signOut(): Promise<void> {
    try {
      await auth.logout({ silent: true })
    } catch {
      // Already signed out on the server, or unreachable: the local session ends either way.
    }
    clear()
    expired.value = false
    status.value = 'ready'
  }

  return {
    user,
    csrfToken,
    status,
    expired,
    signedIn,
    roles,
    navLinks,
    hasRole,
    load,
    ensureLoaded,
    signIn,
    signInWithLink,
    setupAdmin,
    changePassword,
    signOut,
  }
})
