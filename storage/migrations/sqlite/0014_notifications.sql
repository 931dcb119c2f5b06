-- Notifications (#13): what a unit or an expert is told, in the app and by
-- e-mail. A user has an e-mail address, a language for what the server
-- writes to them, and the kinds they do not want by e-mail (comma list).
-- Each notification is written in the transaction of the change that
-- causes it; its e-mail is claimed before it is sent (email_state:
-- none, pending, sending, sent, skipped, failed), so it goes at most once
-- across instances and restarts. round_reminders claims each reminder
-- before a round closes (one per round, expert and lead time).
ALTER TABLE users ADD COLUMN email TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN language TEXT NOT NULL DEFAULT 'zh-CN';
ALTER TABLE users ADD COLUMN email_off TEXT NOT NULL DEFAULT '';

CREATE TABLE notifications (
    id               INTEGER  PRIMARY KEY AUTOINCREMENT,
    user_id          INTEGER  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind             TEXT     NOT NULL,
    link             TEXT     NOT NULL DEFAULT '',
    params           TEXT     NOT NULL DEFAULT '{}',
    created_at       DATETIME NOT NULL,
    read_at          DATETIME,
    email_state      TEXT     NOT NULL DEFAULT 'none',
    email_attempts   INTEGER  NOT NULL DEFAULT 0,
    email_claimed_by TEXT     NOT NULL DEFAULT '',
    email_claimed_at DATETIME,
    email_sent_at    DATETIME,
    email_error      TEXT     NOT NULL DEFAULT ''
);
CREATE INDEX notifications_user ON notifications (user_id, id);
CREATE INDEX notifications_email ON notifications (email_state, id);

CREATE TABLE round_reminders (
    round_id   INTEGER  NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
    expert_id  INTEGER  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    hours      INTEGER  NOT NULL,
    claimed_at DATETIME NOT NULL,
    PRIMARY KEY (round_id, expert_id, hours)
);
