package main

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// latencies collects samples from many goroutines; percentiles are read
// once the run is over, so a plain sorted slice is exact and cheap enough.
type latencies struct {
	mu sync.Mutex
	d  []time.Duration
}

func (l *latencies) add(d time.Duration) {
	l.mu.Lock()
	l.d = append(l.d, d)
	l.mu.Unlock()
}

type summary struct {
	n                   int
	p50, p90, p99, pmax time.Duration
}

func (l *latencies) summary() summary {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.d) == 0 {
		return summary{}
	}
	slices.Sort(l.d)
	at := func(q float64) time.Duration {
		i := int(q*float64(len(l.d))+0.5) - 1
		return l.d[min(max(i, 0), len(l.d)-1)]
	}
	return summary{n: len(l.d), p50: at(0.50), p90: at(0.90), p99: at(0.99), pmax: l.d[len(l.d)-1]}
}

func (s summary) String() string {
	if s.n == 0 {
		return "no samples"
	}
	return fmt.Sprintf("p50 %s  p90 %s  p99 %s  max %s", ms(s.p50), ms(s.p90), ms(s.p99), ms(s.pmax))
}

func ms(d time.Duration) string { return strconv.FormatFloat(float64(d)/1e6, 'f', 2, 64) + "ms" }

// procStats is what /proc says about a server process.
type procStats struct {
	cpu    time.Duration // user+system time so far
	rss    int64         // bytes resident now
	hwm    int64         // peak resident bytes since start or the last resetPeak
	exists bool
}

// clkTck is USER_HZ; Linux has used 100 on every mainstream architecture.
const clkTck = 100

func readProc(pid int) procStats {
	var ps procStats
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return ps
	}
	ps.exists = true
	// The command name (field 2) may hold spaces; fields are counted after
	// its closing parenthesis. utime and stime are fields 14 and 15.
	s := string(stat)
	if i := strings.LastIndexByte(s, ')'); i >= 0 {
		f := strings.Fields(s[i+1:])
		if len(f) > 13 {
			ut, _ := strconv.ParseInt(f[11], 10, 64)
			st, _ := strconv.ParseInt(f[12], 10, 64)
			ps.cpu = time.Duration(ut+st) * time.Second / clkTck
		}
	}
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return ps
	}
	for _, line := range strings.Split(string(status), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		switch k {
		case "VmRSS":
			ps.rss = kb << 10
		case "VmHWM":
			ps.hwm = kb << 10
		}
	}
	return ps
}

// resetPeak starts VmHWM again from the current RSS (Linux clear_refs 5), so
// each scenario's peak is its own. It fails quietly where not allowed.
func resetPeak(pid int) {
	_ = os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", pid), []byte("5"), 0)
}

func mb(b int64) string { return strconv.FormatFloat(float64(b)/(1<<20), 'f', 1, 64) + " MB" }

// raiseNoFile lifts the soft open-files limit to the hard one and returns
// the limit now in force.
func raiseNoFile() uint64 {
	var r syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r); err != nil {
		return 0
	}
	if r.Cur < r.Max {
		r.Cur = r.Max
		_ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &r)
		_ = syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r)
	}
	return r.Cur
}
