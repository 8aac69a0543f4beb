package server

// Every connection is a file descriptor; the database (its file, WAL and
// shared memory, one per pooled connection), uploads being written, file
// processing and the listeners need some too. -max-conns defaults to what
// the open-files limit leaves after them, so gapd refuses an upgrade (429)
// instead of failing to accept, or to open its database, at the limit.
const (
	// filesMargin is what -max-conns leaves of the limit for everything else.
	filesMargin = 256
	// LowFilesLimit is the open-files limit below which gapd warns at start:
	// a few thousand clients are more than it can hold.
	LowFilesLimit = 4096
	// fallbackMaxConns is -max-conns where the limit cannot be read.
	fallbackMaxConns = 10000
	// ceilingMaxConns bounds the default under an unlimited limit.
	ceilingMaxConns = 1 << 20
)

// FilesLimit is the process's open-files limit (RLIMIT_NOFILE, soft), or
// false where it cannot be read.
func FilesLimit() (uint64, bool) { return openFilesLimit() }

// DefaultMaxConns is -max-conns's default: the open-files limit less
// filesMargin (half the limit when that would leave less than the margin).
func DefaultMaxConns() int {
	n, ok := openFilesLimit()
	switch {
	case !ok:
		return fallbackMaxConns
	case n > ceilingMaxConns:
		return ceilingMaxConns
	case n < 2*filesMargin:
		return max(int(n/2), 1)
	}
	return int(n - filesMargin)
}
