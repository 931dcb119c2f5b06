import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest'
import { apiError } from '@/components/media/uploader'
import { emptyFields, type Project, type ProjectFields } from '@/api/projects'
import { createAutosave, draftKey, readDraft } from './autosave'

const store = new Map<string, string>()

beforeEach(() => {
  vi.useFakeTimers()
  store.clear()
  vi.stubGlobal('window', globalThis)
  vi.stubGlobal('localStorage', {
    getItem: (k: string) => store.get(k) ?? null,
    setItem: (k: string, v: string) => void store.set(k, v),
    removeItem: (k: string) => void store.delete(k),
  })
})

afterEach(() => {
  vi.useRealTimers()
  vi.unstubAllGlobals()
})

function project(fields: Partial<ProjectFields> = {}): Project {
  return { ...emptyFields(), ...fields, id: 9, updated_at: '2026-01-01T00:00:00Z', status: 'draft', missing: [] } as unknown as Project
}

describe('autosave', () => {
  test('debounces, saves, and keeps a local copy only until the server has it', async () => {
    const save = vi.fn(async (f: ProjectFields) => project(f))
    const a = createAutosave({ projectID: 9, server: project(), save, debounceMs: 500 })
    a.state.fields.title = '和美网格'
    a.changed()
    expect(a.state.status).toBe('pending')
    expect(readDraft(9)?.fields.title).toBe('和美网格')
    a.state.fields.title = '和美网格2'
    a.changed()
    await vi.advanceTimersByTimeAsync(500)
    expect(save).toHaveBeenCalledTimes(1)
    expect(save.mock.calls[0]![0].title).toBe('和美网格2')
    expect(a.state.status).toBe('saved')
    expect(a.state.savedAt).not.toBeNull()
    expect(store.has(draftKey(9))).toBe(false)
  })

  test('a dropped connection keeps the text locally and retries with backoff', async () => {
    let online = false
    const save = vi.fn(async (f: ProjectFields) => {
      if (!online) throw apiError(0, 'network', 'offline')
      return project(f)
    })
    const a = createAutosave({ projectID: 9, server: project(), save, debounceMs: 100, backoff: () => 1000 })
    a.state.fields.problem = '诉求渠道分散'
    a.changed()
    await vi.advanceTimersByTimeAsync(100)
    expect(a.state.status).toBe('offline')
    expect(readDraft(9)?.fields.problem).toBe('诉求渠道分散')
    online = true
    await vi.advanceTimersByTimeAsync(1000)
    expect(a.state.status).toBe('saved')
    expect(a.state.saved.problem).toBe('诉求渠道分散')
    expect(store.has(draftKey(9))).toBe(false)
  })

  test('a field over its limit is held back while the others save', async () => {
    const save = vi.fn(async (f: ProjectFields) => project(f))
    const a = createAutosave({ projectID: 9, server: project(), save, debounceMs: 10 })
    a.state.fields.title = '字'.repeat(61)
    a.state.fields.summary = '简介'
    a.changed()
    await vi.advanceTimersByTimeAsync(10)
    expect(save.mock.calls[0]![0].title).toBe('')
    expect(save.mock.calls[0]![0].summary).toBe('简介')
    expect(a.state.heldBack).toEqual(['title'])
    expect(a.state.status).toBe('invalid')
    expect(readDraft(9)?.fields.title).toHaveLength(61)
    // 60 code points is fine even when some are outside the BMP (two UTF-16 units each).
    a.state.fields.title = '𠀀'.repeat(60)
    a.changed()
    await vi.advanceTimersByTimeAsync(10)
    expect(a.state.saved.title).toBe('𠀀'.repeat(60))
    expect(a.state.status).toBe('saved')
  })

  test('a value the server refuses (422) is shown and not sent again; the rest still saves', async () => {
    const save = vi.fn(async (f: ProjectFields) => {
      if (f.contact_phone === '123') throw apiError(422, 'invalid', 'not valid', { contact_phone: 'a phone number such as 13812345678 or 0752-2345678' })
      return project(f)
    })
    const a = createAutosave({ projectID: 9, server: project(), save, debounceMs: 10 })
    a.state.fields.contact_phone = '123'
    a.state.fields.contact_name = '李网格'
    a.changed()
    await vi.advanceTimersByTimeAsync(10)
    expect(a.state.errors.contact_phone).toMatch(/phone/)
    expect(save).toHaveBeenCalledTimes(2)
    expect(save.mock.calls[1]![0]).toMatchObject({ contact_phone: '', contact_name: '李网格' })
    expect(a.state.status).toBe('invalid')
    a.state.fields.contact_phone = '13812345678'
    a.changed()
    await vi.advanceTimersByTimeAsync(10)
    expect(a.state.errors.contact_phone).toBeUndefined()
    expect(a.state.status).toBe('saved')
  })

  test('a closed window (409) blocks saving and says why', async () => {
    const save = vi.fn(async () => {
      throw apiError(409, 'conflict', 'the submission deadline 2026-04-30 18:00 CST has passed')
    })
    const a = createAutosave({ projectID: 9, server: project(), save, debounceMs: 10 })
    a.state.fields.title = 'x'
    a.changed()
    await vi.advanceTimersByTimeAsync(10)
    expect(a.state.status).toBe('blocked')
    expect(a.state.blockedReason).toMatch(/deadline/)
    expect(readDraft(9)?.fields.title).toBe('x')
  })
})
