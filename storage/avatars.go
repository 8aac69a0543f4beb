package storage

// Avatars: a user's pictures, newest first; the newest is the current one.
// Each names one complete upload (a files row) whose content processing
// found to be an image. See migrations/0014_avatars_and_username_changes.sql.

// AvatarID names a row of user_avatars (Avatar.id on the wire).
type AvatarID int64

// Avatar is one of a user's avatars with its upload and content.
type Avatar struct {
	ID     AvatarID
	UserID UserID
	File   File
}

// AvatarSummary is what RegisteredUser shows of a user's avatars: how many
// there are and the current one.
type AvatarSummary struct {
	Count   int
	Current Avatar
}

const (
	qAddAvatar = `INSERT INTO user_avatars (user_id, file_id, created_at) VALUES (?, ?, ?) RETURNING id`
	// Keeps the newest keep avatars of the user.
	qTrimAvatars = `DELETE FROM user_avatars WHERE user_id = ?1 AND id NOT IN
		(SELECT id FROM user_avatars WHERE user_id = ?1 ORDER BY id DESC LIMIT ?2)`
	qDeleteAvatar = `DELETE FROM user_avatars WHERE id = ? AND user_id = ?`
	qAvatarsOf    = `SELECT id, user_id, file_id FROM user_avatars WHERE user_id = ? ORDER BY id DESC`
	// Each user's count and newest avatar, joined back for its file.
	qAvatarSummaries = `SELECT a.user_id, s.n, a.id, a.file_id FROM user_avatars a JOIN
		(SELECT user_id, COUNT(*) AS n, MAX(id) AS top FROM user_avatars WHERE user_id IN (?) GROUP BY user_id) s
		ON a.id = s.top`
	qFilesByIDs = fileSelect + ` WHERE f.id IN (?)`
)

// AddAvatar makes the upload fileID the user's current avatar and drops all
// but the newest keep. The caller has checked the upload.
func (t *Tx) AddAvatar(userID UserID, fileID FileID, now int64, keep int) (AvatarID, error) {
	var id AvatarID
	if err := t.get("add avatar", &id, qAddAvatar, userID, fileID, now); err != nil {
		return 0, err
	}
	_, err := t.exec("trim avatars", qTrimAvatars, userID, keep)
	return id, err
}

// DeleteAvatar deletes one of the user's avatars; ErrNotFound when id is not
// one of them. The newest left becomes the current one.
func (t *Tx) DeleteAvatar(userID UserID, id AvatarID) error {
	return t.execOne("delete avatar", qDeleteAvatar, id, userID)
}

// Avatars returns the user's avatars, newest first, with their uploads.
func (t *Tx) Avatars(userID UserID) ([]Avatar, error) {
	rows, err := t.query(qAvatarsOf, userID)
	if err != nil {
		return nil, wrap("avatars", err)
	}
	defer rows.Close()
	var out []Avatar
	var fileIDs []FileID
	for rows.Next() {
		var a Avatar
		if err := rows.Scan(&a.ID, &a.UserID, &a.File.ID); err != nil {
			return nil, wrap("avatars", err)
		}
		out = append(out, a)
		fileIDs = append(fileIDs, a.File.ID)
	}
	if err := rows.Err(); err != nil {
		return nil, wrap("avatars", err)
	}
	files, err := t.FilesByIDs(fileIDs)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].File = files[out[i].File.ID]
	}
	return out, nil
}

// AvatarSummaries returns, for each of users that has avatars, their count
// and the current one: two statements for any number of users.
func (t *Tx) AvatarSummaries(users []UserID) (map[UserID]AvatarSummary, error) {
	out := make(map[UserID]AvatarSummary)
	if len(users) == 0 {
		return out, nil
	}
	rows, err := t.queryIn(qAvatarSummaries, users)
	if err != nil {
		return nil, wrap("avatar summaries", err)
	}
	defer rows.Close()
	var fileIDs []FileID
	for rows.Next() {
		var s AvatarSummary
		if err := rows.Scan(&s.Current.UserID, &s.Count, &s.Current.ID, &s.Current.File.ID); err != nil {
			return nil, wrap("avatar summaries", err)
		}
		out[s.Current.UserID] = s
		fileIDs = append(fileIDs, s.Current.File.ID)
	}
	if err := rows.Err(); err != nil {
		return nil, wrap("avatar summaries", err)
	}
	files, err := t.FilesByIDs(fileIDs)
	if err != nil {
		return nil, err
	}
	for id, s := range out {
		s.Current.File = files[s.Current.File.ID]
		out[id] = s
	}
	return out, nil
}

// FilesByIDs returns the uploads with those ids that exist, by id.
func (t *Tx) FilesByIDs(ids []FileID) (map[FileID]File, error) {
	out := make(map[FileID]File, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var fs []File
	if err := t.selIn("files by ids", &fs, qFilesByIDs, ids); err != nil {
		return nil, err
	}
	for _, f := range fs {
		out[f.ID] = f
	}
	return out, nil
}
