// Small helpers of the admin screens: CSV files, import row errors, field messages, times, queries.
import { describe, expect, test } from 'vitest'
import { userQuery } from '@/api/users'
import { rowErrors } from '@/composables/useFieldErrors'
import { csvField, toCSV } from '@/csv'
import { translateFieldMessage } from '@/fieldMessages'
import { i18n } from '@/i18n'
import { generatePassword } from '@/password'
import { formatDateTime } from '@/time'

describe('csv', () => {
  test('quotes only what needs quoting and keeps values exact', () => {
    expect(csvField('惠州市')).toBe('惠州市')
    expect(csvField('a,b')).toBe('"a,b"')
    expect(csvField('say "hi"')).toBe('"say ""hi"""')
    expect(csvField('-x=1')).toBe('-x=1')
    expect(csvField(null)).toBe('')
  })

  test('starts with a UTF-8 byte order mark and ends rows with CRLF', () => {
    expect(toCSV([['用户名', '密码'], ['li', 'p,w']])).toBe('\uFEFF用户名,密码\r\nli,"p,w"\r\n')
  })
})

describe('import row errors', () => {
  test('are sorted by row number, file-wide problems first', () => {
    const rows = rowErrors({ 'row 10': 'b', 'row 3': 'a', file: 'bad header' })
    expect(rows.map((r) => [r.row, r.message])).toEqual([
      [null, 'bad header'],
      [3, 'a'],
      [10, 'b'],
    ])
  })
})

describe('field messages', () => {
  test('known server messages are translated, others kept', () => {
    i18n.global.locale.value = 'zh-CN'
    expect(translateFieldMessage('at least 8 characters')).toBe('至少 8 个字符')
    expect(translateFieldMessage('too common or easy to guess: use a longer phrase of unrelated words')).toContain('太常见')
    expect(translateFieldMessage('already taken')).toBe('该用户名已被使用')
    expect(translateFieldMessage('a village must sit under a town')).toBe('村(社区)只能放在镇(街道)下面')
    expect(translateFieldMessage('a department must sit under a city or county or department')).toBe(
      '市直部门只能放在市或县(区)或市直部门下面',
    )
    expect(translateFieldMessage('parent_id: a village must sit under a town')).toBe('parent_id: 村(社区)只能放在镇(街道)下面')
    expect(translateFieldMessage('something new')).toBe('something new')
    i18n.global.locale.value = 'en'
    expect(translateFieldMessage('a village must sit under a town')).toBe('A Village/community must sit under a Town/street')
    i18n.global.locale.value = 'zh-CN'
  })
})

describe('formatDateTime', () => {
  test('shows UTC times in Beijing time', () => {
    expect(formatDateTime('2026-05-01T16:30:05Z')).toBe('2026-05-02 00:30:05')
    expect(formatDateTime('2026-05-01T16:30:05Z', false)).toBe('2026-05-02 00:30')
    expect(formatDateTime('not a time')).toBe('not a time')
    expect(formatDateTime(null)).toBe('')
  })
})

describe('userQuery', () => {
  test('sends only the filters that are set', () => {
    expect(userQuery({})).toBe('')
    expect(userQuery({ role: '', unit_id: null, q: '  ', include_disabled: false })).toBe('')
    expect(userQuery({ role: 'expert', unit_id: 4, q: ' 张 ', include_disabled: true })).toBe(
      '?role=expert&unit_id=4&q=%E5%BC%A0&include_disabled=true',
    )
  })
})

describe('generatePassword', () => {
  test('has the length asked for and no look-alike characters', () => {
    for (let i = 0; i < 50; i++) {
      const p = generatePassword()
      expect(p).toHaveLength(12)
      expect(p).not.toMatch(/[01lIoO]/)
    }
  })
})
