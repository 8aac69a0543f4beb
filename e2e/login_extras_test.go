package e2e

import (
	"testing"

	"github.com/gapd/gapd/config"
	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/handlers"
)

// What Android 0.3.7 asks right after every login: the call configuration
// and the map registration. Both are answered at once.

func TestSignalingConfigurationWithoutServers(t *testing.T) {
	e := start(t, nil)
	c, _ := e.client()
	_, err := c.SignalingGetConfiguration(ctx(t), &pb.SignalingGetConfiguration{})
	wantErr(t, err, errs.LoginRequired, 1)
	e.signUp(c, 9122400001)
	r, err := c.SignalingGetConfiguration(ctx(t), &pb.SignalingGetConfiguration{})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.IceServer) != 0 || r.VoiceCalling || r.VideoCalling || r.ScreenSharing || r.SecretChat {
		t.Fatalf("default configuration: %v", r)
	}
}

func TestSignalingConfigurationNamesOperatorServers(t *testing.T) {
	e := start(t, func(cfg *config.Config, _ *handlers.Deps) {
		var err error
		cfg.Handlers.ICEServers, err = config.ParseICEServers("stun:stun.example.org:3478,turn:turn.example.org:3478;username=gapd;credential=s3cret")
		if err != nil {
			t.Fatal(err)
		}
	})
	c, _ := e.client()
	e.signUp(c, 9122400002)
	r, err := c.SignalingGetConfiguration(ctx(t), &pb.SignalingGetConfiguration{})
	if err != nil {
		t.Fatal(err)
	}
	want := []*pb.SignalingGetConfigurationResponse_IceServer{
		{Url: "stun:stun.example.org:3478"},
		{Url: "turn:turn.example.org:3478", Username: "gapd", Credential: "s3cret"},
	}
	if len(r.IceServer) != len(want) {
		t.Fatalf("ice servers: %v", r.IceServer)
	}
	for i, w := range want {
		g := r.IceServer[i]
		if g.Url != w.Url || g.Username != w.Username || g.Credential != w.Credential {
			t.Fatalf("ice server %d: %v, want %v", i, g, w)
		}
	}
	if r.VoiceCalling || r.VideoCalling {
		t.Fatalf("calls offered without a relay: %v", r)
	}
}

func TestGeoRegisterStatusIsNotRegistered(t *testing.T) {
	e := start(t, nil)
	c, _ := e.client()
	_, err := c.GeoGetRegisterStatus(ctx(t), &pb.GeoGetRegisterStatus{})
	wantErr(t, err, errs.LoginRequired, 1)
	e.signUp(c, 9122400003)
	for range 3 { // Android repeats it; every answer is the same
		r, err := c.GeoGetRegisterStatus(ctx(t), &pb.GeoGetRegisterStatus{})
		if err != nil || r.Enable {
			t.Fatalf("GeoGetRegisterStatus: %v %v", r, err)
		}
	}
}
