package limits

import (
	"hash/maphash"
	"sync"
	"time"
)

// Rate is a token bucket's shape: Count tokens per Per, at most Burst held.
// A client idle long enough may spend Burst requests at once, then one every
// Per/Count.
type Rate struct {
	Count int           `yaml:"count"`
	Per   time.Duration `yaml:"per"`
	Burst int           `yaml:"burst"`
}

// interval is the time one token takes to come back.
func (r Rate) interval() time.Duration { return r.Per / time.Duration(r.Count) }

// off reports a rate that limits nothing.
func (r Rate) off() bool { return r.Count <= 0 || r.Per <= 0 }

// bucket is one key's state: the moment it will be full again. Keeping the
// "full at" time instead of a token count makes a bucket one word and an
// idle bucket recognisable without arithmetic (full <= now).
type bucket struct{ full time.Time }

// take spends one token of rate r at now. It returns 0 when allowed, or how
// long until a token is available.
func (b *bucket) take(r Rate, now time.Time) time.Duration {
	step := r.interval()
	if b.full.Before(now) {
		b.full = now
	}
	// Tokens missing = (full - now) / step; allowed while fewer than Burst
	// are missing once this one is taken.
	next := b.full.Add(step)
	if over := next.Sub(now) - time.Duration(r.Burst)*step; over > 0 {
		return over
	}
	b.full = next
	return 0
}

// buckets holds the state of many keys, sharded so that requests of
// different clients rarely share a lock. Buckets that are full again are
// dropped by a sweep, so memory follows the clients active within a
// refill time, not every client ever seen.
type buckets struct {
	seed   maphash.Seed
	shards [64]shard
}

type shard struct {
	mu    sync.Mutex
	m     map[string]*bucket
	swept time.Time
}

// sweepAfter is how long a shard goes between sweeps once it holds
// sweepSize keys.
const (
	sweepAfter = time.Minute
	sweepSize  = 1024
)

func newBuckets() *buckets {
	b := &buckets{seed: maphash.MakeSeed()}
	for i := range b.shards {
		b.shards[i].m = map[string]*bucket{}
	}
	return b
}

// take spends a token of rate r from key's bucket.
func (bs *buckets) take(key string, r Rate, now time.Time) time.Duration {
	s := &bs.shards[maphash.String(bs.seed, key)%uint64(len(bs.shards))]
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.m[key]
	if b == nil {
		if len(s.m) >= sweepSize && now.Sub(s.swept) > sweepAfter {
			s.sweep(now)
		}
		b = &bucket{}
		s.m[key] = b
	}
	return b.take(r, now)
}

// sweep forgets buckets that are full: they hold nothing a new bucket
// would not.
func (s *shard) sweep(now time.Time) {
	for k, b := range s.m {
		if !b.full.After(now) {
			delete(s.m, k)
		}
	}
	s.swept = now
}

// size is how many keys are held, for tests and metrics.
func (bs *buckets) size() int {
	n := 0
	for i := range bs.shards {
		s := &bs.shards[i]
		s.mu.Lock()
		n += len(s.m)
		s.mu.Unlock()
	}
	return n
}
