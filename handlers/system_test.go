package handlers

import (
	"testing"

	"github.com/gapd/gapd/generated/pb"
)

func TestHeartbeat(t *testing.T) {
	e := newEnv(t)
	r, err := e.h.Heartbeat(e.ctx, &session{}, &pb.Heartbeat{})
	if err != nil || r == nil {
		t.Fatalf("Heartbeat: %v, %v", r, err)
	}
}

func TestConnectionSymmetricKeyRejected(t *testing.T) {
	e := newEnv(t)
	r, err := e.h.ConnectionSymmetricKey(e.ctx, &session{}, &pb.ConnectionSymmetricKey{SymmetricKey: []byte("k")})
	if err != nil || r.Status != pb.ConnectionSymmetricKeyResponse_REJECTED || r.SymmetricMethod != "" {
		t.Fatalf("got %v, %v; want REJECTED without a method", r, err)
	}
}
