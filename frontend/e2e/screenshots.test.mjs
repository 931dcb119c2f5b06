// The README's screenshots, taken from the demo so they stay current: the portal (a unit's
// projects), expert scoring (a project on the scoring page), and the big screen at the reveal of
// the demo's first PK slot (driven through the host's API: present, Q&A, scoring, every judge's
// score, seal, reveal). With LEITAI_SCREENSHOTS=1 (`make screenshots`) they are written to
// docs/screenshots/, otherwise to the artefacts folder, so every e2e run checks they can be taken.
import assert from 'node:assert/strict'
import { mkdirSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { launchBrowser } from './browser.mjs'
import { startDemo } from './demo.mjs'
import { apiAs, signIn } from './support.mjs'

let browser
let demo
let outDir

before(async () => {
  demo = await startDemo('shots')
  browser = await launchBrowser()
  outDir = process.env.LEITAI_SCREENSHOTS === '1'
    ? join(new URL('.', import.meta.url).pathname, '..', '..', 'docs', 'screenshots')
    : process.env.LEITAI_E2E_ARTIFACTS || (await mkdtemp(join(tmpdir(), 'leitai-shots-')))
  mkdirSync(outDir, { recursive: true })
})
after(async () => {
  await browser?.close()
  await demo?.stop()
})

async function shoot(t, viewport, fn) {
  const context = await browser.newContext({ viewport })
  const page = await context.newPage()
  page.setDefaultTimeout(15_000)
  const errors = []
  page.on('pageerror', (e) => errors.push(e))
  try {
    const file = await fn(page)
    assert.deepEqual(errors, [], 'uncaught errors in the page')
    t.diagnostic(`screenshot: ${file}`)
  } finally {
    await context.close()
  }
}

describe('README screenshots from the demo', () => {
  test('the portal', async (t) => {
    await shoot(t, { width: 1366, height: 768 }, async (page) => {
      await signIn(page, demo.base, 'unit01', demo.demo.password)
      await page.goto(`${demo.base}/portal`)
      await page.locator('a[href^="/portal/projects/"]').first().waitFor()
      await page.locator('.el-message').first().waitFor({ state: 'detached', timeout: 10_000 }).catch(() => undefined)
      const file = join(outDir, 'portal.png')
      await page.screenshot({ path: file })
      return file
    })
  })

  test('expert scoring', async (t) => {
    await shoot(t, { width: 1366, height: 768 }, async (page) => {
      await signIn(page, demo.base, 'expert1', demo.demo.password)
      await page.goto(`${demo.base}/review`)
      const link = page.locator('a[href*="/review/rounds/"][href*="/projects/"]').first()
      await link.waitFor()
      await page.goto(`${demo.base}${await link.getAttribute('href')}`)
      await page.locator('[data-testid="criterion"], .criterion, input[type="number"], .el-slider').first().waitFor()
      await page.locator('.el-message').first().waitFor({ state: 'detached', timeout: 10_000 }).catch(() => undefined)
      const file = join(outDir, 'scoring.png')
      await page.screenshot({ path: file })
      return file
    })
  })

  test('the big screen at the reveal (and its rehearsal badge in Chinese only)', async (t) => {
    const event = demo.demo.live_event_id
    const admin = await apiAs(demo.base, 'admin', demo.demo.password)
    t.after(() => admin.dispose())
    for (const action of ['present', 'qa', 'present', 'qa', 'open_scoring']) {
      await admin('POST', `/api/v1/live-events/${event}/actions`, { action })
    }
    const host = await admin('GET', `/api/v1/live-events/${event}/host`)
    const slot = host.event?.slots?.[0] ?? host.slots?.[0]
    assert.ok(Array.isArray(slot) && slot.length > 0, 'the demo final has a first slot')
    const judges = host.event?.judges?.length ?? host.judges?.length ?? 5
    for (const [k, pid] of slot.entries()) {
      for (let seat = 1; seat <= judges; seat++) {
        const points = Object.fromEntries(host.rubric.map((c) => [c.key, Math.max(0, Number(c.max) - ((seat + k * 2) % 4) * Number(c.step))]))
        await admin('PUT', `/api/v1/live-events/${event}/scores/${pid}/seats/${seat}`, { points, reason: '演示截图：主持人代录' })
      }
    }
    await admin('POST', `/api/v1/live-events/${event}/actions`, { action: 'seal' })
    await admin('POST', `/api/v1/live-events/${event}/actions`, { action: 'reveal' })
    await shoot(t, { width: 1920, height: 1080 }, async (page) => {
      await page.goto(`${demo.base}/display/${event}`)
      await page.locator('[data-testid="display-screen"][data-phase="revealed"]').waitFor()
      await page.locator('[data-testid="display-winner"]').waitFor()
      await page.locator('.judge.is-struck').first().waitFor()
      // Item 6 of issue 15: the Chinese stage badge reads 彩排, with no English beside it.
      assert.equal((await page.locator('[data-testid="display-rehearsal"]').innerText()).trim(), '彩排')
      // The staged reveal ends with the leaderboard ranking both projects of the slot.
      for (const pid of slot) await page.locator(`[data-testid="leaderboard-row-${pid}"][data-rank]`).waitFor()
      await page.evaluate(() => document.fonts.ready)
      const file = join(outDir, 'stage-reveal.png')
      await page.screenshot({ path: file })
      return file
    })
  })
})
