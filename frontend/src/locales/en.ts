import type { MessageSchema } from './zh-CN'

// English. Typed as MessageSchema: a missing or extra key is a compile error.
const en: MessageSchema = {
  app: {
    name: 'Leitai',
    fullName: '擂台 Leitai',
    tagline:
      'The annual innovation project competition: submissions from units, expert review, the live PK final and tracking of funded projects.',
    skipToContent: 'Skip to main content',
    loading: 'Loading…',
  },
  nav: {
    label: 'Main navigation',
    home: 'Home',
    tracker: 'Tracker',
    portal: 'Submission portal',
    review: 'Expert review',
    admin: 'Admin console',
    host: 'Host console',
  },
  language: {
    label: 'Language',
    zhCN: '中文',
    en: 'English',
  },
  account: {
    label: 'Account',
    signIn: 'Sign in',
    signOut: 'Sign out',
    signedOut: 'Signed out',
    roles: 'Roles: {roles}',
  },
  roles: {
    admin: 'Administrator',
    unit: 'Unit',
    expert: 'Expert',
    host: 'Host',
    separator: ', ',
  },
  home: {
    title: 'Home',
    workspaces: 'My workspaces',
    public: 'Public information',
    signInTitle: 'Take part',
    signInHint: 'Units, experts, hosts and administrators: sign in to open your workspace.',
    noWorkspace: 'Your account has no role yet. Please ask an administrator.',
    open: 'Open',
  },
  portal: {
    title: 'Submission portal',
    purpose: 'Units fill in their projects, upload materials and submit them here.',
  },
  review: {
    title: 'Expert review',
    purpose: 'Experts see the projects assigned to them and score them against the rubric here.',
  },
  admin: {
    title: 'Admin console',
    purpose:
      'Administrators set up editions, rounds, expert assignments and scoring rules, and publish results here.',
  },
  host: {
    title: 'Host console',
    purpose: 'The host runs the live PK final from here: the running order, timers and score reveals.',
  },
  tracker: {
    title: 'Project tracker',
    purpose: 'Public progress of funded projects: milestones reached and funds released.',
  },
  display: {
    title: 'Big screen',
    subtitle: 'Live PK big screen',
    event: 'Event {id}',
    clock: 'Beijing time',
    connecting: 'Connecting to the live event…',
    offline: 'Not connected to the live event. Reconnecting…',
    retry: 'Retry {n}',
  },
  vote: {
    title: 'Audience vote',
    purpose: 'Scan, then vote for the projects on stage. No sign-in needed.',
    event: 'Event {id}',
    empty: 'No vote is open right now',
  },
  landing: {
    empty: 'Nothing here yet',
    signInRequired: 'Please sign in',
    signInHint: 'This page needs an account with the {role} role.',
    signIn: 'Sign in',
    forbidden: 'Your account cannot open this page',
    forbiddenHint: 'This page is only for the {role} role.',
  },
  login: {
    title: 'Sign in',
    heading: 'Sign in to Leitai',
    username: 'Username',
    password: 'Password',
    submit: 'Sign in',
    usernameRequired: 'Enter your username',
    passwordRequired: 'Enter your password',
    failed: 'Wrong username or password',
    welcome: 'Welcome, {name}',
    alreadySignedIn: 'You are signed in as {name}.',
  },
  notFound: {
    title: 'Page not found',
    code: '404',
    message: 'The page you asked for does not exist. The address may be wrong, or the page was removed.',
    backHome: 'Back to home',
  },
  errors: {
    invalid: 'Some of what you sent is not valid. Please check and try again.',
    unauthenticated: 'Your session has ended. Please sign in again.',
    forbidden: 'You are not allowed to do this.',
    not_found: 'The requested item does not exist.',
    conflict: 'This was changed by someone else. Reload and try again.',
    too_large: 'The file or content is too large.',
    unsupported_media: 'This file type is not supported.',
    rate_limited: 'Too many attempts. Please try again later.',
    rate_limitedWait: 'Too many attempts. Please try again in {seconds} seconds.',
    unavailable: 'The service is temporarily unavailable. Please try again later.',
    internal: 'Something went wrong on the server. Please try again later.',
    network: 'Network error. Check your connection and try again.',
    unknown: 'Request failed ({status})',
  },
}

export default en
