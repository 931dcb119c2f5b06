-- Each publication anchors the audit chain's head as it was: `verify`
-- checks that every anchored entry is still in the chain, so deleting the
-- newest entries is detected.
ALTER TABLE round_publications ADD COLUMN audit_head_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE round_publications ADD COLUMN audit_head_hash TEXT NOT NULL DEFAULT '';
