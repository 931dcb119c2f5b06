import { describe, expect, test } from 'vitest'
import { isAppLink, notificationQuery } from './notifications'

describe('notifications', () => {
  test('the list query sends only what differs from the defaults, within the limits', () => {
    expect(notificationQuery({})).toBe('')
    expect(notificationQuery({ offset: 0, limit: 20 })).toBe('?limit=20')
    expect(notificationQuery({ offset: 40, limit: 20, unread: true })).toBe('?offset=40&limit=20&unread=1')
    expect(notificationQuery({ offset: -5, limit: 500 })).toBe('?limit=100')
  })

  test('only paths inside the app are followed', () => {
    expect(isAppLink('/portal/projects/12')).toBe(true)
    expect(isAppLink('/review')).toBe(true)
    for (const bad of ['', 'https://evil.example.org/', '//evil.example.org/x', 'javascript:alert(1)', 'portal']) {
      expect(isAppLink(bad), bad).toBe(false)
    }
  })
})
