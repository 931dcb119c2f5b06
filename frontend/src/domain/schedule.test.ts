import { describe, expect, test } from 'vitest'
import { fromBeijingInput, phaseOf, spanKey, spanUntil, toBeijingInput } from './schedule'

const edition = {
  status: 'active' as const,
  opens_at: '2026-03-01T00:00:00Z',
  closes_at: '2026-04-30T09:00:00Z',
  deadline: '2026-04-30T10:00:00Z',
}

describe('schedule', () => {
  test('phases of the window', () => {
    expect(phaseOf(edition, Date.parse('2026-02-28T23:59:00Z'))).toBe('before')
    expect(phaseOf(edition, Date.parse('2026-04-30T09:00:00Z'))).toBe('open')
    expect(phaseOf(edition, Date.parse('2026-04-30T09:30:00Z'))).toBe('grace')
    expect(phaseOf(edition, Date.parse('2026-04-30T10:00:01Z'))).toBe('closed')
    expect(phaseOf({ ...edition, status: 'archived' }, Date.parse('2026-04-01T00:00:00Z'))).toBe('inactive')
  })

  test('spans round up to the minute and choose their unit', () => {
    const now = Date.parse('2026-04-27T04:59:30Z')
    const s = spanUntil(Date.parse(edition.closes_at), now)
    expect(s).toMatchObject({ days: 3, hours: 4, minutes: 1 })
    expect(spanKey(s)).toBe('days')
    expect(spanKey(spanUntil(now + 5 * 3600_000, now))).toBe('hours')
    expect(spanKey(spanUntil(now + 59_000, now))).toBe('minutes')
    expect(spanUntil(now - 1000, now).totalMinutes).toBe(0)
  })

  test('Beijing wall-clock input round-trips whatever the browser zone', () => {
    expect(toBeijingInput('2026-04-30T09:00:00Z')).toBe('2026-04-30 17:00')
    expect(fromBeijingInput('2026-04-30 17:00')).toBe('2026-04-30T09:00:00.000Z')
    expect(fromBeijingInput('2026-01-01 00:30')).toBe('2025-12-31T16:30:00.000Z')
    expect(fromBeijingInput('nonsense')).toBe('')
  })
})
