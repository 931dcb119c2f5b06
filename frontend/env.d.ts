/// <reference types="vite/client" />

// Element Plus's per-component CSS entry points (side-effect modules without types).
declare module 'element-plus/es/components/*/style/css'

// The phone vote page's messages, picked from the locale files at build time (vite.config.ts).
declare module 'virtual:leitai-vote-messages' {
  type Picked = ReturnType<typeof import('@/entries/pickVoteMessages').pickVoteMessages<typeof import('@/locales/screen.zh-CN').default>>
  const messages: { 'zh-CN': Picked; en: Picked }
  export default messages
}
