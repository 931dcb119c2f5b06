-- A round's published results: an immutable snapshot of the ranking and the
-- anonymised score sheet, with the publication (公示) window for objections.
CREATE TABLE round_publications (
    round_id        BIGINT PRIMARY KEY REFERENCES rounds (id),
    published_at    TIMESTAMPTZ NOT NULL,
    objection_until TIMESTAMPTZ NOT NULL,
    results         TEXT        NOT NULL,
    sheet           TEXT        NOT NULL,
    published_by    TEXT        NOT NULL
);
