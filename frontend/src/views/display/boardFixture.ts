// A public board for tests and visual checks: ten finalists in five PK slots, the second slot
// revealed. Not imported by the app.
import type { BoardState } from '@/api/liveBoard'

const TITLES: Array<[string, string]> = [
  ['“百姓议事厅”推动基层协商民主', '惠城区江北街道'],
  ['“粤平安”网格化治理一张图', '惠阳区淡水街道'],
  ['山海协作：乡村振兴“共富工坊”', '博罗县罗阳街道'],
  ['“一码通”社区矛盾纠纷多元化解', '惠东县平山街道'],
  ['“银龄守护”独居老人智慧照护', '龙门县龙城街道'],
  ['“小区业委会”规范化建设试点', '大亚湾区澳头街道'],
  ['外来务工人员“新惠州人”融入计划', '仲恺高新区陈江街道'],
  ['“河长+警长”联动护水机制', '惠城区水口街道'],
  ['校园周边安全“护苗”行动', '惠阳区秋长街道'],
  ['“智慧消防”城中村隐患整治', '博罗县园洲镇'],
]

/** boardFixture returns a fresh board; override fields with the argument. */
export function boardFixture(over: Partial<BoardState> = {}): BoardState {
  const ids = [12, 7, 3, 25, 9, 14, 21, 5, 30, 18]
  const projects: BoardState['projects'] = {}
  ids.forEach((id, i) => {
    const [title, unit] = TITLES[i]!
    projects[String(id)] = { id, title, unit_name: unit, photo_url: null }
  })
  return {
    event_id: 1,
    title: '2026年惠州市社会治理创新十大项目终审PK赛',
    edition_title: '2026年惠州市社会治理创新十大项目',
    rehearsal: false,
    audience_mode: 'both',
    weights: { panel: 60, previous: 30, audience: 10 },
    seed: 'a1b2c3',
    server_time: '2026-11-26T10:00:00.000Z',
    phase: 'revealed',
    paused: false,
    pause_message: '',
    slot: 1,
    slot_count: 5,
    presenting: 1,
    timer: null,
    slots: [
      { index: 0, projects: [12, 7], status: 'done' },
      { index: 1, projects: [3, 25], status: 'current' },
      { index: 2, projects: [9, 14], status: 'next' },
      { index: 3, projects: [21, 5], status: 'next' },
      { index: 4, projects: [30, 18], status: 'next' },
    ],
    projects,
    judges: 7,
    submitted: { '3': 7, '25': 7 },
    voting_open: false,
    tally: { '12': 41, '7': 31, '3': 52, '25': 38 },
    results: {
      '3': {
        scores: [
          { seat: 1, total: '88.5', struck: null },
          { seat: 2, total: '91', struck: 'high' },
          { seat: 3, total: '86', struck: null },
          { seat: 4, total: '79.5', struck: 'low' },
          { seat: 5, total: '87', struck: null },
          { seat: 6, total: '85.5', struck: null },
          { seat: 7, total: '89', struck: null },
        ],
        panel: '87.20',
        panel_value: 87.2,
        previous: '84.10',
        audience: '100.00',
        composite: '87.55',
        composite_value: 87.55,
      },
      '25': {
        scores: [
          { seat: 1, total: '82', struck: null },
          { seat: 2, total: '84.5', struck: null },
          { seat: 3, total: '80', struck: 'low' },
          { seat: 4, total: '86', struck: 'high' },
          { seat: 5, total: '83', struck: null },
          { seat: 6, total: '81.5', struck: null },
          { seat: 7, total: '85', struck: null },
        ],
        panel: '83.20',
        panel_value: 83.2,
        previous: '86.40',
        audience: '73.08',
        composite: '82.15',
        composite_value: 82.148,
      },
    },
    leaderboard: [
      { project_id: 3, rank: 1, composite: '87.55', movement: 0, tied: false },
      { project_id: 12, rank: 2, composite: '84.47', movement: -1, tied: false },
      { project_id: 25, rank: 3, composite: '82.15', movement: 0, tied: false },
      { project_id: 7, rank: 4, composite: '80.02', movement: -2, tied: false },
    ],
    winners: { '0': 12, '1': 3 },
    podium: null,
    ...over,
  }
}
