import { describe, expect, test } from 'vitest'
import { absoluteURL, tabletURL } from './links'

describe('links', () => {
  test('a tablet link lands on the judge page and keeps its token', () => {
    expect(tabletURL('https://leitai.example/login/link#abc', 3, 'https://x.example')).toBe(
      'https://leitai.example/login/link?next=%2Fjudge%2F3#abc',
    )
    expect(tabletURL('/login/link#t0k', 1, 'http://127.0.0.1:8080')).toBe('http://127.0.0.1:8080/login/link?next=%2Fjudge%2F1#t0k')
    expect(tabletURL('https://l.example/login/link?next=/judge/9#t', 1, 'https://l.example')).toBe(
      'https://l.example/login/link?next=/judge/9#t',
    )
  })
  test('absolute addresses', () => {
    expect(absoluteURL('/display/1', 'https://l.example')).toBe('https://l.example/display/1')
  })
})
