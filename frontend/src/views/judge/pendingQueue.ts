// The judge tablet's pending submissions. A score is put in this queue before it is sent and
// counts as submitted only once the server has answered 200; until then it survives a reload, a
// dropped Wi-Fi or a dead battery (localStorage, one entry per event and project), and it is sent
// again — with the same submission_id, so the server stores it once — when the network returns.
import { isApiError } from '@/api/client'
import type { JudgeReceipt } from '@/api/liveEvents'

/** PendingSubmission is one score waiting for the server's 200. */
export interface PendingSubmission {
  event_id: number
  project_id: number
  points: Record<string, number>
  /** submission_id makes resending safe: the server stores one submission once. */
  submission_id: string
  /** total is the sum of points as the tablet showed it ("87.5"). */
  total: string
  /** queued_at is when the judge confirmed (ISO 8601). */
  queued_at: string
  attempts: number
}

/** KeyValueStore is the part of the Web Storage API the queue uses (localStorage, or a fake). */
export interface KeyValueStore {
  readonly length: number
  key(index: number): string | null
  getItem(key: string): string | null
  setItem(key: string, value: string): void
  removeItem(key: string): void
}

/** PENDING_PREFIX starts every queue key: `leitai.judge.pending.<event>.<project>`. */
export const PENDING_PREFIX = 'leitai.judge.pending.'

/** pendingKey is the storage key of one event's project. */
export function pendingKey(eventID: number, projectID: number): string {
  return `${PENDING_PREFIX}${eventID}.${projectID}`
}

function isPending(v: unknown): v is PendingSubmission {
  if (typeof v !== 'object' || v === null) return false
  const o = v as Record<string, unknown>
  return (
    typeof o.event_id === 'number' &&
    typeof o.project_id === 'number' &&
    typeof o.submission_id === 'string' &&
    o.submission_id !== '' &&
    typeof o.points === 'object' &&
    o.points !== null &&
    Object.values(o.points as Record<string, unknown>).every((x) => typeof x === 'number' && Number.isFinite(x))
  )
}

/**
 * PendingQueue keeps one event's pending submissions. Storage failures (private mode, quota) do not
 * lose a score: the queue keeps an in-memory copy and reports `persistent: false`.
 */
export class PendingQueue {
  private readonly memory = new Map<number, PendingSubmission>()
  /** persistent is false once writing to storage failed. */
  persistent = true

  constructor(
    private readonly storage: KeyValueStore | null,
    readonly eventID: number,
  ) {
    if (!storage) {
      this.persistent = false
      return
    }
    const prefix = `${PENDING_PREFIX}${eventID}.`
    try {
      for (let i = 0; i < storage.length; i++) {
        const key = storage.key(i)
        if (!key || !key.startsWith(prefix)) continue
        const raw = storage.getItem(key)
        let parsed: unknown = null
        try {
          parsed = raw ? JSON.parse(raw) : null
        } catch {
          parsed = null
        }
        if (isPending(parsed) && parsed.event_id === eventID && key === pendingKey(eventID, parsed.project_id)) {
          this.memory.set(parsed.project_id, { ...parsed, attempts: typeof parsed.attempts === 'number' ? parsed.attempts : 0 })
        }
      }
    } catch {
      this.persistent = false
    }
  }

  /** list returns the pending submissions, oldest first. */
  list(): PendingSubmission[] {
    return [...this.memory.values()].sort((a, b) => a.queued_at.localeCompare(b.queued_at))
  }

  /** get returns the pending submission of a project, if any. */
  get(projectID: number): PendingSubmission | undefined {
    return this.memory.get(projectID)
  }

  /** size is the number of pending submissions. */
  get size(): number {
    return this.memory.size
  }

  /** put stores (or replaces) the project's pending submission. */
  put(entry: PendingSubmission): void {
    this.memory.set(entry.project_id, entry)
    this.write(entry)
  }

  /**
   * remove forgets the project's pending submission — only the one with submissionID when given,
   * so that an answer to an older submission cannot drop a newer one.
   */
  remove(projectID: number, submissionID?: string): boolean {
    const current = this.memory.get(projectID)
    if (!current || (submissionID !== undefined && current.submission_id !== submissionID)) return false
    this.memory.delete(projectID)
    try {
      this.storage?.removeItem(pendingKey(this.eventID, projectID))
    } catch {
      // The in-memory queue is what counts for this page.
    }
    return true
  }

  private write(entry: PendingSubmission): void {
    if (!this.storage) return
    try {
      this.storage.setItem(pendingKey(this.eventID, entry.project_id), JSON.stringify(entry))
    } catch {
      this.persistent = false
    }
  }
}

/** CryptoLike is the part of Web Crypto used to make ids. */
export interface CryptoLike {
  randomUUID?: () => string
  getRandomValues?: <T extends ArrayBufferView | null>(array: T) => T
}

/**
 * newSubmissionID returns a random UUID: crypto.randomUUID where it exists (it does not on plain
 * http pages or Safari < 15.4), else a version-4 UUID from getRandomValues, else from Math.random.
 */
export function newSubmissionID(
  crypto: CryptoLike | undefined = globalThis.crypto as CryptoLike | undefined,
  random: () => number = Math.random,
): string {
  if (crypto && typeof crypto.randomUUID === 'function') {
    try {
      return crypto.randomUUID()
    } catch {
      // Insecure context: fall through.
    }
  }
  const bytes = new Uint8Array(16)
  if (crypto && typeof crypto.getRandomValues === 'function') crypto.getRandomValues(bytes)
  else for (let i = 0; i < 16; i++) bytes[i] = Math.floor(random() * 256) & 0xff
  bytes[6] = (bytes[6]! & 0x0f) | 0x40
  bytes[8] = (bytes[8]! & 0x3f) | 0x80
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

/**
 * Outcome is what one send attempt means for a pending submission:
 * - stored: the server's 200 — it counts; drop it from the queue;
 * - retry: no answer, or a passing failure (5xx, 429, 503) — keep it and send again later;
 * - signin: the session ended (401) — keep it; it goes out after the judge signs in again;
 * - closed: 409 — scoring is closed or the slot moved on; it will never be accepted: drop it;
 * - invalid: 422 — points off the rubric; drop it and show the problem so the judge can fix it;
 * - refused: 403/404 — not on this panel, or no such project: drop it and say so.
 */
export type Outcome =
  | { kind: 'stored'; receipt: JudgeReceipt }
  | { kind: 'retry' | 'signin' | 'closed' | 'refused'; message: string }
  | { kind: 'invalid'; fields: Record<string, string>; message: string }

/** classifyFailure turns a failed send into an Outcome. */
export function classifyFailure(err: unknown): Outcome {
  if (!isApiError(err)) return { kind: 'retry', message: String(err) }
  switch (err.code) {
    case 'conflict':
      return { kind: 'closed', message: err.message }
    case 'invalid':
      return { kind: 'invalid', fields: { ...err.fields }, message: err.message }
    case 'unauthenticated':
      return { kind: 'signin', message: err.message }
    case 'forbidden':
    case 'not_found':
      return { kind: 'refused', message: err.message }
    default:
      // network, unavailable, internal, rate_limited, unknown: try again.
      return { kind: 'retry', message: err.message }
  }
}

/** FlushResult pairs a pending submission with what its attempt gave. */
export interface FlushResult {
  entry: PendingSubmission
  outcome: Outcome
}

/**
 * flushQueue sends every pending submission once, in order, and updates the queue: stored,
 * closed, invalid and refused ones leave it; the others stay with one more attempt counted.
 * After a failure worth retrying it stops early: the rest would fail the same way.
 */
export async function flushQueue(
  queue: PendingQueue,
  send: (entry: PendingSubmission) => Promise<JudgeReceipt>,
): Promise<FlushResult[]> {
  const results: FlushResult[] = []
  for (const entry of queue.list()) {
    let outcome: Outcome
    try {
      outcome = { kind: 'stored', receipt: await send(entry) }
    } catch (err) {
      outcome = classifyFailure(err)
    }
    results.push({ entry, outcome })
    if (outcome.kind === 'retry' || outcome.kind === 'signin') {
      const now = queue.get(entry.project_id)
      if (now && now.submission_id === entry.submission_id) queue.put({ ...now, attempts: now.attempts + 1 })
      break
    } else {
      queue.remove(entry.project_id, entry.submission_id)
    }
  }
  return results
}

/** retryDelay is the wait before automatic retry n (1-based): 2 s doubling to 30 s. */
export function retryDelay(n: number): number {
  return Math.min(30_000, 2000 * 2 ** Math.max(0, n - 1))
}
