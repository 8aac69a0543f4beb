package storage

// User is an account, created by UserRegister and identified by its phone.
type User struct {
	ID        UserID `db:"id"`
	Phone     string `db:"phone"`   // E.164
	Country   string `db:"country"` // as given at sign-up
	Username  string `db:"username"`
	Nickname  string `db:"nickname"`
	Email     string `db:"email"`
	Gender    int32  `db:"gender"` // protocol Gender enum
	Blocked   bool   `db:"blocked"`
	Verified  bool   `db:"verified"` // true after the first successful UserVerify
	Bio       string `db:"bio"`
	CreatedAt int64  `db:"created_at"`
	DeletedAt int64  `db:"deleted_at"` // 0 unless the account was deleted (UserDelete, self-removal)
}

// Deleted reports whether the account was deleted; its row stays for the
// messages it wrote.
func (u User) Deleted() bool { return u.DeletedAt != 0 }

const userColumns = `id, phone, country, username, nickname, email, gender, blocked, verified, bio, created_at, deleted_at`

const (
	qUserByID       = `SELECT ` + userColumns + ` FROM users WHERE id = ?`
	qUserByPhone    = `SELECT ` + userColumns + ` FROM users WHERE phone = ?`
	qUserByUsername = `SELECT ` + userColumns + ` FROM users WHERE username = ?`
	qCreateUser     = `INSERT INTO users (phone, country, username, created_at) VALUES (?, ?, ?, ?) RETURNING ` + userColumns
	qMarkVerified   = `UPDATE users SET verified = 1 WHERE id = ?`
	qSetBlocked     = `UPDATE users SET blocked = ? WHERE id = ?`
)

// UserByID returns the user with that id, or ErrNotFound.
func (t *Tx) UserByID(id UserID) (User, error) {
	var u User
	return u, t.get("user by id", &u, qUserByID, id)
}

// UserByPhone returns the user with that E.164 phone, or ErrNotFound.
func (t *Tx) UserByPhone(phone string) (User, error) {
	var u User
	return u, t.get("user by phone", &u, qUserByPhone, phone)
}

// UserByUsername returns the user with that username, compared without
// regard to letter case, or ErrNotFound.
func (t *Tx) UserByUsername(username string) (User, error) {
	var u User
	return u, t.get("user by username", &u, qUserByUsername, username)
}

// CreateUser adds an unverified account. The caller generates the username;
// ErrDuplicate means the phone or the username is taken (for a generated
// username: generate another and retry).
func (t *Tx) CreateUser(phone, country, username string, now int64) (User, error) {
	var u User
	return u, t.guard(func() error { return t.get("create user", &u, qCreateUser, phone, country, username, now) })
}

// MarkVerified records that the user has completed verification once.
func (t *Tx) MarkVerified(userID UserID) error {
	return t.execOne("mark user verified", qMarkVerified, userID)
}

// SetBlocked blocks or unblocks the account.
func (t *Tx) SetBlocked(userID UserID, blocked bool) error {
	return t.execOne("set user blocked", qSetBlocked, blocked, userID)
}
