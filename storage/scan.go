package storage

import "database/sql"

// The hottest queries (every send reads a room, a membership and writes a
// message) scan their rows by hand: sqlx maps columns to fields through
// reflection on every row, and database/sql converts an INTEGER into an
// int32 field by formatting and parsing it. Columns are read in the order of
// roomColumns, memberColumns and messageColumns; scan_test.go checks that
// these scans and sqlx's agree.

// scanner is a *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

// row runs a query that returns at most one row; its Scan reports no row as
// sql.ErrNoRows (wrap makes that ErrNotFound).
func (t *Tx) row(query string, args ...any) *sql.Row {
	t.db.n.Add(1)
	return t.tx.QueryRowContext(t.ctx, query, args...)
}

// withTail is a scanner whose row has more columns than a scan function
// asks for: the rest go to tail, so two scan functions' columns can share a
// row.
type withTail struct {
	s    scanner
	tail []any
}

func (w withTail) Scan(dest ...any) error { return w.s.Scan(append(dest, w.tail...)...) }

func scanRoom(s scanner, r *Room) error {
	var typ int64
	var key sql.NullString
	if err := s.Scan(&r.ID, &typ, &r.Title, &r.Description, &r.CreatorID, &key, &r.Version,
		&r.LastMessageID, &r.CreatedAt); err != nil {
		return err
	}
	r.Type = RoomKind(typ)
	r.ChatKey = nil
	if key.Valid {
		r.ChatKey = &key.String
	}
	return nil
}

func scanMessage(s scanner, m *Message) error {
	var (
		typ, status, addType              int64
		attachment, logTarget, reply, fwd sql.NullInt64
		logType                           sql.NullInt64
		lat, lon                          sql.NullFloat64
		contact                           sql.NullString
	)
	if err := s.Scan(&m.ID, &m.RoomID, &m.AuthorID, &m.RandomID, &typ, &m.Body, &attachment,
		&lat, &lon, &contact, &logType, &logTarget, &reply, &fwd,
		&status, &m.Edited, &m.Deleted, &m.CreateVersion, &m.MessageVersion, &m.StatusVersion, &m.DeleteVersion,
		&m.PreviousID, &m.CreateTime, &m.UpdateTime, &addType, &m.AdditionalData, &m.StatusBy); err != nil {
		return err
	}
	m.Type, m.Status, m.AdditionalType = int32(typ), int32(status), uint32(addType)
	m.AttachmentID, m.LogTarget = nullInt[FileID](attachment), nullInt[UserID](logTarget)
	m.ReplyTo, m.ForwardID = nullInt[MessageID](reply), nullInt[MessageID](fwd)
	m.LocationLat, m.LocationLon = nullFloat(lat), nullFloat(lon)
	m.Contact, m.LogType = nil, nil
	if contact.Valid {
		m.Contact = &contact.String
	}
	if logType.Valid {
		v := int32(logType.Int64)
		m.LogType = &v
	}
	return nil
}

// nullInt is a nullable id column as a pointer to its id type.
func nullInt[T ~int64](n sql.NullInt64) *T {
	if !n.Valid {
		return nil
	}
	v := T(n.Int64)
	return &v
}

func nullFloat(n sql.NullFloat64) *float64 {
	if !n.Valid {
		return nil
	}
	return &n.Float64
}

// memberScan is where a row's member columns go; set copies them into m.
type memberScan struct{ role, hidden, muted int64 }

func (ms *memberScan) dests(m *Member) []any {
	return []any{&m.RoomID, &m.UserID, &ms.role, &m.StartID, &m.ClearID, &m.SeenID, &ms.hidden, &ms.muted, &m.JoinedAt, &m.PinID}
}

func (ms *memberScan) set(m *Member) {
	m.Role, m.Hidden, m.Muted = int32(ms.role), ms.hidden != 0, ms.muted != 0
}

func scanMember(s scanner, m *Member) error {
	var ms memberScan
	if err := s.Scan(ms.dests(m)...); err != nil {
		return err
	}
	ms.set(m)
	return nil
}

// message runs a query returning one row of messageColumns.
func (t *Tx) message(op, query string, args ...any) (Message, error) {
	var m Message
	return m, wrap(op, scanMessage(t.row(query, args...), &m))
}
