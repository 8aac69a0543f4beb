package e2e

import (
	"testing"
	"time"

	"github.com/gapd/gapd/generated/dispatch"
	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/generated/pb"
)

func newDeviceRequest() *pb.QrCodeNewDevice {
	return &pb.QrCodeNewDevice{AppName: "iGap", AppId: 2, AppBuildVersion: 77, AppVersion: "0.3.7",
		Platform: pb.Platform_ANDROID, PlatformVersion: "8.1", Device: pb.Device_TABLET, DeviceName: "Tab"}
}

func TestUserVerifyNewDevice(t *testing.T) {
	e := start(t, nil)
	a := chatSignUp(e, 9121870001)

	// The new device asks before any login.
	nd, ndConn := e.client()
	qr, err := nd.QrCodeNewDevice(ctx(t), newDeviceRequest())
	if err != nil {
		t.Fatal(err)
	}
	if qr.ExpireTime != 120 || len(qr.QrCodeImage) == 0 {
		t.Fatalf("qr response: expire %d, %d bytes", qr.ExpireTime, len(qr.QrCodeImage))
	}
	token := decodeQR(t, qr.QrCodeImage)

	r, err := a.c.UserVerifyNewDevice(ctx(t), &pb.UserVerifyNewDevice{Token: token})
	if err != nil {
		t.Fatal(err)
	}
	if r.AppName != "iGap" || r.AppId != 2 || r.AppBuildVersion != 77 || r.AppVersion != "0.3.7" ||
		r.Platform != pb.Platform_ANDROID || r.PlatformVersion != "8.1" || r.Device != pb.Device_TABLET ||
		r.DeviceName != "Tab" || r.TwoStepVerification {
		t.Fatalf("new device seen as %v", r)
	}
	// The new device gets its login token and is the same user.
	v := nextPush(t, ndConn, dispatch.ResponseUserVerify).(*pb.UserVerifyResponse)
	if _, err := nd.UserLogin(ctx(t), &pb.UserLogin{Token: v.Token}); err != nil {
		t.Fatal(err)
	}
	me, err := nd.UserInfo(ctx(t), &pb.UserInfo{UserId: a.id})
	if err != nil || me.User.Phone == 0 {
		t.Fatalf("the new device is not the user: %v, %v", me, err)
	}
	// The token worked once.
	_, err = a.c.UserVerifyNewDevice(ctx(t), &pb.UserVerifyNewDevice{Token: token})
	wantErr(t, err, errs.UserVerifyNewDeviceInvalidToken, 0)
}

func TestUserVerifyNewDeviceErrors(t *testing.T) {
	e := start(t, nil)
	a := chatSignUp(e, 9121870011)

	_, err := a.c.UserVerifyNewDevice(ctx(t), &pb.UserVerifyNewDevice{})
	wantErr(t, err, errs.UserVerifyNewDeviceBadPayload, errs.UserVerifyNewDeviceBadPayloadInvalidToken)
	_, err = a.c.UserVerifyNewDevice(ctx(t), &pb.UserVerifyNewDevice{Token: "nobody-waits-with-this"})
	wantErr(t, err, errs.UserVerifyNewDeviceInvalidToken, 0)

	nd, ndConn := e.client()
	bad := newDeviceRequest()
	bad.AppName = ""
	_, err = nd.QrCodeNewDevice(ctx(t), bad)
	wantErr(t, err, errs.QrCodeNewDeviceBadPayload, errs.QrCodeNewDeviceBadPayloadInvalidAppName)

	// 10153: the token's time is over.
	qr, err := nd.QrCodeNewDevice(ctx(t), newDeviceRequest())
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Add(121 * time.Second)
	_, err = a.c.UserVerifyNewDevice(ctx(t), &pb.UserVerifyNewDevice{Token: decodeQR(t, qr.QrCodeImage)})
	wantErr(t, err, errs.UserVerifyNewDeviceExpiredToken, 0)

	// A newer request replaces the token.
	first, err := nd.QrCodeNewDevice(ctx(t), newDeviceRequest())
	if err != nil {
		t.Fatal(err)
	}
	second, err := nd.QrCodeNewDevice(ctx(t), newDeviceRequest())
	if err != nil {
		t.Fatal(err)
	}
	_, err = a.c.UserVerifyNewDevice(ctx(t), &pb.UserVerifyNewDevice{Token: decodeQR(t, first.QrCodeImage)})
	wantErr(t, err, errs.UserVerifyNewDeviceInvalidToken, 0)
	if _, err := a.c.UserVerifyNewDevice(ctx(t), &pb.UserVerifyNewDevice{Token: decodeQR(t, second.QrCodeImage)}); err != nil {
		t.Fatal(err)
	}
	nextPush(t, ndConn, dispatch.ResponseUserVerify)
}
