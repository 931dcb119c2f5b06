import { describe, expect, test } from 'vitest'
import type { Unit } from '@/api/units'
import { buildUnitTree, defaultChildKind, descendantIDs, kindsUnder, unitPathText } from './unitTree'

function unit(id: number, parent: number | null, name: string, kind: Unit['kind'] = 'city'): Unit {
  return { id, parent_id: parent, kind, name, contact_name: '', contact_phone: '', path: [name] }
}

const units: Unit[] = [
  unit(1, null, '惠州市'),
  unit(2, 1, '惠城区', 'county'),
  unit(3, 2, '江北街道', 'town'),
  unit(4, 3, '某社区', 'village'),
  unit(5, 1, '惠阳区', 'county'),
  unit(6, null, '惠州学院', 'external'),
  unit(7, 99, '孤儿', 'organisation'),
]

describe('unit tree', () => {
  test('links children to parents in the server order; orphans become roots', () => {
    const roots = buildUnitTree(units)
    expect(roots.map((n) => n.name)).toEqual(['惠州市', '惠州学院', '孤儿'])
    expect(roots[0]!.children.map((n) => n.name)).toEqual(['惠城区', '惠阳区'])
    expect(roots[0]!.children[0]!.children[0]!.children[0]!.name).toBe('某社区')
  })

  test('descendants include the unit itself and everything below', () => {
    expect([...descendantIDs(units, 2)].sort()).toEqual([2, 3, 4])
    expect([...descendantIDs(units, 6)]).toEqual([6])
  })

  test('kinds follow the administrative levels', () => {
    expect(kindsUnder(null)).toEqual(['city', 'organisation', 'external'])
    expect(kindsUnder('city')).toEqual(['county', 'department', 'organisation'])
    expect(kindsUnder('town')).toEqual(['village', 'organisation'])
    expect(kindsUnder('village')).toEqual([])
    expect(defaultChildKind('county')).toBe('town')
    expect(defaultChildKind('village')).toBe('organisation')
  })

  test('paths are written with slashes', () => {
    expect(unitPathText({ name: '某社区', path: ['惠州市', '惠城区', '江北街道', '某社区'] })).toBe('惠州市/惠城区/江北街道/某社区')
    expect(unitPathText({ name: '惠州市', path: [] })).toBe('惠州市')
  })
})
