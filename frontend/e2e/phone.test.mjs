// The audience's phone page on venue Wi-Fi: what /vote/:event downloads. A fresh 390 px phone opens
// the demo's live final; every script, stylesheet and the page itself are summed as sent and as
// gzip would send them (the budget: ≤ 100 KB gzip; the server itself does not compress, so what it
// sends is budgeted too). The phone page must not bring the rest of the app: no Element Plus, no
// ECharts, no router, no other interface's text. It still works as before: the event's projects,
// the language switch, the title. The figures are printed as test diagnostics.
import assert from 'node:assert/strict'
import { gzipSync } from 'node:zlib'
import { after, before, describe, test } from 'node:test'
import { launchBrowser } from './browser.mjs'
import { startDemo } from './demo.mjs'

// Budgets of bytes (not of time): the phone page's code, styles and document.
const GZIP_BUDGET = 100 * 1024
const SENT_BUDGET = 250 * 1024

let browser
let demo

before(async () => {
  demo = await startDemo('phone')
  browser = await launchBrowser()
})
after(async () => {
  await browser?.close()
  await demo?.stop()
})

/** load opens path on a fresh phone and returns what it downloaded, by resource type. */
async function load(path, ready) {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true })
  const page = await context.newPage()
  page.setDefaultTimeout(15_000)
  const responses = []
  page.on('response', (r) => responses.push(r))
  await page.goto(`${demo.base}${path}`)
  await ready(page)
  await page.waitForLoadState('networkidle')
  const files = []
  for (const r of responses) {
    const type = r.request().resourceType()
    if (!['document', 'script', 'stylesheet'].includes(type)) continue
    const body = await r.body()
    const sizes = await r.request().sizes()
    files.push({ type, path: new URL(r.url()).pathname, sent: sizes.responseBodySize, gzip: gzipSync(body).length, text: body.toString('utf8') })
  }
  return { page, context, files }
}

const kb = (n) => `${(n / 1024).toFixed(1)} KB`

describe('the phone vote page is light', () => {
  test('/vote downloads ≤ 100 KB gzip, without Element Plus, ECharts, the router or the other interfaces', async (t) => {
    const eventPath = `/vote/${demo.demo.live_event_id}`
    const { page, context, files } = await load(eventPath, (p) => p.locator('[data-testid="vote-page"] [data-testid="vote-phase"]').waitFor())
    t.after(() => context.close())
    const gzip = files.reduce((s, f) => s + f.gzip, 0)
    const sent = files.reduce((s, f) => s + f.sent, 0)
    for (const f of files) t.diagnostic(`${f.type} ${f.path}: ${kb(f.sent)} sent, ${kb(f.gzip)} gzip`)
    t.diagnostic(`${eventPath}: ${files.length} files, ${kb(sent)} sent, ${kb(gzip)} gzip`)
    assert.ok(files.some((f) => f.type === 'script'), 'the page loaded its scripts')
    assert.ok(gzip <= GZIP_BUDGET, `the phone page weighs ${kb(gzip)} gzip: the budget is ${kb(GZIP_BUDGET)}`)
    assert.ok(sent <= SENT_BUDGET, `the phone page sent ${kb(sent)}: the budget is ${kb(SENT_BUDGET)}`)
    for (const f of files) {
      // Marks of what must stay out: Element Plus's styles and components, ECharts, vue-router, and
      // the text of the other interfaces (the portal's and the host console's own words).
      assert.ok(!/ElementPlusError|\.el-button\{|\.el-message\{/.test(f.text), `${f.path} brings Element Plus`)
      assert.ok(!/echarts|zrender/i.test(f.text), `${f.path} brings ECharts`)
      assert.ok(!/No match found for location with path/.test(f.text), `${f.path} brings vue-router`)
      assert.ok(!f.text.includes('申报门户') && !f.text.includes('主持控制台'), `${f.path} brings the other interfaces' messages`)
    }

    // And the page is the same page: the live final's title and phase, Chinese first, English on a tap.
    assert.equal(await page.locator('html').getAttribute('lang'), 'zh-CN')
    assert.match(await page.title(), /^观众投票 · 擂台/)
    assert.match(await page.locator('.vote__title').innerText(), /终审PK赛/)
    await page.locator('[data-locale="en"]').click()
    await page.locator('html[lang="en"]').waitFor()
    assert.match(await page.title(), /^Audience vote/)
    assert.match(await page.locator('[data-testid="vote-phase"]').innerText(), /[A-Za-z]/)
  })

  test('the light page shows the demo final before its first slot (voting not yet open)', async (t) => {
    const { page, context } = await load(`/vote/${demo.demo.live_event_id}`, (p) => p.locator('[data-testid="vote-phase"]').waitFor())
    t.after(() => context.close())
    // The demo's final is before its first slot: voting has not opened, and the page says so.
    const view = await page.locator('[data-testid="vote-page"]').getAttribute('data-view')
    assert.ok(['notOpen', 'waiting', 'open'].includes(view ?? ''), `view ${view}`)
  })
})
