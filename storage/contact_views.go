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
	// Theirs: the user has the viewer's phone among their contacts (what
	// their ALLOW_CONTACTS rules ask).
	Theirs bool
	// Online and LastSeen are the user's presence (SetPresence), and
	// StatusLevel and AvatarLevel their USER_STATUS and AVATAR rules
	// (PrivacyLevel): the handlers decide what the viewer sees of them.
	Online      bool
	LastSeen    int64
	StatusLevel int32
	AvatarLevel int32
}

// One statement for any number of users: the ids come as one JSON array, so
// a list of users never costs a query per user.
const qContactViews = `SELECT id, known, first_name, last_name, known AND theirs, theirs, online, last_seen,
	coalesce((SELECT level FROM privacy_rules p WHERE p.user_id = id AND p.type = 0), 0),
	coalesce((SELECT level FROM privacy_rules p WHERE p.user_id = id AND p.type = 1), 0),
	EXISTS (SELECT 1 FROM user_blocks b WHERE b.blocker_id = id AND b.blocked_id = ?1)
	FROM (SELECT u.id AS id, c.owner_id IS NOT NULL AS known, coalesce(c.first_name, '') AS first_name,
		coalesce(c.last_name, '') AS last_name, u.online AS online, u.last_seen AS last_seen,
		EXISTS (SELECT 1 FROM contacts r
			WHERE r.owner_id = u.id AND r.phone = (SELECT v.phone FROM users v WHERE v.id = ?1)) AS theirs
		FROM json_each(?2) j JOIN users u ON u.id = j.value
		LEFT JOIN contacts c ON c.owner_id = ?1 AND c.phone = u.phone)`

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
	rows, err := t.query(qContactViews, viewer, string(ids))
	if err != nil {
		return nil, wrap("contact views", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id UserID
		var v ContactView
		if err := rows.Scan(&id, &v.Known, &v.FirstName, &v.LastName, &v.Mutual, &v.Theirs,
			&v.Online, &v.LastSeen, &v.StatusLevel, &v.AvatarLevel, &v.BlockedBy); err != nil {
			return nil, wrap("contact views", err)
		}
		out[id] = v
	}
	return out, wrap("contact views", rows.Err())
}
