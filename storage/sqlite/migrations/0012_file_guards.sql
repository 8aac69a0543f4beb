-- Files resist abuse and report damage (see storage/files.go).
--
-- files.corrupted: an upload whose bytes failed the hash check at the last
-- chunk. It is kept, without bytes, so that FileUploadStatus can answer
-- CORRUPTED (the client then starts again); it is never resumed and counts
-- among the user's unfinished uploads, so the oldest are forgotten.
ALTER TABLE files ADD COLUMN corrupted INTEGER NOT NULL DEFAULT 0;

-- file_contents.state 3 (CORRUPTED): the bytes on disk were found missing or
-- damaged; the next complete upload of the same hash replaces them.
-- uploader_id: whose upload stored (or repaired) the content, so that one
-- user's uploads cannot take every processing worker.
ALTER TABLE file_contents ADD COLUMN uploader_id INTEGER;
UPDATE file_contents SET uploader_id =
    (SELECT f.user_id FROM files f WHERE f.content_id = file_contents.id ORDER BY f.id LIMIT 1);

-- A user's storage (the sizes of their distinct files) is summed per request.
CREATE INDEX files_user_hash ON files (user_id, hash, size);
