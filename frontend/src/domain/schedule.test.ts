import { describe, expect, test } from 'vitest'
import { fromZoneInput, phaseOf, spanKey, spanUntil, toZoneInput } from './schedule'
import { zoneFrom, zoneOffsetMinutes } from '@/time'

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
    expect(toZoneInput('2026-04-30T09:00:00Z')).toBe('2026-04-30 17:00')
    expect(fromZoneInput('2026-04-30 17:00')).toBe('2026-04-30T09:00:00.000Z')
    expect(fromZoneInput('2026-01-01 00:30')).toBe('2025-12-31T16:30:00.000Z')
    expect(fromZoneInput('nonsense')).toBe('')
  })

  test('another server zone, with daylight saving, and impossible dates', () => {
    expect(zoneOffsetMinutes(Date.parse('2026-04-30T09:00:00Z'), 'Asia/Shanghai')).toBe(480)
    // Berlin is UTC+1 in winter and UTC+2 in summer: the offset is the one of that day.
    expect(fromZoneInput('2026-01-15 12:00', 'Europe/Berlin')).toBe('2026-01-15T11:00:00.000Z')
    expect(fromZoneInput('2026-07-15 12:00', 'Europe/Berlin')).toBe('2026-07-15T10:00:00.000Z')
    expect(fromZoneInput('2026-04-31 12:00')).toBe('')
    expect(fromZoneInput('2026-13-01 12:00')).toBe('')
  })

  test('the zone comes from the page, and falls back when it names none this browser knows', () => {
    const page = (content: string | null) => ({
      querySelector: () => (content === null ? null : ({ getAttribute: () => content } as unknown as Element)),
    })
    expect(zoneFrom(page('Asia/Urumqi'))).toBe('Asia/Urumqi')
    expect(zoneFrom(page(null))).toBe('Asia/Shanghai')
    expect(zoneFrom(page('Mars/Olympus'))).toBe('Asia/Shanghai')
    expect(zoneFrom(undefined)).toBe('Asia/Shanghai')
  })
})
