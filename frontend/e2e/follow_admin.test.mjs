// The organiser's follow-through tools in real Chromium, on a server seeded by `leitai demo` in a throwaway
// SQLite data dir: the edition editor edits the award tiers (removing one that awards use is refused with
// the reason, adding and moving one is saved); an award is changed after signing with a reason and the
// version history shows both versions; an adoption (推广) is recorded with a unit picked from the unit tree,
// a date and evidence, and the public tracker shows it; a mentor is assigned and logs a visit on a tablet,
// which the organisers see and the public does not; the implementation status downloads as Excel.
import assert from 'node:assert/strict'
import { execFileSync, spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { launchBrowser } from './browser.mjs'
import { apiAs, signIn } from './support.mjs'

const password = `tiers-${Date.now().toString(36)}`
let browser
let server
let dir
let base
let demo

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

before(async () => {
  if (!process.env.LEITAI_BIN) throw new Error('LEITAI_BIN must name the leitai binary (scripts/e2e.sh sets it).')
  const binary = process.env.LEITAI_BIN.startsWith('/') ? process.env.LEITAI_BIN : join(process.cwd(), '..', process.env.LEITAI_BIN)
  dir = await mkdtemp(join(tmpdir(), 'leitai-follow-admin-'))
  // Its own SQLite store and local media, whatever mode the suite runs in; no e-mail.
  const env = { ...process.env, LEITAI_SMTP_URL: '', LEITAI_DATABASE_URL: '', LEITAI_S3_ENDPOINT: '', LEITAI_DATA_DIR: join(dir, 'data') }
  const port = await freePort()
  base = `http://127.0.0.1:${port}`
  demo = JSON.parse(
    execFileSync(binary, ['demo', '--json', '--password', password, '--addr', `127.0.0.1:${port}`, '--log-level', 'warn'], { env, encoding: 'utf8' }),
  )
  server = spawn(binary, ['serve', '--addr', `127.0.0.1:${port}`, '--log-level', 'warn'], { env, stdio: ['ignore', 'ignore', 'inherit'] })
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`${base}/readyz`)).ok) break
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
  server?.kill()
  if (dir) await rm(dir, { recursive: true, force: true })
})


/** inContext runs fn on a fresh desktop page and screenshots it when fn fails. */
async function inContext(label, fn) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true })
  const page = await context.newPage()
  page.setDefaultTimeout(15_000)
  const errors = []
  page.on('pageerror', (err) => errors.push(err))
  try {
    await fn(page)
    if (errors.length) throw new Error(`uncaught error in the page: ${errors.map((e) => e.stack || e.message).join('\n')}`)
  } catch (err) {
    const file = join(process.env.LEITAI_E2E_ARTIFACTS || dir, `follow_admin_${label}.png`)
    await page.screenshot({ path: file, fullPage: true }).catch(() => undefined)
    if (err instanceof Error) err.message += `\n  screenshot: ${file}`
    throw err
  } finally {
    await context.close()
  }
}

function field(page, id) {
  return page.locator(`input[data-testid="${id}"], textarea[data-testid="${id}"], [data-testid="${id}"] input, [data-testid="${id}"] textarea`).first()
}

describe('follow-through: the organiser’s tools', () => {
  test('tiers in the edition editor, an award changed after signing, an adoption on the tracker, the Excel export', async (t) => {
    const admin = await apiAs(base, 'admin', password)
    t.after(() => admin.dispose())
    const awards = (await admin('GET', `/api/v1/editions/${demo.edition_id}/awards`)).awards
    const signed = awards.find((a) => a.status === 'active' && a.signed_on)
    assert.ok(signed, 'the demo has a signed award in implementation')
    const usedTier = signed.tier
    const edition = await admin('GET', `/api/v1/editions/${demo.edition_id}`)
    const before = (await admin('GET', `/api/v1/editions/${demo.edition_id}/award-tiers`)).tiers

    await inContext('tiers', async (page) => {
      await signIn(page, base, 'admin', password)
      const openEditor = async () => {
        await page.goto(`${base}/admin/editions`)
        await page.locator('[data-testid="editions-table"] tr', { hasText: edition.title }).locator('[data-action="edit"]').first().click()
        await page.getByTestId('award-tiers').waitFor()
        await page.getByTestId(`tier-row-${before.length - 1}`).waitFor()
      }
      await openEditor()
      // Removing the tier that funded projects have is refused, with the reason, and the dialog stays open.
      const used = before.findIndex((x) => x.code === usedTier)
      await page.getByTestId(`tier-remove-${used}`).click()
      await page.getByTestId('edition-save').click()
      const refused = await page.getByTestId('tiers-error').innerText()
      assert.match(refused, /不能删除/, refused)
      assert.ok(refused.includes(usedTier), `the refusal names the tier: ${refused}`)
      await page.getByTestId('edition-dialog').getByRole('button', { name: '取消' }).click()
      // Add a tier, name it in both languages and move it up one place: saved.
      await openEditor()
      await page.getByTestId('tier-add').click()
      const last = before.length
      await field(page, `tier-zh-${last}`).fill('特别奖')
      await field(page, `tier-en-${last}`).fill('Special Award')
      await page.getByTestId(`tier-up-${last}`).click()
      await page.getByTestId('edition-save').click()
      await page.getByTestId('edition-dialog').waitFor({ state: 'hidden' })
    })
    const after = (await admin('GET', `/api/v1/editions/${demo.edition_id}/award-tiers`)).tiers
    assert.equal(after.length, before.length + 1)
    assert.deepEqual(after[before.length - 1], { code: 'tier-1', name_zh: '特别奖', name_en: 'Special Award' })
    assert.deepEqual(after[before.length], before[before.length - 1], 'the last tier moved down one place')

    const units = await admin('GET', '/api/v1/units')
    const adopted = new Set((await admin('GET', `/api/v1/awards/${signed.id}`)).adoptions.map((a) => a.unit_name))
    const adopter = units.units.find((u) => u.kind === 'county' && u.id !== signed.unit_id && u.name !== signed.county_name && !adopted.has(u.name))
    assert.ok(adopter, 'another county to adopt the project')

    const mentor = (await admin('GET', '/api/v1/users?role=expert')).users.find((u) => u.unit_id == null && !u.disabled && u.username !== 'expert1')
    assert.ok(mentor, 'an expert outside any unit to mentor the project')

    await inContext('award', async (page) => {
      await signIn(page, base, 'admin', password)
      await page.goto(`${base}/admin/follow/awards/${signed.id}`)
      // After signing, a change needs a reason and becomes a new version; both versions are listed.
      await page.getByTestId('award-change').click()
      await page.getByTestId('change-dialog').waitFor()
      // ¥10,000.12 more than the award's funding.
      const fen = String(signed.funding_fen + 1_000_012)
      const yuan = `${fen.slice(0, -2)}.${fen.slice(-2)}`
      const shown = `¥${fen.slice(0, -2).replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${fen.slice(-2)}`
      await field(page, 'change-funding').fill(yuan)
      await page.getByTestId('change-submit').click()
      await page.getByText('协议已签订，请说明变更原因').waitFor()
      await field(page, 'change-reason').fill('财政预算调整，追加资助')
      await page.getByTestId('change-submit').click()
      const v = signed.version + 1
      const latest = page.getByTestId(`award-version-${v}`)
      await latest.waitFor()
      const text = await latest.innerText()
      assert.ok(text.includes(shown) && text.includes('财政预算调整，追加资助'), `${shown}: ${text}`)
      await page.getByTestId(`award-version-${signed.version}`).waitFor()

      // An adoption: the unit from the tree, a date, the evidence.
      await page.getByTestId('adoption-add').click()
      await page.getByTestId('adopt-dialog').waitFor()
      await page.getByTestId('adopt-submit').click()
      await page.getByText('请选择采用单位').waitFor()
      await page.getByTestId('adopt-dialog').locator('.el-select[data-testid="adopt-unit"]').click()
      await page.keyboard.type(adopter.name)
      await page.locator('.el-tree-node__content:visible', { hasText: adopter.name }).first().click()
      await field(page, 'adopt-evidence').fill('惠府办〔2026〕12号 推广网格化调解经验')
      await page.getByTestId('adopt-submit').click()
      await page.getByTestId('adopt-dialog').waitFor({ state: 'hidden' })
      assert.ok((await page.getByTestId('award-adoptions').innerText()).includes(adopter.name))

      // A mentor (导师): an expert outside the unit's chain.
      await page.getByTestId('mentor-add').click()
      await page.getByTestId('mentor-expert').click()
      await page.keyboard.type(mentor.username)
      const option = page.locator('.el-select-dropdown__item:visible', { hasText: mentor.username })
      await option.click()
      await option.waitFor({ state: 'hidden' })
      await page.getByTestId('mentor-submit').click()
      await page.getByTestId('award-mentors').getByText(mentor.display_name || mentor.username).first().waitFor()

      // The implementation status as Excel: one download, an .xlsx (a zip: "PK").
      await page.goto(`${base}/admin/follow?edition=${demo.edition_id}`)
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('follow-export').click()])
      assert.match(download.suggestedFilename(), /\.xlsx$/)
      const path = await download.path()
      const { readFile } = await import('node:fs/promises')
      const bytes = await readFile(path)
      assert.equal(bytes.subarray(0, 2).toString(), 'PK')
    })

    // The mentor logs a visit on a tablet; the organisers see it on the project's page.
    const notes = `走访${signed.unit_name}：台账规范，建议扩大覆盖`
    await inContext('mentor', async (page) => {
      await page.setViewportSize({ width: 1024, height: 768 })
      await signIn(page, base, mentor.username, password)
      await page.goto(`${base}/checks`)
      await page.getByTestId('checks-mentoring-link').click()
      await page.getByTestId(`mentored-${signed.id}`).waitFor()
      await page.getByTestId(`visit-log-${signed.id}`).click()
      await page.getByTestId('visit-submit').click()
      await page.getByText('请填写走访情况').waitFor()
      await field(page, 'visit-notes').fill(notes)
      await page.getByTestId('visit-submit').click()
      await page.getByTestId(`mentored-${signed.id}`).getByTestId('mentored-visit').filter({ hasText: notes }).waitFor()
    })
    const visits = (await admin('GET', `/api/v1/awards/${signed.id}`)).visits
    assert.ok(visits.some((v) => v.notes === notes && v.expert_id === mentor.id), 'the organisers see the visit')
    await inContext('admin_visits', async (page) => {
      await signIn(page, base, 'admin', password)
      await page.goto(`${base}/admin/follow/awards/${signed.id}`)
      await page.getByTestId('award-mentors').getByText(notes).waitFor()
    })

    // The public tracker, without signing in, shows the adoption as evidence of 推广性 — and no visit notes.
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } })
    t.after(() => context.close())
    const page = await context.newPage()
    await page.goto(`${base}/tracker`)
    const card = page.getByTestId(`tracker-card-${signed.id}`)
    await card.waitFor()
    assert.ok((await card.innerText()).includes(adopter.name), 'the tracker card lists the adopting unit')
    assert.ok(!(await page.content()).includes(notes), 'the public tracker shows no visit notes')
  })
})
