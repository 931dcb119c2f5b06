// The server explains project and edition field problems in English (`error.fields`); these are
// the ones it is known to send, in the user's language. Anything else goes to the shared
// translator (fieldMessages.ts), which shows unknown messages as the server wrote them.
import { translateFieldMessage } from '@/fieldMessages'
import { i18n } from '@/i18n'

type Translate = (key: string, values?: Record<string, unknown>) => string

const RULES: { pattern: RegExp; render: (t: Translate, m: RegExpExecArray) => string }[] = [
  { pattern: /^at most (\d+) characters \(now (\d+)\)$/i, render: (t, m) => t('portal.errors.maxChars', { max: m[1], n: m[2] }) },
  { pattern: /^one of: /i, render: (t) => t('portal.errors.category') },
  { pattern: /^a date as YYYY-MM-DD$/i, render: (t) => t('portal.errors.date') },
  { pattern: /^at least one file$/i, render: (t) => t('portal.errors.media') },
  { pattern: /^tell the unit why/i, render: (t) => t('portal.errors.reason') },
  { pattern: /^a year between 2000 and 2100$/i, render: (t) => t('editions.errors.year') },
  { pattern: /^1[–-]100 characters$/i, render: (t) => t('editions.errors.title') },
  { pattern: /^1[–-]20 categories$/i, render: (t) => t('editions.errors.categories') },
  { pattern: /^each category 1[–-]20 characters$/i, render: (t) => t('editions.errors.categoryLength') },
  { pattern: /^category "(.*)" given twice$/i, render: (t, m) => t('editions.errors.categoryTwice', { name: m[1] }) },
  { pattern: /^must be after opens_at$/i, render: (t) => t('editions.errors.closesAfter') },
  { pattern: /^0 to 10080 minutes$/i, render: (t) => t('editions.errors.grace') },
  { pattern: /^0 \(no cap\) to 100$/i, render: (t) => t('editions.errors.quota') },
  { pattern: /^draft, active or archived$/i, render: (t) => t('editions.errors.status') },
  { pattern: /"(.+)" is used by/i, render: (t, m) => t('editions.errors.categoryInUse', { name: m[1] }) },
]

/** fieldError returns a server field message in the current language. */
export function fieldError(message: string, t: Translate = i18n.global.t as Translate): string {
  const text = message.trim()
  for (const rule of RULES) {
    const m = rule.pattern.exec(text)
    if (m) return rule.render(t, m)
  }
  return translateFieldMessage(text, t)
}
