package storage

import (
	"database/sql"
	"testing"
)

// The named ids carry no Scanner or Valuer: database/sql binds them and
// scans into them by kind, through sqlx and by hand alike, over the whole
// int64 range.
func TestNamedIDsBindAndScan(t *testing.T) {
	db := openTest(t)
	read(t, db, func(tx *Tx) error {
		for _, want := range []RoomID{1, 1<<63 - 1, -1 << 63} {
			var got RoomID
			if err := tx.row(`SELECT CAST(? AS BIGINT)`, want).Scan(&got); err != nil || got != want {
				t.Fatalf("scan %d: got %d, %v", want, got, err)
			}
			var row struct {
				ID RoomID `db:"id"`
			}
			if err := tx.get("sqlx id", &row, `SELECT CAST(? AS BIGINT) AS id`, want); err != nil || row.ID != want {
				t.Fatalf("sqlx %d: got %d, %v", want, row.ID, err)
			}
		}
		var n sql.NullInt64
		if err := tx.row(`SELECT CAST(? AS BIGINT)`, FileID(7)).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if p := nullInt[FileID](n); p == nil || *p != 7 {
			t.Fatalf("nullable id: %v", p)
		}
		return nil
	})
}
