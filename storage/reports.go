package storage

// Reports of users (UserReport), kept for the operator, who lists and
// resolves them with tools/reports.

// Report is one user's report of another.
type Report struct {
	ID          ReportID `db:"id"`
	ReporterID  UserID   `db:"reporter_id"`
	UserID      UserID   `db:"user_id"`
	Reason      int32    `db:"reason"` // protocol UserReport.Reason enum
	Description string   `db:"description"`
	CreatedAt   int64    `db:"created_at"`
	ResolvedAt  int64    `db:"resolved_at"` // 0 while open
	Resolution  string   `db:"resolution"`
}

const reportColumns = `id, reporter_id, user_id, reason, description, created_at, resolved_at, resolution`

const (
	qAddReport = `INSERT INTO user_reports (reporter_id, user_id, reason, description, created_at)
		VALUES (?, ?, ?, ?, ?)`
	qReports       = `SELECT ` + reportColumns + ` FROM user_reports WHERE ? = 1 OR resolved_at = 0 ORDER BY id`
	qResolveReport = `UPDATE user_reports SET resolved_at = ?, resolution = ? WHERE id = ? AND resolved_at = 0`
)

// AddReport stores an open report. ErrDuplicate if the reporter already has
// an open report of the user; ErrNotFound if either user does not exist.
func (t *Tx) AddReport(reporter, user UserID, reason int32, description string, now int64) error {
	return t.guard(func() error {
		_, err := t.exec("add report", qAddReport, reporter, user, reason, description, now)
		return err
	})
}

// Reports lists the open reports, oldest first, or all of them with all.
func (t *Tx) Reports(all bool) ([]Report, error) {
	var rs []Report
	return rs, t.sel("reports", &rs, qReports, all)
}

// ResolveReport closes an open report with the operator's note; ErrNotFound
// if there is no open report with that id. The reporter may then report the
// user again.
func (t *Tx) ResolveReport(id ReportID, resolution string, now int64) error {
	return t.execOne("resolve report", qResolveReport, now, resolution, id)
}
