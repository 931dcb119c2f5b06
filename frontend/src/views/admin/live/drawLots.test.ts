import { describe, expect, test } from 'vitest'
import { createHash } from 'node:crypto'
import { drawLots, drawMatches, sha256Plain } from './drawLots'

// The same vectors as judging/lots_vectors_test.go: the browser and the server draw alike.
const VECTORS: [string, string[], string[]][] = [
  ['huizhou-2026-final', ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10'], ['4', '8', '9', '2', '6', '5', '10', '3', '1', '7']],
  ['dPO1SIiNeXJiTpBC', ['12', '15', '18', '21'], ['21', '15', '12', '18']],
  ['种子 with spaces', ['7', '8', '9'], ['7', '8', '9']],
  ['x', ['42'], ['42']],
]

describe('drawLots', () => {
  test.each(VECTORS)('seed %s', async (seed, finalists, want) => {
    expect(await drawLots(seed, finalists)).toEqual(want)
  })

  test('refuses a blank seed and repeated or empty ids', async () => {
    await expect(drawLots(' ', ['1'])).rejects.toThrow(/seed/)
    await expect(drawLots('s', ['1', '1'])).rejects.toThrow(/twice/)
    await expect(drawLots('s', [''])).rejects.toThrow(/empty/)
  })

  test('drawMatches compares the programme with the re-run draw', async () => {
    expect(await drawMatches('dPO1SIiNeXJiTpBC', [18, 12, 21, 15], [[21, 15], [12, 18]])).toEqual({ ok: true, order: [21, 15, 12, 18] })
    expect((await drawMatches('dPO1SIiNeXJiTpBC', [12, 15, 18, 21], [[15, 21], [12, 18]])).ok).toBe(false)
  })

  test('the plain SHA-256 (for http pages without crypto.subtle) agrees with Node', () => {
    for (const text of ['', 'abc', 'huizhou-2026-final:9:0', '种子 with spaces:2:0', 'x'.repeat(55), 'y'.repeat(56), 'z'.repeat(200)]) {
      const data = new TextEncoder().encode(text)
      expect(Buffer.from(sha256Plain(data)).toString('hex')).toBe(createHash('sha256').update(data).digest('hex'))
    }
  })
})
