package server

import (
	"sync"
	"time"
)

// beats is the server's one heartbeat scheduler: instead of a ticker per
// connection, a queue of connections ordered by when their next
// HeartbeatResponse is due. Every connection has the same interval, so
// appending keeps the order, and one goroutine sleeps until the oldest is
// due. A connection gets its first heartbeat one interval after it opened
// and one every interval after that; a closed one leaves the queue when its
// turn comes.
type beats struct {
	mu      sync.Mutex
	queue   []beat // due times ascending from head
	head    int
	started bool
	wake    chan struct{} // the queue was empty and is not any more
	epoch   time.Time     // due times are offsets from it (monotonic)
}

type beat struct {
	c   *conn
	due time.Duration
}

// beatAdd schedules c's heartbeats, starting the scheduler on first use.
func (s *Server) beatAdd(c *conn) {
	b := &s.beats
	b.mu.Lock()
	if !b.started {
		b.started = true
		b.epoch = time.Now()
		b.wake = make(chan struct{}, 1)
		go s.beatLoop()
	}
	wasEmpty := b.head == len(b.queue)
	b.queue = append(b.queue, beat{c: c, due: time.Since(b.epoch) + s.heartbeat})
	b.mu.Unlock()
	if wasEmpty {
		select {
		case b.wake <- struct{}{}:
		default:
		}
	}
}

// beatLoop marks heartbeats due as their time comes, until the server's
// base context ends (the end of Shutdown).
func (s *Server) beatLoop() {
	b := &s.beats
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	var due []*conn
	for {
		b.mu.Lock()
		now := time.Since(b.epoch)
		due = due[:0]
		for b.head < len(b.queue) && b.queue[b.head].due <= now {
			e := b.queue[b.head]
			b.queue[b.head] = beat{}
			b.head++
			if !e.c.finished() {
				due = append(due, e.c)
				// Due one interval after now: later than anything queued.
				b.queue = append(b.queue, beat{c: e.c, due: now + s.heartbeat})
			}
		}
		if b.head > 0 && b.head >= len(b.queue)/2 {
			n := copy(b.queue, b.queue[b.head:])
			clear(b.queue[n:])
			b.queue, b.head = b.queue[:n], 0
		}
		wait := time.Hour
		if b.head < len(b.queue) {
			wait = b.queue[b.head].due - now
		}
		b.mu.Unlock()
		// Outside the lock: marking takes each connection's own lock.
		for i, c := range due {
			c.beat()
			due[i] = nil
		}
		timer.Reset(wait)
		select {
		case <-timer.C:
		case <-b.wake:
		case <-s.base.Done():
			return
		}
	}
}
