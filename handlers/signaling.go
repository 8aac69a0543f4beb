package handlers

import (
	"context"

	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/wire"
)

// ICEServer is one STUN or TURN server the operator names (-ice-servers).
type ICEServer struct {
	URL, Username, Credential string
}

// SignalingGetConfiguration names the operator's ICE servers. gapd relays no
// calls, so every kind of call is off: Android then hides its Call entry.
// Android asks after every login, so this touches no storage.
func (h *Handlers) SignalingGetConfiguration(_ context.Context, _ wire.Session, _ *pb.SignalingGetConfiguration) (*pb.SignalingGetConfigurationResponse, error) {
	resp := &pb.SignalingGetConfigurationResponse{IceServer: make([]*pb.SignalingGetConfigurationResponse_IceServer, 0, len(h.ice))}
	for _, s := range h.ice {
		resp.IceServer = append(resp.IceServer, &pb.SignalingGetConfigurationResponse_IceServer{
			Url: s.URL, Username: s.Username, Credential: s.Credential})
	}
	return resp, nil
}
