import { describe, expect, test, vi } from 'vitest'
import { ApiClient, ApiError, errorFromResponse, parseRetryAfter } from './client'

function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
  })
}

function client(respond: (url: string, init: RequestInit) => Response | Promise<Response>) {
  const calls: { url: string; init: RequestInit }[] = []
  const notify = vi.fn()
  const api = new ApiClient({
    fetch: async (input, init = {}) => {
      calls.push({ url: String(input), init })
      return respond(String(input), init)
    },
    notify,
    language: () => 'zh-CN',
  })
  return { api, calls, notify }
}

function header(init: RequestInit, name: string): string | undefined {
  return (init.headers as Record<string, string>)[name]
}

describe('ApiClient', () => {
  test('decodes a JSON body', async () => {
    const { api, calls } = client(() => jsonResponse(200, { id: 1, username: 'u' }))
    await expect(api.get('/api/v1/me')).resolves.toEqual({ id: 1, username: 'u' })
    expect(calls[0]?.url).toBe('/api/v1/me')
    expect(calls[0]?.init.credentials).toBe('same-origin')
    expect(header(calls[0]!.init, 'Accept-Language')).toBe('zh-CN')
  })

  test('sends the CSRF token on mutating requests only', async () => {
    const { api, calls } = client(() => new Response(null, { status: 204 }))
    api.csrfToken = 'tok'
    await api.get('/a')
    await api.post('/a', { x: 1 })
    await api.put('/a', { x: 1 })
    await api.patch('/a', { x: 1 })
    await api.delete('/a')
    expect(calls.map((c) => header(c.init, 'X-CSRF-Token'))).toEqual([undefined, 'tok', 'tok', 'tok', 'tok'])
    expect(calls[1]?.init.body).toBe('{"x":1}')
    expect(header(calls[1]!.init, 'Content-Type')).toBe('application/json')
  })

  test('parses the error contract and notifies', async () => {
    const { api, notify } = client(() =>
      jsonResponse(422, { error: { code: 'invalid', message: 'bad title', fields: { title: 'too long' } } }),
    )
    const err = await api.post('/x', {}).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ApiError)
    expect(err).toMatchObject({ status: 422, code: 'invalid', message: 'bad title', fields: { title: 'too long' } })
    expect(notify).toHaveBeenCalledTimes(1)
  })

  test('silent suppresses the notification, as a flag or a predicate', async () => {
    const { api, notify } = client(() => jsonResponse(401, { error: { code: 'unauthenticated', message: 'no' } }))
    await expect(api.get('/x', { silent: true })).rejects.toBeInstanceOf(ApiError)
    await expect(api.get('/x', { silent: (e) => e.code === 'unauthenticated' })).rejects.toBeInstanceOf(ApiError)
    expect(notify).not.toHaveBeenCalled()
    await expect(api.get('/x', { silent: (e) => e.code === 'forbidden' })).rejects.toBeInstanceOf(ApiError)
    expect(notify).toHaveBeenCalledTimes(1)
  })

  test('a 401 tells the session it ended', async () => {
    const { api } = client(() => jsonResponse(401, { error: { code: 'unauthenticated', message: 'no' } }))
    const ended = vi.fn()
    api.onUnauthenticated = ended
    api.csrfToken = 'tok'
    await api.get('/x', { silent: true }).catch(() => undefined)
    expect(ended).toHaveBeenCalledTimes(1)
  })

  test('a 401 to a request from before the current sign-in is not the session ending', async () => {
    let answer: (r: Response) => void = () => undefined
    const { api } = client(() => new Promise<Response>((resolve) => (answer = resolve)))
    const ended = vi.fn()
    api.onUnauthenticated = ended
    // Sent signed out (GET /me on page load)...
    const pending = api.get('/api/v1/me', { silent: true }).catch(() => undefined)
    // ...then a sign-in completes before the answer arrives.
    api.csrfToken = 'new-session'
    answer(jsonResponse(401, { error: { code: 'unauthenticated', message: 'no' } }))
    await pending
    expect(ended).not.toHaveBeenCalled()
  })

  test('a failed fetch is a network error', async () => {
    const { api, notify } = client(() => {
      throw new TypeError('Failed to fetch')
    })
    await expect(api.get('/x')).rejects.toMatchObject({ status: 0, code: 'network' })
    expect(notify).toHaveBeenCalledTimes(1)
  })
})

describe('errorFromResponse', () => {
  test('falls back to the status when the body is not the contract', async () => {
    const html = new Response('<html>Bad Gateway</html>', { status: 502, statusText: 'Bad Gateway' })
    await expect(errorFromResponse(html)).resolves.toMatchObject({ status: 502, code: 'unavailable' })
    const teapot = new Response('', { status: 418 })
    await expect(errorFromResponse(teapot)).resolves.toMatchObject({ status: 418, code: 'unknown' })
    const odd = jsonResponse(409, { error: { code: 'something_new', message: 'x' } })
    await expect(errorFromResponse(odd)).resolves.toMatchObject({ status: 409, code: 'conflict' })
  })

  test('reads Retry-After', async () => {
    const res = jsonResponse(429, { error: { code: 'rate_limited', message: 'slow down' } }, { 'Retry-After': '30' })
    await expect(errorFromResponse(res)).resolves.toMatchObject({ code: 'rate_limited', retryAfter: 30 })
  })
})

describe('parseRetryAfter', () => {
  test.each([
    [null, null],
    ['', null],
    ['12', 12],
    ['soon', null],
    ['Wed, 21 Oct 2015 07:28:10 GMT', 10],
  ])('%s → %s', (value, want) => {
    expect(parseRetryAfter(value, Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'))).toBe(want)
  })
})

/** FakeXHR records an upload and answers it when told to. */
class FakeXHR {
  static last: FakeXHR | null = null
  method = ''
  url = ''
  headers: Record<string, string> = {}
  body: unknown = null
  status = 0
  statusText = ''
  responseText = ''
  responseHeaders: Record<string, string> = {}
  upload: { onprogress: ((e: { lengthComputable: boolean; loaded: number; total: number }) => void) | null } = { onprogress: null }
  onload: (() => void) | null = null
  onerror: (() => void) | null = null
  onabort: (() => void) | null = null
  constructor() {
    FakeXHR.last = this
  }
  open(method: string, url: string) {
    this.method = method
    this.url = url
  }
  setRequestHeader(name: string, value: string) {
    this.headers[name] = value
  }
  getResponseHeader(name: string) {
    return this.responseHeaders[name] ?? null
  }
  send(body: unknown) {
    this.body = body
  }
  abort() {
    this.onabort?.()
  }
  respond(status: number, body: unknown, headers: Record<string, string> = { 'Content-Type': 'application/json' }) {
    this.status = status
    this.responseText = JSON.stringify(body)
    this.responseHeaders = headers
    this.onload?.()
  }
}

describe('ApiClient.upload', () => {
  function uploader() {
    const notify = vi.fn()
    const api = new ApiClient({ notify, language: () => 'en', xhr: () => new FakeXHR() as unknown as XMLHttpRequest })
    api.csrfToken = 'tok'
    return { api, notify }
  }

  test('posts the form with the CSRF header and reports progress', async () => {
    const { api } = uploader()
    const progress: number[] = []
    const form = new FormData()
    const done = api.upload<{ imported: number }>('/api/v1/units/import', form, { onProgress: (f) => progress.push(f) })
    const xhr = FakeXHR.last!
    expect(xhr.method).toBe('POST')
    expect(xhr.url).toBe('/api/v1/units/import')
    expect(xhr.headers['X-CSRF-Token']).toBe('tok')
    expect(xhr.headers['Accept-Language']).toBe('en')
    expect(xhr.body).toBe(form)
    xhr.upload.onprogress?.({ lengthComputable: true, loaded: 50, total: 100 })
    xhr.respond(200, { imported: 3 })
    await expect(done).resolves.toEqual({ imported: 3 })
    expect(progress).toEqual([0.5, 1])
  })

  test('a 422 rejects with the row problems, silently when asked', async () => {
    const { api, notify } = uploader()
    const done = api.upload('/x', new FormData(), { silent: (e) => e.code === 'invalid' })
    FakeXHR.last!.respond(422, { error: { code: 'invalid', message: 'rows', fields: { 'row 3': 'bad' } } })
    await expect(done).rejects.toMatchObject({ status: 422, code: 'invalid', fields: { 'row 3': 'bad' } })
    expect(notify).not.toHaveBeenCalled()
  })

  test('a dropped connection is a network error', async () => {
    const { api, notify } = uploader()
    const done = api.upload('/x', new FormData())
    FakeXHR.last!.onerror?.()
    await expect(done).rejects.toMatchObject({ status: 0, code: 'network' })
    expect(notify).toHaveBeenCalledTimes(1)
  })
})
