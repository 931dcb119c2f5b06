import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import type { Media, PresignedPart, Upload } from '@/api/media'
import { apiError, limitFromMessage, missingParts, UploadTask, type FileLike, type Timing, type UploadTransport } from './uploader'

const CHUNK = 1024

/** memFile is a FileLike over bytes. */
function memFile(name: string, bytes: Uint8Array, type = ''): FileLike {
  return {
    name,
    size: bytes.length,
    type,
    slice: (start, end) => ({ arrayBuffer: async () => bytes.slice(start, end).buffer }),
  }
}

function pattern(n: number, head: number[] = [0xff, 0xd8, 0xff]): Uint8Array {
  const b = new Uint8Array(n)
  for (let i = 0; i < n; i++) b[i] = (i * 7 + 3) & 0xff
  b.set(head, 0)
  return b
}

/** FakeServer imitates the upload API: part 1 first, MD5 checked, optional failures. */
class FakeServer implements UploadTransport {
  uploads = new Map<string, Upload & { data: Map<number, Uint8Array> }>()
  log: string[] = []
  /** down makes every call fail as if the connection dropped. */
  down = false
  /** failPart makes the next PUT of these parts fail once with the given error. */
  failOnce = new Map<number, Error>()
  /** afterParts calls fn once this many part PUTs have succeeded. */
  afterParts: { count: number; fn: () => void } | null = null
  mode: 'proxy' | 'direct' = 'proxy'
  directDown = false
  sniff: (head: Uint8Array) => boolean = (h) => h[0] === 0xff && h[1] === 0xd8
  putCount = 0
  completed: Uint8Array | null = null
  private seq = 0

  private net(): void {
    if (this.down) throw apiError(0, 'network', 'connection reset')
  }

  private view(u: Upload & { data: Map<number, Uint8Array> }): Upload {
    const received = [...u.data.keys()].sort((a, b) => a - b)
    const { data: _data, ...rest } = u
    return { ...rest, received, complete: received.length === u.parts }
  }

  async create(projectID: number, input: { filename: string; size: number; content_type: string }): Promise<Upload> {
    this.net()
    this.log.push('create')
    if (input.size > 10 * CHUNK) throw apiError(413, 'too_large', 'the file is 11 KiB; a video may be at most 2 GiB')
    const id = (++this.seq).toString(16).padStart(32, '0')
    const u = {
      upload_id: id,
      project_id: projectID,
      filename: input.filename,
      size: input.size,
      kind: 'image' as const,
      content_type: '',
      chunk_size: CHUNK,
      parts: Math.ceil(input.size / CHUNK),
      mode: this.mode,
      received: [],
      complete: false,
      expires_at: '',
      data: new Map<number, Uint8Array>(),
    }
    this.uploads.set(id, u)
    return this.view(u)
  }

  async get(id: string): Promise<Upload> {
    this.net()
    this.log.push('get')
    const u = this.uploads.get(id)
    if (!u) throw apiError(404, 'not_found', 'no upload')
    return this.view(u)
  }

  private store(id: string, n: number, body: ArrayBuffer, md5: string): Upload {
    const u = this.uploads.get(id)
    if (!u) throw apiError(404, 'not_found', 'no upload')
    if (n > 1 && !u.data.has(1)) throw apiError(409, 'conflict', 'send part 1 first')
    const bytes = new Uint8Array(body)
    if (createHash('md5').update(bytes).digest('base64') !== md5) throw apiError(400, 'invalid', 'corrupted chunk: retry it')
    if (n === 1 && !this.sniff(bytes)) {
      this.uploads.delete(id)
      throw apiError(415, 'unsupported_media', 'not an allowed type')
    }
    u.data.set(n, bytes)
    this.putCount++
    if (this.afterParts && this.putCount >= this.afterParts.count) {
      const { fn } = this.afterParts
      this.afterParts = null
      fn()
    }
    return this.view(u)
  }

  async putPart(id: string, n: number, body: ArrayBuffer, md5: string, onProgress: (sent: number) => void): Promise<Upload> {
    this.net()
    this.log.push(`put ${n}`)
    const fail = this.failOnce.get(n)
    if (fail) {
      this.failOnce.delete(n)
      throw fail
    }
    onProgress(body.byteLength / 2)
    await Promise.resolve()
    this.net()
    onProgress(body.byteLength)
    return this.store(id, n, body, md5)
  }

  async presign(id: string, n: number, md5: string): Promise<PresignedPart> {
    this.net()
    this.log.push(`presign ${n}`)
    return { method: 'PUT', url: `s3://${id}/${n}`, headers: { 'Content-MD5': md5 }, expires_at: '' }
  }

  async putDirect(part: PresignedPart, body: ArrayBuffer): Promise<string> {
    this.log.push(`direct ${part.url.split('/').pop()}`)
    if (this.directDown || this.down) throw apiError(0, 'network', 'cors')
    const [, , id, n] = part.url.split('/')
    this.pendingDirect.set(`${id}/${n}`, { body, md5: part.headers['Content-MD5']! })
    return `"etag-${n}"`
  }

  pendingDirect = new Map<string, { body: ArrayBuffer; md5: string }>()

  async done(id: string, n: number, etag: string): Promise<Upload> {
    this.net()
    this.log.push(`done ${n}`)
    const p = this.pendingDirect.get(`${id}/${n}`)
    if (!p || etag !== `"etag-${n}"`) throw apiError(400, 'invalid', 'send it again')
    return this.store(id, n, p.body, p.md5)
  }

  async complete(id: string): Promise<Media> {
    this.net()
    this.log.push('complete')
    const u = this.uploads.get(id)
    if (!u) throw apiError(404, 'not_found', 'no upload')
    const missing = []
    for (let n = 1; n <= u.parts; n++) if (!u.data.has(n)) missing.push(n)
    if (missing.length) throw apiError(422, 'invalid', 'incomplete', { parts: `missing: ${missing.join(', ')}` })
    const all = new Uint8Array(u.size)
    for (const [n, b] of u.data) all.set(b, (n - 1) * CHUNK)
    this.completed = all
    this.uploads.delete(id)
    return { id: 1, project_id: u.project_id, kind: 'image', filename: u.filename, size: u.size } as Media
  }

  async cancel(id: string): Promise<void> {
    this.net()
    this.log.push('cancel')
    if (!this.uploads.delete(id)) throw apiError(404, 'not_found', 'no upload')
  }
}

/** fakeTiming runs timers by hand: tick() fires everything due. */
function fakeTiming(): Timing & { tick(ms: number): void; pending(): number } {
  let now = 0
  let timers: { at: number; fn: () => void; id: number }[] = []
  let id = 0
  return {
    backoff: (attempt) => 1000 * 2 ** attempt,
    concurrency: 3,
    partRetries: 2,
    speedWindow: 5000,
    now: () => now,
    setTimeout(fn, ms) {
      timers.push({ at: now + ms, fn, id: ++id })
      return id
    },
    clearTimeout(h) {
      timers = timers.filter((t) => t.id !== h)
    },
    tick(ms) {
      now += ms
      const due = timers.filter((t) => t.at <= now)
      timers = timers.filter((t) => t.at > now)
      for (const t of due) t.fn()
    },
    pending: () => timers.length,
  }
}

const settle = () => new Promise((r) => setTimeout(r, 0))
async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (cond()) return
    await settle()
  }
  throw new Error(`timed out waiting for ${what}`)
}

describe('UploadTask', () => {
  test('sends part 1 first, then the rest, and completes with the exact bytes', async () => {
    const server = new FakeServer()
    const data = pattern(CHUNK * 4 + 100)
    let done: Media | null = null
    const task = new UploadTask({ projectID: 7, file: memFile('a.jpg', data, 'image/jpeg'), transport: server, timing: fakeTiming(), onDone: (m) => (done = m) })
    await task.start()
    expect(task.state).toBe('done')
    expect(done).not.toBeNull()
    expect(server.log[0]).toBe('create')
    expect(server.log[1]).toBe('put 1')
    expect(server.log.filter((l) => l.startsWith('put')).sort()).toEqual(['put 1', 'put 2', 'put 3', 'put 4', 'put 5'])
    expect(server.completed).toEqual(data)
    expect(task.fraction).toBe(1)
    expect(task.resent).toEqual([])
  })

  test('a dropped connection pauses; once the server answers only the missing parts are sent', async () => {
    const server = new FakeServer()
    const timing = fakeTiming()
    const data = pattern(CHUNK * 8)
    const task = new UploadTask({ projectID: 1, file: memFile('v.jpg', data), transport: server, timing })
    server.afterParts = { count: 3, fn: () => (server.down = true) }
    await task.start()
    expect(task.state).toBe('offline')
    const before = [...task.received]
    expect(before.length).toBeGreaterThanOrEqual(3)
    expect(before).toContain(1)

    // Still down at the first retry: it waits longer.
    timing.tick(1000)
    await until(() => timing.pending() === 1, 'the second wait')
    expect(task.state).toBe('offline')
    expect(task.attempts).toBe(2)

    server.down = false
    const log = server.log.length
    timing.tick(2000)
    await until(() => task.state === 'done', 'completion')
    const after = server.log.slice(log)
    expect(after[0]).toBe('get')
    for (const n of before) expect(after).not.toContain(`put ${n}`)
    expect(server.completed).toEqual(data)
  })

  test('a corrupted chunk (400) is sent again; 503 waits and resumes', async () => {
    const server = new FakeServer()
    const timing = fakeTiming()
    const data = pattern(CHUNK * 3)
    server.failOnce.set(2, apiError(400, 'invalid', 'corrupted chunk (MD5 mismatch): retry it'))
    server.failOnce.set(3, apiError(503, 'unavailable', 'file storage is unavailable: the upload is paused'))
    const task = new UploadTask({ projectID: 1, file: memFile('p.jpg', data), transport: server, timing })
    await task.start()
    expect(task.state).toBe('storage')
    timing.tick(1000)
    await until(() => task.state === 'done', 'completion')
    expect(server.completed).toEqual(data)
  })

  test('a gateway that cannot reach the server (502) counts as a dropped connection', async () => {
    const server = new FakeServer()
    const timing = fakeTiming()
    server.failOnce.set(2, apiError(502, 'unavailable', 'Bad Gateway'))
    const task = new UploadTask({ projectID: 1, file: memFile('g.jpg', pattern(CHUNK * 2)), transport: server, timing })
    await task.start()
    expect(task.state).toBe('offline')
    timing.tick(1000)
    await until(() => task.state === 'done', 'completion')
  })

  test('content that is not allowed fails with the type message (415)', async () => {
    const server = new FakeServer()
    const task = new UploadTask({ projectID: 1, file: memFile('fake.jpg', new TextEncoder().encode('just some text, not a photo')), transport: server, timing: fakeTiming() })
    await task.start()
    expect(task.state).toBe('failed')
    expect(task.failure?.kind).toBe('type')
    expect(task.uploadID).toBeNull()
  })

  test('a file over the limit fails with the limit (413)', async () => {
    const server = new FakeServer()
    const task = new UploadTask({ projectID: 1, file: memFile('big.mp4', pattern(CHUNK * 11), 'video/mp4'), transport: server, timing: fakeTiming() })
    await task.start()
    expect(task.failure).toMatchObject({ kind: 'size', limit: 2 * 1024 ** 3 })
  })

  test('pause keeps the parts; resume sends only the others', async () => {
    const server = new FakeServer()
    const data = pattern(CHUNK * 6)
    const task = new UploadTask({ projectID: 1, file: memFile('x.jpg', data), transport: server, timing: { ...fakeTiming(), concurrency: 1 } })
    server.afterParts = { count: 2, fn: () => task.pause() }
    await task.start()
    expect(task.state).toBe('paused')
    // The pause came while the server stored part 2: the task learns of it when it resumes.
    expect(task.received).toContain(1)
    const log = server.log.length
    await task.resume()
    expect(task.state).toBe('done')
    expect(server.log.slice(log)).not.toContain('put 1')
    expect(server.log.slice(log)).not.toContain('put 2')
    expect(server.completed).toEqual(data)
  })

  test('direct mode PUTs to the store; a failing direct PUT falls back to the server', async () => {
    const server = new FakeServer()
    server.mode = 'direct'
    const data = pattern(CHUNK * 4)
    const task = new UploadTask({ projectID: 1, file: memFile('d.jpg', data), transport: server, timing: { ...fakeTiming(), concurrency: 1 } })
    await task.start()
    expect(task.state).toBe('done')
    expect(server.log).toContain('put 1')
    expect(server.log).toContain('direct 2')
    expect(server.log).toContain('done 2')
    expect(server.log).not.toContain('put 2')

    const server2 = new FakeServer()
    server2.mode = 'direct'
    server2.directDown = true
    const task2 = new UploadTask({ projectID: 1, file: memFile('d.jpg', data), transport: server2, timing: { ...fakeTiming(), concurrency: 1 } })
    await task2.start()
    expect(task2.state).toBe('done')
    expect(server2.log).toEqual(['create', 'put 1', 'presign 2', 'direct 2', 'put 2', 'put 3', 'put 4', 'complete'])
    expect(server2.completed).toEqual(data)
  })

  test('after a reload the task waits for the same file, then resumes where it stopped', async () => {
    const server = new FakeServer()
    const data = pattern(CHUNK * 3)
    const first = new UploadTask({ projectID: 1, file: memFile('r.jpg', data), transport: server, timing: { ...fakeTiming(), concurrency: 1 } })
    server.afterParts = { count: 2, fn: () => first.dispose() }
    await first.start()
    const [unfinished] = [...server.uploads.values()].map((u) => ({ ...u, received: [...u.data.keys()] }))
    const task = new UploadTask({ projectID: 1, upload: unfinished, transport: server, timing: fakeTiming() })
    expect(task.state).toBe('needsFile')
    expect(task.fraction).toBeCloseTo(2 / 3)
    expect(task.attach(memFile('r.jpg', pattern(CHUNK * 2)))).toBe(false)
    expect(task.attach(memFile('other.jpg', data))).toBe(false)
    expect(task.attach(memFile('r.jpg', data))).toBe(true)
    const log = server.log.length
    await task.start()
    expect(task.state).toBe('done')
    expect(server.log.slice(log)).toEqual(['get', 'put 3', 'complete'])
    expect(server.completed).toEqual(data)
  })

  test('cancel removes the upload on the server', async () => {
    const server = new FakeServer()
    const task = new UploadTask({ projectID: 1, file: memFile('c.jpg', pattern(CHUNK * 5)), transport: server, timing: { ...fakeTiming(), concurrency: 1 } })
    server.afterParts = { count: 1, fn: () => void task.cancel() }
    await task.start()
    await settle()
    expect(task.state).toBe('cancelled')
    expect(server.uploads.size).toBe(0)
  })
})

describe('helpers', () => {
  test('missingParts reads the 422 field', () => {
    expect(missingParts('missing: 2, 5, 11')).toEqual([2, 5, 11])
    expect(missingParts('missing: 1, 2, …')).toEqual([1, 2])
  })
  test('limitFromMessage reads the kind of a 413', () => {
    expect(limitFromMessage('the file is 40 MiB; a image may be at most 30 MiB', 'video')).toBe(30 * 1024 * 1024)
    expect(limitFromMessage('too large', 'document')).toBe(100 * 1024 * 1024)
  })
})

describe('the browser sniffs a file before it uploads', () => {
  test('a renamed Windows program fails at once with the type failure, and no request is made', async () => {
    const server = new FakeServer()
    const exe = new Uint8Array(readFileSync(join(__dirname, 'testdata', 'setup.exe')))
    const task = new UploadTask({ projectID: 1, file: memFile('照片.jpg', exe, 'image/jpeg'), transport: server })
    expect(task.kind).toBe('image')
    expect(await task.check()).toBe(false)
    expect(task.state).toBe('failed')
    expect(task.failure?.kind).toBe('type')
    expect(task.kind).toBe('document')
    await task.start()
    expect(server.log).toEqual([])
  })

  test('an accepted file takes the kind its content shows, then uploads', async () => {
    const server = new FakeServer()
    server.sniff = (h) => h[0] === 0x89 && h[1] === 0x50
    const png = new Uint8Array(readFileSync(join(__dirname, 'testdata', 'a.png')))
    const task = new UploadTask({ projectID: 1, file: memFile('路演.mp4', png, 'video/mp4'), transport: server })
    expect(task.kind).toBe('video')
    await task.start()
    expect(task.kind).toBe('image')
    expect(task.state).toBe('done')
  })
})
