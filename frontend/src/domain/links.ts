// Addresses the host console and the admin's setup hand out.

/**
 * tabletURL makes a judge's login link land on the tablet page: the server's link (absolute, or a
 * path on this site) gets `next=/judge/{event}` unless it already names a next page. The token in
 * the fragment is kept as it is.
 */
export function tabletURL(url: string, eventID: number, origin: string): string {
  let u: URL
  try {
    u = new URL(url, origin)
  } catch {
    return url
  }
  if (!u.searchParams.has('next')) u.searchParams.set('next', `/judge/${eventID}`)
  return u.toString()
}

/** absoluteURL resolves a path of this site (display_path, vote_path) against origin. */
export function absoluteURL(path: string, origin: string): string {
  try {
    return new URL(path, origin).toString()
  } catch {
    return path
  }
}
