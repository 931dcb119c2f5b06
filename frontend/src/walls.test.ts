// The frontend's walls: a view folder (src/views/<area>/) imports no other view folder, and the shared
// folders (domain, composables, components, fixtures, api) import no view at all. Shared logic lives in
// src/domain/ and src/composables/, shared components in src/components/, so that an interface can
// change without breaking another one. The router is the one place that names every view.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative, resolve, dirname } from 'node:path'
import { describe, expect, it } from 'vitest'

const src = resolve(__dirname)

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return files(path)
    return /\.(ts|vue)$/.test(name) ? [path] : []
  })
}

/** imports lists the modules a file imports, resolved to paths under src/ ("views/host/x"), or outside ones as written. */
function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8')
  const out: string[] = []
  for (const m of text.matchAll(/(?:from\s+|import\s*\(\s*)['"]([^'"]+)['"]/g)) {
    const spec = m[1]
    if (spec.startsWith('@/')) out.push(spec.slice(2))
    else if (spec.startsWith('.')) out.push(relative(src, resolve(dirname(file), spec)))
  }
  return out
}

const areaOf = (path: string): string | null => {
  const m = /^views\/([^/]+)\//.exec(path)
  return m ? m[1] : null
}

describe('frontend walls', () => {
  it('finds the views and their imports (the test would see a breach)', () => {
    const all = files(join(src, 'views'))
    expect(all.length).toBeGreaterThan(50)
    expect(imports(join(src, 'router', 'index.ts')).some((p) => p.startsWith('views/'))).toBe(true)
  })

  it('no view folder imports another view folder', () => {
    const breaches: string[] = []
    for (const file of files(join(src, 'views'))) {
      const own = areaOf(relative(src, file))
      for (const target of imports(file)) {
        const area = areaOf(target)
        if (area && area !== own) breaches.push(`${relative(src, file)} → ${target}`)
      }
    }
    expect(breaches).toEqual([])
  })

  it('shared folders import no view', () => {
    const breaches: string[] = []
    for (const dir of ['domain', 'composables', 'components', 'fixtures', 'api', 'stores', 'i18n', 'layouts']) {
      let list: string[] = []
      try {
        list = files(join(src, dir))
      } catch {
        continue
      }
      for (const file of list) {
        for (const target of imports(file)) {
          if (target.startsWith('views/')) breaches.push(`${relative(src, file)} → ${target}`)
        }
      }
    }
    expect(breaches).toEqual([])
  })
})
