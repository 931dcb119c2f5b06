-- County and department recommendation (县区推荐, #13). An edition may add a
-- recommendation step: a unit's submission then waits for the recommender
-- of its county or department (a user with the recommender role whose
-- unit_id is the root of a subtree of the unit tree), who recommends it to
-- the city's eligibility check or returns it with a reason, within the
-- quota the edition sets for that root. With the step off (the default),
-- submissions reach the city directly, as before.
ALTER TABLE editions ADD COLUMN recommend_step BOOLEAN NOT NULL DEFAULT FALSE;

CREATE TABLE recommend_quotas (
    edition_id INTEGER NOT NULL REFERENCES editions (id) ON DELETE CASCADE,
    unit_id    INTEGER NOT NULL REFERENCES units (id) ON DELETE CASCADE,
    quota      INTEGER NOT NULL,
    PRIMARY KEY (edition_id, unit_id)
);

-- The recommender's decision on the current submission: the subtree root
-- it counts against, who decided and when, and the comment or reason.
ALTER TABLE projects ADD COLUMN recommend_root_id INTEGER REFERENCES units (id);
ALTER TABLE projects ADD COLUMN recommended_by TEXT NOT NULL DEFAULT '';
ALTER TABLE projects ADD COLUMN recommended_at DATETIME;
ALTER TABLE projects ADD COLUMN recommend_comment TEXT NOT NULL DEFAULT '';
CREATE INDEX projects_recommend_root ON projects (edition_id, recommend_root_id);
