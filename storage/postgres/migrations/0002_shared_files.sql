-- Several gapd nodes on one database and one shared files directory
-- (-files): processing claims and chunk-writer claims, as SQLite's 0019.
-- Times are Unix milliseconds: leases are short.
ALTER TABLE file_contents ADD COLUMN claimed_by TEXT NOT NULL DEFAULT '';
ALTER TABLE file_contents ADD COLUMN claimed_until BIGINT NOT NULL DEFAULT 0;
ALTER TABLE files ADD COLUMN writer TEXT NOT NULL DEFAULT '';
ALTER TABLE files ADD COLUMN write_until BIGINT NOT NULL DEFAULT 0;
