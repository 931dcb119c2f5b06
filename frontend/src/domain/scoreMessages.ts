// The server explains score, round and assignment problems in English (`error.fields`). The ones
// it is known to send (models/round.go, server/review.go, server/rounds.go) are shown in the user's
// language; anything else goes to the shared translator, which shows unknown messages as sent.
import { translateFieldMessage } from '@/fieldMessages'
import { i18n } from '@/i18n'
import { formatPoints, type Problem } from '@/domain/points'

type Translate = (key: string, values?: Record<string, unknown>) => string

const RULES: { pattern: RegExp; render: (t: Translate, m: RegExpExecArray) => string }[] = [
  // Scores (models.Rubric.CheckScore, server.saveScore).
  { pattern: /^between 0 and ([\d.]+)$/i, render: (t, m) => t('review.errors.range', { max: m[1] }) },
  { pattern: /^in steps of ([\d.]+)$/i, render: (t, m) => t('review.errors.step', { step: m[1] }) },
  { pattern: /^not a criterion of this round$/i, render: (t) => t('review.errors.notCriterion') },
  { pattern: /^a number with at most 2 decimals$/i, render: (t) => t('review.errors.format') },
  { pattern: /^at most 2000 characters \(now (\d+)\)$/i, render: (t, m) => t('review.errors.comment', { n: m[1] }) },
  // Rounds (models.Round.Validate, models.Rubric.Validate).
  { pattern: /^1[–-]30 characters$/i, render: (t) => t('rounds.errors.name') },
  { pattern: /^online or live$/i, render: (t) => t('rounds.errors.kind') },
  { pattern: /^a window: closes_at after opens_at$/i, render: (t) => t('rounds.errors.window') },
  { pattern: /^1 to 30$/i, render: (t) => t('rounds.errors.k') },
  { pattern: /^mean, median, trimmed_mean or zscore$/i, render: (t) => t('rounds.errors.method') },
  { pattern: /^a live round aggregates with mean or trimmed_mean only/i, render: (t) => t('rounds.errors.methodLive') },
  { pattern: /^1[–-]5 for trimmed_mean, 0 otherwise$/i, render: (t) => t('rounds.errors.trim') },
  { pattern: /^one of the rubric's keys$/i, render: (t) => t('rounds.errors.keyCriterion') },
  { pattern: /^1 to 20 criteria$/i, render: (t) => t('rounds.errors.rubricCount') },
  { pattern: /^key: 1[–-]32 lowercase letters, digits or _$/i, render: (t) => t('rounds.errors.rubricKey') },
  { pattern: /^key (\S+) given twice$/i, render: (t, m) => t('rounds.errors.rubricKeyTwice', { key: m[1] }) },
  { pattern: /^a Chinese name of 1[–-]30 characters/i, render: (t) => t('rounds.errors.rubricName') },
  { pattern: /^max between 0\.01 and 100 points$/i, render: (t) => t('rounds.errors.rubricMax') },
  { pattern: /^a step that divides the max/i, render: (t) => t('rounds.errors.rubricStep') },
  // Assignment (server.assignRound): a project without enough experts.
  {
    pattern: /^only (\d+) eligible expert\(s\), (\d+) conflicted$/i,
    render: (t, m) => t('rounds.assign.starved', { eligible: m[1], conflicted: m[2] }),
  },
]

/** reviewFieldError returns a server field message of the review screens in the current language. */
export function reviewFieldError(message: string, t: Translate = i18n.global.t as Translate): string {
  const text = message.trim()
  for (const rule of RULES) {
    const m = rule.pattern.exec(text)
    if (m) return rule.render(t, m)
  }
  return translateFieldMessage(text, t)
}

/** problemText says a problem the page found itself, in the current language. */
export function problemText(p: Problem, t: Translate = i18n.global.t as Translate): string {
  switch (p.code) {
    case 'required':
      return t('review.errors.required')
    case 'format':
      return t('review.errors.format')
    case 'range':
      return t('review.errors.range', { max: formatPoints(p.max) })
    case 'step':
      return t('review.errors.step', { step: formatPoints(p.step) })
  }
}

/** starvedProject reads an assignment field key ("project 12") as the project id, or null. */
export function starvedProject(key: string): number | null {
  const m = /^project\s+(\d+)$/i.exec(key.trim())
  return m ? Number(m[1]) : null
}
