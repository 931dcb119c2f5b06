-- Site visits (实地考察) in a 复审 round (#13): a round may record them; an
-- assigned expert keeps one visit per project (date, notes, photos), which
-- the round's panel and the admins see. Photos are media of the project
-- with purpose 'visit', never listed with the application's materials.
ALTER TABLE rounds ADD COLUMN site_visits BOOLEAN NOT NULL DEFAULT FALSE;
CREATE TABLE site_visits (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    round_id    INTEGER  NOT NULL REFERENCES rounds (id),
    project_id  INTEGER  NOT NULL REFERENCES projects (id),
    expert_id   INTEGER  NOT NULL REFERENCES users (id),
    visited_on  TEXT     NOT NULL,
    notes       TEXT     NOT NULL DEFAULT '',
    media_ids   TEXT     NOT NULL DEFAULT '[]',
    created_at  DATETIME NOT NULL,
    updated_at  DATETIME NOT NULL,
    UNIQUE (round_id, project_id, expert_id)
);
CREATE INDEX site_visits_project ON site_visits (round_id, project_id);
