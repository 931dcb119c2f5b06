/**
 * votePageEvent returns the event id of a phone vote page's path (/vote/:eventId, as the router's
 * route reads it), or null when the path is any other page.
 */
export function votePageEvent(pathname: string): string | null {
  const m = /^\/vote\/([^/]+)\/?$/.exec(pathname)
  if (!m) return null
  try {
    return decodeURIComponent(m[1])
  } catch {
    return null
  }
}
