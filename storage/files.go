package storage

// Files: a Content is stored bytes (one per distinct SHA-256, complete on disk
// before its row exists); a File is one user's upload of some content under a
// name and a token. The token names the upload, so two users (or two names)
// of the same content have their own tokens, and readability is decided per
// upload. See storage/sqlite/migrations/0003_files.sql.

// Content states, as FileUploadStatus.Status numbers them.
const (
	ContentProcessing = 1
	ContentProcessed  = 2
	// ContentCorrupted: the bytes on disk were found missing or damaged.
	// The next complete upload of the same hash stores them again.
	ContentCorrupted = 3
)

// Content is one stored content and what processing learnt about it.
type Content struct {
	ID          ContentID `db:"id"`
	Hash        []byte    `db:"hash"` // SHA-256; the content's name on disk
	Size        int64     `db:"size"`
	State       int       `db:"state"` // ContentProcessing, ContentProcessed or ContentCorrupted
	Width       int32     `db:"width"`
	Height      int32     `db:"height"`
	Duration    float64   `db:"duration"` // seconds
	SmallSize   int64     `db:"small_size"`
	SmallWidth  int32     `db:"small_width"`
	SmallHeight int32     `db:"small_height"`
	LargeSize   int64     `db:"large_size"`
	LargeWidth  int32     `db:"large_width"`
	LargeHeight int32     `db:"large_height"`
	CreatedAt   int64     `db:"created_at"`
	UploaderID  UserID    `db:"uploader_id"` // whose upload stored it (0: unknown)
}

// File is one user's upload. ContentID is 0 (and Content zero) while the
// upload is in progress; then Received bytes are on disk and HashState is
// the SHA-256 state after them. A Corrupted upload failed its hash check: it
// has no bytes and takes none.
type File struct {
	ID         FileID    `db:"id"`
	Token      string    `db:"token"`
	UserID     UserID    `db:"user_id"` // the uploader
	Name       string    `db:"name"`
	Size       int64     `db:"size"`
	Hash       []byte    `db:"hash"`
	FirstBytes []byte    `db:"first_bytes"`
	LastBytes  []byte    `db:"last_bytes"`
	ContentID  ContentID `db:"content_id"`
	Received   int64     `db:"received"`
	HashState  []byte    `db:"hash_state"`
	Corrupted  bool      `db:"corrupted"`
	CreatedAt  int64     `db:"created_at"`
	UpdatedAt  int64     `db:"updated_at"`
	Content    Content   `db:"content"`
}

// Uploading reports whether the upload has no content yet: it waits for
// bytes, or it is Corrupted.
func (f File) Uploading() bool { return f.ContentID == 0 }

// CorruptedNow reports whether FileUploadStatus answers CORRUPTED: the
// upload failed its hash check, or its content's bytes were found damaged.
func (f File) CorruptedNow() bool { return f.Corrupted || f.Content.State == ContentCorrupted }

// NewUpload is what CreateUpload records. ContentID 0 starts an upload that
// waits for bytes; a known content makes it complete at once.
type NewUpload struct {
	Token      string
	UserID     UserID
	Name       string
	Size       int64
	Hash       []byte
	FirstBytes []byte
	LastBytes  []byte
	ContentID  ContentID
	Now        int64
}

const contentColumns = `id, hash, size, state, width, height, duration,
	small_size, small_width, small_height, large_size, large_width, large_height, created_at,
	COALESCE(uploader_id, 0) AS uploader_id`

// fileSelect joins each upload with its content; an upload in progress has
// zeros there.
const fileSelect = `SELECT f.id, f.token, f.user_id, f.name, f.size, f.hash, f.first_bytes, f.last_bytes,
	COALESCE(f.content_id, 0) AS content_id, f.received, f.hash_state, f.corrupted, f.created_at, f.updated_at,
	COALESCE(c.id, 0) AS "content.id", COALESCE(c.hash, CAST('' AS BLOB)) AS "content.hash",
	COALESCE(c.size, 0) AS "content.size", COALESCE(c.state, 0) AS "content.state",
	COALESCE(c.width, 0) AS "content.width", COALESCE(c.height, 0) AS "content.height",
	COALESCE(c.duration, 0) AS "content.duration",
	COALESCE(c.small_size, 0) AS "content.small_size", COALESCE(c.small_width, 0) AS "content.small_width",
	COALESCE(c.small_height, 0) AS "content.small_height",
	COALESCE(c.large_size, 0) AS "content.large_size", COALESCE(c.large_width, 0) AS "content.large_width",
	COALESCE(c.large_height, 0) AS "content.large_height",
	COALESCE(c.created_at, 0) AS "content.created_at", COALESCE(c.uploader_id, 0) AS "content.uploader_id"
	FROM files f LEFT JOIN file_contents c ON c.id = f.content_id`

// readable is the rule for who may read an upload: its uploader, and every
// member of a room holding a message, not deleted, that carries it as its
// attachment and that the member's history reaches (start_id). Clearing
// history does not revoke access: it hides messages from one view, while the
// file stays reachable through the same room for the other members. An
// upload that is a user's avatar is shown to everyone who sees that user, so
// anyone may read it. Binds: the reader twice.
const readable = `(f.user_id = ? OR EXISTS (
	SELECT 1 FROM messages m JOIN room_members rm ON rm.room_id = m.room_id
	WHERE m.attachment_id = f.id AND m.deleted = 0 AND rm.user_id = ? AND m.id >= rm.start_id)
	OR EXISTS (SELECT 1 FROM user_avatars a WHERE a.file_id = f.id))`

const (
	qFileByID       = fileSelect + ` WHERE f.id = ?`
	qFileByToken    = fileSelect + ` WHERE f.token = ?`
	qReadableFile   = fileSelect + ` WHERE f.token = ? AND ` + readable
	qAttachableFile = fileSelect + ` WHERE f.token = ? AND f.content_id IS NOT NULL AND c.state <> 3 AND ` + readable
	qPartialUpload  = fileSelect + ` WHERE f.user_id = ? AND f.hash = ? AND f.size = ? AND f.content_id IS NULL
		AND f.corrupted = 0 ORDER BY f.received DESC, f.id DESC LIMIT 1`
	qFinishedUpload = fileSelect + ` WHERE f.user_id = ? AND f.content_id = ? AND f.name = ? ORDER BY f.id LIMIT 1`
	qExtraPartials  = fileSelect + ` WHERE f.user_id = ? AND f.content_id IS NULL ORDER BY f.updated_at DESC, f.id DESC LIMIT 1000000000 OFFSET ?` // no limit, in words both backends take
	qCreateUpload   = `INSERT INTO files (token, user_id, name, size, hash, first_bytes, last_bytes, content_id, received, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, NULLIF(?, 0), CASE WHEN ? = 0 THEN 0 ELSE ? END, ?, ?) RETURNING id`
	// An upload takes its next chunk from one writer at a time: the one
	// whose lease on the offset it expects has not run out.
	qClaimChunk = `UPDATE files SET writer = ?, write_until = ?
		WHERE id = ? AND received = ? AND content_id IS NULL AND corrupted = 0 AND write_until < ?`
	qReleaseChunk  = `UPDATE files SET writer = '', write_until = 0 WHERE id = ? AND writer = ?`
	qAdvanceUpload = `UPDATE files SET received = ?, hash_state = ?, updated_at = ?, writer = '', write_until = 0
		WHERE id = ? AND received = ? AND writer = ? AND content_id IS NULL AND corrupted = 0`
	qFinishUpload = `UPDATE files SET content_id = ?, received = size, hash_state = NULL, updated_at = ?
		WHERE id = ? AND content_id IS NULL AND corrupted = 0`
	qCorruptUpload = `UPDATE files SET corrupted = 1, received = 0, hash_state = NULL, updated_at = ?
		WHERE id = ? AND content_id IS NULL AND corrupted = 0`
	qHoldsContent = `SELECT EXISTS (SELECT 1 FROM files WHERE user_id = ? AND content_id = ?)`
	// Each distinct file once (the hash names the bytes, the size is part of
	// what was announced); unfinished uploads count, so that several at once
	// cannot overshoot. Corrupted ones hold nothing.
	qUserStorage = `SELECT COALESCE(SUM(size), 0), COALESCE(MAX(CASE WHEN hash = ? AND size = ? THEN 1 ELSE 0 END), 0)
		FROM (SELECT DISTINCT hash, size FROM files WHERE user_id = ? AND corrupted = 0) d`
	qDeleteUpload  = `DELETE FROM files WHERE id = ? AND content_id IS NULL`
	qContentByHash = `SELECT ` + contentColumns + ` FROM file_contents WHERE hash = ?`
	qContentByID   = `SELECT ` + contentColumns + ` FROM file_contents WHERE id = ?`
	// Content found corrupted is stored anew by the next complete upload:
	// it is processed again from nothing.
	qCreateContent = `INSERT INTO file_contents (hash, size, uploader_id, created_at) VALUES (?, ?, NULLIF(?, 0), ?)
		ON CONFLICT (hash) DO UPDATE SET state = 1, uploader_id = excluded.uploader_id, width = 0, height = 0, duration = 0,
		small_size = 0, small_width = 0, small_height = 0, large_size = 0, large_width = 0, large_height = 0,
		claimed_by = '', claimed_until = 0
		WHERE file_contents.state = 3`
	// Takes the oldest content waiting for processing whose lease has run
	// out (or that was never claimed) and whose uploader does not already
	// have perUser contents under a live lease, for a worker, and returns
	// it. The outer conditions repeat the subquery's so that of two
	// workers that picked the same row at once, the one that updates it
	// second finds them false and takes nothing (PostgreSQL re-checks them
	// on the row it waited for; SQLite runs one writer at a time). Binds:
	// worker, until, now, now, perUser, now.
	qClaimProcessing = `UPDATE file_contents SET claimed_by = ?, claimed_until = ?
		WHERE id = (SELECT c.id FROM file_contents c WHERE c.state = 1 AND c.claimed_until < ?
			AND COALESCE(c.uploader_id, 0) NOT IN (SELECT COALESCE(b.uploader_id, 0) FROM file_contents b
				WHERE b.state = 1 AND b.claimed_by <> '' AND b.claimed_until >= ?
				GROUP BY COALESCE(b.uploader_id, 0) HAVING COUNT(*) >= ?)
			ORDER BY c.id LIMIT 1)
		AND state = 1 AND claimed_until < ?
		RETURNING ` + contentColumns
	qRenewProcessing   = `UPDATE file_contents SET claimed_until = ? WHERE id = ? AND state = 1 AND claimed_by = ?`
	qReleaseProcessing = `UPDATE file_contents SET claimed_by = '', claimed_until = ? WHERE id = ? AND claimed_by = ?`
	qSetCorrupted      = `UPDATE file_contents SET state = 3, small_size = 0, large_size = 0, claimed_by = '', claimed_until = 0
		WHERE id = ?`
	qSetProcessed = `UPDATE file_contents SET state = 2, width = ?, height = ?, duration = ?,
		small_size = ?, small_width = ?, small_height = ?, large_size = ?, large_width = ?, large_height = ?,
		claimed_by = '', claimed_until = 0
		WHERE id = ?`
)

// FileByID returns the upload with that id, or ErrNotFound.
func (t *Tx) FileByID(id FileID) (File, error) {
	var f File
	return f, t.get("file by id", &f, qFileByID, id)
}

// FileByToken returns the upload with that token whoever owns it, or
// ErrNotFound. Callers decide what the owner may do with it.
func (t *Tx) FileByToken(token string) (File, error) {
	var f File
	return f, t.get("file by token", &f, qFileByToken, token)
}

// ReadableFile returns the upload with that token if userID may read it
// (its uploader, or a member of a room where it was sent), and ErrNotFound
// otherwise: whether a file exists never leaks to those who may not read it.
func (t *Tx) ReadableFile(token string, userID UserID) (File, error) {
	var f File
	return f, t.get("readable file", &f, qReadableFile, token, userID, userID)
}

// AttachableFile returns the upload a message may carry: the token names a
// completed upload (processing may still be running) that userID may read.
// ErrNotFound otherwise.
func (t *Tx) AttachableFile(token string, userID UserID) (File, error) {
	var f File
	return f, t.get("attachable file", &f, qAttachableFile, token, userID, userID)
}

// PartialUpload returns the user's unfinished upload of the content with
// that hash and size (the one furthest along), or ErrNotFound.
func (t *Tx) PartialUpload(userID UserID, hash []byte, size int64) (File, error) {
	var f File
	return f, t.get("partial upload", &f, qPartialUpload, userID, hash, size)
}

// FinishedUpload returns the user's completed upload of that content under
// that name, or ErrNotFound: uploading the same file again reuses it.
func (t *Tx) FinishedUpload(userID UserID, contentID ContentID, name string) (File, error) {
	var f File
	return f, t.get("finished upload", &f, qFinishedUpload, userID, contentID, name)
}

// ExtraPartialUploads returns the user's unfinished uploads beyond the keep
// most recently active, for the caller to delete with their partial files.
func (t *Tx) ExtraPartialUploads(userID UserID, keep int) ([]File, error) {
	var fs []File
	return fs, t.sel("extra partial uploads", &fs, qExtraPartials, userID, keep)
}

// CreateUpload records an upload: waiting for bytes (ContentID 0) or
// complete at once. ErrDuplicate if the token is taken; ErrNotFound if the
// user or the content does not exist.
func (t *Tx) CreateUpload(u NewUpload) (File, error) {
	var id FileID
	// nil bytes would be NULL; the columns hold "none" as empty.
	u.FirstBytes, u.LastBytes = nonNil(u.FirstBytes), nonNil(u.LastBytes)
	if err := t.guard(func() error {
		return t.get("create upload", &id, qCreateUpload, u.Token, u.UserID, u.Name, u.Size, u.Hash,
			u.FirstBytes, u.LastBytes, u.ContentID, u.ContentID, u.Size, u.Now, u.Now)
	}); err != nil {
		return File{}, err
	}
	return t.FileByID(id)
}

// ClaimChunk lets writer (a name no other request uses) write the chunk
// of the upload at offset from until the moment until (Unix milliseconds),
// on whichever node: ErrNotFound if the upload is not unfinished at from,
// or another writer's lease on it has not run out at now.
func (t *Tx) ClaimChunk(id FileID, from int64, writer string, now, until int64) error {
	return t.execOne("claim chunk", qClaimChunk, writer, until, id, from, now)
}

// ReleaseChunk gives up writer's claim on the upload's next chunk (its
// write failed); a claim writer does not hold is left alone.
func (t *Tx) ReleaseChunk(id FileID, writer string) error {
	_, err := t.exec("release chunk", qReleaseChunk, id, writer)
	return err
}

// AdvanceUpload records that writer has put the bytes [from, to) on disk,
// and the hash state after them, and ends its claim. ErrNotFound unless the
// upload is unfinished, had exactly from bytes and writer still holds the
// claim (ClaimChunk).
func (t *Tx) AdvanceUpload(id FileID, writer string, from, to int64, hashState []byte, now int64) error {
	return t.execOne("advance upload", qAdvanceUpload, to, hashState, now, id, from, writer)
}

// FinishUpload links an unfinished upload to its stored content.
// ErrNotFound if it is not unfinished.
func (t *Tx) FinishUpload(id FileID, contentID ContentID, now int64) error {
	return t.execOne("finish upload", qFinishUpload, contentID, now, id)
}

// DeleteUpload forgets an unfinished upload (its token stops working).
// ErrNotFound if there is no such unfinished upload.
func (t *Tx) DeleteUpload(id FileID) error {
	return t.execOne("delete upload", qDeleteUpload, id)
}

// ContentByHash returns the stored content with that SHA-256, or ErrNotFound.
func (t *Tx) ContentByHash(hash []byte) (Content, error) {
	var c Content
	return c, t.get("content by hash", &c, qContentByHash, hash)
}

// ContentByID returns the stored content with that id, or ErrNotFound.
func (t *Tx) ContentByID(id ContentID) (Content, error) {
	var c Content
	return c, t.get("content by id", &c, qContentByID, id)
}

// CreateContent records content that is completely on disk, in state
// ContentProcessing, stored by uploader's upload, and returns it; content
// already recorded under that hash is returned as it is, unless it was
// ContentCorrupted: the new bytes replaced it, so it is processed again.
func (t *Tx) CreateContent(hash []byte, size int64, uploader UserID, now int64) (Content, error) {
	if _, err := t.exec("create content", qCreateContent, hash, size, uploader, now); err != nil {
		return Content{}, err
	}
	return t.ContentByHash(hash)
}

// ClaimProcessing takes the oldest content waiting for processing for
// worker (a name no other worker of any node uses) until the moment until,
// and returns it; ErrNotFound if there is none to take. Content is
// claimable when no live lease holds it: never claimed, released, or its
// worker's lease ran out (a crashed node). Content of an uploader who
// already has perUser contents under live leases, over all nodes, is passed
// over, so one user's burst waits behind itself. Times are Unix
// milliseconds.
func (t *Tx) ClaimProcessing(worker string, now, until int64, perUser int) (Content, error) {
	var c Content
	return c, t.get("claim processing", &c, qClaimProcessing, worker, until, now, now, perUser, now)
}

// RenewProcessing extends worker's lease on content id to until.
// ErrNotFound if worker no longer holds it (the lease ran out and another
// worker took it, or processing ended).
func (t *Tx) RenewProcessing(id ContentID, worker string, until int64) error {
	return t.execOne("renew processing", qRenewProcessing, until, id, worker)
}

// ReleaseProcessing gives up worker's claim on content still waiting for
// processing: it is claimable again once retryAt has passed (0: at once;
// later: after a failure that would fail again at once). Releasing content
// worker does not hold does nothing.
func (t *Tx) ReleaseProcessing(id ContentID, worker string, retryAt int64) error {
	_, err := t.exec("release processing", qReleaseProcessing, retryAt, id, worker)
	return err
}

// SetCorrupted marks content whose bytes are missing or damaged on disk;
// its thumbnails are no longer offered.
func (t *Tx) SetCorrupted(contentID ContentID) error {
	return t.execOne("set corrupted", qSetCorrupted, contentID)
}

// CorruptUpload marks an unfinished upload whose bytes failed the hash
// check: it keeps its token for FileUploadStatus and takes no more bytes.
// ErrNotFound if it is not an unfinished, uncorrupted upload.
func (t *Tx) CorruptUpload(id FileID, now int64) error {
	return t.execOne("corrupt upload", qCorruptUpload, now, id)
}

// HoldsContent reports whether the user has a completed upload of the
// content: only then may an upload of it complete without its bytes.
func (t *Tx) HoldsContent(userID UserID, contentID ContentID) (bool, error) {
	var ok bool
	return ok, t.get("holds content", &ok, qHoldsContent, userID, contentID)
}

// UserStorage is the sum of the sizes of the user's distinct files
// (finished or under way), and whether the file of that hash and size is
// among them.
func (t *Tx) UserStorage(userID UserID, hash []byte, size int64) (used int64, has bool, err error) {
	err = wrap("user storage", t.row(qUserStorage, hash, size, userID).Scan(&used, &has))
	return used, has, err
}

// SetProcessed records what processing found (c's measures and thumbnail
// fields) and marks content c.ID processed. ErrNotFound if it does not exist.
func (t *Tx) SetProcessed(c Content) error {
	return t.execOne("set processed", qSetProcessed, c.Width, c.Height, c.Duration,
		c.SmallSize, c.SmallWidth, c.SmallHeight, c.LargeSize, c.LargeWidth, c.LargeHeight, c.ID)
}

func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}
