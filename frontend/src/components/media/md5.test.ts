import { createHash, randomBytes } from 'node:crypto'
import { describe, expect, test } from 'vitest'
import { MD5, md5, md5Base64, toHex } from './md5'

const node = (b: Uint8Array) => createHash('md5').update(b).digest('hex')

describe('md5', () => {
  test.each([
    ['', 'd41d8cd98f00b204e9800998ecf8427e'],
    ['a', '0cc175b9c0f1b6a831c399e269772661'],
    ['abc', '900150983cd24fb0d6963f7d28e17f72'],
    ['message digest', 'f96b697d7cb7938d525a2f31aaf161d0'],
    ['abcdefghijklmnopqrstuvwxyz', 'c3fcd3d76192e4007dfb496cca67e13b'],
    ['12345678901234567890123456789012345678901234567890123456789012345678901234567890', '57edf4a22be3c955ac49da2e2107b67a'],
  ])('RFC 1321 vector %j', (input, want) => {
    expect(toHex(md5(new TextEncoder().encode(input)))).toBe(want)
  })

  test('every length around the block and padding boundaries', () => {
    const data = randomBytes(300)
    for (let n = 0; n <= 300; n++) {
      const b = new Uint8Array(data.buffer, data.byteOffset, n)
      expect(toHex(md5(b)), `length ${n}`).toBe(node(b))
    }
  })

  test('incremental updates in odd pieces equal one call', () => {
    const data = new Uint8Array(randomBytes(100_003))
    const h = new MD5()
    for (let i = 0; i < data.length; ) {
      const step = 1 + ((i * 7919) % 997)
      h.update(data.subarray(i, i + step))
      i += step
    }
    expect(toHex(h.digest())).toBe(node(data))
  })

  test('an 8 MiB part, as an ArrayBuffer, in base64 as Content-MD5', () => {
    const data = new Uint8Array(8 * 1024 * 1024)
    for (let i = 0; i < data.length; i++) data[i] = (i * 31 + (i >>> 11)) & 0xff
    expect(md5Base64(data.buffer)).toBe(createHash('md5').update(data).digest('base64'))
  })

  test('a view into a larger buffer hashes only its bytes', () => {
    const buf = new Uint8Array(randomBytes(1000))
    const view = new DataView(buf.buffer, buf.byteOffset + 10, 500)
    expect(toHex(md5(view))).toBe(node(buf.subarray(10, 510)))
  })
})
