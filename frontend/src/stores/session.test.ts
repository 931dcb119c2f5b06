import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest'
import { api } from '@/api/client'
import { homeFor, safeRedirect, useSessionStore } from './session'

function stubFetch(respond: (url: string, init: RequestInit) => Response) {
  const calls: { url: string; init: RequestInit }[] = []
  vi.stubGlobal('fetch', async (input: RequestInfo | URL, init: RequestInit = {}) => {
    calls.push({ url: String(input), init })
    return respond(String(input), init)
  })
  return calls
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
}

const user = (roles: string[]) => ({ id: 7, username: 'u', display_name: 'U', roles, unit_id: null })

beforeEach(() => {
  setActivePinia(createPinia())
})
afterEach(() => {
  vi.unstubAllGlobals()
})

describe('session store', () => {
  test.each([
    [401, { error: { code: 'unauthenticated', message: 'sign in' } }],
    [404, { error: { code: 'not_found', message: 'no route' } }],
  ])('GET /me answering %s means signed out', async (status, body) => {
    stubFetch(() => json(status, body))
    const session = useSessionStore()
    await session.ensureLoaded()
    expect(session.status).toBe('ready')
    expect(session.user).toBeNull()
    expect(session.navLinks.map((l) => l.to)).toEqual(['/', '/results', '/tracker'])
  })

  test.each([
    [['admin'], ['/', '/results', '/tracker', '/admin']],
    [['unit'], ['/', '/results', '/tracker', '/portal']],
    [['expert'], ['/', '/results', '/tracker', '/review']],
    [['host'], ['/', '/results', '/tracker', '/host']],
    [['admin', 'expert', 'nonsense'], ['/', '/results', '/tracker', '/review', '/admin']],
  ])('roles %j link to %j', async (roles, links) => {
    stubFetch(() => json(200, user(roles)))
    const session = useSessionStore()
    await session.ensureLoaded()
    expect(session.navLinks.map((l) => l.to)).toEqual(links)
  })

  test('ensureLoaded asks once', async () => {
    const calls = stubFetch(() => json(200, user(['unit'])))
    const session = useSessionStore()
    await Promise.all([session.ensureLoaded(), session.ensureLoaded()])
    await session.ensureLoaded()
    expect(calls).toHaveLength(1)
  })

  test('signing in keeps the CSRF token for later mutating requests; signing out drops it', async () => {
    const calls = stubFetch((url) =>
      url.endsWith('/auth/login')
        ? json(200, { user: user(['expert']), csrf_token: 'tok-1' })
        : new Response(null, { status: 204 }),
    )
    const session = useSessionStore()
    await session.signIn('u', 'pw')
    expect(session.user?.roles).toEqual(['expert'])
    expect(api.csrfToken).toBe('tok-1')
    expect(JSON.parse(String(calls[0]?.init.body))).toEqual({ username: 'u', password: 'pw' })

    await session.signOut()
    const logout = calls[1]!
    expect(logout.url).toBe('/api/v1/auth/logout')
    expect((logout.init.headers as Record<string, string>)['X-CSRF-Token']).toBe('tok-1')
    expect(session.user).toBeNull()
    expect(api.csrfToken).toBeNull()
  })

  test('the CSRF token comes from GET /me and is never stored', async () => {
    const calls = stubFetch((url) =>
      url.endsWith('/me') ? json(200, { ...user(['admin']), csrf_token: 'from-me' }) : new Response(null, { status: 204 }),
    )
    const session = useSessionStore()
    await session.ensureLoaded()
    expect(session.user).not.toHaveProperty('csrf_token')
    expect(api.csrfToken).toBe('from-me')
    await session.signOut()
    expect((calls[1]!.init.headers as Record<string, string>)['X-CSRF-Token']).toBe('from-me')
  })

  test('changing the password keeps the new CSRF token', async () => {
    const calls = stubFetch((url) => {
      if (url.endsWith('/auth/login')) return json(200, { user: user(['admin']), csrf_token: 'old' })
      if (url.endsWith('/me/password')) return json(200, { csrf_token: 'new' })
      return new Response(null, { status: 204 })
    })
    const session = useSessionStore()
    await session.signIn('u', 'pw')
    await session.changePassword('pw', 'new-password')
    expect(JSON.parse(String(calls[1]!.init.body))).toEqual({ current_password: 'pw', new_password: 'new-password' })
    expect((calls[1]!.init.headers as Record<string, string>)['X-CSRF-Token']).toBe('old')
    expect(api.csrfToken).toBe('new')
  })

  test('a login link and the first-run setup sign in like a password', async () => {
    const calls = stubFetch((url) =>
      json(200, { user: user(url.endsWith('/auth/link') ? ['expert'] : ['admin']), csrf_token: url.endsWith('/auth/link') ? 'l' : 's' }),
    )
    const session = useSessionStore()
    await session.signInWithLink('tok')
    expect(calls[0]!.url).toBe('/api/v1/auth/link')
    expect(JSON.parse(String(calls[0]!.init.body))).toEqual({ token: 'tok' })
    expect(session.hasRole('expert')).toBe(true)
    await session.setupAdmin({ username: 'a', display_name: 'A', password: 'password1' })
    expect(calls[1]!.url).toBe('/api/v1/setup')
    expect(session.hasRole('admin')).toBe(true)
    expect(api.csrfToken).toBe('s')
  })
})

describe('session races', () => {
  test('a GET /me answered after a sign-in does not sign the user out', async () => {
    let answerMe: (r: Response) => void = () => undefined
    vi.stubGlobal('fetch', (input: RequestInfo | URL) => {
      if (String(input).endsWith('/me')) return new Promise<Response>((resolve) => (answerMe = resolve))
      return Promise.resolve(json(200, { user: user(['expert']), csrf_token: 'link' }))
    })
    const session = useSessionStore()
    const loading = session.ensureLoaded()
    await session.signInWithLink('tok')
    answerMe(json(401, { error: { code: 'unauthenticated', message: 'no' } }))
    await loading
    expect(session.user?.roles).toEqual(['expert'])
    expect(api.csrfToken).toBe('link')
    expect(session.expired).toBe(false)
  })
})

describe('homeFor and safeRedirect', () => {
  test('home is the first role, or the first preferred one', () => {
    const u = { id: 1, username: 'u', display_name: '', unit_id: null, roles: ['admin', 'expert'] as const }
    expect(homeFor({ ...u, roles: [...u.roles] })).toBe('/admin')
    expect(homeFor({ ...u, roles: [...u.roles] }, ['expert', 'admin'])).toBe('/review')
    expect(homeFor({ ...u, roles: [] })).toBe('/')
  })

  test.each([
    ['/admin/users?x=1', '/admin/users?x=1'],
    ['//evil.example', null],
    ['/\\evil.example', null],
    ['https://evil.example', null],
    [undefined, null],
  ])('%s → %s', (value, want) => {
    expect(safeRedirect(value)).toBe(want)
  })
})
