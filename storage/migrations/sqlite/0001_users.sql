-- Accounts. Roles are a comma-separated subset of admin,unit,expert,host.
CREATE TABLE users (
    id            INTEGER  PRIMARY KEY AUTOINCREMENT,
    username      TEXT     NOT NULL,
    display_name  TEXT     NOT NULL DEFAULT '',
    password_hash TEXT     NOT NULL,
    roles         TEXT     NOT NULL DEFAULT '',
    unit_id       INTEGER,
    disabled      BOOLEAN  NOT NULL DEFAULT FALSE,
    created_at    DATETIME NOT NULL,
    updated_at    DATETIME NOT NULL
);
CREATE UNIQUE INDEX users_username_key ON users (lower(username));
