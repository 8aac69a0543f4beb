package server

import "testing"

// -max-conns defaults to the open-files limit less the margin.
func TestDefaultMaxConns(t *testing.T) {
	if n, ok := FilesLimit(); ok && n > 2*filesMargin && DefaultMaxConns() != int(min(n-filesMargin, ceilingMaxConns)) {
		t.Fatalf("default -max-conns %d under an open-files limit of %d", DefaultMaxConns(), n)
	}
}
