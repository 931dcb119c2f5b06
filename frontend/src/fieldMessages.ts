// The server explains field problems in English (`error.fields`). The messages it is known to send
// are shown in the user's language; anything else is shown as the server wrote it.
import { i18n } from '@/i18n'

type Translate = (key: string, values?: Record<string, unknown>) => string

const KIND_KEYS = ['city', 'county', 'town', 'village', 'department', 'organisation', 'external']

function kindLabel(t: Translate, kind: string): string {
  return KIND_KEYS.includes(kind) ? t(`units.kinds.${kind}`) : kind
}

/** RULES map a server message to a translated one; the first match wins. */
const RULES: { pattern: RegExp; render: (t: Translate, m: RegExpExecArray) => string }[] = [
  { pattern: /^required$/i, render: (t) => t('fieldErrors.required') },
  { pattern: /^at least (\d+) characters$/i, render: (t, m) => t('fieldErrors.minChars', { n: m[1] }) },
  { pattern: /^at most (\d+) characters$/i, render: (t, m) => t('fieldErrors.maxChars', { n: m[1] }) },
  { pattern: /^at most (\d+) bytes$/i, render: (t) => t('fieldErrors.tooLong') },
  { pattern: /^at most (\d+) fields$/i, render: (t, m) => t('fieldErrors.maxItems', { n: m[1] }) },
  { pattern: /^each field (\d+)[–-](\d+) characters$/i, render: (t, m) => t('fieldErrors.itemLength', { min: m[1], max: m[2] }) },
  { pattern: /^wrong password$/i, render: (t) => t('fieldErrors.wrongPassword') },
  { pattern: /^too common or easy to guess/i, render: (t) => t('fieldErrors.passwordCommon') },
  { pattern: /^must differ from the current password$/i, render: (t) => t('password.sameAsCurrent') },
  { pattern: /^already taken$/i, render: (t) => t('fieldErrors.taken') },
  { pattern: /^already exists under this parent$/i, render: (t) => t('fieldErrors.nameTaken') },
  { pattern: /^a phone number such as/i, render: (t) => t('fieldErrors.phone') },
  { pattern: /^a unit user must belong to a unit$/i, render: (t) => t('users.form.unitRequired') },
  { pattern: /^at least one role$/i, render: (t) => t('users.form.rolesRequired') },
  { pattern: /^no such unit$/i, render: (t) => t('fieldErrors.noSuchUnit') },
  { pattern: /^the new parent lies inside this unit$/i, render: (t) => t('fieldErrors.ownAncestor') },
  { pattern: /^\d+[–-]\d+ letters, digits/i, render: (t) => t('fieldErrors.username') },
  {
    pattern: /^between (\d+) and (\d+) minutes$/i,
    render: (t, m) => t('fieldErrors.betweenMinutes', { min: m[1], max: m[2] }),
  },
  {
    pattern: /^an? (\w+) unit has no parent$/i,
    render: (t, m) => t('fieldErrors.noParent', { kind: kindLabel(t, m[1] ?? '') }),
  },
  {
    pattern: /^an? (\w+) must sit under an? (.+)$/i,
    render: (t, m) =>
      t('fieldErrors.mustSitUnder', {
        kind: kindLabel(t, m[1] ?? ''),
        parents: (m[2] ?? '')
          .split(/\s+or\s+/)
          .map((k) => kindLabel(t, k.trim()))
          .join(t('fieldErrors.or')),
      }),
  },
]

/**
 * translateFieldMessage returns message in the current language when it is one the server is
 * known to send, else message itself. "parent_id: …" (import rows) keeps its prefix.
 */
export function translateFieldMessage(message: string, t: Translate = i18n.global.t as Translate): string {
  const text = message.trim()
  for (const rule of RULES) {
    const m = rule.pattern.exec(text)
    if (m) return rule.render(t, m)
  }
  const prefixed = /^([a-z_]+):\s*(.+)$/.exec(text)
  if (prefixed && prefixed[2]) {
    const inner = translateFieldMessage(prefixed[2], t)
    if (inner !== prefixed[2]) return `${prefixed[1]}: ${inner}`
  }
  return message
}
