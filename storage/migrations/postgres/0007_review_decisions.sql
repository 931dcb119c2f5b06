-- The rest of staged review: each round's expert panel, the organiser's tie
-- decisions and advancement, objections received during the publication
-- (公示) window with their answers, and reminders sent to experts.

-- A round's panel: assignment draws only on these experts; a round without
-- rows draws on every enabled expert.
CREATE TABLE round_experts (
    round_id  BIGINT NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
    expert_id BIGINT NOT NULL REFERENCES users (id),
    PRIMARY KEY (round_id, expert_id)
);

-- The organiser's order for one group the tie chain left tied: project_order
-- is a JSON array of project ids (as the score sheet names them), best first.
CREATE TABLE tie_decisions (
    id            BIGSERIAL PRIMARY KEY,
    round_id      BIGINT      NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
    project_order TEXT        NOT NULL,
    reason        TEXT        NOT NULL,
    decided_by    TEXT        NOT NULL,
    decided_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX tie_decisions_round ON tie_decisions (round_id);

-- Who advances from a round: the rule (top N, or a threshold in hundredths),
-- the overrides with reasons (JSON) and the resulting list (JSON ids).
CREATE TABLE round_advancements (
    round_id   BIGINT PRIMARY KEY REFERENCES rounds (id) ON DELETE CASCADE,
    top_n      INTEGER     NOT NULL DEFAULT 0,
    threshold  BIGINT,
    overrides  TEXT        NOT NULL,
    advancing  TEXT        NOT NULL,
    decided_by TEXT        NOT NULL,
    decided_at TIMESTAMPTZ NOT NULL
);

-- Objections to a published round, received while its window is open. The
-- name and contact are shown to admins only; answers are public. ip caps how
-- many one address may send.
CREATE TABLE objections (
    id          BIGSERIAL PRIMARY KEY,
    round_id    BIGINT      NOT NULL REFERENCES rounds (id),
    project_id  BIGINT      REFERENCES projects (id),
    name        TEXT        NOT NULL,
    contact     TEXT        NOT NULL,
    body        TEXT        NOT NULL,
    user_id     BIGINT,
    ip          TEXT        NOT NULL DEFAULT '',
    created_at  TIMESTAMPTZ NOT NULL,
    answer      TEXT        NOT NULL DEFAULT '',
    answered_by TEXT        NOT NULL DEFAULT '',
    answered_at TIMESTAMPTZ
);
CREATE INDEX objections_round ON objections (round_id);

-- Reminders to experts with unfinished work in a round (shown on their home).
CREATE TABLE reminders (
    id         BIGSERIAL PRIMARY KEY,
    round_id   BIGINT      NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
    expert_id  BIGINT      NOT NULL REFERENCES users (id),
    message    TEXT        NOT NULL,
    remaining  INTEGER     NOT NULL,
    sent_by    TEXT        NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX reminders_expert ON reminders (expert_id, round_id);
