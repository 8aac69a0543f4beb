package storage

// DeviceInfo is what a client reports about itself at UserLogin, plus the
// address it connected from. The enums are the protocol's numeric values.
type DeviceInfo struct {
	AppName         string `db:"app_name"`
	AppID           uint32 `db:"app_id"`
	AppBuildVersion uint32 `db:"app_build_version"`
	AppVersion      string `db:"app_version"`
	Platform        int32  `db:"platform"`
	PlatformVersion string `db:"platform_version"`
	Device          int32  `db:"device"`
	DeviceName      string `db:"device_name"`
	Language        int32  `db:"language"`
	IP              string `db:"ip"`
}

// Session is one device's login: created by UserVerify with a fresh token,
// refreshed by each UserLogin, ended by RevokeSession.
type Session struct {
	ID          SessionID `db:"id"`
	UserID      UserID    `db:"user_id"`
	TokenHash   []byte    `db:"token_hash"` // the token itself is never stored
	CreatedAt   int64     `db:"created_at"`
	LastLoginAt int64     `db:"last_login_at"` // 0 until the first UserLogin
	DeviceInfo
}

const sessionColumns = `id, user_id, token_hash, created_at, last_login_at,
	app_name, app_id, app_build_version, app_version, platform, platform_version,
	device, device_name, language, ip`

const (
	qCreateSession      = `INSERT INTO sessions (user_id, token_hash, created_at) VALUES (?, ?, ?) RETURNING ` + sessionColumns
	qSessionByTokenHash = `SELECT ` + sessionColumns + ` FROM sessions WHERE token_hash = ? AND revoked = 0`
	qTouchSession       = `UPDATE sessions SET last_login_at = ?,
		app_name = ?, app_id = ?, app_build_version = ?, app_version = ?, platform = ?, platform_version = ?,
		device = ?, device_name = ?, language = ?, ip = ?
		WHERE id = ? AND revoked = 0`
	qDescribeSession = `UPDATE sessions SET app_name = ?, app_id = ?, app_build_version = ?, app_version = ?,
		platform = ?, platform_version = ?, device = ?, device_name = ?, ip = ? WHERE id = ? AND revoked = 0`
	qRevokeSession = `UPDATE sessions SET revoked = 1 WHERE id = ? AND revoked = 0`
	// A session is active from its creation or last login on; one idle since
	// before the cutoff has expired.
	qActiveSessions = `SELECT ` + sessionColumns + ` FROM sessions
		WHERE user_id = ? AND revoked = 0 AND max(created_at, last_login_at) >= ?
		ORDER BY max(created_at, last_login_at) DESC, id DESC`
	qRevokeUserSession = `UPDATE sessions SET revoked = 1 WHERE id = ? AND user_id = ? AND revoked = 0`
)

// CreateSession starts a session for the user under the hash of a new token.
// ErrNotFound if the user does not exist; ErrDuplicate if the hash is taken.
func (t *Tx) CreateSession(userID UserID, tokenHash []byte, now int64) (Session, error) {
	var s Session
	return s, t.guard(func() error { return t.get("create session", &s, qCreateSession, userID, tokenHash, now) })
}

// SessionByTokenHash finds the live session holding that token hash.
// A revoked session is ErrNotFound, so a logged-out token cannot log in.
func (t *Tx) SessionByTokenHash(tokenHash []byte) (Session, error) {
	var s Session
	return s, t.get("session by token", &s, qSessionByTokenHash, tokenHash)
}

// TouchSession records a login at now with the device's current facts.
// ErrNotFound if the session does not exist or was revoked.
func (t *Tx) TouchSession(id SessionID, now int64, d DeviceInfo) error {
	return t.execOne("touch session", qTouchSession, now,
		d.AppName, d.AppID, d.AppBuildVersion, d.AppVersion, d.Platform, d.PlatformVersion,
		d.Device, d.DeviceName, d.Language, d.IP, id)
}

// DescribeSession records a device's facts on its session without a login
// (a device let in by another, before its own UserLogin).
func (t *Tx) DescribeSession(id SessionID, d DeviceInfo) error {
	return t.execOne("describe session", qDescribeSession, d.AppName, d.AppID, d.AppBuildVersion, d.AppVersion,
		d.Platform, d.PlatformVersion, d.Device, d.DeviceName, d.IP, id)
}

// RevokeSession ends the session; its token stops working. ErrNotFound if
// there is no such live session.
func (t *Tx) RevokeSession(id SessionID) error {
	return t.execOne("revoke session", qRevokeSession, id)
}

// ActiveSessions lists the user's sessions that are neither revoked nor idle
// since before idleCutoff (Unix seconds), most recently active first.
func (t *Tx) ActiveSessions(userID UserID, idleCutoff int64) ([]Session, error) {
	var ss []Session
	return ss, t.sel("active sessions", &ss, qActiveSessions, userID, idleCutoff)
}

// RevokeUserSession ends session id if it is a live session of userID.
// ErrNotFound otherwise, so nobody ends another user's session.
func (t *Tx) RevokeUserSession(userID UserID, id SessionID) error {
	return t.execOne("revoke user session", qRevokeUserSession, id, userID)
}
