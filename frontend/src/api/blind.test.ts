import { describe, expect, test } from 'vitest'
import { redactAll, redactHit, segments, type BlindHit } from './blind'

const hit = (start: number, end: number, text: string): BlindHit => ({ start, end, text, term: text, kind: 'unit' })

describe('blind redaction', () => {
  // The server's offsets count code points: 𠀋 (outside the BMP) is one character, two UTF-16 units.
  const text = '𠀋市民政局立足基层，民政局牵头'
  const hits = [hit(1, 5, '市民政局'), hit(10, 13, '民政局')]

  test('segments cut at the hits, counting code points', () => {
    expect(segments(text, hits)).toEqual([
      { text: '𠀋', hit: null },
      { text: '市民政局', hit: 0 },
      { text: '立足基层，', hit: null },
      { text: '民政局', hit: 1 },
      { text: '牵头', hit: null },
    ])
    expect(segments('', [])).toEqual([{ text: '', hit: null }])
    expect(segments('abc', [hit(2, 9, 'x')])).toEqual([{ text: 'abc', hit: null }])
  })

  test('one hit is masked and the later hits move with the text', () => {
    const r = redactHit(text, hits, 0, '【单位】')
    expect(r.text).toBe('𠀋【单位】立足基层，民政局牵头')
    expect(r.hits).toEqual([hit(10, 13, '民政局')])
    const r2 = redactHit(r.text, r.hits, 0, '■■')
    expect(r2.text).toBe('𠀋【单位】立足基层，■■牵头')
    expect(r2.hits).toEqual([])
    const shorter = redactHit(text, hits, 0, '■■')
    expect(shorter.hits).toEqual([hit(8, 11, '民政局')])
    expect(segments(shorter.text, shorter.hits)[1]).toEqual({ text: '民政局', hit: 0 })
  })

  test('redact all masks every hit', () => {
    expect(redactAll(text, hits, '■■')).toBe('𠀋■■立足基层，■■牵头')
    expect(redactAll(text, [], '■■')).toBe(text)
  })
})
