package e2e

import (
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/gapd/gapd/config"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/handlers"
)

// BenchmarkChatSendDeliver runs the whole one-to-one path in one process
// (client, WebSocket on loopback, dispatch, storage with synchronous=FULL,
// push) for a CPU profile of it:
//
//	go test ./e2e -run '^$' -bench ChatSendDeliver -cpuprofile cpu.out
//
// Each of 64 pairs keeps one message in flight: send, wait for the answer
// and for the push to the peer. tools/loadgen measures the same path with
// the server in its own process.
func BenchmarkChatSendDeliver(b *testing.B) {
	const pairs = 64
	// 128 clients from one address: more than -max-conns-per-ip allows.
	e := start(b, func(c *config.Config, _ *handlers.Deps) { c.Server.MaxConnsPerIP = 0 })
	type pair struct {
		a, b *chatUser
		room uint64
	}
	ps := make([]pair, pairs)
	for i := range ps {
		x, y := chatSignUp(e, 9122000000+uint64(2*i)), chatSignUp(e, 9122000000+uint64(2*i+1))
		r, err := x.c.ChatGetRoom(ctx(b), &pb.ChatGetRoom{PeerId: y.id})
		if err != nil {
			b.Fatal(err)
		}
		ps[i] = pair{x, y, r.Room.Id}
	}
	text := strings.Repeat("x", 1024)
	var left atomic.Int64
	left.Store(int64(b.N))
	b.SetBytes(1024)
	b.ResetTimer()
	var wg sync.WaitGroup
	for _, p := range ps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for left.Add(-1) >= 0 {
				if _, err := p.a.c.ChatSendMessage(ctx(b), &pb.ChatSendMessage{RoomId: p.room, MessageType: pb.RoomMessageType_TEXT, Message: text}); err != nil {
					b.Error(err)
					return
				}
				if _, err := p.b.conn.NextPush(ctx(b), pushSend); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
}
