package handlers

import (
	"context"

	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/wire"
)

// GeoGetRegisterStatus says the caller is not on the map: gapd keeps none.
// Android repeats the question every 15 s until it has an answer, so it gets
// one at once, without touching storage; with enable false it sends no
// positions.
func (h *Handlers) GeoGetRegisterStatus(_ context.Context, _ wire.Session, _ *pb.GeoGetRegisterStatus) (*pb.GeoGetRegisterStatusResponse, error) {
	return &pb.GeoGetRegisterStatusResponse{Enable: false}, nil
}
