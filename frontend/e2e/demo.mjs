// A server of its own seeded by `leitai demo` (the demo's accounts, edition, rounds and live final),
// in a throwaway SQLite data dir on a free port, whatever mode the suite runs in. LEITAI_BIN is the
// binary (scripts/e2e.sh exports it). Used by the tests that need the demo's whole year: the phone
// page's weight and the README's screenshots.
import { execFileSync, spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

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

/**
 * startDemo seeds and serves the demo. It returns { base, demo, stop }: demo is `leitai demo
 * --json`'s answer (password, accounts, edition_id, live_event_id, display_path, judge_links, …).
 */
export async function startDemo(label) {
  if (!process.env.LEITAI_BIN) throw new Error('LEITAI_BIN must name the leitai binary (scripts/e2e.sh sets it).')
  const binary = process.env.LEITAI_BIN.startsWith('/') ? process.env.LEITAI_BIN : join(process.cwd(), '..', process.env.LEITAI_BIN)
  const dir = await mkdtemp(join(tmpdir(), `leitai-${label}-`))
  const env = { ...process.env, LEITAI_DATABASE_URL: '', LEITAI_S3_ENDPOINT: '', LEITAI_DATA_DIR: join(dir, 'data') }
  const port = await freePort()
  const base = `http://127.0.0.1:${port}`
  const password = `demo-${label}-${Date.now().toString(36)}`
  const demo = JSON.parse(
    execFileSync(binary, ['demo', '--json', '--password', password, '--addr', `127.0.0.1:${port}`, '--log-level', 'warn'], { env, encoding: 'utf8' }),
  )
  const server = spawn(binary, ['serve', '--addr', `127.0.0.1:${port}`, '--log-level', 'warn'], { env, stdio: ['ignore', 'ignore', 'inherit'] })
  let ready = false
  for (let i = 0; i < 200 && !ready; i++) {
    try {
      ready = (await fetch(`${base}/readyz`)).ok
    } catch {
      // not yet
    }
    if (!ready) await new Promise((r) => setTimeout(r, 100))
  }
  if (!ready) {
    server.kill()
    throw new Error(`the demo server did not answer ${base}/readyz`)
  }
  return {
    base,
    demo,
    async stop() {
      server.kill()
      await rm(dir, { recursive: true, force: true })
    },
  }
}
