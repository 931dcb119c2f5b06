-- Blind rounds (#13): the admin's redacted copy of a project's texts for
-- one round, which that round's experts read instead of the original (the
-- original project is never changed). texts is a JSON object of the blind
-- fields (models.BlindFields) to their redacted text; project_version the
-- submitted version the copy was made from.
CREATE TABLE blind_redactions (
    round_id        INTEGER  NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
    project_id      INTEGER  NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    texts           TEXT     NOT NULL,
    project_version INTEGER  NOT NULL,
    saved_by        TEXT     NOT NULL,
    saved_at        DATETIME NOT NULL,
    PRIMARY KEY (round_id, project_id)
);
