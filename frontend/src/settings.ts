// Small wrappers around localStorage for user preferences. Storage can be unavailable (Safari private
// mode, disabled cookies, embedded WebViews): reads then return null and writes are dropped, so a
// preference simply does not persist instead of breaking the page.

/** readSetting returns the stored value for key, or null when absent or storage is unavailable. */
export function readSetting(key: string): string | null {
  try {
    return window.localStorage.getItem(key)
  } catch {
    return null
  }
}

/** writeSetting stores value under key, or removes the key when value is null. */
export function writeSetting(key: string, value: string | null): void {
  try {
    if (value === null) window.localStorage.removeItem(key)
    else window.localStorage.setItem(key, value)
  } catch {
    // Preference not persisted; the in-memory state still applies.
  }
}
