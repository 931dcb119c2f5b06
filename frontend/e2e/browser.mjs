// Shared set-up for the browser tests: the server's address, Debian's Chromium through
// playwright-core (never a downloaded browser), and a page wrapper that screenshots failures.
import { existsSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium } from 'playwright-core'

/** CHROMIUM_ARGS are the flags the browser runs with (ARCHITECTURE.md, "Tests and CI"). */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
]

/**
 * baseURL returns the address of the running leitai server, from LEITAI_E2E_BASE_URL, without a
 * trailing slash. The tests never start a server themselves: `make test` does.
 */
export function baseURL() {
  const value = process.env.LEITAI_E2E_BASE_URL
  if (!value) {
    throw new Error(
      'LEITAI_E2E_BASE_URL is not set. The browser tests run against a live `leitai serve`: ' +
        'run them with `make test`, which builds the frontend, starts the server and sets it ' +
        '(or start a server yourself and export LEITAI_E2E_BASE_URL=http://127.0.0.1:PORT).',
    )
  }
  return value.replace(/\/+$/, '')
}

/** launchBrowser starts Chromium from CHROMIUM_PATH (default /usr/bin/chromium). */
export async function launchBrowser() {
  const executablePath = process.env.CHROMIUM_PATH || '/usr/bin/chromium'
  if (!existsSync(executablePath)) {
    throw new Error(
      `Chromium not found at ${executablePath}. Install it with ` +
        '`apt-get update && apt-get install -y chromium fonts-noto-cjk`, or set CHROMIUM_PATH.',
    )
  }
  return chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS })
}

let artifactsDir = null

async function artifactsDirectory() {
  artifactsDir ??= process.env.LEITAI_E2E_ARTIFACTS || (await mkdtemp(join(tmpdir(), 'leitai-e2e-')))
  return artifactsDir
}

/**
 * withPage runs fn with a fresh browser context and page (so localStorage does not leak between
 * tests). When fn fails, or the page threw an uncaught error, it saves a full-page screenshot and
 * names its path in the error.
 */
export async function withPage(browser, t, fn) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
  const page = await context.newPage()
  page.setDefaultTimeout(10_000)
  const pageErrors = []
  page.on('pageerror', (err) => pageErrors.push(err))
  try {
    await fn(page)
    if (pageErrors.length > 0) {
      throw new Error(`uncaught error in the page: ${pageErrors.map((e) => e.stack || e.message).join('\n')}`)
    }
  } catch (err) {
    const file = join(await artifactsDirectory(), `${t.name.replace(/[^\w-]+/g, '_')}.png`)
    try {
      await page.screenshot({ path: file, fullPage: true })
      t.diagnostic(`screenshot: ${file}`)
      if (err instanceof Error) err.message += `\n  screenshot: ${file}`
    } catch (shotErr) {
      t.diagnostic(`screenshot failed: ${shotErr}`)
    }
    throw err
  } finally {
    await context.close()
  }
}
