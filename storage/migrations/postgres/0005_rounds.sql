-- Review rounds, their projects, declared conflicts, assignments, scores
-- and every change to a score.
CREATE TABLE rounds (
    id                    BIGSERIAL PRIMARY KEY,
    edition_id            BIGINT      NOT NULL REFERENCES editions (id),
    name                  TEXT        NOT NULL,
    ord                   INTEGER     NOT NULL,
    kind                  TEXT        NOT NULL,
    opens_at              TIMESTAMPTZ NOT NULL,
    closes_at             TIMESTAMPTZ NOT NULL,
    rubric                TEXT        NOT NULL,
    reviewers_per_project INTEGER     NOT NULL,
    method                TEXT        NOT NULL,
    trim_count            INTEGER     NOT NULL DEFAULT 0,
    key_criterion         TEXT        NOT NULL,
    blind                 BOOLEAN     NOT NULL DEFAULT FALSE,
    status                TEXT        NOT NULL,
    assignment_seed       BIGINT      NOT NULL DEFAULT 0,
    created_at            TIMESTAMPTZ NOT NULL,
    updated_at            TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX rounds_edition_ord ON rounds (edition_id, ord);

CREATE TABLE round_projects (
    round_id   BIGINT NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
    project_id BIGINT NOT NULL REFERENCES projects (id),
    PRIMARY KEY (round_id, project_id)
);

-- Conflicts an expert declared (or an admin added): the unit and its subtree.
CREATE TABLE declared_conflicts (
    expert_id  BIGINT      NOT NULL REFERENCES users (id),
    unit_id    BIGINT      NOT NULL REFERENCES units (id),
    reason     TEXT        NOT NULL DEFAULT '',
    created_by BIGINT,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (expert_id, unit_id)
);

CREATE TABLE assignments (
    round_id   BIGINT  NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
    project_id BIGINT  NOT NULL REFERENCES projects (id),
    expert_id  BIGINT  NOT NULL REFERENCES users (id),
    position   INTEGER NOT NULL,
    PRIMARY KEY (round_id, project_id, expert_id)
);
CREATE INDEX assignments_expert ON assignments (round_id, expert_id);

-- points is canonical JSON {"criterion": hundredths}.
CREATE TABLE scores (
    round_id     BIGINT      NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
    project_id   BIGINT      NOT NULL REFERENCES projects (id),
    expert_id    BIGINT      NOT NULL REFERENCES users (id),
    points       TEXT        NOT NULL,
    comment      TEXT        NOT NULL DEFAULT '',
    status       TEXT        NOT NULL,
    submitted_at TIMESTAMPTZ,
    updated_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (round_id, project_id, expert_id)
);

CREATE TABLE score_history (
    id         BIGSERIAL PRIMARY KEY,
    round_id   BIGINT      NOT NULL,
    project_id BIGINT      NOT NULL,
    expert_id  BIGINT      NOT NULL,
    points     TEXT        NOT NULL,
    comment    TEXT        NOT NULL DEFAULT '',
    status     TEXT        NOT NULL,
    at         TIMESTAMPTZ NOT NULL
);
CREATE INDEX score_history_score ON score_history (round_id, project_id, expert_id);
