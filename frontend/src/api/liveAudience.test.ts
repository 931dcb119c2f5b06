import { describe, expect, it } from 'vitest'
import { SCREEN_KEY_PREFIX, takeScreenKey, voteURLWithCode } from './liveAudience'

function memory(): Pick<Storage, 'getItem' | 'setItem'> & { data: Record<string, string> } {
  const data: Record<string, string> = {}
  return { data, getItem: (k) => data[k] ?? null, setItem: (k, v) => void (data[k] = v) }
}

describe('takeScreenKey', () => {
  it('keeps a key from the fragment and cleans the fragment', () => {
    const store = memory()
    expect(takeScreenKey('7', '#screen=abc.def', store)).toEqual({ key: 'abc.def', cleanedHash: '' })
    expect(store.data[SCREEN_KEY_PREFIX + '7']).toBe('abc.def')
    // A reload without the fragment finds the kept key.
    expect(takeScreenKey('7', '', store)).toEqual({ key: 'abc.def', cleanedHash: null })
    // Another event has none.
    expect(takeScreenKey('8', '', store)).toEqual({ key: null, cleanedHash: null })
  })
  it('leaves the rest of the fragment', () => {
    const store = memory()
    expect(takeScreenKey('7', '#a=1&screen=k', store)).toEqual({ key: 'k', cleanedHash: '#a=1' })
    expect(takeScreenKey('7', '#screen=k2&b=2', store)).toEqual({ key: 'k2', cleanedHash: '#b=2' })
  })
})

describe('voteURLWithCode', () => {
  it('adds the code only when there is one', () => {
    expect(voteURLWithCode('https://x/vote/7', 'ABCD2345')).toBe('https://x/vote/7?c=ABCD2345')
    expect(voteURLWithCode('https://x/vote/7', null)).toBe('https://x/vote/7')
  })
})
