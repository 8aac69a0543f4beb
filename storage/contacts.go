package storage

import "errors"

// Contact is one entry of a user's address book: a phone (E.164) with the
// names the owner gave it. It need not belong to a user; contacts are joined
// to users by phone when read, so someone who signs up later shows up.
type Contact struct {
	OwnerID   UserID `db:"owner_id"`
	Phone     string `db:"phone"`
	FirstName string `db:"first_name"`
	LastName  string `db:"last_name"`
	ClientID  string `db:"client_id"`
	CreatedAt int64  `db:"created_at"`
}

// ContactUser is a contact that belongs to a verified user.
type ContactUser struct {
	Contact Contact
	User    User
}

const contactColumns = `owner_id, phone, first_name, last_name, client_id, created_at`

const (
	// A re-import of the same phone updates the entry instead of adding one.
	qUpsertContact = `INSERT INTO contacts (` + contactColumns + `) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (owner_id, phone) DO UPDATE SET
		first_name = excluded.first_name, last_name = excluded.last_name, client_id = excluded.client_id`
	qContact         = `SELECT ` + contactColumns + ` FROM contacts WHERE owner_id = ? AND phone = ?`
	qSetContactNames = `UPDATE contacts SET first_name = ?, last_name = ? WHERE owner_id = ? AND phone = ?`
	qDeleteContact   = `DELETE FROM contacts WHERE owner_id = ? AND phone = ?`
	qContactUsers    = `SELECT c.owner_id, c.phone, c.first_name, c.last_name, c.client_id, c.created_at,
		u.id, u.phone AS user_phone, u.country, u.username, u.nickname, u.email, u.gender, u.blocked, u.verified, u.bio, u.created_at AS user_created_at
		FROM contacts c JOIN users u ON u.phone = c.phone
		WHERE c.owner_id = ? AND u.verified = 1 ORDER BY c.created_at, c.phone`
	// Both directions in one statement: a has b's phone and b has a's.
	qMutual = `SELECT
		EXISTS (SELECT 1 FROM contacts c JOIN users u ON u.phone = c.phone WHERE c.owner_id = ?1 AND u.id = ?2) AND
		EXISTS (SELECT 1 FROM contacts c JOIN users u ON u.phone = c.phone WHERE c.owner_id = ?2 AND u.id = ?1)`
)

// UpsertContact adds phone to owner's contacts, or renames the entry that
// already has it. ErrNotFound if the owner does not exist.
func (t *Tx) UpsertContact(owner UserID, phone, first, last, clientID string, now int64) error {
	_, err := t.exec("upsert contact", qUpsertContact, owner, phone, first, last, clientID, now)
	return err
}

// Contact returns owner's entry for phone, or ErrNotFound.
func (t *Tx) Contact(owner UserID, phone string) (Contact, error) {
	var c Contact
	return c, t.get("contact", &c, qContact, owner, phone)
}

// SetContactNames renames owner's entry for phone; ErrNotFound if none.
func (t *Tx) SetContactNames(owner UserID, phone, first, last string) error {
	return t.execOne("set contact names", qSetContactNames, first, last, owner, phone)
}

// DeleteContact removes owner's entry for phone; ErrNotFound if none.
func (t *Tx) DeleteContact(owner UserID, phone string) error {
	return t.execOne("delete contact", qDeleteContact, owner, phone)
}

// ContactUsers lists owner's contacts whose phone belongs to a verified user,
// in import order.
func (t *Tx) ContactUsers(owner UserID) ([]ContactUser, error) {
	rows, err := t.query(qContactUsers, owner)
	if err != nil {
		return nil, wrap("contact users", err)
	}
	defer rows.Close()
	var out []ContactUser
	for rows.Next() {
		var cu ContactUser
		c, u := &cu.Contact, &cu.User
		if err := rows.Scan(&c.OwnerID, &c.Phone, &c.FirstName, &c.LastName, &c.ClientID, &c.CreatedAt,
			&u.ID, &u.Phone, &u.Country, &u.Username, &u.Nickname, &u.Email, &u.Gender,
			&u.Blocked, &u.Verified, &u.Bio, &u.CreatedAt); err != nil {
			return nil, wrap("contact users", err)
		}
		out = append(out, cu)
	}
	return out, wrap("contact users", rows.Err())
}

// Mutual reports whether user a has user b's phone in contacts and b has a's.
// Unknown users are simply not mutual.
func (t *Tx) Mutual(a, b UserID) (bool, error) {
	var m bool
	err := t.get("mutual", &m, qMutual, a, b)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	return m, err
}
