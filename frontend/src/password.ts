// Random passwords an administrator can hand out: long enough, and without characters that are
// easy to misread when read aloud or copied from paper (0/O, 1/l/I).

const ALPHABET = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789'

/** generatePassword returns a random password of length characters from an unambiguous alphabet. */
export function generatePassword(length = 12): string {
  const bytes = new Uint8Array(length * 2)
  crypto.getRandomValues(bytes)
  let out = ''
  // Rejection sampling keeps every character equally likely.
  const limit = 256 - (256 % ALPHABET.length)
  for (const byte of bytes) {
    if (byte >= limit) continue
    out += ALPHABET[byte % ALPHABET.length]
    if (out.length === length) return out
  }
  return out + generatePassword(length - out.length)
}
