package postgres

import "testing"

func TestRebind(t *testing.T) {
	for in, want := range map[string]string{
		`SELECT 1`:     `SELECT 1`,
		`SELECT ? , ?`: `SELECT $1 , $2`,
		`SELECT '?', "a?b", ? -- why?` + "\n" + `, ?`:    `SELECT '?', "a?b", $1 -- why?` + "\n" + `, $2`,
		`DELETE FROM t WHERE a = ?1 AND b = ?2 OR ?1`:    `DELETE FROM t WHERE a = $1 AND b = $2 OR $1`,
		`UPDATE m INDEXED BY m_hidden SET h = 0 WHERE ?`: `UPDATE m  SET h = 0 WHERE $1`,
		`SELECT 'it''s', ?`:                              `SELECT 'it''s', $1`,
	} {
		if got := rebind(in); got != want {
			t.Errorf("rebind(%q) = %q, want %q", in, got, want)
		}
	}
}
