package main

import (
	"bufio"
	"context"
	"crypto/sha256"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gapd/gapd/generated/dispatch"
	"github.com/gapd/gapd/generated/pb"
	"google.golang.org/protobuf/proto"
)

// settle is how long a server is left alone before its memory is read, so
// connection set-up garbage has a chance to be collected.
const settle = 3 * time.Second

// idleMemory connects users (logged in) to a freshly started gapd and
// returns the server's resident memory per connection: RSS after minus RSS
// before, over the count.
func idleMemory(srv *server, users []user) (perConn float64, err error) {
	before, mbefore := srv.stats(), goMetrics(srv.url)
	conns, err := loginAll(srv.url, users, 200)
	if err != nil {
		return 0, err
	}
	defer closeAll(conns)
	time.Sleep(settle)
	after, mafter := srv.stats(), goMetrics(srv.url)
	n := float64(len(users))
	if mbefore != nil && mafter != nil {
		// Where the memory goes, from gapd's own /metrics (Go collector).
		fmt.Printf("idle: per connection, goroutines %.2f, goroutine stacks %.1f KB, heap in use %.1f KB\n",
			(mafter["go_goroutines"]-mbefore["go_goroutines"])/n,
			(mafter["go_memstats_stack_inuse_bytes"]-mbefore["go_memstats_stack_inuse_bytes"])/n/1024,
			(mafter["go_memstats_heap_inuse_bytes"]-mbefore["go_memstats_heap_inuse_bytes"])/n/1024)
	}
	return float64(after.rss-before.rss) / n, nil
}

// goMetrics reads the unlabelled gauges of a gapd's /metrics, or nil.
func goMetrics(wsURL string) map[string]float64 {
	u := strings.Replace(strings.TrimSuffix(wsURL, "/"), "ws://", "http://", 1) + "/metrics"
	resp, err := http.Get(u)
	if err != nil {
		return nil
	}
	defer resp.Body.Close()
	out := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		name, val, ok := strings.Cut(sc.Text(), " ")
		if !ok || strings.HasPrefix(name, "#") || strings.Contains(name, "{") {
			continue
		}
		if v, err := strconv.ParseFloat(strings.TrimSpace(val), 64); err == nil {
			out[name] = v
		}
	}
	return out
}

// bareIdleMemory is the same for n bare connections to the bare server.
func bareIdleMemory(srv *server, n int) (float64, error) {
	before := srv.stats()
	conns := make([]*rawConn, n)
	defer func() {
		for _, c := range conns {
			if c != nil {
				c.close()
			}
		}
	}()
	if err := parallel(n, 200, func(i int) error {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c, err := dialRaw(ctx, srv.url, nil)
		conns[i] = c
		return err
	}); err != nil {
		return 0, err
	}
	time.Sleep(settle)
	after := srv.stats()
	return float64(after.rss-before.rss) / float64(n), nil
}

// loginStorm: every user dials and logs in at the same instant. Time to
// ready is from that instant to the UserLogin answer. It returns logins per
// second over the whole storm.
func loginStorm(url string, users []user) (float64, summary, error) {
	var lat latencies
	var wg sync.WaitGroup
	gate := make(chan struct{})
	errs := make(chan error, len(users))
	conns := make(chan *online, len(users))
	var start time.Time
	for _, u := range users {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-gate
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			c, err := login(ctx, url, u.token)
			if err != nil {
				errs <- err
				return
			}
			lat.add(time.Since(start))
			conns <- &online{u: u, conn: c}
		}()
	}
	time.Sleep(100 * time.Millisecond) // let every goroutine reach the gate
	start = time.Now()
	close(gate)
	wg.Wait()
	el := time.Since(start)
	close(errs)
	close(conns)
	for c := range conns {
		_ = c.conn.Close()
	}
	if err := <-errs; err != nil {
		return 0, summary{}, fmt.Errorf("%d logins failed, first: %w", len(errs)+1, err)
	}
	return float64(len(users)) / el.Seconds(), lat.summary(), nil
}

// uploadWindow is how many FileUpload chunks the client keeps in flight:
// the next chunk is on its way while the server writes the last, as a
// client that does not wait for every answer would do. The server still runs
// them one at a time and checks each offset.
const uploadWindow = 3

// fileUpload uploads size random bytes through FileUploadOption,
// FileUploadInit and FileUpload chunks (uploadWindow in flight) at the
// offsets the server names. It returns MB per second up to the last chunk's
// answer, the chunk size the server asked for, and the time until
// FileUploadStatus says PROCESSED.
func fileUpload(url string, u user, size int) (mbps float64, chunk int, processed time.Duration, err error) {
	conns, err := loginAll(url, []user{u}, 1)
	if err != nil {
		return 0, 0, 0, err
	}
	defer closeAll(conns)
	conn := conns[0].conn
	c := conn.Client()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()

	data := make([]byte, size)
	r := rand.NewChaCha8([32]byte{byte(time.Now().UnixNano())})
	_, _ = r.Read(data)
	sum := sha256.Sum256(data)

	start := time.Now()
	opt, err := c.FileUploadOption(ctx, &pb.FileUploadOption{Size: int64(size)})
	if err != nil {
		return 0, 0, 0, explain(dispatch.ActionFileUploadOption, err)
	}
	first, last := min(int(opt.FirstBytesLimit), size), min(int(opt.LastBytesLimit), size)
	init, err := c.FileUploadInit(ctx, &pb.FileUploadInit{FirstBytes: data[:first], LastBytes: data[size-last:],
		Size: int64(size), FileHash: sum[:], FileName: "loadgen.bin"})
	if err != nil {
		return 0, 0, 0, explain(dispatch.ActionFileUploadInit, err)
	}
	if init.Progress < 100 && (init.Limit <= 0 || init.Offset < 0 || init.Offset >= int64(size)) {
		return 0, 0, 0, fmt.Errorf("server asked for offset %d limit %d of a %d-byte file", init.Offset, init.Limit, size)
	}
	chunk = int(init.Limit)
	type sent struct {
		end  int64
		wait func(context.Context, proto.Message) error
	}
	var inFlight []sent
	next, progress := init.Offset, init.Progress
	for progress < 100 {
		// The server names each next offset: the end of the chunk before,
		// with the same limit, so the client can send ahead.
		for len(inFlight) < uploadWindow && next < int64(size) {
			end := min(next+int64(chunk), int64(size))
			wait, err := conn.Start(dispatch.ActionFileUpload, &pb.Request{}, &pb.FileUpload{Token: init.Token, Offset: next, Bytes: data[next:end]})
			if err != nil {
				return 0, 0, 0, explain(dispatch.ActionFileUpload, err)
			}
			inFlight = append(inFlight, sent{end: end, wait: wait})
			next = end
		}
		if len(inFlight) == 0 {
			return 0, 0, 0, fmt.Errorf("upload stopped at %.1f%% with nothing left to send", progress)
		}
		var up pb.FileUploadResponse
		if err := inFlight[0].wait(ctx, &up); err != nil {
			return 0, 0, 0, explain(dispatch.ActionFileUpload, err)
		}
		if up.Progress < 100 && (up.NextOffset != inFlight[0].end || int(up.NextLimit) != min(chunk, size-int(up.NextOffset))) {
			return 0, 0, 0, fmt.Errorf("server asked for offset %d limit %d, the client sent from %d in chunks of %d", up.NextOffset, up.NextLimit, inFlight[0].end, chunk)
		}
		progress = up.Progress
		inFlight = inFlight[1:]
	}
	uploaded := time.Since(start)
	for {
		st, err := c.FileUploadStatus(ctx, &pb.FileUploadStatus{Token: init.Token})
		if err != nil {
			return 0, 0, 0, explain(dispatch.ActionFileUploadStatus, err)
		}
		if st.Status == pb.FileUploadStatusResponse_PROCESSED {
			break
		}
		time.Sleep(time.Duration(max(st.RecheckDelayMs, 10)) * time.Millisecond)
	}
	return float64(size) / (1 << 20) / uploaded.Seconds(), chunk, time.Since(start), nil
}
