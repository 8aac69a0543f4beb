-- Uploaded files. Times are Unix seconds.
--
-- Content is stored once per distinct SHA-256 (file_contents), on disk under
-- the data directory, named by the hash. A row of file_contents exists only
-- once its content is completely on disk, so a crash can never leave a half
-- file that counts as complete.
--
-- A row of files is one user's upload of some content, under a file name and
-- a token: the token names the upload, not the content. While the upload is
-- in progress content_id is NULL and received counts the bytes on disk (in a
-- partial file named by the upload's id); messages.attachment_id = files.id.

CREATE TABLE file_contents (
    id           INTEGER PRIMARY KEY,
    hash         BLOB    NOT NULL UNIQUE,        -- SHA-256 of the content
    size         INTEGER NOT NULL,
    state        INTEGER NOT NULL DEFAULT 1,     -- FileUploadStatus.Status: 1 PROCESSING, 2 PROCESSED
    width        INTEGER NOT NULL DEFAULT 0,     -- images (and what processing can read), else 0
    height       INTEGER NOT NULL DEFAULT 0,
    duration     REAL    NOT NULL DEFAULT 0,     -- seconds, where processing can tell
    small_size   INTEGER NOT NULL DEFAULT 0,     -- thumbnails: 0 bytes means none
    small_width  INTEGER NOT NULL DEFAULT 0,
    small_height INTEGER NOT NULL DEFAULT 0,
    large_size   INTEGER NOT NULL DEFAULT 0,
    large_width  INTEGER NOT NULL DEFAULT 0,
    large_height INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL
) STRICT;
CREATE INDEX file_contents_processing ON file_contents (id) WHERE state = 1;

CREATE TABLE files (
    id          INTEGER PRIMARY KEY,
    token       TEXT    NOT NULL UNIQUE,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE, -- the uploader
    name        TEXT    NOT NULL,
    size        INTEGER NOT NULL,
    hash        BLOB    NOT NULL,                -- SHA-256 the uploader announced
    first_bytes BLOB    NOT NULL,                -- the edge bytes the uploader announced
    last_bytes  BLOB    NOT NULL,
    content_id  INTEGER REFERENCES file_contents (id), -- NULL while uploading
    received    INTEGER NOT NULL DEFAULT 0,      -- bytes received: the next offset
    hash_state  BLOB,                            -- SHA-256 state after `received` bytes, so the check at the end is instant
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
) STRICT;
-- A user's unfinished upload of some content is found again to resume it.
CREATE INDEX files_partial ON files (user_id, hash, size) WHERE content_id IS NULL;
-- A user's finished upload of some content is reused by a repeated upload.
CREATE INDEX files_user_content ON files (user_id, content_id) WHERE content_id IS NOT NULL;
CREATE INDEX files_content ON files (content_id);
