package storage

// InfoPage is a static page that InfoPage serves.
type InfoPage struct {
	ID        string `db:"id"`
	Body      string `db:"body"`
	UpdatedAt int64  `db:"updated_at"`
}

// InfoPageSummary lists a page without its body.
type InfoPageSummary struct {
	ID        string `db:"id"`
	Size      int64  `db:"size"` // body length in bytes
	UpdatedAt int64  `db:"updated_at"`
}

const (
	qInfoPage    = `SELECT id, body, updated_at FROM info_pages WHERE id = ?`
	qPutInfoPage = `INSERT INTO info_pages (id, body, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at`
	qDeleteInfoPage = `DELETE FROM info_pages WHERE id = ?`
	// CAST to BLOB makes length() count bytes, not characters.
	qInfoPages = `SELECT id, length(CAST(body AS BLOB)) AS size, updated_at FROM info_pages ORDER BY id`
)

// InfoPage returns the page with this id, or ErrNotFound.
func (t *Tx) InfoPage(id string) (InfoPage, error) {
	var p InfoPage
	return p, t.get("info page", &p, qInfoPage, id)
}

// PutInfoPage creates or replaces a page. Limits on id and body are the
// caller's (tools/infopage).
func (t *Tx) PutInfoPage(id, body string, now int64) error {
	_, err := t.exec("put info page", qPutInfoPage, id, body, now)
	return err
}

// DeleteInfoPage removes a page; ErrNotFound if there is none.
func (t *Tx) DeleteInfoPage(id string) error {
	return t.execOne("delete info page", qDeleteInfoPage, id)
}

// InfoPages lists every page by id.
func (t *Tx) InfoPages() ([]InfoPageSummary, error) {
	var ps []InfoPageSummary
	return ps, t.sel("info pages", &ps, qInfoPages)
}
