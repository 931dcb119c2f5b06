-- Editions, projects with their submitted versions, media and resumable
-- uploads.
CREATE TABLE editions (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    year           INTEGER     NOT NULL,
    title          TEXT        NOT NULL,
    categories     TEXT        NOT NULL,
    opens_at       DATETIME NOT NULL,
    closes_at      DATETIME NOT NULL,
    grace_minutes  INTEGER     NOT NULL DEFAULT 0,
    quota_per_unit INTEGER     NOT NULL DEFAULT 0,
    status         TEXT        NOT NULL,
    created_at     DATETIME NOT NULL,
    updated_at     DATETIME NOT NULL
);

CREATE TABLE projects (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    edition_id         INTEGER      NOT NULL REFERENCES editions (id),
    unit_id            INTEGER      NOT NULL REFERENCES units (id),
    title              TEXT        NOT NULL DEFAULT '',
    category           TEXT        NOT NULL DEFAULT '',
    summary            TEXT        NOT NULL DEFAULT '',
    problem            TEXT        NOT NULL DEFAULT '',
    approach           TEXT        NOT NULL DEFAULT '',
    results            TEXT        NOT NULL DEFAULT '',
    replicability      TEXT        NOT NULL DEFAULT '',
    sustainability     TEXT        NOT NULL DEFAULT '',
    start_date         TEXT        NOT NULL DEFAULT '',
    contact_name       TEXT        NOT NULL DEFAULT '',
    contact_phone      TEXT        NOT NULL DEFAULT '',
    status             TEXT        NOT NULL,
    eligibility_reason TEXT        NOT NULL DEFAULT '',
    version            INTEGER     NOT NULL DEFAULT 0,
    submitted_at       DATETIME,
    created_at         DATETIME NOT NULL,
    updated_at         DATETIME NOT NULL
);
CREATE INDEX projects_edition_unit ON projects (edition_id, unit_id);

CREATE TABLE project_versions (
    project_id   INTEGER      NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    version      INTEGER     NOT NULL,
    snapshot     TEXT        NOT NULL,
    submitted_at DATETIME NOT NULL,
    submitted_by TEXT        NOT NULL,
    PRIMARY KEY (project_id, version)
);

-- A media row exists only once its object is complete in the store.
CREATE TABLE media (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id   INTEGER      NOT NULL REFERENCES projects (id),
    kind         TEXT        NOT NULL,
    filename     TEXT        NOT NULL,
    content_type TEXT        NOT NULL,
    size         INTEGER      NOT NULL,
    object_key   TEXT        NOT NULL,
    thumb_key    TEXT        NOT NULL DEFAULT '',
    poster_key   TEXT        NOT NULL DEFAULT '',
    playback_key TEXT        NOT NULL DEFAULT '',
    processing   TEXT        NOT NULL DEFAULT 'none',
    progress     INTEGER     NOT NULL DEFAULT 0,
    process_error TEXT       NOT NULL DEFAULT '',
    created_by   INTEGER,
    created_at   DATETIME NOT NULL,
    updated_at   DATETIME NOT NULL
);
CREATE INDEX media_project ON media (project_id);

-- Uploads in progress. mode is 'proxy' (chunks through the server) or
-- 'direct' (presigned parts straight to MinIO). kind is the claimed kind
-- until part 1 is sniffed, content_type empty until then; state is 'open'
-- or 'completing' (claimed by one completion at a time).
CREATE TABLE uploads (
    id           TEXT PRIMARY KEY,
    project_id   INTEGER      NOT NULL REFERENCES projects (id),
    kind         TEXT        NOT NULL,
    filename     TEXT        NOT NULL,
    content_type TEXT        NOT NULL,
    size         INTEGER      NOT NULL,
    chunk_size   INTEGER      NOT NULL,
    object_key   TEXT        NOT NULL,
    store_upload_id TEXT     NOT NULL,
    mode         TEXT        NOT NULL,
    state        TEXT        NOT NULL DEFAULT 'open',
    created_by   INTEGER,
    created_at   DATETIME NOT NULL,
    expires_at   DATETIME NOT NULL
);
CREATE INDEX uploads_project ON uploads (project_id);

CREATE TABLE upload_parts (
    upload_id TEXT    NOT NULL REFERENCES uploads (id) ON DELETE CASCADE,
    part      INTEGER NOT NULL,
    size      INTEGER  NOT NULL,
    etag      TEXT    NOT NULL,
    md5       TEXT    NOT NULL,
    PRIMARY KEY (upload_id, part)
);
CREATE INDEX uploads_expires ON uploads (expires_at);

-- Objects whose rows are gone (a deleted medium, a completion that could
-- not be recorded) and that the media worker still has to delete.
CREATE TABLE object_trash (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    object_key TEXT        NOT NULL,
    created_at DATETIME NOT NULL
);
CREATE INDEX media_processing ON media (processing);
