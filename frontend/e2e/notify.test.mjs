// Notifications end to end in real Chromium, with e-mail read back from a real SMTP server. The
// spec runs its own Mailpit (LEITAI_TEST_MAILPIT, which scripts/provision.sh builds) and its own
// leitai server (LEITAI_BIN, SQLite in a throwaway data dir) sending through it. In the browser: the
// unit sets its e-mail address in its settings and submits; the admin returns the project with a
// reason; the unit's bell counts the notifications, shows the return with the reason and opens
// the project from it (the project says why it came back); the list page marks all read. The
// e-mail of the return arrives in Mailpit with the reason and the link.
import assert from 'node:assert/strict'
import { execFileSync, spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { launchBrowser } from './browser.mjs'
import { apiAs, signIn, uploadPNG } from './support.mjs'

const suffix = `${Date.now().toString(36)}${Math.floor(Math.random() * 1000)}`
const adminPassword = `notify-admin-${suffix}`
let browser
let server
let mailpit
let dir
let base
let mailAPI

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address()
      s.close(() => resolve(port))
    })
    s.on('error', reject)
  })
}

async function waitReady(url) {
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(url)).ok) return
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`${url} did not answer`)
}

before(async () => {
  if (!process.env.LEITAI_BIN) throw new Error('LEITAI_BIN must name the leitai binary (scripts/e2e.sh sets it).')
  if (!process.env.LEITAI_TEST_MAILPIT) throw new Error('LEITAI_TEST_MAILPIT must name the Mailpit binary (eval "$(scripts/provision.sh)" sets it).')
  const binary = process.env.LEITAI_BIN.startsWith('/') ? process.env.LEITAI_BIN : join(process.cwd(), '..', process.env.LEITAI_BIN)
  dir = await mkdtemp(join(tmpdir(), 'leitai-notify-'))
  const [smtpPort, mailHTTP, port] = [await freePort(), await freePort(), await freePort()]
  mailpit = spawn(
    process.env.LEITAI_TEST_MAILPIT,
    ['--smtp', `127.0.0.1:${smtpPort}`, '--listen', `127.0.0.1:${mailHTTP}`, '--database', join(dir, 'mailpit.db'), '--smtp-auth-accept-any', '--smtp-auth-allow-insecure', '--disable-version-check'],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  )
  mailAPI = `http://127.0.0.1:${mailHTTP}/api/v1`
  await waitReady(`http://127.0.0.1:${mailHTTP}/readyz`)
  base = `http://127.0.0.1:${port}`
  const env = {
    ...process.env,
    LEITAI_DATABASE_URL: '',
    LEITAI_S3_ENDPOINT: '',
    LEITAI_DATA_DIR: join(dir, 'data'),
    LEITAI_SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
    LEITAI_SMTP_FROM: 'leitai@example.org',
    LEITAI_PUBLIC_URL: base,
  }
  execFileSync(binary, ['user', 'create', '--username', 'admin', '--role', 'admin', '--display-name', '组委会管理员'], { env, input: `${adminPassword}\n` })
  server = spawn(binary, ['serve', '--addr', `127.0.0.1:${port}`, '--log-level', 'warn'], { env, stdio: ['ignore', 'ignore', 'inherit'] })
  await waitReady(`${base}/readyz`)
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
  server?.kill()
  mailpit?.kill()
  if (dir) await rm(dir, { recursive: true, force: true })
})

/** inContext runs fn on a fresh page and screenshots it when fn fails. */
async function inContext(t, label, fn) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
  const page = await context.newPage()
  page.setDefaultTimeout(15_000)
  const errors = []
  page.on('pageerror', (err) => errors.push(err))
  try {
    await fn(page)
    if (errors.length) throw new Error(`uncaught error in the page: ${errors.map((e) => e.stack || e.message).join('\n')}`)
  } catch (err) {
    const file = join(process.env.LEITAI_E2E_ARTIFACTS || dir, `notify_${label}.png`)
    await page.screenshot({ path: file, fullPage: true }).catch(() => undefined)
    if (err instanceof Error) err.message += `\n  screenshot: ${file}`
    throw err
  } finally {
    await context.close()
  }
}

/** field finds the input of an Element Plus field by its test id (on the input or around it). */
function field(page, id) {
  return page.locator(`input[data-testid="${id}"], textarea[data-testid="${id}"], [data-testid="${id}"] input, [data-testid="${id}"] textarea`).first()
}

/** mailTo waits until Mailpit has a message to address whose subject contains text, and returns it with its text. */
async function mailTo(address, text) {
  const deadline = Date.now() + 60_000
  while (Date.now() < deadline) {
    const list = await (await fetch(`${mailAPI}/messages?limit=100`)).json()
    const hit = (list.messages ?? []).find((m) => m.To.some((to) => to.Address === address) && m.Subject.includes(text))
    if (hit) return (await fetch(`${mailAPI}/message/${hit.ID}`)).json()
    await new Promise((r) => setTimeout(r, 500))
  }
  throw new Error(`no e-mail to ${address} about ${text} within a minute`)
}

describe('notifications', () => {
  test('a unit submits, the admin returns it with a reason, the unit is told in the app and by e-mail and opens the project', async (t) => {
    const admin = await apiAs(base, 'admin', adminPassword)
    t.after(() => admin.dispose())
    const now = Date.now()
    const edition = await admin('POST', '/api/v1/editions', {
      year: new Date().getFullYear(),
      title: `通知测试届次${suffix}`,
      categories: ['基层治理'],
      opens_at: new Date(now - 3600_000).toISOString(),
      closes_at: new Date(now + 7 * 86400_000).toISOString(),
      grace_minutes: 0,
      quota_per_unit: 2,
      status: 'active',
    })
    const unit = await admin('POST', '/api/v1/units', { kind: 'city', name: `通知市${suffix}`, parent_id: null, contact_name: '', contact_phone: '' })
    const username = `notifyunit${suffix}`
    const password = `notify-unit-${suffix}`
    const email = `unit-${suffix}@example.org`
    await admin('POST', '/api/v1/users', { username, password, display_name: '通知区申报员', roles: ['unit'], unit_id: unit.id })
    const unitAPI = await apiAs(base, username, password)
    t.after(() => unitAPI.dispose())
    const title = `议事厅${suffix.slice(-4)}`
    const p = await unitAPI('POST', `/api/v1/editions/${edition.id}/projects`, {})
    await unitAPI('PUT', `/api/v1/projects/${p.id}`, {
      title,
      category: '基层治理',
      summary: '以议事厅为平台，居民事居民议。',
      problem: '居民参与渠道少。',
      approach: '一是建议事厅；二是定规则；三是抓落实。',
      results: '议定事项112件，办结率95%。',
      replicability: '议事规则已标准化。',
      sustainability: '纳入社区年度工作计划。',
      start_date: '2023-03-01',
      contact_name: '王主任',
      contact_phone: '13800001234',
    })
    await uploadPNG(unitAPI, p.id, '议事现场.png')
    const reason = `请补充成效数据的来源${suffix.slice(-3)}`

    // The unit sets its e-mail address in its own settings, then submits in the portal.
    await inContext(t, 'unit-submit', async (page) => {
      await signIn(page, base, username, password)
      await page.getByTestId('account-menu').click()
      await page.getByTestId('menu-settings').click()
      await page.waitForURL(/\/settings$/)
      await field(page, 'settings-email').fill(email)
      await page.getByTestId('settings-save').click()
      await page.locator('.el-message--success').filter({ hasText: '设置已保存' }).waitFor()
      const saved = await unitAPI('GET', '/api/v1/me/settings')
      assert.equal(saved.email, email)

      await page.goto(`${base}/portal/projects/${p.id}`)
      await page.getByTestId('submit-open').click()
      await page.getByTestId('submit-confirm').click()
      await page.locator('[data-testid="status-chip"][data-status="submitted"]').first().waitFor()
      // Moving on, the bell counts the submission's notification.
      await page.goto(`${base}/portal`)
      await page.locator('[data-testid="notification-count"]', { hasText: '1' }).waitFor()
    })

    // The admin returns it with the reason.
    await inContext(t, 'admin-return', async (page) => {
      await signIn(page, base, 'admin', adminPassword)
      await page.goto(`${base}/admin/projects/${p.id}`)
      await page.getByTestId('detail-return').click()
      // A return needs its reason: the button waits for one.
      assert.equal(await page.getByTestId('return-confirm').isDisabled(), true)
      await field(page, 'return-reason').fill(reason)
      await page.getByTestId('return-confirm').click()
      await page.locator('[data-testid="status-chip"][data-status="returned"]').first().waitFor()
      await page.getByText(reason).first().waitFor()
    })

    // The unit sees it under the bell, opens the project from it, and reads the reason there.
    await inContext(t, 'unit-notified', async (page) => {
      await signIn(page, base, username, password)
      await page.locator('[data-testid="notification-count"]', { hasText: '2' }).waitFor()
      await page.getByTestId('notification-bell').click()
      const item = page.getByTestId('bell-item').first()
      await item.filter({ hasText: '项目已退回修改' }).waitFor()
      assert.ok((await item.textContent()).includes(reason), 'the notification gives the reason')
      await item.click()
      await page.waitForURL(new RegExp(`/portal/projects/${p.id}$`))
      await page.getByTestId('returned-note').filter({ hasText: reason }).waitFor()
      await page.locator('[data-testid="status-chip"][data-status="returned"]').first().waitFor()
      // Opening it marked it read: one left (the submission's).
      await page.locator('[data-testid="notification-count"]', { hasText: '1' }).waitFor()

      // The list page: both, newest first; mark all read empties the count.
      await page.goto(`${base}/notifications`)
      const rows = page.getByTestId('notification')
      await rows.nth(1).waitFor()
      assert.equal(await rows.count(), 2)
      assert.equal(await rows.nth(0).getAttribute('data-kind'), 'project.returned')
      assert.equal(await rows.nth(1).getAttribute('data-kind'), 'project.submitted')
      await page.getByTestId('read-all').click()
      await page.getByTestId('notification-count').waitFor({ state: 'detached' })
      assert.equal((await unitAPI('GET', '/api/v1/notifications')).unread, 0)
    })

    // Another user never sees the unit's notifications: theirs is 404 to the admin.
    const mine = (await unitAPI('GET', '/api/v1/notifications')).notifications
    await assert.rejects(admin('POST', `/api/v1/notifications/${mine[0].id}/read`, {}), / 404 /)
    const signedOut = await fetch(`${base}/api/v1/notifications`)
    assert.equal(signedOut.status, 401)
    const adminList = await admin('GET', '/api/v1/notifications')
    assert.equal(adminList.notifications.length, 0)

    // The e-mails arrived in the SMTP server: the return with its reason and the link.
    const mail = await mailTo(email, '退回修改')
    assert.ok(mail.Text.includes(reason), `the e-mail gives the reason: ${mail.Text}`)
    assert.ok(mail.Text.includes(`${base}/portal/projects/${p.id}`), `the e-mail links the project: ${mail.Text}`)
    assert.equal(mail.From.Address, 'leitai@example.org')
    await mailTo(email, '申报已收到')
  })
})
