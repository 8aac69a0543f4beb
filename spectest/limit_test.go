package spectest

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/gapd/gapd/generated/dispatch"
	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/generated/pb"
	budget "github.com/gapd/gapd/limits"
	"github.com/gapd/gapd/wire"
	"google.golang.org/protobuf/proto"
)

// Every dispatched action spends a class's budget: none is left out.
func TestEveryRouteHasAClass(t *testing.T) {
	for _, r := range dispatch.Routes() {
		if r.Limit == wire.ClassNone {
			t.Errorf("action %d %s has no rate class", r.ID, r.Name)
		}
	}
}

// countingHandlers counts the requests that reached behaviour.
type countingHandlers struct {
	echoHandlers
	calls *int
}

func (h countingHandlers) InfoTime(context.Context, wire.Session, *pb.InfoTime) (*pb.InfoTimeResponse, error) {
	*h.calls++
	return &pb.InfoTimeResponse{}, nil
}

// The dispatcher spends the route's class after the login check and
// answers FLOOD_REQUEST with the wait in whole seconds, rounded up; the
// handler never runs for a refused request.
func TestDispatchFlood(t *testing.T) {
	now := time.Unix(1000, 0)
	l := budget.New(budget.Config{Classes: map[wire.Class]budget.Rate{
		wire.ClassWrite: {Count: 2, Per: 3 * time.Second, Burst: 1},
		wire.ClassRead:  {Count: 1, Per: time.Hour, Burst: 1},
	}}, func() time.Time { return now })
	calls := 0
	d := &wire.Dispatcher{Table: dispatch.New(countingHandlers{calls: &calls}).Table(),
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Limiter: l}
	send, _ := proto.Marshal(textMessage())
	s := NewSession()
	if res := d.Dispatch(context.Background(), s, dispatch.ActionChatSendMessage, send); res.Err != nil {
		t.Fatal(res.Err)
	}
	res := d.Dispatch(context.Background(), s, dispatch.ActionChatSendMessage, send)
	if !wire.IsCode(res.Err, errs.FloodRequest, 0) || res.Err.Wait != 2 || res.Limited != wire.ClassWrite || res.RequestID != "bench" {
		t.Fatalf("over the budget: %+v (limited %v)", res.Err, res.Limited)
	}
	// Not logged in: LOGIN_REQUIRED, and no budget is spent.
	anon := &Session{Remote: "192.0.2.7:1"}
	if res := d.Dispatch(context.Background(), anon, dispatch.ActionChatSendMessage, send); !wire.IsCode(res.Err, errs.LoginRequired, 1) {
		t.Fatalf("before login: %v", res.Err)
	}
	// Before login the address is the key: another address has its own.
	info, _ := proto.Marshal(&pb.InfoTime{})
	for i, sess := range []*Session{anon, {Remote: "192.0.2.7:2"}, {Remote: "192.0.2.8:1"}} {
		res := d.Dispatch(context.Background(), sess, dispatch.ActionInfoTime, info)
		if limited := res.Err != nil; limited != (i == 1) {
			t.Fatalf("session %d from %s: %v", i, sess.Remote, res.Err)
		}
	}
	if calls != 2 {
		t.Fatalf("the handler ran %d times, want 2", calls)
	}
}
