-- Reserved: migration 0016 is another branch's (issue 13). This no-op keeps
-- the versions contiguous on this branch; drop it when that branch's 0016 is merged.
SELECT 1;
