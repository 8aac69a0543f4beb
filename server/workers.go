package server

import (
	"sync"
	"time"
)

// workers run requests for the connections' read goroutines. A request's
// call chain (dispatch, the handler, the storage driver) is deep, and a
// goroutine keeps the stack it grew until a garbage collection shrinks it:
// run on a connection's read goroutine, every idle connection would keep a
// request-sized stack. A worker keeps its grown stack from one request to
// the next instead, and one left idle for workerIdle ends, so the pool
// follows the requests in flight, not the connections.
type workers struct {
	jobs chan func() // unbuffered: a send succeeds only to a waiting worker
	once sync.Once
	idle time.Duration // how long a worker waits for its next request; 0: workerIdle
}

// workerIdle is how long a worker waits for its next request before ending.
const workerIdle = 10 * time.Second

// run runs f on an idle worker, or on a new one when none is idle. It
// does not wait for f.
func (w *workers) run(f func()) {
	w.once.Do(func() {
		w.jobs = make(chan func())
		if w.idle <= 0 {
			w.idle = workerIdle
		}
	})
	select {
	case w.jobs <- f:
	default:
		go w.loop(f)
	}
}

func (w *workers) loop(f func()) {
	t := time.NewTimer(w.idle)
	defer t.Stop()
	for {
		f()
		t.Reset(w.idle)
		select {
		case f = <-w.jobs:
		case <-t.C:
			return
		}
	}
}
