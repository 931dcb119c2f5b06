-- Units (申报单位) as a tree, sessions, login throttling, one-time login
-- links and the hash-chained audit log.
CREATE TABLE units (
    id            BIGSERIAL PRIMARY KEY,
    parent_id     BIGINT REFERENCES units (id),
    kind          TEXT        NOT NULL,
    name          TEXT        NOT NULL,
    contact_name  TEXT        NOT NULL DEFAULT '',
    contact_phone TEXT        NOT NULL DEFAULT '',
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX units_parent_name_key ON units (COALESCE(parent_id, 0), name);

ALTER TABLE users ADD COLUMN phone TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN expertise TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN bio TEXT NOT NULL DEFAULT '';
CREATE INDEX users_unit_id ON users (unit_id);

-- id is the SHA-256 of the cookie's token: a leaked table opens no session.
CREATE TABLE sessions (
    id           TEXT PRIMARY KEY,
    user_id      BIGINT      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token   TEXT        NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL,
    last_seen_at TIMESTAMPTZ NOT NULL,
    ip           TEXT        NOT NULL DEFAULT '',
    user_agent   TEXT        NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user_id ON sessions (user_id);

-- Failed logins per key ("user:<name>" or "ip:<addr>"), shared by every instance.
CREATE TABLE login_throttle (
    key           TEXT PRIMARY KEY,
    failures      INTEGER     NOT NULL,
    blocked_until TIMESTAMPTZ,
    updated_at    TIMESTAMPTZ NOT NULL
);

CREATE TABLE login_tokens (
    id         TEXT PRIMARY KEY,
    user_id    BIGINT      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_by BIGINT,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at    TIMESTAMPTZ
);

-- Append-only: ids are assigned in order under a lock, each hash covers the
-- row and the previous hash. before_json/after_json hold canonical JSON text.
CREATE TABLE audit_log (
    id          BIGINT PRIMARY KEY,
    at          TIMESTAMPTZ NOT NULL,
    actor_id    BIGINT,
    actor_name  TEXT        NOT NULL,
    action      TEXT        NOT NULL,
    entity      TEXT        NOT NULL,
    entity_id   TEXT        NOT NULL,
    before_json TEXT        NOT NULL DEFAULT '',
    after_json  TEXT        NOT NULL DEFAULT '',
    ip          TEXT        NOT NULL DEFAULT '',
    prev_hash   TEXT        NOT NULL,
    hash        TEXT        NOT NULL
);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id);
