// mergeMessages folds an area's own message file (portal.*.ts) into a locale's base messages, so
// that the areas' authors do not edit the same file. A key present in both keeps the base value;
// portalLocales.test.ts makes sure no such key exists.
type Tree = { [key: string]: unknown }

function isTree(value: unknown): value is Tree {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** mergeMessages returns base with extra's keys added, deeply. Neither argument is changed. */
export function mergeMessages<A extends object, B extends object>(base: A, extra: B): A & B {
  const out: Tree = { ...(base as Tree) }
  for (const [key, value] of Object.entries(extra as Tree)) {
    const current = out[key]
    if (isTree(current) && isTree(value)) out[key] = mergeMessages(current, value)
    else if (current === undefined) out[key] = value
  }
  return out as A & B
}
