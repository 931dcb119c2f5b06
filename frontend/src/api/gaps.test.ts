import { describe, expect, test } from 'vitest'
import { calendarProblem, isDate, isWeekend } from './gaps'

describe('holiday calendar checks', () => {
  test('real dates only', () => {
    expect(isDate('2026-10-01')).toBe(true)
    expect(isDate('2026-02-30')).toBe(false)
    expect(isDate('2026-13-01')).toBe(false)
    expect(isDate('2026-1-1')).toBe(false)
    expect(isDate('')).toBe(false)
  })
  test('weekends', () => {
    expect(isWeekend('2026-10-10')).toBe(true) // Saturday
    expect(isWeekend('2026-09-20')).toBe(true) // Sunday
    expect(isWeekend('2026-10-09')).toBe(false) // Friday
  })
  test('a day about to be added', () => {
    const cal = { days_off: ['2026-10-01'], working_days: ['2026-10-10'] }
    expect(calendarProblem(cal, '2026-10-02', 'off')).toBe('')
    expect(calendarProblem(cal, '2026-10-01', 'off')).toBe('duplicate')
    expect(calendarProblem(cal, '2026-10-10', 'off')).toBe('duplicate')
    expect(calendarProblem(cal, '2026-10-09', 'work')).toBe('notWeekend')
    expect(calendarProblem(cal, '2026-09-20', 'work')).toBe('')
    expect(calendarProblem(cal, 'tomorrow', 'off')).toBe('badDate')
  })
})
