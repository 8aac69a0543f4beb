package storage

import "encoding/json"

// ContactView is what one viewer knows of one user through contacts: the
// viewer's entry for the user's phone (Known, with its names) and whether
// the user has the viewer's phone too (Mutual), and whether the user has
// blocked the viewer (BlockedBy).
type ContactView struct {
	Known     bool
	FirstName string
	LastName  string
	Mutual    bool
	// BlockedBy: the user has blocked the viewer, who then sees none of
	// their presence (status, last seen, avatar).
	BlockedBy bool
}

// One statement for any number of users: the ids come as one JSON array, so
// a list of users never costs a query per user.
const qContactViews = `SELECT u.id, c.owner_id IS NOT NULL, coalesce(c.first_name, ''), coalesce(c.last_name, ''),
	c.owner_id IS NOT NULL AND EXISTS (SELECT 1 FROM contacts r
		WHERE r.owner_id = u.id AND r.phone = (SELECT v.phone FROM users v WHERE v.id = ?1)),
	EXISTS (SELECT 1 FROM user_blocks b WHERE b.blocker_id = u.id AND b.blocked_id = ?1)
	FROM json_each(?2) j JOIN users u ON u.id = j.value
	LEFT JOIN contacts c ON c.owner_id = ?1 AND c.phone = u.phone`

// ContactViews returns, for each of the users that exists, what viewer
// knows of them through contacts. Users the viewer has no entry for are in
// the map with Known false.
func (t *Tx) ContactViews(viewer UserID, users []UserID) (map[UserID]ContactView, error) {
	out := make(map[UserID]ContactView, len(users))
	if len(users) == 0 {
		return out, nil
	}
	ids, err := json.Marshal(users)
	if err != nil {
		return nil, wrap("contact views", err)
	}
	rows, err := t.tx.QueryContext(t.ctx, qContactViews, viewer, string(ids))
	if err != nil {
		return nil, wrap("contact views", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id UserID
		var v ContactView
		if err := rows.Scan(&id, &v.Known, &v.FirstName, &v.LastName, &v.Mutual, &v.BlockedBy); err != nil {
			return nil, wrap("contact views", err)
		}
		out[id] = v
	}
	return out, wrap("contact views", rows.Err())
}
