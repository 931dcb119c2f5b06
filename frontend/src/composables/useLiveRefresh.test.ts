import { describe, expect, test } from 'vitest'
import { debounce, type TimerAPI } from './useLiveRefresh'

function fakeTimers() {
  let now = 0
  let seq = 0
  const pending = new Map<number, { at: number; fn: () => void }>()
  const api: TimerAPI = {
    setTimeout: (fn, ms) => {
      pending.set(++seq, { at: now + ms, fn })
      return seq
    },
    clearTimeout: (id) => {
      if (id !== undefined) pending.delete(id)
    },
    now: () => now,
  }
  const advance = (ms: number) => {
    const until = now + ms
    for (;;) {
      const next = [...pending.entries()].sort((a, b) => a[1].at - b[1].at)[0]
      if (!next || next[1].at > until) break
      now = next[1].at
      pending.delete(next[0])
      next[1].fn()
    }
    now = until
  }
  return { api, advance }
}

describe('debounce', () => {
  test('a burst costs one call, after the quiet time', () => {
    const { api, advance } = fakeTimers()
    let calls = 0
    const d = debounce(() => calls++, 100, 500, api)
    d()
    advance(50)
    d()
    advance(50)
    d()
    expect(calls).toBe(0)
    advance(100)
    expect(calls).toBe(1)
    advance(1000)
    expect(calls).toBe(1)
  })

  test('a steady stream still calls at least every maxWait', () => {
    const { api, advance } = fakeTimers()
    let calls = 0
    const d = debounce(() => calls++, 100, 500, api)
    for (let i = 0; i < 20; i++) {
      d()
      advance(60)
    }
    expect(calls).toBeGreaterThanOrEqual(2)
  })

  test('cancel drops the pending call', () => {
    const { api, advance } = fakeTimers()
    let calls = 0
    const d = debounce(() => calls++, 100, 500, api)
    d()
    d.cancel()
    advance(1000)
    expect(calls).toBe(0)
  })
})
