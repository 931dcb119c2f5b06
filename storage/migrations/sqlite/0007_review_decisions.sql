-- The rest of staged review: each round's expert panel, the organiser's tie
-- decisions and advancement, objections received during the publication
-- (公示) window with their answers, and reminders sent to experts.

-- A round's panel: assignment draws only on these experts; a round without
-- rows draws on every enabled expert.
CREATE TABLE round_experts (
    round_id  INTEGER NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
    expert_id INTEGER NOT NULL REFERENCES users (id),
    PRIMARY KEY (round_id, expert_id)
);

-- The organiser's order for one group the tie chain left tied: project_order
-- is a JSON array of project ids (as the score sheet names them), best first.
CREATE TABLE tie_decisions (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    round_id      INTEGER     NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
    project_order TEXT        NOT NULL,
    reason        TEXT        NOT NULL,
    decided_by    TEXT        NOT NULL,
    decided_at    DATETIME NOT NULL
);
CREATE INDEX tie_decisions_round ON tie_decisions (round_id);

-- Who advances from a round: the rule (top N, or a threshold in hundredths),
-- the overrides with reasons (JSON) and the resulting list (JSON ids).
CREATE TABLE round_advancements (
    round_id   INTEGER PRIMARY KEY REFERENCES rounds (id) ON DELETE CASCADE,
    top_n      INTEGER     NOT NULL DEFAULT 0,
    threshold  INTEGER,
    overrides  TEXT        NOT NULL,
    advancing  TEXT        NOT NULL,
    decided_by TEXT        NOT NULL,
    decided_at DATETIME NOT NULL
);

-- Objections to a published round, received while its window is open. The
-- name and contact are shown to admins only; answers are public. ip caps how
-- many one address may send.
CREATE TABLE objections (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    round_id    INTEGER     NOT NULL REFERENCES rounds (id),
    project_id  INTEGER     REFERENCES projects (id),
    name        TEXT        NOT NULL,
    contact     TEXT        NOT NULL,
    body        TEXT        NOT NULL,
    user_id     INTEGER,
    ip          TEXT        NOT NULL DEFAULT '',
    created_at  DATETIME NOT NULL,
    answer      TEXT        NOT NULL DEFAULT '',
    answered_by TEXT        NOT NULL DEFAULT '',
    answered_at DATETIME
);
CREATE INDEX objections_round ON objections (round_id);

-- Reminders to experts with unfinished work in a round (shown on their home).
CREATE TABLE reminders (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    round_id   INTEGER     NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
    expert_id  INTEGER     NOT NULL REFERENCES users (id),
    message    TEXT        NOT NULL,
    remaining  INTEGER     NOT NULL,
    sent_by    TEXT        NOT NULL,
    created_at DATETIME NOT NULL
);
CREATE INDEX reminders_expert ON reminders (expert_id, round_id);
