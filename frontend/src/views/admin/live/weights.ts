// The live event form's checks that the page can make itself (the server has the last word).
import type { LiveEventInput, Weights } from '@/api/liveEvents'

/** weightSum adds the composite's three weights. */
export function weightSum(w: Weights): number {
  return (Number(w.panel) || 0) + (Number(w.previous) || 0) + (Number(w.audience) || 0)
}

/** FormProblem is a field and the i18n key of its problem. */
export type FormProblems = Partial<Record<'title' | 'round' | 'weights' | 'timings' | 'judges' | 'previous', string>>

/** checkLiveEvent returns the problems of a live event's settings ({} when it can be sent). */
export function checkLiveEvent(input: LiveEventInput, roundID: number | null, creating: boolean): FormProblems {
  const p: FormProblems = {}
  const title = input.title.trim()
  if (!title) p.title = 'liveAdmin.form.errors.title'
  if (creating && roundID === null) p.round = 'liveAdmin.form.errors.round'
  const w = input.weights
  if ([w.panel, w.previous, w.audience].some((x) => !Number.isInteger(x) || x < 0 || x > 100) || weightSum(w) !== 100) {
    p.weights = 'liveAdmin.form.errors.weights'
  }
  if (!(input.presentation_secs > 0) || !(input.qa_secs >= 0)) p.timings = 'liveAdmin.form.errors.timings'
  if (input.judge_ids.length === 0) p.judges = 'liveAdmin.form.errors.judges'
  if (input.weights.previous > 0 && input.previous_round_id === null) p.previous = 'liveAdmin.form.errors.previous'
  return p
}
