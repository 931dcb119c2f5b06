import { describe, expect, test } from 'vitest'
import { acceptsScores, roundPhase } from './roundWindow'

const r = { opens_at: '2026-05-01T00:00:00Z', closes_at: '2026-05-10T00:00:00Z' }

describe('round window', () => {
  test('an open round takes scores only inside its window', () => {
    expect(roundPhase({ ...r, status: 'open' }, Date.parse('2026-04-30T23:59:59Z'))).toBe('before')
    expect(roundPhase({ ...r, status: 'open' }, Date.parse('2026-05-05T00:00:00Z'))).toBe('open')
    expect(roundPhase({ ...r, status: 'open' }, Date.parse('2026-05-10T00:00:01Z'))).toBe('after')
    expect(acceptsScores({ ...r, status: 'open' }, Date.parse('2026-05-05T00:00:00Z'))).toBe(true)
    expect(acceptsScores({ ...r, status: 'closed' }, Date.parse('2026-05-05T00:00:00Z'))).toBe(false)
    expect(roundPhase({ ...r, status: 'published' }, 0)).toBe('published')
  })
})
