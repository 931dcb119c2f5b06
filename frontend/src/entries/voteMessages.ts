// The light phone vote entry's messages, picked at build time (vite.config.ts, pickVoteMessages)
// from the locale files. entries.test.ts checks that the phone page finds every key it uses.
import messages from 'virtual:leitai-vote-messages'

/** voteMessages are the phone vote page's messages in each locale. */
export const voteMessages = messages
