// The app's vue-i18n instance without its messages. Each entry fills it: the whole app with every
// area's messages (@/i18n), the light phone vote entry with its few (@/entries/voteMessages), so the
// phone page on venue Wi-Fi does not download the text of every other interface.
import { createI18n } from 'vue-i18n'
import type { MessageSchema } from '@/locales/zh-CN'
import { readSetting, writeSetting } from '@/settings'

/** SUPPORTED_LOCALES lists the app's locales; the first is the default. */
export const SUPPORTED_LOCALES = ['zh-CN', 'en'] as const

/** AppLocale is one of SUPPORTED_LOCALES (also the value of `<html lang>`). */
export type AppLocale = (typeof SUPPORTED_LOCALES)[number]

/** LOCALE_STORAGE_KEY is the localStorage key of the user's chosen locale. */
export const LOCALE_STORAGE_KEY = 'leitai.locale'

function isAppLocale(value: unknown): value is AppLocale {
  return typeof value === 'string' && (SUPPORTED_LOCALES as readonly string[]).includes(value)
}

// Chinese first: the stored choice wins, otherwise zh-CN regardless of the browser's language,
// because most users are on Chinese government PCs whose browsers may report anything.
function initialLocale(): AppLocale {
  const stored = readSetting(LOCALE_STORAGE_KEY)
  return isAppLocale(stored) ? stored : 'zh-CN'
}

/**
 * i18n is the app's vue-i18n instance (Composition API mode). Its messages are typed by the full
 * schema, and start empty: an entry registers them (setMessages) before it mounts anything.
 */
export const i18n = createI18n<[MessageSchema], AppLocale, false>({
  legacy: false,
  locale: initialLocale(),
  fallbackLocale: 'zh-CN',
  messages: {} as Record<AppLocale, MessageSchema>,
})

/**
 * setMessages registers one locale's messages. The vote entry registers only part of the schema
 * (what the phone page shows), hence the loose type.
 */
export function setMessages(locale: AppLocale, messages: object): void {
  i18n.global.setLocaleMessage(locale, messages as MessageSchema)
}

/** currentLocale returns the active locale. */
export function currentLocale(): AppLocale {
  return i18n.global.locale.value
}

/** setLocale switches the app's language and remembers the choice in localStorage. */
export function setLocale(locale: AppLocale): void {
  i18n.global.locale.value = locale
  writeSetting(LOCALE_STORAGE_KEY, locale)
}
