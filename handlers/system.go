package handlers

import (
	"context"

	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/wire"
)

// Heartbeat is the client's answer to the server's heartbeat; the server
// notes the connection is alive when the frame arrives, so there is nothing
// to do but answer.
func (h *Handlers) Heartbeat(ctx context.Context, s wire.Session, req *pb.Heartbeat) (*pb.HeartbeatResponse, error) {
	return &pb.HeartbeatResponse{}, nil
}

// ConnectionSymmetricKey is the legacy in-protocol encryption handshake.
// gapd never offers it: its ConnectionSecuringResponse carries no public key,
// transport security is TLS (wss://), so a client that tries anyway is told
// REJECTED.
func (h *Handlers) ConnectionSymmetricKey(ctx context.Context, s wire.Session, req *pb.ConnectionSymmetricKey) (*pb.ConnectionSymmetricKeyResponse, error) {
	return &pb.ConnectionSymmetricKeyResponse{Status: pb.ConnectionSymmetricKeyResponse_REJECTED}, nil
}
