// Where a tablet login link lands: `/login/link?next=/judge/1#<token>` goes to /judge/1 after the
// token is redeemed. Only a path on this site is accepted — an open redirect would turn a real
// sign-in link into a phishing link.

/**
 * safeNext returns the `next` query value when it is a same-origin path (it starts with one "/",
 * not "//" or "/\", holds no control characters, and resolves to this origin), else null.
 * The fragment is dropped: it is where tokens travel.
 */
export function safeNext(value: unknown, origin = 'https://leitai.invalid'): string | null {
  const raw = Array.isArray(value) ? value[0] : value
  if (typeof raw !== 'string') return null
  if (!raw.startsWith('/') || raw.startsWith('//') || raw.startsWith('/\\')) return null
  // Tabs and newlines are stripped by URL parsers ("/\t/evil.com" becomes "//evil.com").
  if (/[\u0000-\u001f\u007f\\]/.test(raw)) return null
  let url: URL
  try {
    url = new URL(raw, origin)
  } catch {
    return null
  }
  if (url.origin !== new URL(origin).origin) return null
  const path = url.pathname + url.search
  // A link must not bounce back into the link page itself.
  if (url.pathname === '/login/link') return null
  return path
}
