import { describe, expect, test } from 'vitest'
import { clockOffset, formatTimer, timerRemaining, timerTone } from './timer'

const START = '2026-11-26T10:00:00.000Z'
const T0 = Date.parse(START)

describe('timer maths', () => {
  test('a running timer counts down from started_at + duration_ms', () => {
    const timer = { started_at: START, duration_ms: 300_000, remaining_ms: null }
    expect(timerRemaining(timer, T0)).toBe(300_000)
    expect(timerRemaining(timer, T0 + 1_500)).toBe(298_500)
    expect(timerRemaining(timer, T0 + 310_000)).toBe(-10_000)
  })

  test('the server clock offset corrects a device whose clock is behind', () => {
    const timer = { started_at: START, duration_ms: 180_000, remaining_ms: null }
    // The device's clock is 5 s behind: it received server_time T0+5s at local T0.
    const offset = clockOffset('2026-11-26T10:00:05.000Z', T0)
    expect(offset).toBe(5_000)
    expect(timerRemaining(timer, T0, offset)).toBe(175_000)
  })

  test('a paused timer is frozen at remaining_ms', () => {
    const timer = { started_at: START, duration_ms: 300_000, remaining_ms: 42_000 }
    expect(timerRemaining(timer, T0 + 999_999)).toBe(42_000)
    expect(timerRemaining({ ...timer, remaining_ms: 0 }, T0)).toBe(0)
  })

  test('no timer, or an unreadable one, is null; an unknown server time is no offset', () => {
    expect(timerRemaining(null, T0)).toBeNull()
    expect(timerRemaining({ started_at: 'nope', duration_ms: 1, remaining_ms: null }, T0)).toBeNull()
    expect(clockOffset(undefined, T0)).toBe(0)
    expect(clockOffset('garbage', T0)).toBe(0)
  })

  test('formatting rounds a countdown up and overtime down', () => {
    expect(formatTimer(300_000)).toBe('5:00')
    expect(formatTimer(299_001)).toBe('5:00')
    expect(formatTimer(299_000)).toBe('4:59')
    expect(formatTimer(61_000)).toBe('1:01')
    expect(formatTimer(1)).toBe('0:01')
    expect(formatTimer(0)).toBe('0:00')
    expect(formatTimer(-999)).toBe('0:00')
    expect(formatTimer(-1000)).toBe('+0:01')
    expect(formatTimer(-75_500)).toBe('+1:15')
    expect(formatTimer(3_600_000)).toBe('60:00')
  })

  test('tones', () => {
    expect(timerTone(120_000)).toBe('calm')
    expect(timerTone(60_000)).toBe('soon')
    expect(timerTone(30_000)).toBe('urgent')
    expect(timerTone(0)).toBe('over')
    expect(timerTone(-5)).toBe('over')
  })
})
