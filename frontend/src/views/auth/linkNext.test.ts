import { describe, expect, test } from 'vitest'
import { safeNext } from './linkNext'

describe('safeNext', () => {
  test('accepts same-origin paths', () => {
    expect(safeNext('/judge/1')).toBe('/judge/1')
    expect(safeNext('/judge/1?x=2')).toBe('/judge/1?x=2')
    expect(safeNext(['/review', '/admin'])).toBe('/review')
    expect(safeNext('/judge/1#token')).toBe('/judge/1')
  })

  test('refuses everything else', () => {
    for (const bad of [
      undefined,
      null,
      42,
      '',
      'judge/1',
      'https://evil.example/judge',
      '//evil.example',
      '/\\evil.example',
      '/\t/evil.example',
      '/\n/evil.example',
      'javascript:alert(1)',
      ' /judge/1',
      '/login/link?next=/judge/1',
    ]) {
      expect(safeNext(bad), String(bad)).toBeNull()
    }
  })
})
