-- Follow-through (实施跟踪): awards from a published round, versioned
-- implementation plans, progress reports per milestone, expert checks,
-- tranches with the four-eyes rule, adoptions. Money in integer fen.
CREATE TABLE awards (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    edition_id         INTEGER  NOT NULL REFERENCES editions (id),
    round_id           INTEGER  NOT NULL REFERENCES rounds (id),
    project_id         INTEGER  NOT NULL UNIQUE REFERENCES projects (id),
    unit_id            INTEGER  NOT NULL REFERENCES units (id),
    tier               TEXT     NOT NULL,
    rank               INTEGER  NOT NULL,
    funding_fen        INTEGER  NOT NULL CHECK (funding_fen >= 0),
    signed_on          TEXT,
    agreement_media_id INTEGER REFERENCES media (id),
    status             TEXT     NOT NULL DEFAULT 'active',
    status_reason      TEXT     NOT NULL DEFAULT '',
    recover_fen        INTEGER  NOT NULL DEFAULT 0 CHECK (recover_fen >= 0),
    version            INTEGER  NOT NULL DEFAULT 1,
    created_at         DATETIME NOT NULL,
    updated_at         DATETIME NOT NULL
);
CREATE INDEX awards_edition ON awards (edition_id);
CREATE INDEX awards_unit ON awards (unit_id);

CREATE TABLE award_versions (
    award_id    INTEGER  NOT NULL REFERENCES awards (id) ON DELETE CASCADE,
    version     INTEGER  NOT NULL,
    tier        TEXT     NOT NULL,
    funding_fen INTEGER  NOT NULL,
    reason      TEXT     NOT NULL DEFAULT '',
    by_name     TEXT     NOT NULL DEFAULT '',
    at          DATETIME NOT NULL,
    PRIMARY KEY (award_id, version)
);

CREATE TABLE plan_versions (
    award_id    INTEGER  NOT NULL REFERENCES awards (id) ON DELETE CASCADE,
    version     INTEGER  NOT NULL,
    status      TEXT     NOT NULL,
    milestones  TEXT     NOT NULL,
    reason      TEXT     NOT NULL DEFAULT '',
    comment     TEXT     NOT NULL DEFAULT '',
    proposed_by TEXT     NOT NULL DEFAULT '',
    proposed_at DATETIME NOT NULL,
    decided_by  TEXT     NOT NULL DEFAULT '',
    decided_at  DATETIME,
    contact_name  TEXT NOT NULL DEFAULT '',
    contact_email TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (award_id, version)
);

CREATE TABLE follow_reports (
    award_id     INTEGER  NOT NULL REFERENCES awards (id) ON DELETE CASCADE,
    seq          INTEGER  NOT NULL,
    status       TEXT     NOT NULL,
    text         TEXT     NOT NULL DEFAULT '',
    kpi_actuals  TEXT     NOT NULL DEFAULT '{}',
    media_ids    TEXT     NOT NULL DEFAULT '[]',
    comment      TEXT     NOT NULL DEFAULT '',
    revision     INTEGER  NOT NULL DEFAULT 0,
    submitted_at DATETIME,
    decided_by   TEXT     NOT NULL DEFAULT '',
    decided_at   DATETIME,
    updated_at   DATETIME NOT NULL,
    PRIMARY KEY (award_id, seq)
);

CREATE TABLE tranches (
    award_id       INTEGER  NOT NULL REFERENCES awards (id) ON DELETE CASCADE,
    seq            INTEGER  NOT NULL,
    amount_fen     INTEGER  NOT NULL CHECK (amount_fen >= 0),
    state          TEXT     NOT NULL DEFAULT 'pending',
    approved_by_id INTEGER,
    approved_by    TEXT     NOT NULL DEFAULT '',
    approved_at    DATETIME,
    paid_by_id     INTEGER,
    paid_by        TEXT     NOT NULL DEFAULT '',
    paid_at        DATETIME,
    paid_on        TEXT     NOT NULL DEFAULT '',
    reference      TEXT     NOT NULL DEFAULT '',
    reason         TEXT     NOT NULL DEFAULT '',
    PRIMARY KEY (award_id, seq),
    CHECK (paid_by_id IS NULL OR approved_by_id IS NULL OR paid_by_id <> approved_by_id)
);

CREATE TABLE follow_checks (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    award_id   INTEGER  NOT NULL REFERENCES awards (id) ON DELETE CASCADE,
    seq        INTEGER  NOT NULL,
    kind       TEXT     NOT NULL,
    result     TEXT     NOT NULL DEFAULT '',
    created_at DATETIME NOT NULL,
    UNIQUE (award_id, seq)
);

CREATE TABLE follow_check_grades (
    check_id     INTEGER  NOT NULL REFERENCES follow_checks (id) ON DELETE CASCADE,
    expert_id    INTEGER  NOT NULL REFERENCES users (id),
    grade        TEXT     NOT NULL DEFAULT '',
    notes        TEXT     NOT NULL DEFAULT '',
    submitted_at DATETIME,
    updated_at   DATETIME NOT NULL,
    PRIMARY KEY (check_id, expert_id)
);
CREATE INDEX follow_check_grades_expert ON follow_check_grades (expert_id);

CREATE TABLE adoptions (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    award_id   INTEGER  NOT NULL REFERENCES awards (id) ON DELETE CASCADE,
    unit_id    INTEGER  NOT NULL REFERENCES units (id),
    adopted_on TEXT     NOT NULL,
    evidence   TEXT     NOT NULL DEFAULT '',
    created_at DATETIME NOT NULL,
    UNIQUE (award_id, unit_id)
);

-- Mentors (导师): experts assigned to a funded project, and their visits.
CREATE TABLE mentors (
    award_id   INTEGER  NOT NULL REFERENCES awards (id) ON DELETE CASCADE,
    expert_id  INTEGER  NOT NULL REFERENCES users (id),
    created_at DATETIME NOT NULL,
    PRIMARY KEY (award_id, expert_id)
);
CREATE INDEX mentors_expert ON mentors (expert_id);

CREATE TABLE mentor_visits (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    award_id   INTEGER  NOT NULL REFERENCES awards (id) ON DELETE CASCADE,
    expert_id  INTEGER  NOT NULL REFERENCES users (id),
    visited_on TEXT     NOT NULL,
    notes      TEXT     NOT NULL DEFAULT '',
    media_ids  TEXT     NOT NULL DEFAULT '[]',
    created_at DATETIME NOT NULL
);
CREATE INDEX mentor_visits_award ON mentor_visits (award_id);

-- Reminders before and after each milestone's due date, claimed here before
-- they are sent: one row per (award, milestone, kind), so each is sent at
-- most once whatever the number of instances; a claim whose sending never
-- finished (the instance died) is not sent again.
CREATE TABLE follow_reminders (
    award_id   INTEGER  NOT NULL REFERENCES awards (id) ON DELETE CASCADE,
    seq        INTEGER  NOT NULL,
    kind       TEXT     NOT NULL,
    recipient  TEXT     NOT NULL,
    claimed_by TEXT     NOT NULL,
    claimed_at DATETIME NOT NULL,
    sent_at    DATETIME,
    error      TEXT     NOT NULL DEFAULT '',
    PRIMARY KEY (award_id, seq, kind)
);

-- Evidence of progress goes through the same resumable pipeline as the
-- application's media, marked so that it never mixes with the application.
ALTER TABLE media ADD COLUMN purpose TEXT NOT NULL DEFAULT 'application';
ALTER TABLE uploads ADD COLUMN purpose TEXT NOT NULL DEFAULT 'application';
