// The unit tree as the admin screens use it: nodes with children, kinds allowed under a parent,
// and the pieces of the import templates.
import type { Unit, UnitKind } from '@/api/units'

/** UnitNode is a unit with its children, for el-tree and el-tree-select. */
export interface UnitNode extends Unit {
  children: UnitNode[]
}

/**
 * ALLOWED_PARENTS mirrors the server's rule of which kind may sit under which (models/unit.go):
 * null stands for "may be a root". The server has the last word; this only narrows the choices.
 */
export const ALLOWED_PARENTS: Record<UnitKind, readonly (UnitKind | null)[]> = {
  city: [null],
  county: ['city'],
  town: ['county'],
  village: ['town'],
  department: ['city', 'county', 'department'],
  organisation: [null, 'city', 'county', 'town', 'department'],
  external: [null],
}

/** kindsUnder returns the kinds that may sit under a parent of kind parentKind (null: a root). */
export function kindsUnder(parentKind: UnitKind | null): UnitKind[] {
  return (Object.keys(ALLOWED_PARENTS) as UnitKind[]).filter((kind) => ALLOWED_PARENTS[kind].includes(parentKind))
}

/** defaultChildKind is the kind a new unit under parentKind most likely has. */
export function defaultChildKind(parentKind: UnitKind | null): UnitKind {
  const kinds = kindsUnder(parentKind)
  return kinds[0] ?? 'organisation'
}

/**
 * buildUnitTree links units to their parents, keeping the server's order among siblings. A unit
 * whose parent is missing becomes a root, so that nothing disappears from the screen.
 */
export function buildUnitTree(units: readonly Unit[]): UnitNode[] {
  const nodes = new Map<number, UnitNode>()
  for (const unit of units) nodes.set(unit.id, { ...unit, path: unit.path ?? [], children: [] })
  const roots: UnitNode[] = []
  for (const node of nodes.values()) {
    const parent = node.parent_id !== null ? nodes.get(node.parent_id) : undefined
    if (parent && parent !== node) parent.children.push(node)
    else roots.push(node)
  }
  return roots
}

/** descendantIDs returns the ids of id's unit and everything under it. */
export function descendantIDs(units: readonly Unit[], id: number): Set<number> {
  const children = new Map<number, number[]>()
  for (const unit of units) {
    if (unit.parent_id === null) continue
    const list = children.get(unit.parent_id) ?? []
    list.push(unit.id)
    children.set(unit.parent_id, list)
  }
  const out = new Set<number>()
  const stack = [id]
  while (stack.length > 0) {
    const next = stack.pop()!
    if (out.has(next)) continue
    out.add(next)
    stack.push(...(children.get(next) ?? []))
  }
  return out
}

/** unitPathText joins a unit's path with slashes, as the import files write parents. */
export function unitPathText(unit: Pick<Unit, 'path' | 'name'>): string {
  return (unit.path && unit.path.length > 0 ? unit.path : [unit.name]).join('/')
}
