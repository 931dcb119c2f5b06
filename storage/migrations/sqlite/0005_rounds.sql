-- Review rounds, their projects, declared conflicts, assignments, scores
-- and every change to a score.
CREATE TABLE rounds (
    id                    INTEGER PRIMARY KEY AUTOINCREMENT,
    edition_id            INTEGER      NOT NULL REFERENCES editions (id),
    name                  TEXT        NOT NULL,
    ord                   INTEGER     NOT NULL,
    kind                  TEXT        NOT NULL,
    opens_at              DATETIME NOT NULL,
    closes_at             DATETIME NOT NULL,
    rubric                TEXT        NOT NULL,
    reviewers_per_project INTEGER     NOT NULL,
    method                TEXT        NOT NULL,
    trim_count            INTEGER     NOT NULL DEFAULT 0,
    key_criterion         TEXT        NOT NULL,
    blind                 BOOLEAN     NOT NULL DEFAULT FALSE,
    status                TEXT        NOT NULL,
    assignment_seed       INTEGER      NOT NULL DEFAULT 0,
    created_at            DATETIME NOT NULL,
    updated_at            DATETIME NOT NULL
);
CREATE UNIQUE INDEX rounds_edition_ord ON rounds (edition_id, ord);

CREATE TABLE round_projects (
    round_id   INTEGER NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
    project_id INTEGER NOT NULL REFERENCES projects (id),
    PRIMARY KEY (round_id, project_id)
);

-- Conflicts an expert declared (or an admin added): the unit and its subtree.
CREATE TABLE declared_conflicts (
    expert_id  INTEGER      NOT NULL REFERENCES users (id),
    unit_id    INTEGER      NOT NULL REFERENCES units (id),
    reason     TEXT        NOT NULL DEFAULT '',
    created_by INTEGER,
    created_at DATETIME NOT NULL,
    PRIMARY KEY (expert_id, unit_id)
);

CREATE TABLE assignments (
    round_id   INTEGER  NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
    project_id INTEGER  NOT NULL REFERENCES projects (id),
    expert_id  INTEGER  NOT NULL REFERENCES users (id),
    position   INTEGER NOT NULL,
    PRIMARY KEY (round_id, project_id, expert_id)
);
CREATE INDEX assignments_expert ON assignments (round_id, expert_id);

-- points is canonical JSON {"criterion": hundredths}.
CREATE TABLE scores (
    round_id     INTEGER      NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
    project_id   INTEGER      NOT NULL REFERENCES projects (id),
    expert_id    INTEGER      NOT NULL REFERENCES users (id),
    points       TEXT        NOT NULL,
    comment      TEXT        NOT NULL DEFAULT '',
    status       TEXT        NOT NULL,
    submitted_at DATETIME,
    updated_at   DATETIME NOT NULL,
    PRIMARY KEY (round_id, project_id, expert_id)
);

CREATE TABLE score_history (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    round_id   INTEGER      NOT NULL,
    project_id INTEGER      NOT NULL,
    expert_id  INTEGER      NOT NULL,
    points     TEXT        NOT NULL,
    comment    TEXT        NOT NULL DEFAULT '',
    status     TEXT        NOT NULL,
    at         DATETIME NOT NULL
);
CREATE INDEX score_history_score ON score_history (round_id, project_id, expert_id);
