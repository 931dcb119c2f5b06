-- Who changed a score and why (#13: the admin sees each expert's changes).
-- A change is the expert's own (draft or submission), a live tablet's, or
-- the host's on the judge's behalf or as a correction (with its reason).
-- by_user_id is the signed-in user who wrote it (NULL before this
-- migration); action the audit's action, '' for a draft.
ALTER TABLE score_history ADD COLUMN by_user_id BIGINT;
ALTER TABLE score_history ADD COLUMN by_name TEXT NOT NULL DEFAULT '';
ALTER TABLE score_history ADD COLUMN action TEXT NOT NULL DEFAULT '';
ALTER TABLE score_history ADD COLUMN reason TEXT NOT NULL DEFAULT '';
