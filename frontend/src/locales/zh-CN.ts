// Simplified Chinese, the default locale. Its shape is the message schema: en.ts must have exactly
// the same keys (the compiler checks en.ts against it, locales.test.ts checks both ways).
// vue-i18n treats { } @ $ | as syntax: use {name} only for placeholders.
const zhCN = {
  app: {
    name: '擂台',
    fullName: '擂台 Leitai',
    tagline: '年度创新项目评选平台：单位申报、专家评审、现场 PK 决赛与获奖项目跟踪。',
    skipToContent: '跳到主要内容',
    loading: '正在加载…',
  },
  nav: {
    label: '主导航',
    home: '首页',
    tracker: '项目跟踪',
    portal: '申报门户',
    review: '专家评审',
    admin: '管理后台',
    host: '主持控制台',
  },
  language: {
    label: '语言',
    zhCN: '中文',
    en: 'English',
  },
  account: {
    label: '账户',
    signIn: '登录',
    signOut: '退出登录',
    signedOut: '已退出登录',
    roles: '角色：{roles}',
  },
  roles: {
    admin: '管理员',
    unit: '申报单位',
    expert: '评审专家',
    host: '主持人',
    separator: '、',
  },
  home: {
    title: '首页',
    workspaces: '我的工作台',
    public: '公开信息',
    signInTitle: '参与评选',
    signInHint: '申报单位、评审专家、主持人和管理员请登录后进入各自的工作台。',
    noWorkspace: '当前账号还没有分配任何角色，请联系管理员。',
    open: '进入',
  },
  portal: {
    title: '申报门户',
    purpose: '申报单位在这里填写项目、上传材料并提交申报。',
  },
  review: {
    title: '专家评审',
    purpose: '评审专家在这里查看分配给自己的项目，并按评分细则打分。',
  },
  admin: {
    title: '管理后台',
    purpose: '管理员在这里设置届次、轮次、专家分配和评分规则，并发布评选结果。',
  },
  host: {
    title: '主持控制台',
    purpose: '主持人在决赛现场用它控制 PK 流程、计时和分数揭晓。',
  },
  tracker: {
    title: '项目跟踪',
    purpose: '公开展示获得资助项目的实施进展、里程碑和资金拨付情况。',
  },
  display: {
    title: '现场大屏',
    subtitle: '现场 PK 大屏',
    event: '活动 {id}',
    clock: '北京时间',
    connecting: '正在连接现场数据…',
    offline: '未连接到现场数据，正在重新连接…',
    retry: '第 {n} 次重试',
  },
  vote: {
    title: '观众投票',
    purpose: '扫码进入，为现场项目投票，无需登录。',
    event: '活动 {id}',
    empty: '当前没有进行中的投票',
  },
  landing: {
    empty: '暂无数据',
    signInRequired: '请先登录',
    signInHint: '此页面需要{role}账号。',
    signIn: '去登录',
    forbidden: '当前账号无权访问此页面',
    forbiddenHint: '此页面仅向{role}开放。',
  },
  login: {
    title: '登录',
    heading: '登录擂台',
    username: '用户名',
    password: '密码',
    submit: '登录',
    usernameRequired: '请输入用户名',
    passwordRequired: '请输入密码',
    failed: '用户名或密码错误',
    welcome: '欢迎，{name}',
    alreadySignedIn: '你已登录为 {name}。',
  },
  notFound: {
    title: '页面不存在',
    code: '404',
    message: '找不到你要访问的页面，地址可能有误，或页面已被移除。',
    backHome: '返回首页',
  },
  errors: {
    invalid: '提交的内容有误，请检查后重试',
    unauthenticated: '登录已失效，请重新登录',
    forbidden: '没有权限执行此操作',
    not_found: '请求的内容不存在',
    conflict: '内容已被修改，请刷新后重试',
    too_large: '文件或内容超过大小限制',
    unsupported_media: '不支持的文件类型',
    rate_limited: '操作过于频繁，请稍后重试',
    rate_limitedWait: '操作过于频繁，请 {seconds} 秒后重试',
    unavailable: '服务暂时不可用，请稍后重试',
    internal: '服务器出错了，请稍后重试',
    network: '网络连接失败，请检查网络后重试',
    unknown: '请求失败（{status}）',
  },
}

/** MessageSchema is the shape every locale must have. */
export type MessageSchema = typeof zhCN

export default zhCN
