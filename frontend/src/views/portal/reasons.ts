// Why the server refused a change (409 conflict messages, in English), in the user's language.
import { i18n } from '@/i18n'

type Translate = (key: string, values?: Record<string, unknown>) => string

/** conflictReason returns the reason of a refused change for people to read. */
export function conflictReason(message: string, t: Translate = i18n.global.t as Translate): string {
  const m = message.toLowerCase()
  if (m.includes('deadline') && m.includes('passed')) return t('portal.reasons.deadline')
  if (m.includes('submissions open at') || m.includes('not open for submissions')) return t('portal.reasons.notOpen')
  if (m.includes('is submitted') || m.includes('withdraw it')) return t('portal.reasons.submitted')
  if (m.includes('can no longer change')) return t('portal.reasons.locked')
  if (m.includes('quota')) return t('portal.reasons.quota')
  if (m.includes('no project')) return t('portal.reasons.notFound')
  return message
}
