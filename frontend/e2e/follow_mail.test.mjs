// The follow-through's reminder e-mail in real Chromium and a real Mailpit. The spec seeds its own
// server with `leitai demo` (one funded project has a late progress report and a plan whose
// responsible person has an e-mail address) in a throwaway SQLite data dir and serves it with the
// SMTP server scripts/e2e.sh starts (LEITAI_SMTP_URL, read back over LEITAI_E2E_MAILPIT). The
// reminder round at start claims the late reminder in the database and sends it: the e-mail
// arrives in Mailpit, Chinese first with the English after it, naming the project, the milestone
// and its due date; on a phone, the unit's home shows the same milestone with its date, flagged
// late.
import assert from 'node:assert/strict'
import { execFileSync, spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { launchBrowser } from './browser.mjs'
import { apiAs, signIn } from './support.mjs'

const password = `mail-${Date.now().toString(36)}`
const mailAPI = `${process.env.LEITAI_E2E_MAILPIT}/api/v1`
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
  if (!process.env.LEITAI_E2E_MAILPIT || !process.env.LEITAI_SMTP_URL) {
    throw new Error('LEITAI_E2E_MAILPIT is not set: run scripts/e2e.sh with LEITAI_TEST_MAILPIT (eval "$(scripts/provision.sh)") so the server sends to a real Mailpit.')
  }
  const binary = process.env.LEITAI_BIN.startsWith('/') ? process.env.LEITAI_BIN : join(process.cwd(), '..', process.env.LEITAI_BIN)
  dir = await mkdtemp(join(tmpdir(), 'leitai-follow-mail-'))
  // Its own SQLite store and local media; the e-mail goes to the suite's Mailpit (LEITAI_SMTP_URL).
  const env = { ...process.env, LEITAI_DATABASE_URL: '', LEITAI_S3_ENDPOINT: '', LEITAI_DATA_DIR: join(dir, 'data') }
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

/** mailsTo waits until Mailpit has a message to address whose subject contains text, and returns them all. */
async function mailsTo(address, text) {
  const deadline = Date.now() + 60_000
  while (Date.now() < deadline) {
    const list = await (await fetch(`${mailAPI}/messages?limit=200`)).json()
    const hits = (list.messages ?? []).filter((m) => m.To.some((to) => to.Address === address) && m.Subject.includes(text))
    if (hits.length > 0) return Promise.all(hits.map(async (h) => (await fetch(`${mailAPI}/message/${h.ID}`)).json()))
    await new Promise((r) => setTimeout(r, 500))
  }
  throw new Error(`no e-mail to ${address} about ${text} within a minute`)
}

describe('follow-through reminders', () => {
  test('the late report’s reminder arrives by e-mail and the unit’s home shows the same milestone', async (t) => {
    const admin = await apiAs(base, 'admin', password)
    t.after(() => admin.dispose())
    // The funded project whose report is late and whose plan names a responsible person with an address.
    const awards = (await admin('GET', `/api/v1/editions/${demo.edition_id}/awards`)).awards
    let late = null
    for (const a of awards) {
      if (a.next_due?.flag !== 'late') continue
      const d = await admin('GET', `/api/v1/awards/${a.id}`)
      if (d.plan?.status === 'approved' && d.plan.contact_email) late = d
    }
    assert.ok(late, 'the demo has a late report whose plan gives an e-mail address')
    const to = late.plan.contact_email
    const m = late.next_due

    const mails = await mailsTo(to, '进展报告已逾期')
    assert.equal(mails.length, 1, `one late reminder, not ${mails.length}`)
    const mail = mails[0]
    assert.ok(mail.Subject.includes(late.project_title), `the subject names the project: ${mail.Subject}`)
    assert.ok(mail.Text.includes(`「${m.title}」`) && mail.Text.includes(m.due_on), `the e-mail names the milestone and its due date: ${mail.Text}`)
    assert.ok(mail.Text.indexOf('您好') < mail.Text.indexOf('The milestone'), 'Chinese first, then English')
    assert.equal(mail.From.Address, 'leitai@example.org')

    // The same reminder in the app: the unit's home, on a phone, shows the milestone and its date, flagged late.
    const unitUser = (await admin('GET', '/api/v1/users?role=unit')).users.find((u) => u.unit_id === late.unit_id)
    assert.ok(unitUser, 'the late project’s unit has an account')
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, hasTouch: true })
    t.after(() => context.close())
    const page = await context.newPage()
    page.setDefaultTimeout(15_000)
    try {
      await signIn(page, base, unitUser.username, password)
      await page.goto(`${base}/portal`)
      const card = page.getByTestId(`follow-card-${late.id}`)
      await card.waitFor()
      const due = card.getByTestId('follow-card-due')
      const text = await due.textContent()
      assert.ok(text.includes(m.title) && text.includes(m.due_on), `the unit's home shows what is due: ${text}`)
      assert.ok(text.includes('已逾期'), `flagged late: ${text}`)
    } catch (err) {
      const file = join(process.env.LEITAI_E2E_ARTIFACTS || dir, 'follow_mail_unit.png')
      await page.screenshot({ path: file, fullPage: true }).catch(() => undefined)
      if (err instanceof Error) err.message += `\n  screenshot: ${file}`
      throw err
    }
  })
})
