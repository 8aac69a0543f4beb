-- Several gapd nodes on one database and one shared files directory
-- (-files). What a single process used to keep in memory is here, so that
-- every node sees it. Times are Unix milliseconds: leases are short.
--
-- file_contents.claimed_by / claimed_until: the processing worker (a node's
-- processor, by a name unique to that run) that has taken content in state 1
-- (PROCESSING), and until when its lease runs; the worker renews it while it
-- works. Content whose lease has run out is taken again, so a crashed node's
-- work is picked up by another. claimed_by '' with claimed_until in the
-- future: processing failed and is retried after that moment. Set by
-- storage.ClaimProcessing, cleared when processing ends.
ALTER TABLE file_contents ADD COLUMN claimed_by TEXT NOT NULL DEFAULT '';
ALTER TABLE file_contents ADD COLUMN claimed_until INTEGER NOT NULL DEFAULT 0;

-- files.writer / write_until: the FileUpload request writing an upload's
-- next chunk to its part file, and until when; it replaces a lock that was
-- per process, so two nodes never write one upload's part at once.
ALTER TABLE files ADD COLUMN writer TEXT NOT NULL DEFAULT '';
ALTER TABLE files ADD COLUMN write_until INTEGER NOT NULL DEFAULT 0;
