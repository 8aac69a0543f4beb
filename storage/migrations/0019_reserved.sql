-- Reserved: another branch adds its own 0019 concurrently. This file only
-- keeps the versions contiguous on the files branch; delete it when that
-- 0019 is merged (or renumber 0020 to 0019 if it never is).
SELECT 1;
