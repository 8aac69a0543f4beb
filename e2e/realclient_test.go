package e2e

// Tests driven by e2e/igap, the client that behaves like the real iGap
// clients of ../shared/protocol/clients.md: securing versions 1 and 2,
// unmasked encrypted frames, heartbeat answers, the Android 0.3.7 and iOS
// startup sequences, and the cases the server must refuse.

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/gapd/gapd/config"
	"github.com/gapd/gapd/e2e/igap"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/handlers"
	"github.com/gapd/gapd/wsclient"
	"google.golang.org/protobuf/encoding/protowire"
)

// Request ids the real clients send that are outside the generated action
// table or that the test sends by number (README.md, actions-2017-extra.md).
const (
	actUserRegister      = 100
	actUserVerify        = 101
	actUserLogin         = 102
	actContactsImport    = 106
	actContactsGetList   = 107
	actUserInfo          = 117
	actUserUpdateStatus  = 124
	actGetBlockedList    = 130
	actPrivacyGetRule    = 143
	actChatGetRoom       = 200
	actChatSendMessage   = 201
	actClientCondition   = 600
	actClientGetRoomList = 601
	actSignalingGetConf  = 900
	actGeoGetRegStatus   = 1000
	majorBadRequest      = 1
)

// The server's close codes (RFC 6455 §7.4.1): a securing refused or broken
// (1008, policy violation), a frame that does not decrypt (1007, data not
// consistent with the message type).
const (
	closePolicy  = 1008
	closeBadData = 1007
)

var (
	builtInOnce sync.Once
	builtIn     *rsa.PrivateKey
	builtInPEM  []byte
)

// builtInKey is the test key pair standing in for the key built into the
// clients (clients.md, Securing step 2): the client gets its public half,
// the server its private half through -securing-client-key.
func builtInKey(t testing.TB) (*rsa.PrivateKey, string) {
	t.Helper()
	builtInOnce.Do(func() {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		der, err := x509.MarshalPKCS8PrivateKey(k)
		if err != nil {
			panic(err)
		}
		builtIn, builtInPEM = k, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	})
	path := filepath.Join(t.TempDir(), "client-key.pem")
	if err := os.WriteFile(path, builtInPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	return builtIn, path
}

// startReal starts gapd as start does, with more flags (the securing keys,
// -login-idle) and the built-in key's private half configured unless
// noClientKey.
func startReal(t testing.TB, noClientKey bool, flags []string, tune func(*config.Config, *handlers.Deps)) *env {
	t.Helper()
	if !noClientKey {
		_, path := builtInKey(t)
		flags = append([]string{"-securing-client-key", path}, flags...)
	}
	return startWith(t, flags, tune)
}

// android returns the options of Android 0.3.7 (version 2, zero-padded
// chunks, an alphanumeric key).
func android(t testing.TB) igap.Options {
	k, _ := builtInKey(t)
	return igap.Options{Version: 2, BuiltIn: &k.PublicKey}
}

func ios(t testing.TB) igap.Options {
	o := android(t)
	o.IOS = true
	return o
}

// real connects a client like the real ones to /hybrid/ and secures it.
func (e *env) real(opts igap.Options) *igap.Client {
	e.t.Helper()
	c, err := igap.Dial(ctx(e.t), e.url()+"hybrid/", opts)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { _ = c.Close() })
	return c
}

// realSignUp registers and verifies phone over c (no login) and returns the
// user id and the device token.
func (e *env) realSignUp(c *igap.Client, phone uint64) (uint64, string) {
	t := e.t
	t.Helper()
	var reg pb.UserRegisterResponse
	if err := c.Call(ctx(t), actUserRegister, &pb.UserRegister{PhoneNumber: phone, CountryCode: "IR"}, &reg); err != nil {
		t.Fatal(err)
	}
	var v pb.UserVerifyResponse
	if err := c.Call(ctx(t), actUserVerify, &pb.UserVerify{Username: reg.Username, Code: e.lastCode(reg.Username)}, &v); err != nil {
		t.Fatal(err)
	}
	return reg.UserId, v.Token
}

func realLogin(t testing.TB, c *igap.Client, token string) {
	t.Helper()
	var r pb.UserLoginResponse
	if err := c.Call(ctx(t), actUserLogin, &pb.UserLogin{Token: token, AppName: "iGap", AppVersion: "0.3.7",
		Platform: pb.Platform_ANDROID, Device: pb.Device_MOBILE}, &r); err != nil {
		t.Fatal(err)
	}
	if !c.LoggedIn() {
		t.Fatal("the client did not see its login")
	}
}

// wantBadRequest asserts that a call got error 1 (an action the server
// does not implement yet) and that the connection is still open.
func wantBadRequest(t testing.TB, c *igap.Client, action uint16, err error) {
	t.Helper()
	var pe *igap.Error
	if !errors.As(err, &pe) || pe.Major != majorBadRequest {
		t.Fatalf("action %d: got %v, want error 1 (BAD_REQUEST) until it is implemented", action, err)
	}
	if c.Err() != nil {
		t.Fatalf("action %d closed the connection: %v", action, c.Err())
	}
}

// wantClosed waits for the server to close c and returns its close code
// and reason.
func wantClosed(t testing.TB, c *igap.Client, within time.Duration) (int, string) {
	t.Helper()
	select {
	case <-c.Done():
	case <-time.After(within):
		t.Fatalf("the connection is still open after %v", within)
	}
	code, reason := c.CloseCode()
	t.Logf("closed: %d %q (%v)", code, reason, c.Err())
	return code, reason
}

// wantRejected asserts the next 30002 is REJECTED with security_issue (what
// iOS looks at: it does not read status) and the connection is then closed
// for good with the policy code.
func wantRejected(t testing.TB, c *igap.Client) {
	t.Helper()
	r, err := c.KeyResponse(ctx(t))
	if err != nil || r.Status != pb.ConnectionSymmetricKeyResponse_REJECTED || !r.SecurityIssue {
		t.Fatalf("got %v %v, want REJECTED with security_issue", r, err)
	}
	if code, _ := wantClosed(t, c, 5*time.Second); code != closePolicy {
		t.Fatalf("close code %d, want %d", code, closePolicy)
	}
}

// encryptedAfterAccept asserts every frame after the handshake travelled
// encrypted, both ways.
func encryptedAfterAccept(t testing.TB, c *igap.Client) {
	t.Helper()
	for _, dir := range []struct {
		name   string
		frames []igap.Frame
	}{{"received", c.Received()}, {"sent", c.Sent()}} {
		secured := false
		for _, f := range dir.frames {
			if f.Action == igap.ActionSymmetricResp || f.Action == igap.ActionSymmetricKey {
				secured = f.Action == igap.ActionSymmetricResp
				continue
			}
			if f.Action == igap.ActionSecuring {
				continue
			}
			if (secured || dir.name == "sent") && !f.Encrypted && f.Dropped == "" {
				t.Fatalf("%s frame %d in plain after ACCEPTED", dir.name, f.Action)
			}
		}
	}
}

func TestRealClientSecuringVersions(t *testing.T) {
	e := startReal(t, false, nil, nil)
	k, _ := builtInKey(t)
	for i, c := range []struct {
		name string
		opts igap.Options
	}{
		{"version 1 (Android 0.0.23)", igap.Options{Version: 1}},
		{"version 2 zero-padded chunks (Android)", igap.Options{Version: 2, BuiltIn: &k.PublicKey, Chunking: igap.PadLastChunk}},
		{"version 2 exact chunks, raw key (Plus, PHP)", igap.Options{Version: 2, BuiltIn: &k.PublicKey, Chunking: igap.ExactChunks, RawKey: true}},
		{"version 2, masked after ACCEPTED", igap.Options{Version: 2, BuiltIn: &k.PublicKey, KeepMasking: true}},
	} {
		t.Run(c.name, func(t *testing.T) {
			cl := e.real(c.opts)
			h := cl.Hello
			if h.Response.GetId() != "" || h.SymmetricKeyLength == 0 || h.SecondaryChunkSize == 0 || h.HeartbeatInterval == 0 {
				t.Fatalf("ConnectionSecuringResponse: %v", h)
			}
			if a := cl.Accepted; a.SymmetricIvSize != 16 || a.SecurityIssue {
				t.Fatalf("ConnectionSymmetricKeyResponse: %v", a)
			}
			// An encrypted, unmasked request and its encrypted answer.
			id, _ := e.realSignUp(cl, uint64(9125000001+i))
			if id == 0 {
				t.Fatal("user id 0")
			}
			encryptedAfterAccept(t, cl)
		})
	}
}

// TestRealClientVersion2ShortLastChunk uses a server key whose ciphertext
// (192 bytes, 1536 bits) is not a multiple of the 128-byte chunk, so the
// zero-padded last chunk (Android) and the exact one (Plus, PHP) differ.
func TestRealClientVersion2ShortLastChunk(t *testing.T) {
	sk, err := rsa.GenerateKey(rand.Reader, 1536)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKCS8PrivateKey(sk)
	path := filepath.Join(t.TempDir(), "server-key.pem")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	e := startReal(t, false, []string{"-securing-key", path}, nil)
	for i, mode := range []igap.Chunking{igap.PadLastChunk, igap.ExactChunks} {
		o := android(t)
		o.Chunking = mode
		cl := e.real(o)
		if cl.Hello.SecondaryChunkSize != 128 {
			t.Skipf("secondary_chunk_size %d", cl.Hello.SecondaryChunkSize)
		}
		if id, _ := e.realSignUp(cl, uint64(9125000101+i)); id == 0 {
			t.Fatal("user id 0")
		}
	}
}

func TestRealClientHeartbeat(t *testing.T) {
	e := startReal(t, false, nil, func(c *config.Config, _ *handlers.Deps) { c.Server.Heartbeat = time.Second })
	c := e.real(android(t))
	if c.Hello.HeartbeatInterval != 1 {
		t.Fatalf("heartbeat_interval %d", c.Hello.HeartbeatInterval)
	}
	_, token := e.realSignUp(c, 9125000201)
	time.Sleep(2500 * time.Millisecond) // heartbeats before login: not answered
	realLogin(t, c, token)
	time.Sleep(3500 * time.Millisecond)
	if c.Err() != nil {
		t.Fatalf("closed: %v", c.Err())
	}
	ids := map[string]bool{}
	sentBefore := 0
	for _, f := range c.Sent() {
		if f.Action == igap.ActionHeartbeat {
			ids[f.ID] = true
		}
	}
	var before, after int
	login := false
	for _, f := range c.Received() {
		switch {
		case f.Action == actUserLogin+30000 && f.ID != "":
			login = true
		case f.Action == igap.ActionHeartbeatResp:
			if f.ID != "" {
				t.Fatalf("30003 with id %q: the server answered a Heartbeat (ping-pong)", f.ID)
			}
			if !f.Encrypted {
				t.Fatal("30003 in plain after ACCEPTED")
			}
			if login {
				after++
			} else {
				before++
			}
		case ids[f.ID]:
			t.Fatalf("action %d answers a Heartbeat", f.Action)
		}
	}
	// Heartbeats sent before login would have been recorded before the
	// login's answer; the client only answers once logged in.
	for _, f := range c.Sent() {
		if f.Action == igap.ActionUserLogin {
			break
		}
		if f.Action == igap.ActionHeartbeat {
			sentBefore++
		}
	}
	t.Logf("30003 before login %d, after %d; Heartbeats sent %d", before, after, len(ids))
	if before < 2 || after < 3 {
		t.Fatalf("30003 before login %d, after %d: want every second", before, after)
	}
	if sentBefore != 0 {
		t.Fatalf("%d Heartbeats sent before login", sentBefore)
	}
	if d := after - len(ids); d < 0 || d > 1 {
		t.Fatalf("%d 30003 after login, %d Heartbeats: want one answer each", after, len(ids))
	}
	encryptedAfterAccept(t, c)
	// The connection still serves requests.
	var r pb.UserContactsGetListResponse
	if err := c.Call(ctx(t), actContactsGetList, &pb.UserContactsGetList{}, &r); err != nil {
		t.Fatal(err)
	}
}

// roomsFor makes n groups owned by another user, each with member u.
func roomsFor(t *testing.T, e *env, u uint64, n int) map[uint64]bool {
	t.Helper()
	owner := chatSignUp(e, 9125099999)
	rooms := make(map[uint64]bool, n)
	member := &chatUser{id: u}
	for i := range n {
		room := groupCreate(t, owner, "room "+string(rune('A'+i%26)))
		groupAdd(t, owner, room, member, 0)
		rooms[room] = true
	}
	return rooms
}

// bare encodes the fields of a request whose message the generated types
// may not have: field n as a varint (0: no field).
func bare(n protowire.Number, v uint64) []byte {
	if n == 0 {
		return nil
	}
	b := protowire.AppendTag(nil, n, protowire.VarintType)
	return protowire.AppendVarint(b, v)
}

// roomPages asks for the room list as Android does: pages of limit while a
// page holds limit rooms or more, or only the first page when once.
func roomPages(t *testing.T, c *igap.Client, limit uint32, once bool) (seen map[uint64]int, pages []int) {
	t.Helper()
	seen = map[uint64]int{}
	for off := uint32(0); ; off += limit {
		var r pb.ClientGetRoomListResponse
		if err := c.Call(ctx(t), actClientGetRoomList, &pb.ClientGetRoomList{Pagination: &pb.Pagination{Offset: off, Limit: limit}}, &r); err != nil {
			t.Fatal(err)
		}
		pages = append(pages, len(r.Rooms))
		for _, room := range r.Rooms {
			seen[room.Id]++
		}
		if once || len(r.Rooms) < int(limit) {
			return seen, pages
		}
		if len(pages) > 10 {
			t.Fatalf("pages %v: the list does not end (pagination ignored?)", pages)
		}
	}
}

func TestRealClientAndroidStartup(t *testing.T) {
	e := startReal(t, false, nil, nil)
	first := e.real(android(t))
	uid, token := e.realSignUp(first, 9125000301)
	first.Close()
	rooms := roomsFor(t, e, uid, 120)

	c := e.real(android(t))
	time.Sleep(500 * time.Millisecond) // LoginActions: UserLogin 500 ms after ACCEPTED
	realLogin(t, c, token)
	if _, err := c.CallRaw(ctx(t), actSignalingGetConf, nil); err != nil {
		t.Fatalf("SignalingGetConfiguration: %v", err)
	}
	seen, pages := roomPages(t, c, 50, false)
	t.Logf("room list pages: %v", pages)
	if len(seen) != len(rooms) {
		t.Fatalf("saw %d rooms in pages %v, want %d", len(seen), pages, len(rooms))
	}
	for id, n := range seen {
		if n != 1 || !rooms[id] {
			t.Fatalf("room %d seen %d times (one of ours: %v)", id, n, rooms[id])
		}
	}
	if err := c.Call(ctx(t), actClientCondition, &pb.ClientCondition{}, &pb.ClientConditionResponse{}); err != nil {
		t.Fatalf("ClientCondition: %v", err)
	}
	// Android asks for the blocked list at startup; this user has blocked no one.
	var blocked pb.UserContactsGetBlockedListResponse
	if err := c.Call(ctx(t), actGetBlockedList, &pb.UserContactsGetBlockedList{}, &blocked); err != nil || len(blocked.User) != 0 {
		t.Fatalf("UserContactsGetBlockedList: %v %v", blocked.User, err)
	}
	if err := c.Call(ctx(t), actContactsImport, &pb.UserContactsImport{Contacts: []*pb.UserContactsImport_Contact{
		{Phone: "9125099999", FirstName: "Owner", ClientId: "1"}}}, &pb.UserContactsImportResponse{}); err != nil {
		t.Fatalf("UserContactsImport: %v", err)
	}
	var list pb.UserContactsGetListResponse
	if err := c.Call(ctx(t), actContactsGetList, &pb.UserContactsGetList{}, &list); err != nil || len(list.RegisteredUser) != 1 {
		t.Fatalf("UserContactsGetList: %v %v", list.RegisteredUser, err)
	}
	var info pb.UserInfoResponse
	if err := c.Call(ctx(t), actUserInfo, &pb.UserInfo{UserId: uid}, &info); err != nil ||
		info.User.GetId() != uid || info.User.GetPhone() != 989125000301 {
		t.Fatalf("UserInfo of itself: %v, %v", info.User, err)
	}
	var st pb.UserUpdateStatusResponse
	if err := c.Call(ctx(t), actUserUpdateStatus, &pb.UserUpdateStatus{Status: pb.UserUpdateStatus_ONLINE}, &st); err != nil ||
		st.Status != pb.UserUpdateStatus_ONLINE || st.UserId != uid {
		t.Fatalf("UserUpdateStatus ONLINE: %v, %v", &st, err)
	}
	if err := c.Call(ctx(t), actUserInfo, &pb.UserInfo{UserId: uid}, &info); err != nil || info.User.GetStatus() != pb.RegisteredUser_ONLINE {
		t.Fatalf("UserInfo of itself once online: %v, %v", info.User, err)
	}
	if _, err := c.CallRaw(ctx(t), actGeoGetRegStatus, nil); err != nil {
		t.Fatalf("GeoGetRegisterStatus: %v", err)
	}
	// Still open and serving.
	if err := c.Call(ctx(t), actContactsGetList, &pb.UserContactsGetList{}, &list); err != nil {
		t.Fatal(err)
	}
	encryptedAfterAccept(t, c)
}

func TestRealClientIOSStartup(t *testing.T) {
	e := startReal(t, false, nil, nil)
	first := e.real(ios(t))
	uid, token := e.realSignUp(first, 9125000401)
	first.Close()
	rooms := roomsFor(t, e, uid, 45)

	c := e.real(ios(t)) // fails unless a frame came within 3 s
	realLogin(t, c, token)
	var st pb.UserUpdateStatusResponse // ONLINE is 0: iOS sends no field
	if err := c.Call(ctx(t), actUserUpdateStatus, &pb.UserUpdateStatus{}, &st); err != nil ||
		st.Status != pb.UserUpdateStatus_ONLINE || st.UserId != uid {
		t.Fatalf("UserUpdateStatus ONLINE: %v, %v", &st, err)
	}
	if _, err := c.CallRaw(ctx(t), actSignalingGetConf, nil); err != nil {
		t.Fatalf("SignalingGetConfiguration: %v", err)
	}
	if _, err := c.CallRaw(ctx(t), actGeoGetRegStatus, nil); err != nil {
		t.Fatalf("GeoGetRegisterStatus: %v", err)
	}
	seen, _ := roomPages(t, c, 40, true)
	if len(seen) != 40 {
		t.Fatalf("first page of 40 held %d rooms", len(seen))
	}
	for id := range seen {
		if !rooms[id] {
			t.Fatalf("room %d is not one of ours", id)
		}
	}
	if err := c.Call(ctx(t), actClientCondition, &pb.ClientCondition{}, &pb.ClientConditionResponse{}); err != nil {
		t.Fatalf("ClientCondition: %v", err)
	}
	if err := c.Call(ctx(t), actContactsImport, &pb.UserContactsImport{Contacts: []*pb.UserContactsImport_Contact{
		{Phone: "9125099999", FirstName: "Owner", ClientId: "1"}}}, &pb.UserContactsImportResponse{}); err != nil {
		t.Fatalf("UserContactsImport: %v", err)
	}
	if err := c.Call(ctx(t), actContactsGetList, &pb.UserContactsGetList{}, &pb.UserContactsGetListResponse{}); err != nil {
		t.Fatal(err)
	}
	for typ := range uint64(4) { // USER_STATUS, AVATAR, GROUP_INVITE, CHANNEL_INVITE
		var r pb.UserPrivacyGetRuleResponse
		if err := c.Call(ctx(t), actPrivacyGetRule, &pb.UserPrivacyGetRule{Type: pb.PrivacyType(typ)}, &r); err != nil || r.Level != pb.PrivacyLevel_ALLOW_ALL {
			t.Fatalf("UserPrivacyGetRule %d: %v, %v", typ, r.Level, err)
		}
	}
	for _, f := range c.Received() {
		if f.Dropped != "" {
			t.Fatalf("the client dropped action %d: %s", f.Action, f.Dropped)
		}
	}
	encryptedAfterAccept(t, c)
}

func TestRealClientChat(t *testing.T) {
	e := startReal(t, false, nil, nil)
	a, b := e.real(android(t)), e.real(ios(t))
	_, ta := e.realSignUp(a, 9125000501)
	bid, tb := e.realSignUp(b, 9125000502)
	realLogin(t, a, ta)
	realLogin(t, b, tb)
	var room pb.ChatGetRoomResponse
	if err := a.Call(ctx(t), actChatGetRoom, &pb.ChatGetRoom{PeerId: bid}, &room); err != nil {
		t.Fatal(err)
	}
	var sent pb.ChatSendMessageResponse
	if err := a.Call(ctx(t), actChatSendMessage, &pb.ChatSendMessage{RoomId: room.Room.GetId(), MessageType: pb.RoomMessageType_TEXT, Message: "salam"}, &sent); err != nil {
		t.Fatal(err)
	}
	var push pb.ChatSendMessageResponse
	f, err := b.NextPush(ctx(t), actChatSendMessage+30000, &push)
	if err != nil {
		t.Fatal(err)
	}
	if !f.Encrypted || push.RoomId != room.Room.GetId() || push.RoomMessage.GetMessage() != "salam" ||
		push.RoomMessage.GetMessageId() != sent.RoomMessage.GetMessageId() {
		t.Fatalf("push (encrypted %v): %v", f.Encrypted, &push)
	}
	encryptedAfterAccept(t, a)
	encryptedAfterAccept(t, b)
}

// manual connects and reads the first 30001, leaving the handshake to the test.
func (e *env) manual(opts igap.Options) *igap.Client {
	opts.Manual = true
	return e.real(opts)
}

func TestRealClientRejected(t *testing.T) {
	k, _ := builtInKey(t)
	e := startReal(t, false, nil, nil)
	t.Run("wrong key length", func(t *testing.T) {
		c := e.manual(android(t))
		srv, err := igap.ParsePublicKey(c.Hello.PublicKey)
		if err != nil {
			t.Fatal(err)
		}
		key := igap.NewKey(int(c.Hello.SymmetricKeyLength)/2, false)
		w, err := igap.WrapV2(srv, &k.PublicKey, key, int(c.Hello.SecondaryChunkSize), igap.PadLastChunk)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.SendKey(nil, w, 2); err != nil {
			t.Fatal(err)
		}
		wantRejected(t, c)
	})
	t.Run("garbage ciphertext", func(t *testing.T) {
		c := e.manual(android(t))
		garbage := make([]byte, 512)
		_, _ = rand.Read(garbage)
		if err := c.SendKey(nil, garbage, 2); err != nil {
			t.Fatal(err)
		}
		wantRejected(t, c)
	})
	t.Run("version 2 without the server's client key", func(t *testing.T) {
		e := startReal(t, true, nil, nil)
		c := e.manual(android(t))
		srv, err := igap.ParsePublicKey(c.Hello.PublicKey)
		if err != nil {
			t.Fatal(err)
		}
		w, err := igap.WrapV2(srv, &k.PublicKey, igap.NewKey(int(c.Hello.SymmetricKeyLength), false), int(c.Hello.SecondaryChunkSize), igap.PadLastChunk)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.SendKey(nil, w, 2); err != nil {
			t.Fatal(err)
		}
		wantRejected(t, c)
	})
}

func TestRealClientPlainKey(t *testing.T) {
	e := startReal(t, false, nil, nil)
	c := e.manual(android(t))
	n := int(c.Hello.SymmetricKeyLength)
	for i := range 3 {
		key := igap.NewKey(n, false)
		if err := c.SendKey(nil, key, 2); err != nil {
			t.Fatal(err)
		}
		h, err := c.NextHello(ctx(t))
		if err != nil {
			t.Fatalf("plain key %d: want 30001 again: %v", i+1, err)
		}
		if h.PublicKey == "" {
			t.Fatalf("re-sent 30001 without a key: %v", h)
		}
	}
	if err := c.SendKey(nil, igap.NewKey(n, false), 2); err != nil {
		t.Fatal(err)
	}
	wantRejected(t, c)
}

func TestRealClientOtherActionWhileSecuring(t *testing.T) {
	e := startReal(t, false, nil, nil)
	c := e.manual(android(t))
	// The connection starts securing: a key in plain text gets 30001 again.
	if err := c.SendKey(nil, igap.NewKey(int(c.Hello.SymmetricKeyLength), false), 2); err != nil {
		t.Fatal(err)
	}
	if _, err := c.NextHello(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if err := c.SendFrame(actUserRegister, nil); err != nil {
		t.Fatal(err)
	}
	if code, _ := wantClosed(t, c, 5*time.Second); code != closePolicy {
		t.Fatalf("close code %d, want %d", code, closePolicy)
	}
	for _, f := range c.Received() {
		if f.Action == actUserRegister+30000 {
			t.Fatal("UserRegister was answered before ACCEPTED")
		}
	}
}

func TestRealClientCorruptedFrame(t *testing.T) {
	e := startReal(t, false, nil, nil)
	c := e.real(android(t))
	ci, err := igap.NewCipher(c.Key, c.Accepted.SymmetricMethod, int(c.Accepted.SymmetricIvSize))
	if err != nil {
		t.Fatal(err)
	}
	// A 16-byte frame is sealed with a whole block of padding (16 x 0x10);
	// in CBC, flipping the last byte of the block before it (the first
	// ciphertext block) flips the padding's last byte: it cannot decrypt.
	sealed := ci.Seal(make([]byte, 16))
	sealed[16+15] ^= 0xff
	if err := c.SendBytes(sealed); err != nil {
		t.Fatal(err)
	}
	if code, _ := wantClosed(t, c, 5*time.Second); code != closeBadData {
		t.Fatalf("close code %d, want %d for a frame that does not decrypt", code, closeBadData)
	}
}

func TestRealClientSignUpScreens(t *testing.T) {
	const idle = 6 * time.Second
	e := startReal(t, false, []string{"-login-idle", idle.String()}, func(c *config.Config, _ *handlers.Deps) {
		c.Server.Heartbeat, c.Server.HeartbeatGrace = time.Second, time.Second
	})
	c := e.real(ios(t))
	start := time.Now()
	// The user asks for a code and then reads the SMS: nothing more is sent,
	// no heartbeat is answered (not logged in).
	var reg pb.UserRegisterResponse
	if err := c.Call(ctx(t), actUserRegister, &pb.UserRegister{PhoneNumber: 9125000601, CountryCode: "IR"}, &reg); err != nil {
		t.Fatal(err)
	}
	time.Sleep(idle - 1500*time.Millisecond) // well past heartbeat + grace (2 s)
	if c.Err() != nil {
		t.Fatalf("a connection on the sign-up screens was cut after %v: %v", time.Since(start), c.Err())
	}
	var beats int
	last := start
	for _, f := range c.Received() {
		if gap := f.At.Sub(last); gap > time.Duration(c.Hello.HeartbeatInterval)*time.Second+5*time.Second {
			t.Fatalf("no frame for %v: iOS would disconnect", gap)
		}
		last = f.At
		if f.Action == igap.ActionHeartbeatResp {
			beats++
		}
	}
	if beats < 3 {
		t.Fatalf("%d HeartbeatResponses in %v", beats, time.Since(start))
	}
	for _, f := range c.Sent() {
		if f.Action == igap.ActionHeartbeat {
			t.Fatal("a Heartbeat was sent before login")
		}
	}
	// -login-idle is the server's limit for connections that never log in.
	wantClosed(t, c, 5*time.Second)
	if d := time.Since(start); d < idle-time.Second {
		t.Fatalf("closed after %v, before -login-idle %v", d, idle)
	}
}

// TestWsclientSecured: the project's typed client secures itself against
// the real server (versions 1 and 2) and works through the sealed frames.
func TestWsclientSecured(t *testing.T) {
	k, _ := builtInKey(t)
	e := startReal(t, false, nil, nil)
	for i, sec := range []*wsclient.Secure{{Version: 1}, {Version: 2, ClientKey: &k.PublicKey}} {
		conn := e.dial(wsclient.Options{Secure: sec})
		reg, _ := e.signUp(conn.Client(), uint64(9125000701+i))
		if reg.UserId == 0 {
			t.Fatal("user id 0")
		}
		if n := conn.Undecodable(); n != 0 {
			t.Fatalf("version %d: %d frames could not be read", sec.Version, n)
		}
	}
}
