package server

import (
	"runtime"
	"sync"
	"testing"
	"time"
)

// Requests waiting on each other all run (a busy worker never holds up
// another request), workers are reused, and idle ones end.
func TestWorkers(t *testing.T) {
	w := &workers{idle: 50 * time.Millisecond}
	before := runtime.NumGoroutine()
	release := make(chan struct{})
	var started, done sync.WaitGroup
	const n = 20
	started.Add(n)
	done.Add(n)
	for range n {
		w.run(func() {
			started.Done()
			<-release // every job waits for all the others to have started
			done.Done()
		})
	}
	started.Wait()
	close(release)
	done.Wait()
	// One more job is taken by a waiting worker, not a new goroutine.
	ran := make(chan struct{})
	w.run(func() { close(ran) })
	<-ran
	if g := runtime.NumGoroutine(); g > before+n {
		t.Fatalf("%d goroutines for %d workers at most", g-before, n)
	}
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			t.Fatalf("%d idle workers did not end", runtime.NumGoroutine()-before)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
