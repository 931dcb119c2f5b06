-- An edition's own list of award tiers (十大项目, 一/二/三等奖, 优秀奖 …), as a
-- JSON array of {code, name_zh, name_en} in order of rank; empty means the
-- default list (models.DefaultAwardTiers).
ALTER TABLE editions ADD COLUMN award_tiers TEXT NOT NULL DEFAULT '';
