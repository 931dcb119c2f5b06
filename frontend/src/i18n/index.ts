import { createI18n } from 'vue-i18n'
import en from '@/locales/en'
import { mergeMessages } from '@/locales/merge'
import portalEn from '@/locales/portal.en'
import portalZhCN from '@/locales/portal.zh-CN'
import reviewEn from '@/locales/review.en'
import reviewZhCN from '@/locales/review.zh-CN'
import screenEn from '@/locales/screen.en'
import screenZhCN from '@/locales/screen.zh-CN'
import hostEn from '@/locales/host.en'
import hostZhCN from '@/locales/host.zh-CN'
import followEn from '@/locales/follow.en'
import followZhCN from '@/locales/follow.zh-CN'
import notifyEn from '@/locales/notify.en'
import notifyZhCN from '@/locales/notify.zh-CN'
import recommendEn from '@/locales/recommend.en'
import recommendZhCN from '@/locales/recommend.zh-CN'
import zhCN, { type MessageSchema } from '@/locales/zh-CN'
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

/** i18n is the app's vue-i18n instance (Composition API mode). */
export const i18n = createI18n<[MessageSchema], AppLocale, false>({
  legacy: false,
  locale: initialLocale(),
  fallbackLocale: 'zh-CN',
  // The portal, editions and submissions keep their messages in files of their own, and so do
  // expert review and the review rounds, the live big screen and phone page (screen.*), and the
  // host console, judge tablet and live-event setup (host.*), and the follow-through of funded
  // projects (follow.*), and notifications with one's own settings (notify.*), and county and
  // department recommendation (recommend.*).
  messages: {
    'zh-CN': mergeMessages(
      mergeMessages(
        mergeMessages(mergeMessages(mergeMessages(mergeMessages(mergeMessages(zhCN, portalZhCN), reviewZhCN), screenZhCN), hostZhCN), followZhCN),
        notifyZhCN,
      ),
      recommendZhCN,
    ),
    en: mergeMessages(
      mergeMessages(
        mergeMessages(mergeMessages(mergeMessages(mergeMessages(mergeMessages(en, portalEn), reviewEn), screenEn), hostEn), followEn),
        notifyEn,
      ),
      recommendEn,
    ),
  },
})

/** currentLocale returns the active locale. */
export function currentLocale(): AppLocale {
  return i18n.global.locale.value
}

/** setLocale switches the app's language and remembers the choice in localStorage. */
export function setLocale(locale: AppLocale): void {
  i18n.global.locale.value = locale
  writeSetting(LOCALE_STORAGE_KEY, locale)
}
