-- The live final: an event on a live round (its finalists are the round's
-- projects and its judges' scores are the round's scores), the seated
-- judges, ticket codes, audience votes and the tablets' submission ids.
CREATE TABLE live_shows (
    id                BIGSERIAL PRIMARY KEY,
    round_id          BIGINT      NOT NULL UNIQUE REFERENCES rounds (id),
    title             TEXT        NOT NULL,
    audience_mode     TEXT        NOT NULL,
    weight_panel      INTEGER     NOT NULL,
    weight_previous   INTEGER     NOT NULL,
    weight_audience   INTEGER     NOT NULL,
    presentation_secs INTEGER     NOT NULL,
    qa_secs           INTEGER     NOT NULL,
    pairing           TEXT        NOT NULL,
    previous_round_id BIGINT,
    rehearsal         BOOLEAN     NOT NULL DEFAULT FALSE,
    seed              TEXT        NOT NULL DEFAULT '',
    slots             TEXT        NOT NULL DEFAULT '[]',
    state             TEXT        NOT NULL DEFAULT '',
    ranks             TEXT        NOT NULL DEFAULT '{}',
    started           BOOLEAN     NOT NULL DEFAULT FALSE,
    created_at        TIMESTAMPTZ NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL
);

CREATE TABLE live_judges (
    show_id BIGINT NOT NULL REFERENCES live_shows (id) ON DELETE CASCADE,
    seat    INTEGER NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users (id),
    PRIMARY KEY (show_id, seat)
);
CREATE UNIQUE INDEX live_judges_user ON live_judges (show_id, user_id);

CREATE TABLE live_tickets (
    show_id    BIGINT NOT NULL REFERENCES live_shows (id) ON DELETE CASCADE,
    code       TEXT        NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (show_id, code)
);

-- One vote per voter (ticket:<code> or device:<id>) per slot.
CREATE TABLE live_votes (
    show_id    BIGINT NOT NULL REFERENCES live_shows (id) ON DELETE CASCADE,
    slot       INTEGER     NOT NULL,
    voter      TEXT        NOT NULL,
    project_id BIGINT NOT NULL,
    at         TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (show_id, slot, voter)
);
CREATE INDEX live_votes_project ON live_votes (show_id, project_id);

-- A tablet's submission ids: the same submission sent twice is stored once,
-- and a late retry of an older submission never overwrites a newer one.
CREATE TABLE live_submissions (
    show_id       BIGINT NOT NULL REFERENCES live_shows (id) ON DELETE CASCADE,
    submission_id TEXT        NOT NULL,
    project_id    BIGINT NOT NULL,
    user_id       BIGINT NOT NULL,
    points        TEXT        NOT NULL,
    at            TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (show_id, submission_id)
);

-- Device tokens issued to phones, counted per address for the rate limit.
CREATE TABLE live_devices (
    show_id   BIGINT NOT NULL REFERENCES live_shows (id) ON DELETE CASCADE,
    device_id TEXT        NOT NULL,
    ip        TEXT        NOT NULL,
    at        TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (show_id, device_id)
);
CREATE INDEX live_devices_ip ON live_devices (show_id, ip, at);
