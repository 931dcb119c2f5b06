-- Copies without metadata for blind rounds. clean is 'pending' until the
-- media worker has made the copy ('done', clean_key names it) or found
-- that none can be made ('unavailable'); 'running' while it works on it.
-- Media uploaded before this migration start as 'pending', so the worker
-- makes their copies on its next runs.
ALTER TABLE media ADD COLUMN clean TEXT NOT NULL DEFAULT 'pending';
ALTER TABLE media ADD COLUMN clean_key TEXT NOT NULL DEFAULT '';
CREATE INDEX media_clean_pending ON media (id) WHERE clean IN ('pending', 'running');
