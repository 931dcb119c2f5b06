import { describe, expect, test } from 'vitest'
import { ApiError } from '@/api/client'
import type { JudgeReceipt } from '@/api/liveEvents'
import {
  classifyFailure,
  flushQueue,
  newSubmissionID,
  PendingQueue,
  pendingKey,
  retryDelay,
  type KeyValueStore,
  type PendingSubmission,
} from './pendingQueue'

class MemoryStore implements KeyValueStore {
  data = new Map<string, string>()
  failWrites = false
  get length(): number {
    return this.data.size
  }
  key(i: number): string | null {
    return [...this.data.keys()][i] ?? null
  }
  getItem(k: string): string | null {
    return this.data.get(k) ?? null
  }
  setItem(k: string, v: string): void {
    if (this.failWrites) throw new Error('QuotaExceededError')
    this.data.set(k, v)
  }
  removeItem(k: string): void {
    this.data.delete(k)
  }
}

const entry = (project: number, id = `sub-${project}`, at = `2026-11-26T10:00:${String(project).padStart(2, '0')}Z`): PendingSubmission => ({
  event_id: 1,
  project_id: project,
  points: { innovative: 20, exploratory: 17.5 },
  submission_id: id,
  total: '37.5',
  queued_at: at,
  attempts: 0,
})

const receipt = (e: PendingSubmission): JudgeReceipt => ({
  project_id: e.project_id,
  points: e.points,
  total: e.total,
  submitted_at: '2026-11-26T10:01:00Z',
  submission_id: e.submission_id,
})

const apiErr = (status: number, code: ApiError['code'], fields: Record<string, string> = {}) =>
  new ApiError({ status, code, message: code, fields })

describe('pending queue', () => {
  test('entries persist per event and project and survive a reload', () => {
    const store = new MemoryStore()
    const q = new PendingQueue(store, 1)
    q.put(entry(12, 'sub-12', '2026-11-26T10:00:01Z'))
    q.put(entry(7, 'sub-7', '2026-11-26T10:00:02Z'))
    expect(store.getItem(pendingKey(1, 12))).not.toBeNull()
    // Another event's and foreign keys are left alone.
    store.setItem(pendingKey(2, 5), JSON.stringify({ ...entry(5), event_id: 2 }))
    store.setItem('leitai.locale', 'en')
    store.setItem(pendingKey(1, 99), '{not json')
    const again = new PendingQueue(store, 1)
    expect(again.list().map((e) => e.project_id)).toEqual([12, 7])
    expect(again.get(12)?.submission_id).toBe('sub-12')
    expect(new PendingQueue(store, 2).size).toBe(1)
  })

  test('put replaces a project, remove only drops the matching submission', () => {
    const store = new MemoryStore()
    const q = new PendingQueue(store, 1)
    q.put(entry(12, 'a'))
    q.put(entry(12, 'b'))
    expect(q.size).toBe(1)
    expect(q.remove(12, 'a')).toBe(false)
    expect(q.get(12)?.submission_id).toBe('b')
    expect(q.remove(12, 'b')).toBe(true)
    expect(store.getItem(pendingKey(1, 12))).toBeNull()
  })

  test('a failing storage keeps the score in memory', () => {
    const store = new MemoryStore()
    store.failWrites = true
    const q = new PendingQueue(store, 1)
    q.put(entry(12))
    expect(q.persistent).toBe(false)
    expect(q.get(12)).toBeDefined()
    const none = new PendingQueue(null, 1)
    none.put(entry(3))
    expect(none.size).toBe(1)
  })
})

describe('flushing', () => {
  test('a 200 removes the entry; a network failure keeps it, counts the attempt and stops', async () => {
    const store = new MemoryStore()
    const q = new PendingQueue(store, 1)
    q.put(entry(1))
    q.put(entry(2))
    q.put(entry(3))
    const sent: number[] = []
    const results = await flushQueue(q, async (e) => {
      sent.push(e.project_id)
      if (e.project_id === 2) throw apiErr(0, 'network')
      return receipt(e)
    })
    expect(sent).toEqual([1, 2])
    expect(results.map((r) => r.outcome.kind)).toEqual(['stored', 'retry'])
    expect(q.list().map((e) => [e.project_id, e.attempts])).toEqual([
      [2, 1],
      [3, 0],
    ])
    // The network is back: the same submission ids go out again and the queue empties.
    const ids: string[] = []
    await flushQueue(q, async (e) => {
      ids.push(e.submission_id)
      return receipt(e)
    })
    expect(ids).toEqual(['sub-2', 'sub-3'])
    expect(q.size).toBe(0)
    expect(store.data.size).toBe(0)
  })

  test('409 and 422 leave the queue and say why; 401 stays', async () => {
    const q = new PendingQueue(new MemoryStore(), 1)
    q.put(entry(1))
    q.put(entry(2))
    const results = await flushQueue(q, async (e) => {
      if (e.project_id === 1) throw apiErr(409, 'conflict')
      throw apiErr(422, 'invalid', { innovative: 'in steps of 0.5' })
    })
    expect(results[0]!.outcome.kind).toBe('closed')
    expect(results[1]!.outcome).toEqual({ kind: 'invalid', fields: { innovative: 'in steps of 0.5' }, message: 'invalid' })
    expect(q.size).toBe(0)

    q.put(entry(3))
    const r = await flushQueue(q, async () => {
      throw apiErr(401, 'unauthenticated')
    })
    expect(r[0]!.outcome.kind).toBe('signin')
    expect(q.size).toBe(1)
  })

  test('classification', () => {
    expect(classifyFailure(apiErr(503, 'unavailable')).kind).toBe('retry')
    expect(classifyFailure(apiErr(500, 'internal')).kind).toBe('retry')
    expect(classifyFailure(apiErr(429, 'rate_limited')).kind).toBe('retry')
    expect(classifyFailure(apiErr(403, 'forbidden')).kind).toBe('refused')
    expect(classifyFailure(new TypeError('Failed to fetch')).kind).toBe('retry')
  })

  test('retry delays grow and are capped', () => {
    expect([1, 2, 3, 4, 5, 6, 10].map(retryDelay)).toEqual([2000, 4000, 8000, 16000, 30000, 30000, 30000])
  })
})

describe('submission ids', () => {
  const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
  test('randomUUID when there is one', () => {
    expect(newSubmissionID({ randomUUID: () => 'x-y' })).toBe('x-y')
  })
  test('a version-4 UUID from getRandomValues or Math.random otherwise', () => {
    const fromCrypto = newSubmissionID({
      getRandomValues: <T extends ArrayBufferView | null>(a: T) => {
        if (a) new Uint8Array(a.buffer).fill(0xff)
        return a
      },
    })
    expect(fromCrypto).toMatch(UUID)
    expect(newSubmissionID(undefined, () => 0.5)).toMatch(UUID)
    const insecure = newSubmissionID({
      randomUUID: () => {
        throw new Error('insecure')
      },
    })
    expect(insecure).toMatch(UUID)
    expect(newSubmissionID()).not.toBe(newSubmissionID())
  })
})
