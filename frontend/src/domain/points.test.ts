import { describe, expect, test } from 'vitest'
import { checkPoints, formatPoints, normalizeInput, parsePoints, rubricTotal, snapPoints, stepPoints, totalPoints, validTotal } from './points'

const innovative = { max: 25, step: 0.5 }

describe('points', () => {
  test('formatPoints drops trailing zeros and never shows float noise', () => {
    expect(formatPoints(22.5)).toBe('22.5')
    expect(formatPoints(25)).toBe('25')
    expect(formatPoints(7.25)).toBe('7.25')
    expect(formatPoints(0.1 + 0.2)).toBe('0.3')
    expect(formatPoints(0)).toBe('0')
  })

  test('full-width digits and a decimal comma are read', () => {
    expect(normalizeInput(' ２２．５ ')).toBe('22.5')
    expect(parsePoints('22,5')).toEqual({ kind: 'number', value: 22.5 })
    expect(parsePoints('')).toEqual({ kind: 'empty' })
    expect(parsePoints('abc')).toEqual({ kind: 'format' })
    expect(parsePoints('1.234')).toEqual({ kind: 'format' })
    expect(parsePoints('20.')).toEqual({ kind: 'number', value: 20 })
  })

  test('checkPoints mirrors the server: range, step, required only when submitting', () => {
    expect(checkPoints('22.5', innovative)).toBeNull()
    expect(checkPoints('30', innovative)).toEqual({ code: 'range', max: 25 })
    expect(checkPoints('-1', innovative)).toEqual({ code: 'range', max: 25 })
    expect(checkPoints('22.3', innovative)).toEqual({ code: 'step', step: 0.5 })
    expect(checkPoints('', innovative)).toBeNull()
    expect(checkPoints('', innovative, true)).toEqual({ code: 'required' })
    expect(checkPoints('x', innovative)).toEqual({ code: 'format' })
    expect(checkPoints('0.3', { max: 1, step: 0.1 })).toBeNull()
  })

  test('stepPoints stays on the grid and inside the range', () => {
    expect(stepPoints('', innovative, 1)).toBe(0.5)
    expect(stepPoints('', innovative, -1)).toBe(0)
    expect(stepPoints('22.5', innovative, 1)).toBe(23)
    expect(stepPoints('22.3', innovative, 1)).toBe(22.5)
    expect(stepPoints('22.3', innovative, -1)).toBe(22)
    expect(stepPoints('25', innovative, 1)).toBe(25)
    expect(stepPoints('0', innovative, -1)).toBe(0)
    expect(stepPoints('40', innovative, -1)).toBe(25)
    expect(stepPoints('0.2', { max: 1, step: 0.1 }, 1)).toBe(0.3)
  })

  test('snapPoints rounds a slider value to the step', () => {
    expect(snapPoints(22.7, innovative)).toBe(22.5)
    expect(snapPoints(22.8, innovative)).toBe(23)
    expect(snapPoints(99, innovative)).toBe(25)
  })

  test('totals are exact', () => {
    expect(totalPoints({ a: '22.5', b: '19.5', c: '', d: 'x', e: '0.1', f: '0.2' })).toBe(42.3)
    expect(rubricTotal([{ max: 22.5 }, { max: 18 }, { max: 18 }, { max: 18 }, { max: 13.5 }, { max: 10 }])).toBe(100)
  })
})

describe('the running total', () => {
  test('counts only values the rubric accepts (13.3 where the step is 0.5 does not count)', () => {
    const rubric = [
      { key: 'a', max: 25, step: 0.5 },
      { key: 'b', max: 25, step: 0.5 },
      { key: 'c', max: 10, step: 1 },
      { key: 'd', max: 10, step: 1 },
    ]
    expect(validTotal({ a: '22.5', b: '13.3', c: '11', d: '7' }, rubric)).toBe(29.5)
    expect(validTotal({ a: '22.5', b: '13.5', c: '', d: 'x' }, rubric)).toBe(36)
  })
})
