// The resumable upload engine behind the media manager. One UploadTask sends one file in parts of
// the server's chunk size: part 1 first through the server (it decides the file's type), then the
// others, up to three at a time, through the server or straight to the object store ("direct"
// mode, falling back to the server for a part whose direct request fails). Every part carries its
// MD5. A dropped connection pauses the task; it polls the upload with backoff and, once the server
// answers, sends only the parts it has not received. The engine knows nothing of Vue or of the
// DOM: it talks to the server through an UploadTransport (xhrTransport.ts in the browser, a fake
// in the tests) and reports through the task's own fields, which the media manager makes reactive.
import { ApiError, isApiError } from '@/api/client'
import { claimedKind, MEDIA_LIMITS, type Media, type MediaKind, type PresignedPart, type Upload } from '@/api/media'
import { md5Base64 } from './md5'
import { SNIFF_BYTES, sniff } from './sniff'

/** UploadTransport is how a task reaches the server; each call rejects with an ApiError. */
/** UploadPurpose is what an upload is for: the application's materials (default), evidence of a funded project's progress, or a site visit's photos (created through the visit's own route, see api/visits.ts). */
export type UploadPurpose = 'application' | 'follow' | 'visit'

export interface UploadTransport {
  create(projectID: number, input: { filename: string; size: number; content_type: string; purpose?: UploadPurpose }): Promise<Upload>
  get(uploadID: string): Promise<Upload>
  /** putPart sends a part through the server; onProgress gets the bytes sent so far. */
  putPart(uploadID: string, n: number, body: ArrayBuffer, md5: string, onProgress: (sent: number) => void, signal: AbortSignal): Promise<Upload>
  presign(uploadID: string, n: number, md5: string): Promise<PresignedPart>
  /** putDirect sends a part to a presigned URL and resolves with the ETag of the answer. */
  putDirect(part: PresignedPart, body: ArrayBuffer, onProgress: (sent: number) => void, signal: AbortSignal): Promise<string>
  done(uploadID: string, n: number, etag: string): Promise<Upload>
  complete(uploadID: string): Promise<Media>
  cancel(uploadID: string): Promise<void>
}

/** FileLike is what a task reads: a File in the browser, anything with the same calls in tests. */
export interface FileLike {
  readonly name: string
  readonly size: number
  readonly type: string
  slice(start: number, end: number): { arrayBuffer(): Promise<ArrayBuffer> }
}

/**
 * TaskState is where a task stands:
 * - queued: waiting for its turn; uploading: parts on their way; completing: joining the parts;
 * - paused: by the user; offline: the connection dropped (resumes by itself);
 * - storage: the server's file storage is down (resumes by itself);
 * - needsFile: an unfinished upload found after a reload, waiting for the same file to be picked;
 * - done, failed, cancelled: the end.
 */
export type TaskState =
  | 'queued'
  | 'uploading'
  | 'completing'
  | 'paused'
  | 'offline'
  | 'storage'
  | 'needsFile'
  | 'done'
  | 'failed'
  | 'cancelled'

/** FailureKind says why a task failed, to pick the message shown. */
export type FailureKind = 'type' | 'size' | 'expired' | 'closed' | 'corrupt' | 'empty' | 'other'

/** Failure is why a task failed. */
export interface Failure {
  kind: FailureKind
  /** limit is the size limit in bytes that a 413 refers to. */
  limit?: number
  /** message is the server's own message, for 'closed' and 'other'. */
  message: string
}

/** Timing tunes the engine; the tests shorten it. */
export interface Timing {
  /** backoff returns the wait in ms before reconnection attempt `attempt` (0-based). */
  backoff(attempt: number): number
  /** concurrency is how many parts are in flight at once. */
  concurrency: number
  /** partRetries is how many times a corrupted part is sent again. */
  partRetries: number
  /** speedWindow is the time in ms over which the speed is averaged. */
  speedWindow: number
  now(): number
  setTimeout(fn: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

/** DEFAULT_TIMING: 3 parts at once; reconnect after 1, 2, 4, 8 s, then every 15 s. */
export const DEFAULT_TIMING: Timing = {
  backoff: (attempt) => Math.min(15_000, 1000 * 2 ** attempt),
  concurrency: 3,
  partRetries: 3,
  speedWindow: 5000,
  now: () => Date.now(),
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (h) => globalThis.clearTimeout(h as ReturnType<typeof setTimeout>),
}

let nextKey = 1

// Thrown inside a run when the user paused or cancelled it: not a failure.
class Stopped extends Error {
  constructor() {
    super('stopped')
    this.name = 'Stopped'
  }
}

/** isNetworkError reports whether err means that no answer came back (connection lost, CORS). */
export function isNetworkError(err: unknown): boolean {
  return isApiError(err, 'network')
}

/** missingParts reads the part numbers of a 422 `parts` field ("missing: 2, 5, …"). */
export function missingParts(message: string): number[] {
  const body = message.replace(/^\s*missing:\s*/i, '')
  return body
    .split(/[,\s]+/)
    .map((s) => Number(s))
    .filter((n) => Number.isInteger(n) && n > 0)
}

/** limitFromMessage finds the limit a 413 names ("a video may be at most 2 GiB"), in bytes. */
export function limitFromMessage(message: string, fallback: MediaKind): number {
  const m = /\b(image|video|document) may be at most/i.exec(message)
  const kind = (m?.[1]?.toLowerCase() as MediaKind | undefined) ?? fallback
  return MEDIA_LIMITS[kind]
}

/** UploadTask sends one file; its fields are the state the media manager shows. */
export class UploadTask {
  /** key identifies the task in lists (before and after the server's upload id exists). */
  readonly key: string
  readonly projectID: number
  /** purpose is sent when the upload is created; 'application' sends none. */
  readonly purpose: UploadPurpose
  filename: string
  size: number
  file: FileLike | null
  kind: MediaKind
  uploadID: string | null = null
  mode: 'proxy' | 'direct' = 'proxy'
  chunkSize = 0
  parts = 0
  /** received are the parts the server has confirmed. */
  received: number[] = []
  state: TaskState = 'queued'
  failure: Failure | null = null
  /** sent is the bytes the server holds plus those of parts on their way (for the progress bar). */
  sent = 0
  /** speed is bytes per second over the last few seconds, 0 when unknown. */
  speed = 0
  /** retryAt is when the next reconnection attempt happens (ms since the epoch), or 0. */
  retryAt = 0
  /** attempts counts reconnection attempts since the connection dropped. */
  attempts = 0
  /** media is the stored file once complete. */
  media: Media | null = null
  /** resent lists the part numbers sent more than once (for diagnostics and the tests). */
  resent: number[] = []

  private readonly transport: UploadTransport
  private readonly timing: Timing
  private run = 0
  private sniffed: Promise<boolean> | null = null
  private controller: AbortController | null = null
  private inflight = new Map<number, number>()
  private samples: { t: number; bytes: number }[] = []
  private transferred = 0
  private timer: unknown = null
  private directBroken = false
  private everSent = new Set<number>()
  private readonly onDone: (media: Media, task: UploadTask) => void

  constructor(init: {
    projectID: number
    file?: FileLike | null
    upload?: Upload
    transport: UploadTransport
    timing?: Timing
    onDone?: (media: Media, task: UploadTask) => void
    purpose?: UploadPurpose
  }) {
    this.key = `u${nextKey++}`
    this.projectID = init.projectID
    this.purpose = init.purpose ?? 'application'
    this.transport = init.transport
    this.timing = init.timing ?? DEFAULT_TIMING
    this.onDone = init.onDone ?? (() => undefined)
    this.file = init.file ?? null
    if (init.upload) {
      const u = init.upload
      this.filename = u.filename
      this.size = u.size
      this.kind = u.kind
      this.adopt(u)
      this.state = this.file ? 'queued' : 'needsFile'
    } else {
      if (!this.file) throw new Error('UploadTask needs a file or an upload')
      this.filename = this.file.name
      this.size = this.file.size
      this.kind = claimedKind(this.file.type, this.file.name)
    }
    this.sent = this.confirmedBytes()
  }

  /** fraction is the share sent so far, 0…1. */
  get fraction(): number {
    return this.size > 0 ? Math.min(1, this.sent / this.size) : 0
  }

  /** secondsLeft is the estimated time to finish, or null when unknown. */
  get secondsLeft(): number | null {
    if (this.speed <= 0 || this.state !== 'uploading') return null
    return Math.max(0, (this.size - this.sent) / this.speed)
  }

  /** active reports whether the task still needs the page open (it is sending or will resume). */
  get active(): boolean {
    return ['queued', 'uploading', 'completing', 'offline', 'storage'].includes(this.state)
  }

  /** matches reports whether file is the one this task uploads (same name and size). */
  matches(file: FileLike): boolean {
    return file.name === this.filename && file.size === this.size
  }

  /** attach gives a task found after a reload its file back; false when it is not the same file. */
  attach(file: FileLike): boolean {
    if (!this.matches(file)) return false
    this.file = file
    if (this.state === 'needsFile') this.state = 'queued'
    return true
  }

  /**
   * check reads the file's first bytes and sniffs them as the server will (./sniff): a file the
   * server would refuse fails at once, before any request, whatever its name; an accepted one
   * takes the kind its content shows (its icon and size limit). It resolves false when refused.
   * A task resuming an upload the server already holds, and an empty file (refused by size), pass.
   */
  check(): Promise<boolean> {
    const file = this.file
    if (!file || this.uploadID || this.size <= 0) return Promise.resolve(true)
    this.sniffed ??= file
      .slice(0, SNIFF_BYTES)
      .arrayBuffer()
      .then((buf) => {
        const verdict = sniff(new Uint8Array(buf))
        if (!verdict.ok) {
          // Not a photo, whatever its name: no photo icon or preview for it.
          this.kind = 'document'
          if (this.state !== 'cancelled') this.fail({ kind: 'type', message: verdict.reason })
          return false
        }
        this.kind = verdict.kind
        return true
      })
    return this.sniffed
  }

  /** start sends the file (or resumes it); it resolves when the task stops for any reason. */
  async start(): Promise<void> {
    if (!this.file || this.state === 'done' || this.state === 'cancelled' || this.state === 'failed') return
    const after = (await this.check()) ? (this.state as TaskState) : 'failed'
    if (after === 'cancelled' || after === 'failed') return
    this.clearTimer()
    const token = ++this.run
    this.controller?.abort()
    const controller = new AbortController()
    this.controller = controller
    this.failure = null
    this.state = 'uploading'
    this.samples = []
    this.speed = 0
    try {
      await this.send(token, controller.signal)
    } catch (err) {
      if (token !== this.run) return
      if (err instanceof Stopped || controller.signal.aborted) return
      this.handle(err)
    } finally {
      if (this.controller === controller) this.controller = null
    }
  }

  /** pause stops sending; the parts already received are kept. */
  pause(): void {
    if (!this.active) return
    this.run++
    this.clearTimer()
    this.controller?.abort()
    this.inflight.clear()
    this.sent = this.confirmedBytes()
    this.speed = 0
    this.state = 'paused'
  }

  /** resume continues a paused (or waiting) task now. */
  resume(): Promise<void> {
    if (this.state === 'needsFile' || !this.file) return Promise.resolve()
    if (this.state === 'done' || this.state === 'cancelled') return Promise.resolve()
    this.state = 'queued'
    return this.start()
  }

  /** retryNow skips the wait of an offline or storage-paused task. */
  retryNow(): void {
    if (this.state === 'offline' || this.state === 'storage') {
      this.clearTimer()
      void this.reconnect(this.run)
    }
  }

  /** cancel stops the task and removes the upload and its parts from the server. */
  async cancel(): Promise<void> {
    this.run++
    this.clearTimer()
    this.controller?.abort()
    this.inflight.clear()
    this.state = 'cancelled'
    if (this.uploadID) {
      try {
        await this.transport.cancel(this.uploadID)
      } catch (err) {
        // Already gone (expired, completed elsewhere): nothing to remove.
        if (!isApiError(err, 'not_found')) throw err
      }
    }
  }

  /** dispose stops timers and requests without telling the server (the page is going away). */
  dispose(): void {
    this.run++
    this.clearTimer()
    this.controller?.abort()
  }

  private async send(token: number, signal: AbortSignal): Promise<void> {
    const check = () => {
      if (token !== this.run || signal.aborted) throw new Stopped()
    }
    if (!this.uploadID) {
      if (this.size <= 0) {
        this.fail({ kind: 'empty', message: '' })
        return
      }
      const up = await this.transport.create(this.projectID, {
        filename: this.filename,
        size: this.size,
        content_type: this.file?.type ?? '',
        ...(this.purpose === 'follow' ? { purpose: this.purpose } : {}),
      })
      check()
      this.adopt(up)
    } else {
      const up = await this.transport.get(this.uploadID)
      check()
      this.adopt(up)
    }
    this.sent = this.confirmedBytes()

    for (let round = 0; ; round++) {
      if (!this.received.includes(1)) {
        await this.sendPart(1, token, signal)
        check()
      }
      await this.sendMissing(token, signal)
      check()
      this.state = 'completing'
      try {
        const media = await this.transport.complete(this.uploadID!)
        check()
        this.media = media
        this.state = 'done'
        this.sent = this.size
        this.speed = 0
        this.onDone(media, this)
        return
      } catch (err) {
        // Parts the server does not have after all: send them and complete again.
        if (isApiError(err, 'invalid') && err.fields.parts && round < 3) {
          const missing = missingParts(err.fields.parts)
          this.received = this.received.filter((n) => !missing.includes(n))
          this.sent = this.confirmedBytes()
          this.state = 'uploading'
          continue
        }
        throw err
      }
    }
  }

  // sendMissing sends every part not yet received, `concurrency` at a time. The first failure
  // stops the others (their parts are sent again on resume) and is rethrown.
  private async sendMissing(token: number, signal: AbortSignal): Promise<void> {
    const queue: number[] = []
    for (let n = 1; n <= this.parts; n++) if (!this.received.includes(n)) queue.push(n)
    if (queue.length === 0) return
    const inner = new AbortController()
    const stop = () => inner.abort()
    signal.addEventListener('abort', stop, { once: true })
    let failure: unknown = null
    const worker = async () => {
      while (failure === null && queue.length > 0) {
        const n = queue.shift()!
        try {
          await this.sendPart(n, token, inner.signal)
        } catch (err) {
          if (failure === null) failure = err
          inner.abort()
        }
      }
    }
    try {
      await Promise.all(Array.from({ length: Math.min(this.timing.concurrency, queue.length) }, worker))
    } finally {
      signal.removeEventListener('abort', stop)
    }
    if (failure !== null) throw failure
  }

  private async sendPart(n: number, token: number, signal: AbortSignal): Promise<void> {
    const file = this.file!
    const start = (n - 1) * this.chunkSize
    const end = Math.min(this.size, start + this.chunkSize)
    for (let attempt = 0; ; attempt++) {
      if (token !== this.run || signal.aborted) throw new Stopped()
      const body = await file.slice(start, end).arrayBuffer()
      if (token !== this.run || signal.aborted) throw new Stopped()
      const sum = md5Base64(body)
      if (this.everSent.has(n)) this.resent.push(n)
      this.everSent.add(n)
      const progress = (bytes: number) => this.progress(n, bytes, token)
      try {
        let up: Upload
        if (this.mode === 'direct' && n > 1 && !this.directBroken) {
          up = await this.sendDirect(n, body, sum, progress, signal)
        } else {
          up = await this.transport.putPart(this.uploadID!, n, body, sum, progress, signal)
        }
        if (token !== this.run) throw new Stopped()
        this.inflight.delete(n)
        this.adopt(up, n)
        this.sent = this.confirmedBytes() + this.inflightBytes()
        return
      } catch (err) {
        this.inflight.delete(n)
        if (err instanceof Stopped || signal.aborted) throw new Stopped()
        // A corrupted chunk (checksum mismatch) or a part the store does not hold as reported:
        // read it again and send it again.
        if (isApiError(err, 'invalid') && attempt < this.timing.partRetries && !err.fields.parts) continue
        // Part n arrived before part 1 (part 1 was lost): the next round sends part 1 first.
        if (isApiError(err, 'conflict') && /part 1/i.test(err.message) && n > 1) {
          this.received = this.received.filter((p) => p !== 1)
        }
        throw err
      }
    }
  }

  // sendDirect PUTs a part straight to the object store. When that request gets no answer
  // (network or CORS), the part goes through the server instead; if that works, the store is
  // not reachable from this browser and later parts skip it.
  private async sendDirect(
    n: number,
    body: ArrayBuffer,
    sum: string,
    progress: (bytes: number) => void,
    signal: AbortSignal,
  ): Promise<Upload> {
    const id = this.uploadID!
    const signed = await this.transport.presign(id, n, sum)
    let etag: string
    try {
      etag = await this.transport.putDirect(signed, body, progress, signal)
    } catch (err) {
      if (signal.aborted) throw new Stopped()
      if (!isNetworkError(err) && !(isApiError(err) && err.status >= 500)) throw err
      this.inflight.delete(n)
      const up = await this.transport.putPart(id, n, body, sum, progress, signal)
      this.directBroken = true
      return up
    }
    return this.transport.done(id, n, etag)
  }

  private progress(n: number, bytes: number, token: number): void {
    if (token !== this.run) return
    const before = this.inflight.get(n) ?? 0
    if (bytes > before) this.transferred += bytes - before
    this.inflight.set(n, bytes)
    this.sent = Math.min(this.size, this.confirmedBytes() + this.inflightBytes())
    const t = this.timing.now()
    this.samples.push({ t, bytes: this.transferred })
    while (this.samples.length > 2 && t - this.samples[0]!.t > this.timing.speedWindow) this.samples.shift()
    const first = this.samples[0]!
    const dt = (t - first.t) / 1000
    if (dt >= 0.5) this.speed = (this.transferred - first.bytes) / dt
  }

  private handle(err: unknown): void {
    this.inflight.clear()
    this.sent = this.confirmedBytes()
    this.speed = 0
    // No answer, or a gateway in front of the server that cannot reach it: the connection is down.
    if (isNetworkError(err) || (isApiError(err) && (err.status === 502 || err.status === 504))) {
      this.waitAndReconnect('offline')
      return
    }
    if (isApiError(err, 'unavailable') || isApiError(err, 'rate_limited') || isApiError(err, 'internal')) {
      this.waitAndReconnect('storage', isApiError(err) ? err.retryAfter : null)
      return
    }
    if (isApiError(err, 'unsupported_media')) {
      // The server has deleted the upload.
      this.uploadID = null
      this.fail({ kind: 'type', message: err.message })
      return
    }
    if (isApiError(err, 'too_large')) {
      this.uploadID = null
      this.fail({ kind: 'size', limit: limitFromMessage(err.message, this.kind), message: err.message })
      return
    }
    if (isApiError(err, 'not_found')) {
      this.uploadID = null
      this.fail({ kind: 'expired', message: err.message })
      return
    }
    if (isApiError(err, 'conflict') && /part 1/i.test(err.message)) {
      // Part 1 went missing: start over from the server's list.
      this.waitAndReconnect('offline')
      return
    }
    if (isApiError(err, 'conflict')) {
      this.fail({ kind: 'closed', message: err.message })
      return
    }
    if (isApiError(err, 'invalid')) {
      this.fail({ kind: 'corrupt', message: err.message })
      return
    }
    this.fail({ kind: 'other', message: err instanceof Error ? err.message : String(err) })
  }

  private fail(failure: Failure): void {
    this.failure = failure
    this.state = 'failed'
  }

  // waitAndReconnect pauses the task and polls the upload with backoff until the server answers.
  private waitAndReconnect(state: 'offline' | 'storage', retryAfter: number | null = null): void {
    const token = this.run
    this.state = state
    const wait = retryAfter !== null ? retryAfter * 1000 : this.timing.backoff(this.attempts)
    this.attempts++
    this.retryAt = this.timing.now() + wait
    this.clearTimer()
    this.timer = this.timing.setTimeout(() => {
      this.timer = null
      void this.reconnect(token)
    }, wait)
  }

  private async reconnect(token: number): Promise<void> {
    if (token !== this.run || (this.state !== 'offline' && this.state !== 'storage')) return
    const state = this.state
    if (this.uploadID) {
      try {
        const up = await this.transport.get(this.uploadID)
        if (token !== this.run) return
        this.adopt(up)
      } catch (err) {
        if (token !== this.run) return
        if (isNetworkError(err) || isApiError(err, 'unavailable') || isApiError(err, 'internal')) {
          this.waitAndReconnect(state)
          return
        }
        this.handle(err)
        return
      }
    }
    this.attempts = 0
    this.retryAt = 0
    await this.start()
  }

  // adopt takes the server's view of the upload; `also` is a part just confirmed by its answer.
  private adopt(up: Upload, also?: number): void {
    this.uploadID = up.upload_id
    this.mode = up.mode
    this.chunkSize = up.chunk_size
    this.parts = up.parts
    if (up.kind) this.kind = up.kind
    const set = new Set(up.received)
    if (also !== undefined) set.add(also)
    // A part answered in parallel may be missing from another part's answer: keep both. Without
    // `also` (a fresh GET) the server's list is the truth.
    if (also !== undefined) for (const n of this.received) set.add(n)
    this.received = [...set].sort((a, b) => a - b)
  }

  private partSize(n: number): number {
    if (n < this.parts) return this.chunkSize
    return this.size - (this.parts - 1) * this.chunkSize
  }

  private confirmedBytes(): number {
    let total = 0
    for (const n of this.received) total += this.partSize(n)
    return Math.min(total, this.size)
  }

  private inflightBytes(): number {
    let total = 0
    for (const v of this.inflight.values()) total += v
    return total
  }

  private clearTimer(): void {
    if (this.timer !== null) {
      this.timing.clearTimeout(this.timer)
      this.timer = null
    }
  }
}

/** apiError builds an ApiError (for transports and tests). */
export function apiError(status: number, code: ApiError['code'], message = '', fields: Record<string, string> = {}): ApiError {
  return new ApiError({ status, code, message, fields })
}
