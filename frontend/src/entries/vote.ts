// The audience's phone vote page on its own: Vue, vue-i18n with the page's own messages, and the
// page. No router (the event id and the big screen's presence code are read from the address), no
// store, no Element Plus.
import { createApp, h, watchEffect } from 'vue'
import { i18n, setMessages } from '@/i18n/core'
import { votePageEvent } from '@/entries/path'
import { voteMessages } from '@/entries/voteMessages'
import VotePage from '@/views/vote/VotePage.vue'

setMessages('zh-CN', voteMessages['zh-CN'])
setMessages('en', voteMessages.en)

const eventId = votePageEvent(window.location.pathname) ?? ''
const code = new URLSearchParams(window.location.search).get('c') ?? ''

// What App.vue does for the routed pages: <html lang> and the title follow the language.
const { t, locale } = i18n.global
watchEffect(() => {
  document.documentElement.lang = locale.value
  document.title = `${t('vote.title')} · ${t('app.fullName')}`
})

createApp({ render: () => h(VotePage, { eventId, code }) })
  .use(i18n)
  .mount('#app')
