// Notifications end to end in real Chromium against the suite's server (SQLite or PostgreSQL,
// scripts/e2e.sh), with e-mail read back from the real Mailpit the script starts and points the
// server's SMTP at (LEITAI_E2E_MAILPIT). In the browser: the unit sets its e-mail address in its
// settings and submits; the admin returns the project with a reason; the unit's bell counts the
// notifications, shows the return with the reason and opens the project from it (the project says
// why it came back); the list page marks all read; another user's notification is 404 to the
// admin. The e-mail of the return arrives in Mailpit with the reason and the link.
import assert from 'node:assert/strict'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { baseURL, launchBrowser } from './browser.mjs'
import { apiAs, signIn, uploadPNG } from './support.mjs'

const suffix = `${Date.now().toString(36)}${Math.floor(Math.random() * 1000)}`
const base = baseURL()
const adminUser = process.env.LEITAI_E2E_ADMIN_USER
const adminPassword = process.env.LEITAI_E2E_ADMIN_PASSWORD
const mailAPI = `${process.env.LEITAI_E2E_MAILPIT}/api/v1`
const dir = tmpdir()
let browser

before(async () => {
  if (!adminUser || !adminPassword) throw new Error('LEITAI_E2E_ADMIN_USER and LEITAI_E2E_ADMIN_PASSWORD must be set (scripts/e2e.sh does).')
  if (!process.env.LEITAI_E2E_MAILPIT) {
    throw new Error('LEITAI_E2E_MAILPIT is not set: run scripts/e2e.sh with LEITAI_TEST_MAILPIT (eval "$(scripts/provision.sh)") so the server sends to a real Mailpit.')
  }
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
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
    const admin = await apiAs(base, adminUser, adminPassword)
    t.after(() => admin.dispose())
    const now = Date.now()
    const edition = await admin('POST', '/api/v1/editions', {
      // An old year: never the "current" edition other tests (the portal's) expect to be theirs.
      year: 2000 + Math.floor(Math.random() * 20),
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
      await signIn(page, base, adminUser, adminPassword)
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
      if (process.env.LEITAI_E2E_ARTIFACTS) await page.screenshot({ path: join(process.env.LEITAI_E2E_ARTIFACTS, 'notify_bell.png') })
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
    const adminList = await admin('GET', '/api/v1/notifications?limit=100')
    const theirs = new Set(mine.map((n) => n.id))
    assert.equal(adminList.notifications.filter((n) => theirs.has(n.id)).length, 0, "the admin's list holds none of the unit's")

    // The e-mails arrived in the SMTP server: the return with its reason and the link.
    const mail = await mailTo(email, '退回修改')
    assert.ok(mail.Text.includes(reason), `the e-mail gives the reason: ${mail.Text}`)
    assert.ok(mail.Text.includes(`${base}/portal/projects/${p.id}`), `the e-mail links the project: ${mail.Text}`)
    assert.equal(mail.From.Address, 'leitai@example.org')
    await mailTo(email, '申报已收到')
  })
})
