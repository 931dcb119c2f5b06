import { describe, expect, test } from 'vitest'
import { charCount, filenameFrom, exportURL } from '@/api/projects'
import { claimedKind, formatBytes } from '@/api/media'
import { i18n } from '@/i18n'
import { fieldError } from '@/domain/fieldErrors'
import { conflictReason } from './reasons'

describe('server messages in the user language', () => {
  test('project and edition field problems', () => {
    i18n.global.locale.value = 'zh-CN'
    expect(fieldError('at most 60 characters (now 61)')).toBe('最多 60 字（现有 61 字）')
    expect(fieldError('one of: 基层治理, 平安建设')).toBe('请从列表中选择类别')
    expect(fieldError('at least one file')).toBe('请至少上传一个附件')
    expect(fieldError('required')).toBe('必填')
    expect(fieldError('"社区服务" is used by projects')).toBe('类别“社区服务”已有项目使用，不能删除')
    expect(fieldError('something new')).toBe('something new')
    i18n.global.locale.value = 'en'
    expect(fieldError('must be after opens_at')).toBe('The deadline must be after the opening')
    i18n.global.locale.value = 'zh-CN'
  })

  test('refusals (409)', () => {
    expect(conflictReason('the submission deadline 2026-04-30 18:00 CST has passed')).toBe('申报已截止')
    expect(conflictReason('the project is submitted: withdraw it to make changes')).toBe('项目已提交，如需修改请先撤回')
    expect(conflictReason('the unit already has 2 project(s) in this edition, its quota is 2')).toBe('已达到本届申报名额')
  })
})

describe('helpers', () => {
  test('characters are code points', () => {
    expect(charCount('和美网格')).toBe(4)
    expect(charCount('𠀀😀')).toBe(2)
    expect('𠀀😀'.length).toBe(4)
  })

  test('export file names and addresses', () => {
    expect(filenameFrom('attachment; filename="submissions-2026-edition-1.xlsx"', 'x')).toBe('submissions-2026-edition-1.xlsx')
    expect(filenameFrom("attachment; filename*=UTF-8''%E7%94%B3%E6%8A%A5.csv", 'x')).toBe('申报.csv')
    expect(filenameFrom(null, 'fallback.csv')).toBe('fallback.csv')
    expect(exportURL(3, 'csv', { category: '基层治理', county_id: 0, q: ' 网格 ' })).toBe(
      '/api/v1/editions/3/projects/export?category=%E5%9F%BA%E5%B1%82%E6%B2%BB%E7%90%86&q=%E7%BD%91%E6%A0%BC&format=csv',
    )
  })

  test('claimed kinds and sizes', () => {
    expect(claimedKind('', 'IMG_0001.HEIC')).toBe('image')
    expect(claimedKind('video/quicktime', 'a.bin')).toBe('video')
    expect(claimedKind('', '材料.pdf')).toBe('document')
    expect(formatBytes(30 * 1024 * 1024)).toBe('30 MB')
    expect(formatBytes(2 * 1024 ** 3)).toBe('2 GB')
    expect(formatBytes(105849)).toBe('103 KB')
  })
})
