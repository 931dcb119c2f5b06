import { describe, expect, test } from 'vitest'
import type { LiveCriterion } from '@/api/liveEvents'
import { collectPoints, emptyValues, filledCount, formTotal, maxTotal, step, valuesFromPoints } from './rubricForm'

const RUBRIC: LiveCriterion[] = [
  { key: 'innovative', name_zh: '创新性', name_en: 'Innovative', max: 22.5, step: 0.5 },
  { key: 'exploratory', name_zh: '探索性', name_en: 'Exploratory', max: 18, step: 0.5 },
  { key: 'presentation', name_zh: '现场陈述与答辩', name_en: 'Presentation', max: 10, step: 0.1 },
]

describe('rubric form', () => {
  test('steps stay on the grid and inside [0, max]', () => {
    let v = emptyValues(RUBRIC)
    v = step(v, RUBRIC[0]!, 1)
    expect(v.innovative).toBe('0.5')
    v = step(v, RUBRIC[0]!, -1)
    v = step(v, RUBRIC[0]!, -1)
    expect(v.innovative).toBe('0')
    v = { ...v, innovative: '22.3' }
    expect(step(v, RUBRIC[0]!, 1).innovative).toBe('22.5')
    expect(step(v, RUBRIC[0]!, -1).innovative).toBe('22')
    expect(step({ ...v, innovative: '22.5' }, RUBRIC[0]!, 1).innovative).toBe('22.5')
    const p = step({ ...v, presentation: '0.2' }, RUBRIC[2]!, 1)
    expect(p.presentation).toBe('0.3')
  })

  test('the running total is exact', () => {
    const v = { innovative: '0.1', exploratory: '0.2', presentation: '' }
    expect(formTotal(RUBRIC, v)).toBe('0.3')
    expect(formTotal(RUBRIC, { innovative: '22.5', exploratory: '17.5', presentation: '9.9' })).toBe('49.9')
    expect(maxTotal(RUBRIC)).toBe('50.5')
    expect(filledCount(RUBRIC, v)).toBe(2)
  })

  test('a complete form gives points and the total', () => {
    const res = collectPoints(RUBRIC, { innovative: '２０.５', exploratory: '17', presentation: '9.9' })
    expect(res).toEqual({ ok: true, points: { innovative: 20.5, exploratory: 17, presentation: 9.9 }, total: '47.4' })
  })

  test('missing, off-grid and out-of-range criteria are named', () => {
    const res = collectPoints(RUBRIC, { innovative: '20.3', exploratory: '', presentation: '11' })
    expect(res.ok).toBe(false)
    if (res.ok) return
    expect(res.problems.innovative).toEqual({ code: 'step', step: 0.5 })
    expect(res.problems.exploratory).toEqual({ code: 'required' })
    expect(res.problems.presentation).toEqual({ code: 'range', max: 10 })
  })

  test('stored points fill the form', () => {
    expect(valuesFromPoints(RUBRIC, { innovative: 20, exploratory: 17.5 })).toEqual({
      innovative: '20',
      exploratory: '17.5',
      presentation: '',
    })
    expect(valuesFromPoints(RUBRIC, null)).toEqual(emptyValues(RUBRIC))
  })
})
