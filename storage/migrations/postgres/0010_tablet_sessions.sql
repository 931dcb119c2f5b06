-- Judges' tablet links and the sessions made from them are scoped to one
-- live final and one seat; reissuing a seat's link revokes both.
ALTER TABLE login_tokens ADD COLUMN live_show_id BIGINT REFERENCES live_shows (id) ON DELETE CASCADE;
ALTER TABLE login_tokens ADD COLUMN seat INTEGER;
ALTER TABLE sessions ADD COLUMN live_show_id BIGINT REFERENCES live_shows (id) ON DELETE CASCADE;
ALTER TABLE sessions ADD COLUMN seat INTEGER;
ALTER TABLE sessions ADD COLUMN issued_by TEXT NOT NULL DEFAULT '';
CREATE INDEX sessions_live_show ON sessions (live_show_id, seat);
CREATE INDEX login_tokens_live_show ON login_tokens (live_show_id, seat);
