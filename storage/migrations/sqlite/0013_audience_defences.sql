-- Audience defences (#11 item 3). Each vote keeps the address it came from,
-- so the admin's per-address cap per slot holds and the host can see and
-- void an address's votes for a slot (a voided vote is kept with its
-- reason, never counted). audience_floor is the minimum turnout the
-- audience points divide by; votes_per_address the cap (0: the defaults).
-- tallies_public: the phone page shows tallies only when the host says so.
ALTER TABLE live_shows ADD COLUMN votes_per_address INTEGER NOT NULL DEFAULT 0;
ALTER TABLE live_shows ADD COLUMN audience_floor INTEGER NOT NULL DEFAULT 0;
ALTER TABLE live_shows ADD COLUMN tallies_public BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE live_votes ADD COLUMN ip TEXT NOT NULL DEFAULT '';
ALTER TABLE live_votes ADD COLUMN void_reason TEXT NOT NULL DEFAULT '';
CREATE INDEX live_votes_ip ON live_votes (show_id, slot, ip);
