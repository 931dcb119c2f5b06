// The submission portal end to end against a live server: the admin opens an edition in the UI;
// a unit user drafts a project (autosave), uploads a photo, a PDF and a 200 MB video through a TCP
// proxy that the test cuts mid-upload and restores (the upload pauses, says so, and resumes
// without sending again the parts the server already had), sees a fake .jpg refused, submits; the
// admin marks the project eligible and downloads the Excel export. Run with `npm run test:e2e`;
// scripts/e2e.sh sets the variables below.
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { baseURL, launchBrowser, withPage } from './browser.mjs'
import { cuttableProxy, png, signIn } from './support.mjs'

const base = baseURL()
const adminUser = process.env.LEITAI_E2E_ADMIN_USER
const adminPassword = process.env.LEITAI_E2E_ADMIN_PASSWORD
const VIDEO_BYTES = 200 * 1024 * 1024 + 12345
let browser
let dir

// ---- test files ---------------------------------------------------------------------------------

/** pdf returns a minimal valid one-page PDF with a correct cross-reference table. */
function pdf() {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    null,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ]
  const text = 'BT /F1 18 Tf 40 100 Td (Leitai e2e) Tj ET'
  objects[3] = `<< /Length ${text.length} >>\nstream\n${text}\nendstream`
  let out = '%PDF-1.4\n'
  const offsets = []
  objects.forEach((body, i) => {
    offsets.push(out.length)
    out += `${i + 1} 0 obj\n${body}\nendobj\n`
  })
  const xref = out.length
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`
  for (const o of offsets) out += `${String(o).padStart(10, '0')} 00000 n \n`
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`
  return Buffer.from(out, 'latin1')
}

/** mp4 returns a file the server's sniffer takes for MP4 (an ftyp box of brand isom), then filler. */
function mp4(size) {
  const buf = Buffer.alloc(size)
  buf.writeUInt32BE(24, 0)
  buf.write('ftypisom', 4, 'latin1')
  buf.writeUInt32BE(0x200, 12)
  buf.write('isommp41', 16, 'latin1')
  // Some content that differs from part to part, so that a mixed-up part would be noticed.
  for (let i = 4096; i < size; i += 65536) buf.writeUInt32BE(i >>> 0, i)
  return buf
}

// ---- helpers ------------------------------------------------------------------------------------

before(async () => {
  if (!adminUser || !adminPassword) {
    throw new Error('LEITAI_E2E_ADMIN_USER and LEITAI_E2E_ADMIN_PASSWORD must be set (scripts/e2e.sh does).')
  }
  browser = await launchBrowser()
  dir = await mkdtemp(join(tmpdir(), 'leitai-portal-e2e-'))
  await writeFile(join(dir, '社区活动照片.png'), png(640, 400))
  await writeFile(join(dir, '项目材料.pdf'), pdf())
  await writeFile(join(dir, '项目视频.mp4'), mp4(VIDEO_BYTES))
  await writeFile(join(dir, '伪装的照片.jpg'), Buffer.from('This is plain text, not a photo, whatever its name says.\n'.repeat(20)))
})

after(async () => {
  await browser?.close()
  if (dir) await rm(dir, { recursive: true, force: true })
})

const suffix = `${Date.now().toString(36)}${Math.floor(Math.random() * 1000)}`

/** api calls the server with the page's session (cookie and CSRF token). */
async function api(page, method, path, data) {
  const me = await page.request.get(`${base}/api/v1/me`)
  const token = (await me.json()).csrf_token
  const res = await page.request.fetch(`${base}${path}`, {
    method,
    headers: { 'X-CSRF-Token': token, 'Content-Type': 'application/json' },
    data: data === undefined ? undefined : JSON.stringify(data),
  })
  const body = await res.text()
  assert.ok(res.ok(), `${method} ${path}: ${res.status()} ${body}`)
  return body ? JSON.parse(body) : null
}

/** beijing formats a time as "YYYY-MM-DD HH:mm" on the Beijing clock (what the pickers take). */
function beijing(date) {
  const b = new Date(date.getTime() + 8 * 3600_000)
  return b.toISOString().slice(0, 16).replace('T', ' ')
}

function field(id) {
  return `[data-testid="${id}"] input, [data-testid="${id}"] textarea, input[data-testid="${id}"], textarea[data-testid="${id}"]`
}

async function typeInto(page, name, value) {
  const el = page.locator(`#field-${name}`)
  await el.fill(value)
}

// ---- the flow -----------------------------------------------------------------------------------

describe('submission portal', () => {
  test('edition, draft with autosave, resumable uploads through a cut connection, submit, eligibility, export', async (t) => {
    const editionTitle = `${new Date().getFullYear()}年惠州市社会治理创新十大项目（测试${suffix}）`
    const unitName = `测试社区${suffix}`
    const unitUsername = `portal${suffix}`
    const unitPassword = `portal-pass-${suffix}`
    const projectTitle = `和美网格${suffix.slice(-4)}`
    const proxy = await cuttableProxy(base)
    t.after(() => proxy.close())

    const adminContext = await browser.newContext({ viewport: { width: 1366, height: 768 }, acceptDownloads: true })
    const admin = await adminContext.newPage()
    admin.setDefaultTimeout(15_000)
    t.after(() => adminContext.close())

    // ---- the admin opens an edition in the editions page -------------------------------------
    await signIn(admin, base, adminUser, adminPassword)
    await admin.goto(`${base}/admin/editions`)
    await admin.getByRole('heading', { level: 1, name: '届次管理' }).waitFor()
    await admin.locator('[data-testid="edition-create"]').click()
    const dialog = admin.locator('.el-dialog[data-testid="edition-dialog"]:visible')
    await dialog.waitFor()
    await dialog.locator(field('edition-title')).fill(editionTitle)
    const tags = dialog.locator(field('edition-categories'))
    for (const c of ['基层治理', '平安建设', '社区服务']) {
      await tags.fill(c)
      await tags.press('Enter')
    }
    const now = new Date()
    for (const [id, when] of [
      ['edition-opens', new Date(now.getTime() - 3600_000)],
      ['edition-closes', new Date(now.getTime() + 7 * 86400_000)],
    ]) {
      const input = dialog.locator(`#${id}`)
      await input.click()
      await input.fill(beijing(when))
      await input.press('Enter')
    }
    await dialog.locator('[data-testid="edition-status"] [data-status="active"]').click()
    await dialog.locator('[data-testid="edition-save"]').click()
    await dialog.waitFor({ state: 'hidden' })
    await admin.locator('[data-testid="editions-table"]').getByText(editionTitle).waitFor()

    const current = await (await admin.request.get(`${base}/api/v1/editions/current`)).json()
    assert.equal(current.title, editionTitle, 'the new edition is the running one')
    assert.equal(current.accepting, true)

    // A unit and its user (setup through the API with the admin's session).
    const unit = await api(admin, 'POST', '/api/v1/units', { kind: 'city', name: unitName, parent_id: null, contact_name: '', contact_phone: '' })
    await api(admin, 'POST', '/api/v1/users', {
      username: unitUsername,
      password: unitPassword,
      display_name: `${unitName}申报员`,
      roles: ['unit'],
      unit_id: unit.id,
    })

    // ---- the unit drafts a project, through the proxy ----------------------------------------
    await withPage(browser, t, async (page) => {
      page.setDefaultTimeout(15_000)
      await signIn(page, proxy.url, unitUsername, unitPassword)
      await page.goto(`${proxy.url}/portal`)
      await page.locator('[data-testid="edition-banner"]').getByText(editionTitle).waitFor()
      assert.match(await page.locator('[data-testid="countdown"]').innerText(), /距截止还有 (6 天 2[23] 小时|7 天 0 小时)/)
      assert.match(await page.locator('[data-testid="quota"]').innerText(), /已申报 0 \/ 2 项/)
      await page.locator('[data-testid="projects-empty"]').waitFor()

      await page.locator('[data-testid="project-create"]').click()
      await page.waitForURL(/\/portal\/projects\/\d+$/)
      const projectID = Number(new URL(page.url()).pathname.split('/').pop())

      // Autosave: the header says so.
      await typeInto(page, 'title', projectTitle)
      await page.locator('[data-testid="save-state"]').getByText(/已自动保存 \d\d:\d\d/).waitFor()

      // The checklist names what is missing; each item leads to its field.
      await page.locator('[data-testid="submit-open"]').click()
      const checklist = page.locator('.el-dialog[data-testid="checklist"]:visible')
      await checklist.waitFor()
      assert.match(await checklist.innerText(), /还有 \d+ 项需要完成才能提交/)
      await checklist.locator('[data-field="problem"] a').click()
      await checklist.waitFor({ state: 'hidden' })
      await page.waitForFunction(() => document.activeElement?.id === 'field-problem')

      await typeInto(page, 'summary', '以网格为单元，整合党员、志愿者和物业力量，群众诉求“小事不出网格”。')
      await typeInto(page, 'problem', '老旧小区矛盾纠纷多、诉求渠道分散，群众反映问题“找不到人”。')
      await typeInto(page, 'approach', '一是划细网格；二是建立“网格员+楼栋长”队伍；三是用小程序受理、流转、回访闭环。')
      await typeInto(page, 'results', '累计化解矛盾纠纷236宗，群众满意率98%，相关做法被3个街道学习借鉴。')
      await typeInto(page, 'replicability', '工作流程、培训手册已标准化，可在其他社区复制推广。')
      await typeInto(page, 'sustainability', '纳入街道年度工作要点和财政预算，建立季度考评机制。')
      await typeInto(page, 'contact_name', '李网格')
      await typeInto(page, 'contact_phone', '13800001234')
      await page.locator('[data-field="category"] .el-select__wrapper').click()
      await page.locator('.el-select-dropdown__item:visible', { hasText: '基层治理' }).click()
      const date = page.locator('#field-start_date')
      await date.click()
      await date.fill('2023-03-01')
      await date.press('Enter')
      await page.locator('[data-testid="save-state"][data-state="saved"]').waitFor()
      const saved = await api(page, 'GET', `/api/v1/projects/${projectID}`)
      assert.equal(saved.title, projectTitle)
      assert.equal(saved.category, '基层治理')
      assert.equal(saved.start_date, '2023-03-01')
      assert.deepEqual(saved.missing, [], 'every field reached the server')

      // ---- a photo and a PDF ------------------------------------------------------------------
      const input = page.locator('[data-testid="media-input"]')
      await input.setInputFiles([join(dir, '社区活动照片.png'), join(dir, '项目材料.pdf')])
      const items = page.locator('[data-testid="media-item"]')
      await items.filter({ hasText: '社区活动照片.png' }).waitFor({ timeout: 30_000 })
      await items.filter({ hasText: '项目材料.pdf' }).waitFor({ timeout: 30_000 })

      // ---- a file named .jpg that is not a photo: 415, explained in its row --------------------
      await input.setInputFiles([join(dir, '伪装的照片.jpg')])
      const fake = page.locator('[data-testid="upload-row"][data-filename="伪装的照片.jpg"]')
      await fake.getByText('文件类型不支持：请上传照片、视频、PDF、Word 或 PPT').waitFor({ timeout: 20_000 })
      await fake.locator('[data-action="remove"]').click()
      await fake.waitFor({ state: 'detached' })

      // ---- the video, with the connection cut mid-way -----------------------------------------
      // Parts the server confirmed (a 200 to PUT …/parts/n or POST …/parts/n/done), and parts
      // started after the connection came back (PUT …/parts/n or POST …/parts/n/url).
      const confirmed = new Set()
      const startedAfter = []
      let restored = false
      let cutDone = null
      const cutWhen = new Promise((resolve) => (cutDone = resolve))
      page.on('response', (res) => {
        const m = /\/api\/v1\/uploads\/[0-9a-f]{32}\/parts\/(\d+)(\/done)?$/.exec(res.url())
        if (!m || res.status() !== 200) return
        const method = res.request().method()
        if ((method === 'PUT' && !m[2]) || (method === 'POST' && m[2])) {
          confirmed.add(Number(m[1]))
          if (!restored && confirmed.size >= 4) cutDone()
        }
      })
      let directPuts = 0
      page.on('request', (req) => {
        if (req.method() === 'PUT' && !req.url().startsWith(proxy.url)) directPuts++
        if (!restored) return
        const m = /\/api\/v1\/uploads\/[0-9a-f]{32}\/parts\/(\d+)(\/url)?$/.exec(req.url())
        if (m && ((req.method() === 'PUT' && !m[2]) || (req.method() === 'POST' && m[2]))) startedAfter.push(Number(m[1]))
      })

      await input.setInputFiles([join(dir, '项目视频.mp4')])
      const video = page.locator('[data-testid="upload-row"][data-filename="项目视频.mp4"]')
      await video.waitFor()
      await cutWhen
      await proxy.cut()
      const before = new Set(confirmed)
      t.diagnostic(`cut after ${before.size} confirmed parts: ${[...before].sort((a, b) => a - b).join(', ')}`)
      await video.getByText('网络中断，已暂停，恢复后自动继续').waitFor({ timeout: 20_000 })
      assert.equal(await video.getAttribute('data-state'), 'offline')
      await page.waitForTimeout(1500)
      restored = true
      await proxy.restore()
      await items.filter({ hasText: '项目视频.mp4' }).waitFor({ timeout: 150_000 })
      t.diagnostic(`${process.env.LEITAI_E2E_MODE ?? 'sqlite'}: ${directPuts} parts went straight to the object store`)
      const resent = startedAfter.filter((n) => before.has(n))
      assert.deepEqual(resent, [], `parts the server already had were sent again: ${resent.join(', ')}`)
      assert.ok(startedAfter.length > 0, 'the upload went on after the connection came back')
      assert.ok(before.size < Math.ceil(VIDEO_BYTES / (8 * 1024 * 1024)), 'the cut came before the last part')
      const media = await api(page, 'GET', `/api/v1/projects/${projectID}/media`)
      const stored = media.media.find((m) => m.filename === '项目视频.mp4')
      assert.equal(stored?.size, VIDEO_BYTES)
      assert.equal(stored?.kind, 'video')

      // ---- submit ------------------------------------------------------------------------------
      await page.locator('[data-section="media"][data-done="true"]').waitFor()
      await page.locator('[data-testid="submit-open"]').click()
      await checklist.waitFor()
      await checklist.getByText('内容已填写完整，可以提交。').waitFor()
      await checklist.locator('[data-testid="submit-confirm"]').click()
      await checklist.waitFor({ state: 'hidden' })
      await page.locator('[data-testid="editor-head"] [data-testid="status-chip"][data-status="submitted"]').waitFor()
      await page.locator('[data-testid="readonly-view"]').waitFor()
      await page.locator('[data-testid="versions"]').getByText(/第 1 版/).waitFor()

      await page.goto(`${proxy.url}/portal`)
      const card = page.locator(`[data-testid="project-card"][data-project-id="${projectID}"]`)
      await card.locator('[data-testid="status-chip"]').getByText('已提交').waitFor()

      // ---- the admin marks it eligible and exports ---------------------------------------------
      await admin.goto(`${base}/admin/submissions`)
      await admin.getByRole('heading', { level: 1, name: '申报项目' }).waitFor()
      const row = admin.locator('[data-testid="submissions-table"] .el-table__row', {
        has: admin.locator(`[data-project-id="${projectID}"]`),
      })
      await row.waitFor()
      await row.locator('.el-checkbox').click()
      await admin.locator('[data-testid="bulk-approve"]').click()
      await admin.locator('.el-message-box:visible .el-button--primary').click()
      await row.locator('[data-status="eligible"]').waitFor()

      const [download] = await Promise.all([
        admin.waitForEvent('download'),
        admin.locator('[data-testid="export-xlsx"]').click(),
      ])
      assert.match(download.suggestedFilename(), /\.xlsx$/)

      // The unit sees the verdict.
      await page.reload()
      await card.locator('[data-testid="status-chip"]').getByText('资格审核通过').waitFor()
    })
  })
})
