// Accounts, units and the audit log in a real browser against a live server: the admin builds a
// unit tree and creates users, a unit user sees only the portal, repeated wrong passwords are
// slowed down, and the audit page both verifies the hash chain and notices a row changed behind
// the server's back. Run with `npm run test:e2e`; scripts/e2e.sh sets the variables below.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { baseURL, launchBrowser, withPage } from './browser.mjs'

const base = baseURL()
const adminUser = process.env.LEITAI_E2E_ADMIN_USER
const adminPassword = process.env.LEITAI_E2E_ADMIN_PASSWORD
const dataDir = process.env.LEITAI_E2E_DATA_DIR
let browser

before(async () => {
  if (!adminUser || !adminPassword || !dataDir) {
    throw new Error(
      'LEITAI_E2E_ADMIN_USER, LEITAI_E2E_ADMIN_PASSWORD and LEITAI_E2E_DATA_DIR must be set: ' +
        'scripts/e2e.sh creates an administrator before it starts the server and exports them.',
    )
  }
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
})

// Unique per run, so that reruns against the same server do not collide.
const suffix = `${Date.now().toString(36)}${Math.floor(Math.random() * 1000)}`

/**
 * signIn fills the login form and waits until the app has left the login page. The server also
 * slows down failures per address (all tests come from 127.0.0.1): when a rerun against the same
 * server hits that, it waits out the countdown the page shows and tries again.
 */
async function signIn(page, username, password) {
  await page.goto(`${base}/login`)
  for (let attempt = 0; attempt < 3; attempt++) {
    await page.locator('input[name="username"]').fill(username)
    await page.locator('input[name="password"]').fill(password)
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/login')),
      page.locator('input[name="password"]').press('Enter'),
    ])
    if (response.status() !== 429) break
    const wait = Number(response.headers()['retry-after'] ?? '5')
    await page.waitForFunction(
      () => !document.querySelector('[data-testid="login-submit"]')?.hasAttribute('disabled'),
      null,
      { timeout: (wait + 5) * 1000 },
    )
  }
  await page.waitForURL((url) => !url.pathname.startsWith('/login'))
}

/** signOut uses the account menu in the header. */
async function signOut(page) {
  await page.locator('[data-testid="account-menu"]').click()
  await page.locator('[data-testid="sign-out"]:visible').click()
  await page.getByRole('link', { name: '登录', exact: true }).first().waitFor()
}

/** navTexts returns the visible labels of the main navigation's links. */
async function navTexts(page) {
  const nav = page.locator('header[data-testid="app-header"] nav')
  await nav.locator('a').first().waitFor()
  return (await nav.locator('a').allInnerTexts()).map((s) => s.trim())
}

/** field selects the text input with this test id (Element Plus puts the attribute on the input). */
function field(id) {
  return `input[data-testid="${id}"], [data-testid="${id}"] input`
}

/** unitNode returns the tree row of the unit with exactly this name. */
function unitNode(page, name) {
  return page.locator(`[data-testid="units-tree"] .unit-node[data-unit-name="${name.replace(/"/g, '\\"')}"]`)
}

/**
 * addUnit opens the unit dialog (under parent, or as a root), checks the kind it proposes, fills
 * the name and contact, saves, and waits for the node to appear in the tree.
 */
async function addUnit(page, { name, parent, kindLabel, contact = '', phone = '' }) {
  if (parent) await unitNode(page, parent).locator('[data-action="add-child"]').click()
  else await page.locator('[data-testid="units-add-root"]').click()
  const dialog = page.locator('.el-dialog[data-testid="unit-dialog"]:visible')
  await dialog.waitFor()
  if (kindLabel) {
    await assert.doesNotReject(
      dialog.locator('[data-testid="unit-kind"]').getByText(kindLabel, { exact: true }).waitFor(),
      `the dialog proposes the kind ${kindLabel}`,
    )
  }
  await dialog.locator(field('unit-name')).fill(name)
  if (contact) await dialog.locator(field('unit-contact-name')).fill(contact)
  if (phone) await dialog.locator(field('unit-contact-phone')).fill(phone)
  await dialog.locator('[data-testid="unit-save"]').click()
  await dialog.waitFor({ state: 'hidden' })
  await unitNode(page, name).waitFor()
}

/** createUser fills the new-user dialog; unitName, when given, is picked in the unit tree-select. */
async function createUser(page, { username, displayName, password, role, unitName }) {
  await page.locator('[data-testid="users-create"]').click()
  const dialog = page.locator('.el-dialog[data-testid="user-dialog"]:visible')
  await dialog.waitFor()
  await dialog.locator(field('user-username')).fill(username)
  await dialog.locator(field('user-display-name')).fill(displayName)
  await dialog.locator(field('user-password')).fill(password)
  // The form proposes the expert role; switch to the one wanted.
  if (role !== 'expert') {
    await dialog.locator('[data-role="expert"]').click()
    await dialog.locator(`[data-role="${role}"]`).click()
  }
  if (unitName) {
    await dialog.locator('[data-testid="user-unit"]').click()
    await page.keyboard.type(unitName)
    await page
      .locator('.el-tree-select__popper:visible .el-tree-node__content', { hasText: unitName })
      .first()
      .click()
  }
  await dialog.locator('[data-testid="user-save"]').click()
  await dialog.waitFor({ state: 'hidden' })
  await page.locator(`[data-testid="users-table"] [data-username="${username}"]`).waitFor()
}

// The server's database: SQLite in the data dir (embedded default) or the PostgreSQL the runner
// started (LEITAI_E2E_MODE=postgres). The audit log is tampered with behind the server's back.
const databaseURL = process.env.LEITAI_E2E_DATABASE_URL || ''

/** auditDB reads and rewrites audit rows directly in the server's database. */
const auditDB = {
  /** query runs one SQL statement with text parameters and returns its first column, trimmed. */
  query(sql, ...params) {
    if (databaseURL) {
      // psql variables :'p1' … are quoted by psql itself.
      const vars = params.flatMap((p, i) => ['-v', `p${i + 1}=${p}`])
      const text = sql.replace(/\?/g, (() => { let n = 0; return () => `:'p${++n}'` })())
      // Variables are interpolated in scripts read from stdin (not in -c).
      return execFileSync('psql', [databaseURL, '-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', ...vars, '-f', '-'], { input: text + ';\n', encoding: 'utf8' }).trim()
    }
    const script = `
import sqlite3, sys
con = sqlite3.connect(sys.argv[1], timeout=10)
cur = con.execute(sys.argv[2], sys.argv[3:])
row = cur.fetchone()
con.commit()
print("" if row is None or row[0] is None else row[0])`
    return execFileSync('python3', ['-c', script, join(dataDir, 'leitai.db'), sql, ...params], { encoding: 'utf8' }).trim()
  },
}

describe('accounts, units and the audit log', () => {
  test('admin builds units and users; a unit user sees the portal only; the audit chain catches tampering', async (t) => {
    const city = `惠州市${suffix}`
    const county = `惠城区${suffix}`
    const town = `江北街道${suffix}`
    const village = `某社区${suffix}`
    const unitUsername = `unit${suffix}`
    const unitPassword = `unit-pass-${suffix}`
    const expertUsername = `expert${suffix}`

    await withPage(browser, t, async (page) => {
      // The admin signs in and lands in the admin console.
      await signIn(page, adminUser, adminPassword)
      await page.waitForURL(`${base}/admin`)
      await page.getByRole('heading', { level: 1, name: '管理后台' }).waitFor()

      // A four-level unit tree, built in the UI; each dialog proposes the next level's kind.
      await page.locator('[data-admin-nav="admin-units"]').click()
      await page.getByRole('heading', { level: 1, name: '单位管理' }).waitFor()
      await addUnit(page, { name: city, kindLabel: '市', contact: '张三', phone: '0752-2345678' })
      await addUnit(page, { name: county, parent: city, kindLabel: '县(区)' })
      await addUnit(page, { name: town, parent: county, kindLabel: '镇(街道)' })
      await addUnit(page, { name: village, parent: town, kindLabel: '村(社区)', contact: '李四', phone: '13800000001' })
      assert.match(await unitNode(page, village).innerText(), /村\(社区\)/)

      // The search box filters the tree.
      await page.locator(field('units-search')).fill(village)
      await unitNode(page, village).waitFor()
      await page.locator(field('units-search')).fill('')

      // A unit user for the village, and an expert.
      await page.locator('[data-admin-nav="admin-users"]').click()
      await page.getByRole('heading', { level: 1, name: '用户管理' }).waitFor()
      await createUser(page, {
        username: unitUsername,
        displayName: village,
        password: unitPassword,
        role: 'unit',
        unitName: village,
      })
      const unitRow = page.locator('[data-testid="users-table"] tr', { has: page.locator(`[data-username="${unitUsername}"]`) })
      assert.match(await unitRow.innerText(), new RegExp(village))
      await createUser(page, {
        username: expertUsername,
        displayName: `专家${suffix}`,
        password: `expert-pass-${suffix}`,
        role: 'expert',
      })

      // A one-time tablet link for the expert, with its QR code: it signs in once, then never again.
      const expertRow = page.locator('[data-testid="users-table"] .el-table__row', {
        has: page.locator(`[data-username="${expertUsername}"]`),
      })
      await expertRow.locator('[data-action="more"]').click()
      await page.locator('.el-dropdown-menu:visible').getByText('平板登录链接', { exact: true }).click()
      const linkDialog = page.locator('.el-dialog[data-testid="link-dialog"]:visible')
      await linkDialog.locator('[data-testid="link-create"]').click()
      await linkDialog.locator('[data-testid="link-result"] img').waitFor()
      assert.match(await linkDialog.innerText(), /有效期至 \d{4}-\d{2}-\d{2} \d{2}:\d{2}/)
      const linkURL = await linkDialog.locator(field('link-url')).inputValue()
      assert.match(linkURL, /\/login\/link#.+/)
      await linkDialog.locator('.el-dialog__footer').getByRole('button', { name: '关闭' }).click()
      const tablet = await browser.newContext({ viewport: { width: 1024, height: 768 } })
      try {
        const tab = await tablet.newPage()
        // The server's PUBLIC_URL may differ from the address the tests use: keep path and fragment.
        const target = new URL(linkURL)
        await tab.goto(`${base}${target.pathname}${target.hash}`)
        await tab.waitForURL(`${base}/review`)
        assert.equal(new URL(tab.url()).hash, '', 'the token is gone from the address bar')
        const tabletNav = await navTexts(tab)
        assert.ok(tabletNav.includes('专家评审'), `tablet nav: ${tabletNav}`)
        const again = await tablet.newPage()
        await again.goto(`${base}${target.pathname}${target.hash}`)
        await again.locator('[data-testid="link-failed"]', { hasText: '链接已失效，请联系组委会重新获取' }).waitFor()
      } finally {
        await tablet.close()
      }

      await signOut(page)

      // The unit user sees the public links and the portal, nothing else.
      await signIn(page, unitUsername, unitPassword)
      await page.waitForURL(`${base}/portal`)
      const labels = await navTexts(page)
      assert.deepEqual(labels, ['首页', '结果公示', '项目跟踪', '申报门户'])
      // And the admin console is refused.
      await page.goto(`${base}/admin/users`)
      await page.locator('[data-testid="forbidden"]').waitFor()
      await signOut(page)

      // Wrong passwords for the unit user are slowed down: the form shows a countdown.
      await page.goto(`${base}/login`)
      const error = page.locator('[data-testid="login-error"]')
      let limited = false
      for (let i = 0; i < 10 && !limited; i++) {
        await page.locator('input[name="username"]').fill(unitUsername)
        await page.locator('input[name="password"]').fill(`wrong-${i}`)
        const [response] = await Promise.all([
          page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/login')),
          page.locator('[data-testid="login-submit"]').click(),
        ])
        limited = response.status() === 429
        if (!limited) {
          assert.equal(response.status(), 401)
          await page.locator('[data-testid="login-error"]', { hasText: '用户名或密码错误' }).waitFor()
        }
      }
      assert.ok(limited, 'ten wrong passwords in a row end in 429')
      await page.locator('[data-testid="login-error"]', { hasText: '登录尝试过多' }).waitFor()
      assert.match(await error.innerText(), /登录尝试过多，请 \d+ 秒后再试/)
      assert.ok(await page.locator('[data-testid="login-submit"]').isDisabled(), 'the sign-in button waits out the countdown')

      // The admin (another account) can still sign in, and sees the actions in the audit log.
      await signIn(page, adminUser, adminPassword)
      await page.goto(`${base}/admin/audit`)
      await page.getByRole('heading', { level: 1, name: '审计日志' }).waitFor()
      const table = page.locator('[data-testid="audit-table"]')
      await table.locator('[data-action="unit.create"]').first().waitFor()
      await table.locator('[data-action="user.create"]').first().waitFor()
      assert.ok((await table.locator('[data-action="unit.create"]').count()) >= 4, 'four unit.create entries')
      assert.match(await table.innerText(), /创建单位/)
      assert.match(await table.innerText(), /创建用户/)

      await page.locator('[data-testid="audit-verify"]').click()
      const ok = page.locator('[data-testid="audit-ok"]')
      await ok.waitFor()
      assert.match(await ok.innerText(), /已校验 \d+ 条/)

      // Someone edits the first user.create row directly in the database...
      const tamperedID = Number(auditDB.query("SELECT MIN(id) FROM audit_log WHERE action = 'user.create'"))
      assert.ok(tamperedID > 0, `a user.create entry exists (${tamperedID})`)
      const original = auditDB.query('SELECT after_json FROM audit_log WHERE id = CAST(? AS INTEGER)', String(tamperedID))
      auditDB.query('UPDATE audit_log SET after_json = ? WHERE id = CAST(? AS INTEGER)', '{"tampered":true}', String(tamperedID))
      try {
        // ...and the verification names that row as the first broken one.
        await page.locator('[data-testid="audit-verify"]').click()
        const broken = page.locator('[data-testid="audit-broken"]')
        await broken.waitFor()
        assert.equal(await broken.getAttribute('data-broken-id'), String(tamperedID))
        assert.match(await broken.innerText(), new RegExp(`第 ${tamperedID} 条`))
        // The row is marked in the table once it is loaded.
        const showRow = broken.getByRole('button', { name: /加载到该条|定位到该条/ })
        if ((await showRow.count()) > 0) await showRow.click()
        await page.locator(`.audit-row-${tamperedID}.is-broken`).waitFor()
      } finally {
        // Put the row back so that the chain verifies again for later runs against this server.
        auditDB.query('UPDATE audit_log SET after_json = ? WHERE id = CAST(? AS INTEGER)', original, String(tamperedID))
      }
    })
  })

  test('text is stored as typed and rendered escaped', async (t) => {
    const name = `<img src=x onerror="window.__xss=1">测试${suffix}`
    await withPage(browser, t, async (page) => {
      await signIn(page, adminUser, adminPassword)
      await page.goto(`${base}/admin/units`)
      await page.getByRole('heading', { level: 1, name: '单位管理' }).waitFor()
      await addUnit(page, { name, kindLabel: '市' })

      const node = unitNode(page, name)
      assert.equal((await node.locator('.unit-node__name').innerText()).trim(), name)
      assert.equal(await page.locator('[data-testid="units-tree"] img').count(), 0)

      // Reloaded from the server, it is still the same text.
      await page.reload()
      await unitNode(page, name).waitFor()
      assert.equal((await unitNode(page, name).locator('.unit-node__name').innerText()).trim(), name)

      // The audit log shows it as text too.
      await page.goto(`${base}/admin/audit`)
      const first = page
        .locator('[data-testid="audit-table"] .el-table__row', { has: page.locator('[data-action="unit.create"]') })
        .first()
      await first.waitFor()
      await first.locator('.el-table__expand-icon').click()
      await page.locator('[data-testid="audit-table"] pre', { hasText: '测试' + suffix }).first().waitFor()

      assert.equal(await page.evaluate(() => window.__xss), undefined)
    })
  })
})
