// Messages of notifications, one's own settings and returning a project for changes (English).
// The same keys as notify.zh-CN.ts (notifyLocales.test.ts checks).
export default {
  notify: {
    title: 'Notifications',
    purpose:
      'What concerns you: a submission received, returned for changes, eligibility decided, projects to score and reminders before a round closes, results published, objections answered.',
    bell: {
      label: 'Notifications',
      unread: 'Notifications, {n} unread',
    },
    all: 'All notifications',
    readAll: 'Mark all read',
    markRead: 'Mark read',
    open: 'Open',
    read: 'Read',
    unread: 'Unread',
    onlyUnread: 'Unread only',
    unreadCount: '{n} unread',
    empty: 'No notifications yet.',
    emptyUnread: 'No unread notifications.',
    loadFailed: 'Could not load; check the network and try again',
    settingsLink: 'Notification settings',
    kind: {
      project_submitted: 'Submission received',
      project_returned: 'Project returned for changes',
      project_eligibility: 'Eligibility decided',
      round_assigned: 'Projects to score',
      round_closing: 'Reminders before scoring closes (48 h, 24 h)',
      round_published: 'Results published',
      objection_answered: 'Objection answered',
      project_recommended: 'Project recommended',
      project_returned_by_recommender: 'Returned by your recommender',
      project_awaiting_recommendation: 'Submissions waiting for your recommendation',
    },
    settings: {
      title: 'My settings',
      menu: 'My settings',
      purpose:
        'The e-mail address notifications go to, the language they are written in, and which kinds also come by e-mail. Notifications always show in the app.',
      email: 'E-mail address',
      emailPlaceholder: 'Your work e-mail address',
      emailHint: 'Leave it empty for notifications in the app only.',
      language: 'Language',
      languageHint: 'Notifications and e-mails are written in this language; this browser switches to it too.',
      emailKinds: 'Also send these by e-mail',
      kindsHint: 'Unticked kinds show in the app only.',
      noEmail: 'Enter an e-mail address to receive e-mail.',
      saved: 'Settings saved',
    },
    returnAction: {
      button: 'Return for changes',
      title: 'Return for changes',
      intro:
        'The project goes back to its unit for changes; the unit is notified with the reason and may submit it again before the deadline.',
      reason: 'Reason',
      reasonPlaceholder: 'What should the unit change or add?',
      confirm: 'Return',
      done: 'Returned; the unit is notified.',
    },
    userEmail: 'E-mail (for notifications)',
  },
}
