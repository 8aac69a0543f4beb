-- Placeholder that keeps the versions contiguous on this branch: 0017 belongs
-- to the two-step verification branch (user16d). Drop this file when merging
-- that branch's 0017.
SELECT 1;
