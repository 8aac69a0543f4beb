package handlers

import (
	"context"

	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/wire"
)

// InfoTime tells a client the server's clock, so it can correct its own
// before it shows or sends times.
func (h *Handlers) InfoTime(ctx context.Context, s wire.Session, req *pb.InfoTime) (*pb.InfoTimeResponse, error) {
	return &pb.InfoTimeResponse{Timestamp: uint32(h.unix())}, nil
}
