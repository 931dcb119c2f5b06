// Which messages the light phone vote entry carries: the stage's and the phone's own (screen.*,
// phone.*) and the few shared ones it shows (the brand, the language switch, the page title, the
// API client's error texts). vite.config.ts runs this at build time over the locale files, so the
// phone page downloads these few hundred words, not the whole app's text (a bundler cannot drop
// the unused properties of an imported object).
import type { MessageSchema } from '../locales/zh-CN'

type Base = Pick<MessageSchema, 'app' | 'language' | 'vote' | 'errors'>

/** pickVoteMessages returns one locale's messages for the phone vote page. */
export function pickVoteMessages<S extends object>(base: Base, screen: S): Base & S {
  return { app: base.app, language: base.language, vote: base.vote, errors: base.errors, ...screen }
}
