// The tablet's rubric form: what the judge typed per criterion, checked against the rubric's max
// and step, the running total, and the points to send. Arithmetic in whole hundredths, through the
// same helpers as the online scoring page (views/review/points.ts).
import type { LiveCriterion } from '@/api/liveEvents'
import type { Criterion } from '@/api/rounds'
import { checkPoints, formatPoints, parsePoints, rubricTotal, stepPoints, toHundredths, totalPoints, type Problem } from '@/domain/points'

/** FormValues are the texts per criterion key. */
export type FormValues = Record<string, string>

/** toCriterion gives a live criterion the shape of the shared CriterionScore component. */
export function toCriterion(c: LiveCriterion): Criterion {
  return { key: c.key, name_zh: c.name_zh, name_en: c.name_en, description: c.description ?? '', max: c.max, step: c.step }
}

/** emptyValues is a blank form for the rubric. */
export function emptyValues(rubric: readonly LiveCriterion[]): FormValues {
  return Object.fromEntries(rubric.map((c) => [c.key, '']))
}

/** valuesFromPoints fills the form from stored points (a criterion without points stays blank). */
export function valuesFromPoints(rubric: readonly LiveCriterion[], points: Record<string, number> | null | undefined): FormValues {
  return Object.fromEntries(
    rubric.map((c) => {
      const v = points?.[c.key]
      return [c.key, typeof v === 'number' && Number.isFinite(v) ? formatPoints(v) : '']
    }),
  )
}

/** step moves one criterion a step up or down, on its grid inside [0, max]. */
export function step(values: FormValues, c: LiveCriterion, direction: 1 | -1): FormValues {
  return { ...values, [c.key]: formatPoints(stepPoints(values[c.key] ?? '', c, direction)) }
}

/** formTotal is the running total of what can be read, exactly ("87.5"). */
export function formTotal(rubric: readonly LiveCriterion[], values: FormValues): string {
  const only: FormValues = {}
  for (const c of rubric) only[c.key] = values[c.key] ?? ''
  return formatPoints(totalPoints(only))
}

/** maxTotal is the rubric's maximum ("100"). */
export function maxTotal(rubric: readonly LiveCriterion[]): string {
  return formatPoints(rubricTotal(rubric))
}

/** filledCount counts the criteria with a readable number. */
export function filledCount(rubric: readonly LiveCriterion[], values: FormValues): number {
  return rubric.filter((c) => parsePoints(values[c.key] ?? '').kind === 'number').length
}

/** Collected is a complete, valid form's points and total, or the problems per criterion. */
export type Collected =
  | { ok: true; points: Record<string, number>; total: string }
  | { ok: false; problems: Record<string, Problem> }

/** collectPoints checks every criterion for a submission and returns the points to send. */
export function collectPoints(rubric: readonly LiveCriterion[], values: FormValues): Collected {
  const problems: Record<string, Problem> = {}
  const points: Record<string, number> = {}
  let h = 0
  for (const c of rubric) {
    const text = values[c.key] ?? ''
    const problem = checkPoints(text, c, true)
    if (problem) {
      problems[c.key] = problem
      continue
    }
    const p = parsePoints(text)
    if (p.kind === 'number') {
      const hundredths = toHundredths(p.value)
      points[c.key] = hundredths / 100
      h += hundredths
    }
  }
  if (rubric.length === 0) return { ok: false, problems: {} }
  if (Object.keys(problems).length > 0) return { ok: false, problems }
  return { ok: true, points, total: formatPoints(h / 100) }
}
