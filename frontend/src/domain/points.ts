// Points as experts type them and as the rubric allows them. Arithmetic is done in whole
// hundredths, as the server does (TRAPS.md, "Scores and text"): 0.1 + 0.2 must be 0.3, and a total
// of 22.5 + 19.5 + … must never show as 77.99999999.
import type { Criterion } from '@/api/rounds'

/** toHundredths turns points (22.5) into whole hundredths (2250). */
export function toHundredths(points: number): number {
  return Math.round(points * 100)
}

/** formatPoints writes points without trailing zeros: 22.5, 25, 7.25. */
export function formatPoints(points: number): string {
  const h = toHundredths(points)
  const sign = h < 0 ? '-' : ''
  const abs = Math.abs(h)
  const whole = Math.floor(abs / 100)
  const frac = abs % 100
  if (frac === 0) return `${sign}${whole}`
  return `${sign}${whole}.${String(frac).padStart(2, '0').replace(/0$/, '')}`
}

// Full-width digits and punctuation, as Chinese input methods type them.
const FULL_WIDTH: Record<string, string> = { '．': '.', '。': '.', '，': '.', ',': '.', '－': '-', '＋': '+' }

/** normalizeInput turns full-width digits and a decimal comma into plain ASCII, trimmed. */
export function normalizeInput(text: string): string {
  let out = ''
  for (const ch of text.trim()) {
    const code = ch.charCodeAt(0)
    if (code >= 0xff10 && code <= 0xff19) out += String.fromCharCode(code - 0xff10 + 48)
    else out += FULL_WIDTH[ch] ?? ch
  }
  return out.replace(/\s+/g, '')
}

/** Parsed is what an input holds: nothing, a number, or text that is not a number of points. */
export type Parsed = { kind: 'empty' } | { kind: 'number'; value: number } | { kind: 'format' }

/** parsePoints reads what an expert typed: a number with at most 2 decimals (the server's rule). */
export function parsePoints(text: string): Parsed {
  const s = normalizeInput(text)
  if (s === '') return { kind: 'empty' }
  if (!/^[-+]?\d+(?:\.\d{1,2})?$/.test(s) && !/^[-+]?\d+\.$/.test(s)) return { kind: 'format' }
  const value = Number(s.replace(/\.$/, ''))
  return Number.isFinite(value) ? { kind: 'number', value } : { kind: 'format' }
}

/** Problem is what is wrong with one criterion's input, in the client's own words. */
export type Problem =
  | { code: 'required' }
  | { code: 'format' }
  | { code: 'range'; max: number }
  | { code: 'step'; step: number }

/**
 * checkPoints mirrors the server's rubric check (models.Rubric.CheckScore) for one criterion:
 * a number in [0, max] on the step. Empty is a problem only when the score is being submitted.
 */
export function checkPoints(text: string, c: Pick<Criterion, 'max' | 'step'>, submitting = false): Problem | null {
  const p = parsePoints(text)
  if (p.kind === 'empty') return submitting ? { code: 'required' } : null
  if (p.kind === 'format') return { code: 'format' }
  const h = toHundredths(p.value)
  if (h < 0 || h > toHundredths(c.max)) return { code: 'range', max: c.max }
  const step = toHundredths(c.step)
  if (step > 0 && h % step !== 0) return { code: 'step', step: c.step }
  return null
}

/**
 * stepPoints moves a criterion's value one step up (+1) or down (−1), staying on the step's grid
 * and inside [0, max]. From empty, + gives one step and − gives 0; an off-grid value moves to the
 * nearest grid point in that direction, an out-of-range one to the nearest end.
 */
export function stepPoints(text: string, c: Pick<Criterion, 'max' | 'step'>, direction: 1 | -1): number {
  const step = Math.max(1, toHundredths(c.step))
  const max = toHundredths(c.max)
  const p = parsePoints(text)
  let h: number
  if (p.kind !== 'number') {
    h = direction > 0 ? step : 0
  } else {
    const current = toHundredths(p.value)
    if (direction > 0) h = current % step === 0 ? current + step : Math.ceil(current / step) * step
    else h = current % step === 0 ? current - step : Math.floor(current / step) * step
  }
  h = Math.min(max, Math.max(0, h))
  return h / 100
}

/** snapPoints puts a value (from a slider) on the criterion's grid inside [0, max]. */
export function snapPoints(value: number, c: Pick<Criterion, 'max' | 'step'>): number {
  const step = Math.max(1, toHundredths(c.step))
  const h = Math.min(toHundredths(c.max), Math.max(0, Math.round(toHundredths(value) / step) * step))
  return h / 100
}

/** totalPoints adds the numbers among the inputs exactly (what cannot be read counts 0). */
export function totalPoints(values: Record<string, string>): number {
  let h = 0
  for (const text of Object.values(values)) {
    const p = parsePoints(text)
    if (p.kind === 'number') h += toHundredths(p.value)
  }
  return h / 100
}

/**
 * validTotal sums only the values the rubric accepts (in range, on the step): a value that will be
 * refused, like 13.3 where the step is 0.5, must not show in the running total as if it counted.
 */
export function validTotal(values: Record<string, string>, rubric: readonly Pick<Criterion, 'key' | 'max' | 'step'>[]): number {
  let h = 0
  for (const c of rubric) {
    const text = values[c.key] ?? ''
    const p = parsePoints(text)
    if (p.kind === 'number' && checkPoints(text, c) === null) h += toHundredths(p.value)
  }
  return h / 100
}

/** rubricTotal is the sum of the maxima, exactly. */
export function rubricTotal(rubric: readonly Pick<Criterion, 'max'>[]): number {
  return rubric.reduce((h, c) => h + toHundredths(c.max), 0) / 100
}
