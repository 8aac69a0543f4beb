package storage

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

// One statement for any number of users (the viewer is bound three times,
// then the set), so a list of users never costs a query per user.
const qContactViews = `SELECT x.id, x.known, x.first_name, x.last_name, x.known AND x.theirs, x.theirs, x.online, x.last_seen,
	coalesce((SELECT level FROM privacy_rules p WHERE p.user_id = x.id AND p.type = 0), 0),
	coalesce((SELECT level FROM privacy_rules p WHERE p.user_id = x.id AND p.type = 1), 0),
	EXISTS (SELECT 1 FROM user_blocks b WHERE b.blocker_id = x.id AND b.blocked_id = ?)
	FROM (SELECT u.id AS id, c.owner_id IS NOT NULL AS known, coalesce(c.first_name, '') AS first_name,
		coalesce(c.last_name, '') AS last_name, u.online AS online, u.last_seen AS last_seen,
		EXISTS (SELECT 1 FROM contacts r
			WHERE r.owner_id = u.id AND r.phone = (SELECT v.phone FROM users v WHERE v.id = ?)) AS theirs
		FROM users u LEFT JOIN contacts c ON c.owner_id = ? AND c.phone = u.phone
		WHERE u.id IN (?)) x`

// ContactViews returns, for each of the users that exists, what viewer
// knows of them through contacts. Users the viewer has no entry for are in
// the map with Known false.
func (t *Tx) ContactViews(viewer UserID, users []UserID) (map[UserID]ContactView, error) {
	out := make(map[UserID]ContactView, len(users))
	if len(users) == 0 {
		return out, nil
	}
	rows, err := t.queryIn(qContactViews, viewer, viewer, viewer, users)
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
