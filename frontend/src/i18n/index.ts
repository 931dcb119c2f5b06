// The whole app's messages, registered into the shared instance (@/i18n/core). Importing this module
// brings every area's text: the light phone vote entry imports @/i18n/core instead.
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
import gapsEn from '@/locales/gaps.en'
import gapsZhCN from '@/locales/gaps.zh-CN'
import visitsEn from '@/locales/visits.en'
import visitsZhCN from '@/locales/visits.zh-CN'
import recommendEn from '@/locales/recommend.en'
import recommendZhCN from '@/locales/recommend.zh-CN'
import zhCN from '@/locales/zh-CN'
import { setMessages } from '@/i18n/core'

export { i18n, SUPPORTED_LOCALES, LOCALE_STORAGE_KEY, currentLocale, setLocale, type AppLocale } from '@/i18n/core'

// The portal, editions and submissions keep their messages in files of their own, and so do
// expert review and the review rounds, the live big screen and phone page (screen.*), and the
// host console, judge tablet and live-event setup (host.*), and the follow-through of funded
// projects (follow.*), and notifications with one's own settings (notify.*), the review's admin
// tools of issue 13 (gaps.*: conflicts, moving a project, holidays, the 公示 window), and site
// visits with the edition's figures (visits.*), and county and department recommendation
// (recommend.*).
setMessages(
  'zh-CN',
  mergeMessages(
    mergeMessages(
      mergeMessages(
        mergeMessages(mergeMessages(mergeMessages(mergeMessages(mergeMessages(mergeMessages(zhCN, portalZhCN), reviewZhCN), screenZhCN), hostZhCN), followZhCN), notifyZhCN),
        gapsZhCN,
      ),
      visitsZhCN,
    ),
    recommendZhCN,
  ),
)
setMessages(
  'en',
  mergeMessages(
    mergeMessages(
      mergeMessages(mergeMessages(mergeMessages(mergeMessages(mergeMessages(mergeMessages(mergeMessages(en, portalEn), reviewEn), screenEn), hostEn), followEn), notifyEn), gapsEn),
      visitsEn,
    ),
    recommendEn,
  ),
)
