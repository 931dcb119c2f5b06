// The portal's files, as a unit sees them: "播放" plays a real video on the first tap (the player
// opens and the video runs: not paused, its time advancing), and a Windows program renamed
// "活动照片.jpg" is refused the moment it is picked — the browser sniffs its first bytes as the
// server would — with no upload request made and no photo icon. Set up through the API.
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { baseURL, launchBrowser, withPage } from './browser.mjs'
import { apiAs, signIn } from './support.mjs'

const base = baseURL()
const suffix = `${Date.now().toString(36)}${Math.floor(Math.random() * 1000)}`
const password = `media-pass-${suffix}`
const here = new URL('.', import.meta.url).pathname
const clip = readFileSync(join(here, 'fixtures', 'clip.mp4'))
const exe = readFileSync(join(here, '..', 'src', 'components', 'media', 'testdata', 'setup.exe'))
let browser
let projectID
const username = `mediaunit${suffix}`

before(async () => {
  browser = await launchBrowser()
  const admin = await apiAs(base, process.env.LEITAI_E2E_ADMIN_USER, process.env.LEITAI_E2E_ADMIN_PASSWORD)
  const now = Date.now()
  const edition = await admin('POST', '/api/v1/editions', {
    year: 2000 + Math.floor(Math.random() * 20),
    title: `媒体测试届次${suffix}`,
    categories: ['基层治理'],
    opens_at: new Date(now - 3600_000).toISOString(),
    closes_at: new Date(now + 7 * 86400_000).toISOString(),
    grace_minutes: 0,
    quota_per_unit: 2,
    status: 'active',
  })
  const city = await admin('POST', '/api/v1/units', { kind: 'city', name: `媒体市${suffix}`, parent_id: null, contact_name: '', contact_phone: '' })
  const unit = await admin('POST', '/api/v1/units', { kind: 'county', name: `媒体区${suffix}`, parent_id: city.id, contact_name: '', contact_phone: '' })
  await admin('POST', '/api/v1/users', { username, password, display_name: '媒体区申报员', roles: ['unit'], unit_id: unit.id })
  admin.dispose()
  const unitAPI = await apiAs(base, username, password)
  projectID = (await unitAPI('POST', `/api/v1/editions/${edition.id}/projects`, {})).id
  // The real video (2 s, H.264, made by ffmpeg), sent through the resumable upload API.
  const up = await unitAPI('POST', `/api/v1/projects/${projectID}/uploads`, { filename: '路演视频.mp4', size: clip.length, content_type: 'video/mp4', mode: 'proxy' })
  await unitAPI('PUT', `/api/v1/uploads/${up.upload_id}/parts/1`, clip, {
    'Content-Type': 'application/octet-stream',
    'Content-MD5': createHash('md5').update(clip).digest('base64'),
  })
  await unitAPI('POST', `/api/v1/uploads/${up.upload_id}/complete`, {})
  // The server processes the video (poster, playback copy) before the player offers it.
  for (;;) {
    const { media } = await unitAPI('GET', `/api/v1/projects/${projectID}/media`)
    const v = media.find((m) => m.filename === '路演视频.mp4')
    if (v && v.processing !== 'pending' && v.processing !== 'running') break
    await new Promise((r) => setTimeout(r, 200))
  }
  unitAPI.dispose()
})
after(async () => {
  await browser?.close()
})

describe('the portal plays and refuses files at once', () => {
  test('one tap on 播放 plays the video', async (t) => {
    await withPage(browser, t, async (page) => {
      await signIn(page, base, username, password)
      await page.goto(`${base}/portal/projects/${projectID}`)
      const item = page.locator('[data-testid="media-item"][data-kind="video"]')
      await item.locator('[data-action="play"]').click()
      const video = item.locator('video')
      await video.waitFor()
      // Playing after one click: not paused, and its clock has moved (a second tap is not needed).
      await page.waitForFunction(() => {
        const v = document.querySelector('[data-testid="media-item"][data-kind="video"] video')
        if (v?.error) throw new Error(`video error ${v.error.code}`)
        return v !== null && !v.paused && v.currentTime > 0
      })
      assert.equal(await video.evaluate((v) => v.paused), false)
    })
  })

  test('a renamed .exe is refused when picked, before any upload request, without a photo icon', async (t) => {
    await withPage(browser, t, async (page) => {
      await signIn(page, base, username, password)
      await page.goto(`${base}/portal/projects/${projectID}`)
      await page.locator('[data-testid="media-input"]').waitFor({ state: 'attached' })
      const uploads = []
      page.on('request', (r) => {
        if (/\/api\/v1\/(projects\/\d+\/uploads|uploads\/)/.test(r.url()) && r.method() !== 'GET') uploads.push(`${r.method()} ${r.url()}`)
      })
      await page.locator('[data-testid="media-input"]').setInputFiles({ name: '活动照片.jpg', mimeType: 'image/jpeg', buffer: exe })
      const row = page.locator('[data-testid="upload-row"][data-filename="活动照片.jpg"]')
      await row.getByText('文件类型不支持：请上传照片、视频、PDF、Word 或 PPT').waitFor()
      assert.equal(await row.getAttribute('data-state'), 'failed')
      assert.equal(await row.getAttribute('data-kind'), 'document', 'the refused file shows a photo icon')
      assert.equal(await row.locator('.upload-row__thumb img').count(), 0, 'a photo preview of a program')
      // And a real photo picked next still uploads (the sniffer lets what the server accepts through).
      await page.locator('[data-testid="media-input"]').setInputFiles({ name: '现场.mp4', mimeType: 'video/mp4', buffer: readFileSync(join(here, '..', 'src', 'components', 'media', 'testdata', 'a.png')) })
      const photo = page.locator('[data-testid="upload-row"][data-filename="现场.mp4"]')
      await page.locator('[data-testid="media-item"][data-filename="现场.mp4"][data-kind="image"]').waitFor({ timeout: 20_000 })
      assert.ok(uploads.length > 0, 'the photo was uploaded')
      assert.ok(uploads.every((u) => !u.includes('活动照片')), 'the refused file reached the server')
      assert.ok(!(await photo.count()) || (await photo.getAttribute('data-kind')) === 'image')
      // No upload request was made before the photo: the refusal came from the browser alone.
      const first = uploads[0]
      assert.match(first, /\/projects\/\d+\/uploads$/)
    })
  })
})
