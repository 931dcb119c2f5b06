import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest'
import { api } from '@/api/client'
import { useSessionStore } from './session'

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
    expect(session.navLinks.map((l) => l.to)).toEqual(['/', '/tracker'])
  })

  test.each([
    [['admin'], ['/', '/tracker', '/admin']],
    [['unit'], ['/', '/tracker', '/portal']],
    [['expert'], ['/', '/tracker', '/review']],
    [['host'], ['/', '/tracker', '/host']],
    [['admin', 'expert', 'nonsense'], ['/', '/tracker', '/review', '/admin']],
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
})
