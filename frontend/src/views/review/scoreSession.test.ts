import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest'
import { ApiError } from '@/api/client'
import type { ScoreInput } from '@/api/review'
import type { Criterion, Score } from '@/api/rounds'
import { createScoreSession, localKey, sameForm } from './scoreSession'

const rubric: Criterion[] = [
  { key: 'innovative', name_zh: '创新性', name_en: 'Innovative', description: '', max: 25, step: 0.5 },
  { key: 'sustainable', name_zh: '长效性', name_en: 'Sustainable', description: '', max: 15, step: 0.5 },
]

function score(points: Record<string, number>, status: Score['status'] = 'draft', comment = ''): Score {
  let total = 0
  for (const v of Object.values(points)) total += v
  return {
    round_id: 1,
    project_id: 2,
    expert_id: 3,
    points,
    total,
    comment,
    status,
    submitted_at: status === 'submitted' ? '2026-05-01T02:00:00Z' : null,
    updated_at: '2026-05-01T02:00:00Z',
  }
}

// A fake server with the real rubric check.
function fakeServer() {
  const calls: ScoreInput[] = []
  let current: Score | null = null
  const save = vi.fn(async (input: ScoreInput) => {
    calls.push(JSON.parse(JSON.stringify(input)) as ScoreInput)
    const fields: Record<string, string> = {}
    for (const [k, v] of Object.entries(input.points)) {
      const c = rubric.find((r) => r.key === k)!
      if (v < 0 || v > c.max) fields[k] = `between 0 and ${c.max}`
      else if (Math.round(v * 100) % Math.round(c.step * 100) !== 0) fields[k] = `in steps of ${c.step}`
    }
    if (input.submit) for (const c of rubric) if (!(c.key in input.points)) fields[c.key] = 'required'
    if (Object.keys(fields).length > 0) throw new ApiError({ status: 422, code: 'invalid', message: 'the score is not valid', fields })
    if (!input.submit && current?.status === 'submitted') throw new ApiError({ status: 409, code: 'conflict', message: 'submitted' })
    current = score(input.points, input.submit ? 'submitted' : 'draft', input.comment)
    return current
  })
  return { save, calls, get current() { return current } }
}

const storage = new Map<string, string>()

beforeEach(() => {
  vi.useFakeTimers()
  storage.clear()
  ;(globalThis as { window?: unknown }).window = {
    localStorage: {
      getItem: (k: string) => storage.get(k) ?? null,
      setItem: (k: string, v: string) => void storage.set(k, v),
      removeItem: (k: string) => void storage.delete(k),
    },
  }
})

afterEach(() => {
  vi.useRealTimers()
  delete (globalThis as { window?: unknown }).window
})

function session(server: ReturnType<typeof fakeServer>, existing: Score | null = null, writable = true) {
  return createScoreSession({
    roundID: 1,
    projectID: 2,
    userID: 3,
    rubric,
    score: existing,
    writable,
    save: server.save,
    debounceMs: 1000,
    backoff: () => 5000,
  })
}

describe('score session', () => {
  test('typing is kept locally at once and saved as a draft after the debounce', async () => {
    const server = fakeServer()
    const s = session(server)
    s.state.form.values.innovative = '22.5'
    s.changed()
    expect(s.state.status).toBe('pending')
    expect(storage.get(localKey(3, 1, 2))).toContain('22.5')
    expect(server.save).not.toHaveBeenCalled()
    await vi.advanceTimersByTimeAsync(1000)
    expect(server.calls).toEqual([{ points: { innovative: 22.5 }, comment: '', submit: false }])
    expect(s.state.status).toBe('saved')
    expect(s.state.serverStatus).toBe('draft')
    expect(storage.has(localKey(3, 1, 2))).toBe(false)
  })

  test('a value the server refuses is held back, shown, and the others still save', async () => {
    const server = fakeServer()
    const s = session(server)
    s.state.form.values.innovative = '30'
    s.state.form.values.sustainable = '12'
    s.changed()
    await vi.advanceTimersByTimeAsync(1000)
    expect(server.calls[0]).toEqual({ points: { innovative: 30, sustainable: 12 }, comment: '', submit: false })
    expect(server.calls[1]).toEqual({ points: { sustainable: 12 }, comment: '', submit: false })
    expect(server.calls.length).toBe(2)
    expect(s.state.errors.innovative).toBe('between 0 and 25')
    expect(s.state.status).toBe('invalid')
    // Correcting the value clears the error and saves it.
    s.state.form.values.innovative = '24'
    s.changed()
    expect(s.state.errors.innovative).toBeUndefined()
    await vi.advanceTimersByTimeAsync(1000)
    expect(server.calls[2]).toEqual({ points: { innovative: 24, sustainable: 12 }, comment: '', submit: false })
    expect(s.state.status).toBe('saved')
  })

  test('a refused first value does not leave an empty draft behind', async () => {
    const server = fakeServer()
    const s = session(server)
    s.state.form.values.sustainable = '15.3'
    s.changed()
    await vi.advanceTimersByTimeAsync(1000)
    expect(server.calls).toEqual([{ points: { sustainable: 15.3 }, comment: '', submit: false }])
    expect(s.state.serverStatus).toBe('none')
    expect(s.state.status).toBe('invalid')
  })

  test('submit checks locally first, then sends every value; a submitted score changes only by submitting again', async () => {
    const server = fakeServer()
    const s = session(server)
    s.state.form.values.innovative = '22.3'
    let out = await s.submit()
    expect(out).toMatchObject({ ok: false, reason: 'local' })
    expect(out.ok === false && out.reason === 'local' && out.problems).toEqual({
      innovative: { code: 'step', step: 0.5 },
      sustainable: { code: 'required' },
    })
    expect(server.save).not.toHaveBeenCalled()
    s.state.form.values.innovative = '22.5'
    s.state.form.values.sustainable = '13'
    s.state.form.comment = '  做法扎实  '
    out = await s.submit()
    expect(out.ok).toBe(true)
    expect(server.calls.at(-1)).toEqual({ points: { innovative: 22.5, sustainable: 13 }, comment: '做法扎实', submit: true })
    expect(s.state.serverStatus).toBe('submitted')
    expect(s.state.status).toBe('saved')
    // A change after submitting is not autosaved: it waits for another submission.
    const n = server.calls.length
    s.state.form.values.sustainable = '14'
    s.changed()
    await vi.advanceTimersByTimeAsync(5000)
    expect(server.calls.length).toBe(n)
    expect(s.state.status).toBe('unsent')
    expect(storage.get(localKey(3, 1, 2))).toContain('14')
    out = await s.submit()
    expect(out.ok).toBe(true)
    expect(s.state.status).toBe('saved')
  })

  test('the server naming a criterion on submit fills its error', async () => {
    const server = fakeServer()
    const s = session(server)
    server.save.mockRejectedValueOnce(
      new ApiError({ status: 422, code: 'invalid', message: 'x', fields: { sustainable: 'in steps of 0.5' } }),
    )
    s.state.form.values.innovative = '20'
    s.state.form.values.sustainable = '10'
    const out = await s.submit()
    expect(out).toMatchObject({ ok: false, reason: 'server' })
    expect(s.state.errors).toEqual({ sustainable: 'in steps of 0.5' })
  })

  test('a closed round (409) locks the session and tells the page', async () => {
    const server = fakeServer()
    const blocked = vi.fn()
    const s = createScoreSession({
      roundID: 1,
      projectID: 2,
      userID: 3,
      rubric,
      score: null,
      writable: true,
      save: async () => {
        throw new ApiError({ status: 409, code: 'conflict', message: 'round "初审" is closed' })
      },
      onBlocked: blocked,
      debounceMs: 10,
    })
    void server
    s.state.form.values.innovative = '20'
    s.changed()
    await vi.advanceTimersByTimeAsync(10)
    expect(s.state.status).toBe('locked')
    expect(blocked).toHaveBeenCalledOnce()
    expect(storage.get(localKey(3, 1, 2))).toContain('20')
  })

  test('a dropped connection is retried with backoff', async () => {
    const server = fakeServer()
    server.save.mockRejectedValueOnce(new ApiError({ status: 0, code: 'network', message: 'offline' }))
    const s = session(server)
    s.state.form.values.innovative = '20'
    s.changed()
    await vi.advanceTimersByTimeAsync(1000)
    expect(s.state.status).toBe('offline')
    await vi.advanceTimersByTimeAsync(5000)
    expect(s.state.status).toBe('saved')
    expect(server.current?.points).toEqual({ innovative: 20 })
  })

  test('typing kept on the device comes back after a reload unless the server changed since', () => {
    const server = fakeServer()
    const base = score({ innovative: 10 })
    storage.set(localKey(3, 1, 2), JSON.stringify({ values: { innovative: '11', sustainable: '' }, comment: 'x', base: base.updated_at, at: Date.now() }))
    const s = session(server, base)
    expect(s.restoreLocal()).toBe(true)
    expect(s.state.form.values.innovative).toBe('11')
    expect(s.state.restored).toBe(true)

    storage.set(localKey(3, 1, 2), JSON.stringify({ values: { innovative: '12' }, comment: '', base: 'older', at: 0 }))
    const t = session(server, base)
    expect(t.restoreLocal()).toBe(false)
    expect(t.state.form.values.innovative).toBe('10')
  })

  test('sameForm compares by value', () => {
    expect(sameForm({ values: { a: '22.50' }, comment: 'x ' }, { values: { a: '22.5' }, comment: 'x' })).toBe(true)
    expect(sameForm({ values: { a: '22' }, comment: '' }, { values: { a: '' }, comment: '' })).toBe(false)
  })
})
