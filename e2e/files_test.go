package e2e

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gapd/gapd/app"
	"github.com/gapd/gapd/config"
	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/handlers"
	"github.com/gapd/gapd/wire"
	"google.golang.org/protobuf/proto"
)

// fileChunk is the chunk size the file tests run with: small, so that a
// few hundred KB take several chunks.
const fileChunk = 64 << 10

// fileStart runs gapd with small chunks and a small maximum file size.
func fileStart(t *testing.T) *env {
	return start(t, func(c *config.Config, _ *handlers.Deps) {
		c.Handlers.Files.ChunkSize = fileChunk
		c.Handlers.Files.MaxSize = 4 << 20
	})
}

// fileImage is a PNG of w×h noisy pixels: it does not compress, so it is
// about 4·w·h bytes, and every run draws the same one.
func fileImage(t *testing.T, w, h int) []byte {
	t.Helper()
	r := rand.New(rand.NewPCG(uint64(w), uint64(h)))
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = byte(r.Uint32())
	}
	img.Set(0, 0, color.NRGBA{255, 0, 0, 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// fileInitReq is the FileUploadInit for data, with the edge bytes
// FileUploadOption asks for.
func fileInitReq(t *testing.T, u *chatUser, name string, data []byte) *pb.FileUploadInit {
	t.Helper()
	o, err := u.c.FileUploadOption(ctx(t), &pb.FileUploadOption{Size: int64(len(data))})
	if err != nil {
		t.Fatal(err)
	}
	if o.FirstBytesLimit < 1 || o.LastBytesLimit < 1 || o.MaxConnection < 1 {
		t.Fatalf("upload options: %v", o)
	}
	sum := sha256.Sum256(data)
	return &pb.FileUploadInit{FirstBytes: data[:o.FirstBytesLimit], LastBytes: data[len(data)-int(o.LastBytesLimit):],
		Size: int64(len(data)), FileHash: sum[:], FileName: name}
}

func fileInit(t *testing.T, u *chatUser, name string, data []byte) *pb.FileUploadInitResponse {
	t.Helper()
	r, err := u.c.FileUploadInit(ctx(t), fileInitReq(t, u, name, data))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// fileSend sends chunks where the server asks, from offset with limit,
// stopping after n chunks (n < 0: until the end). It returns the last
// answer (nil if it sent none).
func fileSend(t *testing.T, u *chatUser, token string, data []byte, offset int64, limit int32, n int) *pb.FileUploadResponse {
	t.Helper()
	var last *pb.FileUploadResponse
	for ; n != 0 && offset < int64(len(data)); n-- {
		if limit < 1 || limit > fileChunk {
			t.Fatalf("server named limit %d at offset %d", limit, offset)
		}
		end := min(offset+int64(limit), int64(len(data)))
		r, err := u.c.FileUpload(ctx(t), &pb.FileUpload{Token: token, Offset: offset, Bytes: data[offset:end]})
		if err != nil {
			t.Fatalf("chunk at %d: %v", offset, err)
		}
		if r.NextOffset != end || r.Progress != float64(end)*100/float64(len(data)) {
			t.Fatalf("after chunk [%d, %d): %v", offset, end, r)
		}
		last, offset, limit = r, r.NextOffset, r.NextLimit
	}
	return last
}

// fileUpload uploads data from scratch and returns its token.
func fileUpload(t *testing.T, u *chatUser, name string, data []byte) string {
	t.Helper()
	r := fileInit(t, u, name, data)
	if r.Offset != 0 || r.Progress != 0 || r.Token == "" {
		t.Fatalf("new upload: %v", r)
	}
	if last := fileSend(t, u, r.Token, data, r.Offset, r.Limit, -1); last.NextLimit != 0 || last.Progress != 100 {
		t.Fatalf("last chunk's answer: %v", last)
	}
	return r.Token
}

// fileProcessed polls FileUploadStatus, as a client does, until the file is
// processed; a deadline bounds the wait, not the speed of processing.
func fileProcessed(t *testing.T, u *chatUser, token string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		s, err := u.c.FileUploadStatus(ctx(t), &pb.FileUploadStatus{Token: token})
		if err != nil {
			t.Fatal(err)
		}
		if s.Status == pb.FileUploadStatusResponse_PROCESSED {
			if s.Progress != 100 {
				t.Fatalf("processed at progress %v", s.Progress)
			}
			return
		}
		if s.Status != pb.FileUploadStatusResponse_PROCESSING || s.RecheckDelayMs == 0 {
			t.Fatalf("status of a complete upload: %v", s)
		}
		if time.Now().After(deadline) {
			t.Fatal("file still processing after 20s")
		}
		time.Sleep(time.Duration(s.RecheckDelayMs) * time.Millisecond)
	}
}

// fileDownload reads a file or thumbnail of size bytes whole, in slices of
// at most max bytes.
func fileDownload(t *testing.T, u *chatUser, token string, sel pb.FileDownload_Selector, size int64, max int32) []byte {
	t.Helper()
	var out []byte
	for int64(len(out)) < size {
		r, err := u.c.FileDownload(ctx(t), &pb.FileDownload{Token: token, Offset: int64(len(out)), MaxLimit: max, Selector: sel})
		if err != nil {
			t.Fatalf("download %v at %d: %v", sel, len(out), err)
		}
		if len(r.Bytes) == 0 || len(r.Bytes) > int(max) {
			t.Fatalf("download %v at %d: %d bytes for max_limit %d", sel, len(out), len(r.Bytes), max)
		}
		out = append(out, r.Bytes...)
	}
	return out
}

// fileThumb downloads a thumbnail and checks it is a JPEG of the size File
// announces, no larger than side.
func fileThumb(t *testing.T, u *chatUser, token string, sel pb.FileDownload_Selector, th *pb.Thumbnail, side int32) {
	t.Helper()
	if th == nil || th.Size == 0 || th.CacheId == "" {
		t.Fatalf("%v: described as %v", sel, th)
	}
	b := fileDownload(t, u, token, sel, th.Size, 32<<10)
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%v: %v", sel, err)
	}
	if int32(cfg.Width) != th.Width || int32(cfg.Height) != th.Height || max(th.Width, th.Height) > side || th.Width < 1 {
		t.Fatalf("%v: %dx%d, described as %dx%d (side at most %d)", sel, cfg.Width, cfg.Height, th.Width, th.Height, side)
	}
}

// The whole path: an image uploaded in chunks, processed, sent in a chat;
// the peer reads its description from the message and downloads the file
// byte for byte and both thumbnails.
func TestFileUploadSendAndDownload(t *testing.T) {
	e := fileStart(t)
	a, b := fileSignUp(e, 9122000001), fileSignUp(e, 9122000002)
	img := fileImage(t, 320, 240) // about 300 KB: five chunks
	if len(img) < 200<<10 {
		t.Fatalf("test image is only %d bytes", len(img))
	}
	token := fileUpload(t, a.chatUser, "photo.png", img)
	fileProcessed(t, a.chatUser, token)

	info, err := a.c.FileInfo(ctx(t), &pb.FileInfo{Token: token})
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(img)
	f := info.File
	if f.Token != token || f.Name != "photo.png" || f.Size != int64(len(img)) || f.Width != 320 || f.Height != 240 ||
		f.CacheId == "" || f.CacheId != hex.EncodeToString(sum[:]) {
		t.Fatalf("file info: %v", f)
	}

	room := chatRoom(t, a.chatUser, b.chatUser)
	sent, err := a.c.ChatSendMessage(ctx(t), &pb.ChatSendMessage{RoomId: room, MessageType: pb.RoomMessageType_IMAGE, Attachment: token})
	if err != nil {
		t.Fatal(err)
	}
	p := nextPush(t, b.conn, pushSend).(*pb.ChatSendMessageResponse)
	att := p.RoomMessage.GetAttachment()
	if att == nil || att.Token != token || att.Size != f.Size || att.CacheId != f.CacheId || att.Width != 320 ||
		sent.RoomMessage.GetAttachment().GetToken() != token {
		t.Fatalf("attachment as the peer got it: %v", att)
	}

	// Before the message the peer could not see the file; now it can.
	got := fileDownload(t, b.chatUser, att.Token, pb.FileDownload_FILE, att.Size, 100<<10)
	if !bytes.Equal(got, img) {
		t.Fatalf("downloaded %d bytes differ from the %d uploaded", len(got), len(img))
	}
	fileThumb(t, b.chatUser, att.Token, pb.FileDownload_SMALL_THUMBNAIL, att.SmallThumbnail, 90)
	fileThumb(t, b.chatUser, att.Token, pb.FileDownload_LARGE_THUMBNAIL, att.LargeThumbnail, 320)
	if att.LargeThumbnail.Width != 320 || att.LargeThumbnail.Height != 240 || att.SmallThumbnail.Width != 90 {
		t.Fatalf("thumbnail sizes: large %v small %v", att.LargeThumbnail, att.SmallThumbnail)
	}
	if s, err := b.c.FileUploadStatus(ctx(t), &pb.FileUploadStatus{Token: token}); err != nil || s.Status != pb.FileUploadStatusResponse_PROCESSED {
		t.Fatalf("peer's status: %v %v", s, err)
	}
}

// A second upload of content completes at once only for a user who already
// holds it (the same token under the same name, a new one under another).
// Another user uploads it chunk by chunk like new content, so whether the
// server has a file is never revealed; the bytes are still stored once.
func TestFileSecondUploadCompletesAtOnce(t *testing.T) {
	e := fileStart(t)
	a, b := fileSignUp(e, 9122000011), fileSignUp(e, 9122000012)
	data := fileImage(t, 200, 150)
	token := fileUpload(t, a.chatUser, "x.png", data)

	again := fileInit(t, a.chatUser, "x.png", data)
	if again.Token != token || again.Progress != 100 || again.Offset != int64(len(data)) || again.Limit != 0 {
		t.Fatalf("same user, same file: %v", again)
	}
	renamed := fileInit(t, a.chatUser, "y.png", data)
	if renamed.Token == token || renamed.Progress != 100 {
		t.Fatalf("same user, another name: %v", renamed)
	}
	other := fileInit(t, b.chatUser, "copy.png", data)
	if other.Token == "" || other.Token == token || other.Progress != 0 || other.Offset != 0 || other.Limit != fileChunk {
		t.Fatalf("another user must send the bytes: %v", other)
	}
	fileSend(t, b.chatUser, other.Token, data, other.Offset, other.Limit, -1)
	fileProcessed(t, b.chatUser, other.Token)
	// Now b holds it too.
	if r := fileInit(t, b.chatUser, "copy.png", data); r.Token != other.Token || r.Progress != 100 {
		t.Fatalf("b again: %v", r)
	}
	info, err := b.c.FileInfo(ctx(t), &pb.FileInfo{Token: other.Token})
	if err != nil {
		t.Fatal(err)
	}
	if info.File.Name != "copy.png" || info.File.Width != 200 || info.File.SmallThumbnail == nil {
		t.Fatalf("instant upload's file: %v", info.File)
	}
	if got := fileDownload(t, b.chatUser, other.Token, pb.FileDownload_FILE, info.File.Size, 64<<10); !bytes.Equal(got, data) {
		t.Fatal("instant upload downloads other bytes")
	}
	// The first uploader's token is still theirs alone.
	_, err = b.c.FileInfo(ctx(t), &pb.FileInfo{Token: token})
	wantErr(t, err, errs.FileInfoNotFound, 0)

	// Edge bytes that do not match the stored content do not prove holding
	// it: that is a new upload from offset 0.
	req := fileInitReq(t, b.chatUser, "fake.png", data)
	req.FirstBytes = bytes.Repeat([]byte{1}, len(req.FirstBytes))
	r, err := b.c.FileUploadInit(ctx(t), req)
	if err != nil {
		t.Fatal(err)
	}
	if r.Progress != 0 || r.Offset != 0 || r.Limit != fileChunk {
		t.Fatalf("upload with wrong edge bytes: %v", r)
	}
}

// An upload resumes where it stopped after the connection drops: a new
// connection, the same session, the same FileUploadInit.
func TestFileResumeAfterDrop(t *testing.T) {
	e := fileStart(t)
	a := fileSignUp(e, 9122000021)
	data := fileImage(t, 300, 200)
	r := fileInit(t, a.chatUser, "resume.png", data)
	fileSend(t, a.chatUser, r.Token, data, r.Offset, r.Limit, 2)
	st, err := a.c.FileUploadStatus(ctx(t), &pb.FileUploadStatus{Token: r.Token})
	if err != nil || st.Status != pb.FileUploadStatusResponse_UPLOADING || st.Progress != float64(2*fileChunk)*100/float64(len(data)) {
		t.Fatalf("status mid-upload: %v %v", st, err)
	}
	if err := a.conn.Close(); err != nil {
		t.Fatal(err)
	}

	a2 := fileReconnect(e, a)
	resumed := fileInit(t, a2.chatUser, "resume.png", data)
	if resumed.Token != r.Token || resumed.Offset != 2*fileChunk || resumed.Limit != fileChunk {
		t.Fatalf("resumed upload: %v, want token %s at %d", resumed, r.Token, 2*fileChunk)
	}
	// The chunk before the resumed offset is not the one the server names.
	_, err = a2.c.FileUpload(ctx(t), &pb.FileUpload{Token: r.Token, Offset: fileChunk, Bytes: data[fileChunk : 2*fileChunk]})
	wantErr(t, err, errs.FileUploadBadPayload, errs.FileUploadBadPayloadUnexpectedOffset)
	fileSend(t, a2.chatUser, r.Token, data, resumed.Offset, resumed.Limit, -1)
	fileProcessed(t, a2.chatUser, r.Token)
	if got := fileDownload(t, a2.chatUser, r.Token, pb.FileDownload_FILE, int64(len(data)), 512<<10); !bytes.Equal(got, data) {
		t.Fatal("resumed upload downloads other bytes")
	}
}

// A stranger can neither read nor write another user's file, and cannot
// tell it from a file that does not exist.
func TestFileStranger(t *testing.T) {
	e := fileStart(t)
	a, c := fileSignUp(e, 9122000031), fileSignUp(e, 9122000033)
	data := fileImage(t, 100, 80)
	done := fileUpload(t, a.chatUser, "mine.png", data)
	half := fileInit(t, a.chatUser, "half.png", fileImage(t, 200, 100))

	for _, tok := range []string{done, half.Token, "0123456789abcdef0123456789abcdef"} {
		_, err := c.c.FileInfo(ctx(t), &pb.FileInfo{Token: tok})
		wantErr(t, err, errs.FileInfoNotFound, 0)
		_, err = c.c.FileDownload(ctx(t), &pb.FileDownload{Token: tok, MaxLimit: 100})
		wantErr(t, err, errs.FileDownloadNotFound, 0)
		_, err = c.c.FileUploadStatus(ctx(t), &pb.FileUploadStatus{Token: tok})
		wantErr(t, err, errs.FileUploadStatusNotFound, 0)
	}
	_, err := c.c.FileUpload(ctx(t), &pb.FileUpload{Token: half.Token, Offset: 0, Bytes: []byte{1}})
	wantErr(t, err, errs.FileUploadForbidden, 0)
	// Nor can they send it in a chat of theirs.
	room := chatRoom(t, c.chatUser, a.chatUser)
	if _, err := c.c.ChatSendMessage(ctx(t), &pb.ChatSendMessage{RoomId: room, MessageType: pb.RoomMessageType_FILE, Attachment: done}); err == nil {
		t.Fatal("a stranger attached another user's file")
	}
	// The owner's upload went on untouched by the refused chunk.
	st, err := a.c.FileUploadStatus(ctx(t), &pb.FileUploadStatus{Token: half.Token})
	if err != nil || st.Status != pb.FileUploadStatusResponse_UPLOADING || st.Progress != 0 {
		t.Fatalf("owner's status: %v %v", st, err)
	}
}

// Every error code of actions 700-705 a client can provoke.
func TestFileErrors(t *testing.T) {
	e := fileStart(t)
	a := fileSignUp(e, 9122000041)
	ctx := ctx(t)
	const max = 4 << 20

	_, err := a.c.FileUploadOption(ctx, &pb.FileUploadOption{Size: 0})
	wantErr(t, err, errs.FileUploadOptionBadPayload, errs.FileUploadOptionBadPayloadInvalidSize)
	_, err = a.c.FileUploadOption(ctx, &pb.FileUploadOption{Size: max + 1})
	wantErr(t, err, errs.FileUploadOptionBadPayload, errs.FileUploadOptionBadPayloadInvalidSize)

	data := bytes.Repeat([]byte("gapd file "), 20_000) // 200 KB, not an image
	good := func() *pb.FileUploadInit { return fileInitReq(t, a.chatUser, "notes.txt", data) }
	inits := []struct {
		name  string
		edit  func(*pb.FileUploadInit)
		minor wire.Minor
	}{
		{"size 0", func(r *pb.FileUploadInit) { r.Size = 0 }, errs.FileUploadInitBadPayloadInvalidSize},
		{"size over the maximum", func(r *pb.FileUploadInit) { r.Size = max + 1 }, errs.FileUploadInitBadPayloadInvalidSize},
		{"no first bytes", func(r *pb.FileUploadInit) { r.FirstBytes = nil }, errs.FileUploadInitBadPayloadInvalidFirstBytes},
		{"short first bytes", func(r *pb.FileUploadInit) { r.FirstBytes = r.FirstBytes[1:] }, errs.FileUploadInitBadPayloadInvalidFirstBytes},
		{"long last bytes", func(r *pb.FileUploadInit) { r.LastBytes = data[:len(r.LastBytes)+1] }, errs.FileUploadInitBadPayloadInvalidLastBytes},
		{"no last bytes", func(r *pb.FileUploadInit) { r.LastBytes = nil }, errs.FileUploadInitBadPayloadInvalidLastBytes},
		{"no hash", func(r *pb.FileUploadInit) { r.FileHash = nil }, errs.FileUploadInitBadPayloadInvalidFileHash},
		{"short hash", func(r *pb.FileUploadInit) { r.FileHash = r.FileHash[:31] }, errs.FileUploadInitBadPayloadInvalidFileHash},
		{"no name", func(r *pb.FileUploadInit) { r.FileName = "" }, errs.FileUploadInitBadPayloadInvalidFileName},
		{"long name", func(r *pb.FileUploadInit) { r.FileName = strings.Repeat("n", 256) }, errs.FileUploadInitBadPayloadInvalidFileName},
	}
	for _, tc := range inits {
		req := good()
		tc.edit(req)
		_, err := a.c.FileUploadInit(ctx, req)
		if e, ok := wire.As(err); !ok || e.Major != errs.FileUploadInitBadPayload || e.Minor != tc.minor {
			t.Fatalf("init with %s: got %v, want 702/%d", tc.name, err, tc.minor)
		}
	}

	up, err := a.c.FileUploadInit(ctx, good())
	if err != nil {
		t.Fatal(err)
	}
	chunks := []struct {
		name  string
		req   *pb.FileUpload
		major wire.Major
		minor wire.Minor
	}{
		{"no token", &pb.FileUpload{Bytes: []byte{1}}, errs.FileUploadBadPayload, errs.FileUploadBadPayloadInvalidToken},
		{"unknown token", &pb.FileUpload{Token: "nosuchupload", Bytes: []byte{1}}, errs.FileUploadBadPayload, errs.FileUploadBadPayloadInvalidToken},
		{"offset not the named one", &pb.FileUpload{Token: up.Token, Offset: 10, Bytes: data[10:20]}, errs.FileUploadBadPayload, errs.FileUploadBadPayloadUnexpectedOffset},
		{"negative offset", &pb.FileUpload{Token: up.Token, Offset: -1, Bytes: []byte{1}}, errs.FileUploadBadPayload, errs.FileUploadBadPayloadUnexpectedOffset},
		{"offset at the end", &pb.FileUpload{Token: up.Token, Offset: int64(len(data)), Bytes: []byte{1}}, errs.FileUploadBadPayload, errs.FileUploadBadPayloadOffsetPastSize},
		{"offset past the end", &pb.FileUpload{Token: up.Token, Offset: 1 << 40, Bytes: []byte{1}}, errs.FileUploadBadPayload, errs.FileUploadBadPayloadOffsetPastSize},
		{"empty bytes", &pb.FileUpload{Token: up.Token}, errs.FileUploadBadPayload, errs.FileUploadBadPayloadInvalidBytes},
		{"chunk over the limit", &pb.FileUpload{Token: up.Token, Bytes: data[:up.Limit+1]}, errs.FileUploadBadPayload, errs.FileUploadBadPayloadInvalidBytes},
	}
	for _, tc := range chunks {
		_, err := a.c.FileUpload(ctx, tc.req)
		if e, ok := wire.As(err); !ok || e.Major != tc.major || e.Minor != tc.minor {
			t.Fatalf("chunk with %s: got %v, want %d/%d", tc.name, err, tc.major, tc.minor)
		}
	}

	// A file whose bytes do not match its hash is discarded at the last
	// chunk, with a message that says so; its token then takes no bytes
	// (FileUploadStatus says CORRUPTED: TestFileCorruptedUploadStartsAgain).
	wrong := bytes.Clone(data)
	wrong[fileChunk+5] ^= 0xff
	fileSend(t, a.chatUser, up.Token, wrong, 0, up.Limit, 3)
	last := int64(3 * fileChunk)
	_, err = a.c.FileUpload(ctx, &pb.FileUpload{Token: up.Token, Offset: last, Bytes: wrong[last:]})
	if e := wantErr(t, err, errs.FileUploadBadPayload, errs.FileUploadBadPayloadInvalidBytes); !strings.Contains(e.Message, "hash") {
		t.Fatalf("hash mismatch message: %q", e.Message)
	}
	_, err = a.c.FileUpload(ctx, &pb.FileUpload{Token: up.Token, Offset: last, Bytes: data[last:]})
	wantErr(t, err, errs.FileUploadBadPayload, errs.FileUploadBadPayloadInvalidToken)

	// The same content, sent right, completes; a chunk after that is past
	// the end or not where the server asks.
	token := fileUpload(t, a.chatUser, "notes.txt", data)
	_, err = a.c.FileUpload(ctx, &pb.FileUpload{Token: token, Offset: 0, Bytes: data[:10]})
	wantErr(t, err, errs.FileUploadBadPayload, errs.FileUploadBadPayloadUnexpectedOffset)

	_, err = a.c.FileUploadStatus(ctx, &pb.FileUploadStatus{})
	wantErr(t, err, errs.FileUploadStatusBadPayload, errs.FileUploadStatusBadPayloadInvalidToken)
	_, err = a.c.FileUploadStatus(ctx, &pb.FileUploadStatus{Token: "nosuchupload"})
	wantErr(t, err, errs.FileUploadStatusNotFound, 0)
	_, err = a.c.FileInfo(ctx, &pb.FileInfo{Token: "bad token"})
	wantErr(t, err, errs.FileInfoBadPayload, errs.FileInfoBadPayloadInvalidToken)
	_, err = a.c.FileInfo(ctx, &pb.FileInfo{Token: "nosuchupload"})
	wantErr(t, err, errs.FileInfoNotFound, 0)

	fileProcessed(t, a.chatUser, token)
	downloads := []struct {
		name  string
		req   *pb.FileDownload
		major wire.Major
		minor wire.Minor
	}{
		{"no token", &pb.FileDownload{MaxLimit: 10}, errs.FileDownloadBadPayload, errs.FileDownloadBadPayloadInvalidToken},
		{"negative offset", &pb.FileDownload{Token: token, Offset: -1, MaxLimit: 10}, errs.FileDownloadBadPayload, errs.FileDownloadBadPayloadInvalidOffset},
		{"max_limit 0", &pb.FileDownload{Token: token}, errs.FileDownloadBadPayload, errs.FileDownloadBadPayloadInvalidMaxLimit},
		{"max_limit over the server's", &pb.FileDownload{Token: token, MaxLimit: handlers.DefaultMaxDownload + 1}, errs.FileDownloadBadPayload, errs.FileDownloadBadPayloadInvalidMaxLimit},
		{"unknown selector", &pb.FileDownload{Token: token, MaxLimit: 10, Selector: 9}, errs.FileDownloadBadPayload, errs.FileDownloadBadPayloadInvalidSelector},
		{"offset at the end", &pb.FileDownload{Token: token, Offset: int64(len(data)), MaxLimit: 10}, errs.FileDownloadBadPayload, errs.FileDownloadBadPayloadOffsetOutOfRange},
		{"unknown token", &pb.FileDownload{Token: "nosuchupload", MaxLimit: 10}, errs.FileDownloadNotFound, 0},
		{"thumbnail of text", &pb.FileDownload{Token: token, MaxLimit: 10, Selector: pb.FileDownload_SMALL_THUMBNAIL}, errs.FileDownloadNotFound, 0},
		{"waveform", &pb.FileDownload{Token: token, MaxLimit: 10, Selector: pb.FileDownload_WAVEFORM_THUMBNAIL}, errs.FileDownloadNotFound, 0},
	}
	for _, tc := range downloads {
		_, err := a.c.FileDownload(ctx, tc.req)
		if e, ok := wire.As(err); !ok || e.Major != tc.major || e.Minor != tc.minor {
			t.Fatalf("download with %s: got %v, want %d/%d", tc.name, err, tc.major, tc.minor)
		}
	}
	// An upload in progress has nothing to download yet.
	half := fileInit(t, a.chatUser, "half.png", fileImage(t, 64, 64))
	_, err = a.c.FileDownload(ctx, &pb.FileDownload{Token: half.Token, MaxLimit: 10})
	wantErr(t, err, errs.FileDownloadNotFound, 0)
	if got := fileDownload(t, a.chatUser, token, pb.FileDownload_FILE, int64(len(data)), 300<<10); !bytes.Equal(got, data) {
		t.Fatal("download differs")
	}
}

// An upload resumes across a restart of the server: what the server
// acknowledged before stopping is on disk and in the database.
func TestFileResumeAfterRestart(t *testing.T) {
	dir := t.TempDir()
	e, stop := fileStartAt(t, dir)
	a := fileSignUp(e, 9122000051)
	data := fileImage(t, 200, 200)
	r := fileInit(t, a.chatUser, "restart.png", data)
	fileSend(t, a.chatUser, r.Token, data, r.Offset, r.Limit, 2)
	stop()

	e2, _ := fileStartAt(t, dir)
	a2 := fileReconnect(e2, a)
	resumed := fileInit(t, a2.chatUser, "restart.png", data)
	if resumed.Token != r.Token || resumed.Offset != 2*fileChunk {
		t.Fatalf("after a restart: %v, want token %s at %d", resumed, r.Token, 2*fileChunk)
	}
	fileSend(t, a2.chatUser, r.Token, data, resumed.Offset, resumed.Limit, -1)
	fileProcessed(t, a2.chatUser, r.Token)
	if got := fileDownload(t, a2.chatUser, r.Token, pb.FileDownload_FILE, int64(len(data)), 512<<10); !bytes.Equal(got, data) {
		t.Fatal("upload resumed after a restart downloads other bytes")
	}
}

// fileStartAt runs gapd like fileStart but on a data directory that
// outlives it, so the test can start it again; stop may be called early.
func fileStartAt(t *testing.T, dir string) (*env, func()) {
	t.Helper()
	e := &env{t: t, clock: &clock{now: time.Unix(1_800_000_000, 0)}, codes: filepath.Join(dir, "codes.jsonl")}
	cfg, err := config.Load(append([]string{"-addr", "127.0.0.1:0", "-ops-addr", "127.0.0.1:0", "-data", filepath.Join(dir, "data"),
		"-verify-sender", "file:" + e.codes}, dbFlag(t)...), func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	cfg.Handlers.Files.ChunkSize = fileChunk
	a, err := app.Start(context.Background(), cfg, quietLog(), handlers.Deps{Clock: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	e.app = a
	var once sync.Once
	stop := func() {
		once.Do(func() {
			c, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := a.Shutdown(c); err != nil {
				t.Errorf("shutdown: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return e, stop
}

// fileUser is a chat user who keeps their session token, to log in again
// on a new connection.
type fileUser struct {
	*chatUser
	token string
}

func fileSignUp(e *env, phone uint64) *fileUser {
	c, conn := e.client()
	reg, token := e.signUp(c, phone)
	return &fileUser{chatUser: &chatUser{id: reg.UserId, phone: phone, c: c, conn: conn}, token: token}
}

// fileReconnect logs u's session in on a new connection.
func fileReconnect(e *env, u *fileUser) *fileUser {
	c, conn := e.client()
	if _, err := c.UserLogin(ctx(e.t), &pb.UserLogin{Token: u.token}); err != nil {
		e.t.Fatal(err)
	}
	return &fileUser{chatUser: &chatUser{id: u.id, phone: u.phone, c: c, conn: conn}, token: u.token}
}

// TestFileEveryAttachmentType sends one uploaded file as every message type
// that carries an attachment, with and without a caption, and the peer gets
// each with the file described; a type that needs a caption refuses none.
func TestFileEveryAttachmentType(t *testing.T) {
	e := fileStart(t)
	a, b := chatSignUp(e, 9124000001), chatSignUp(e, 9124000002)
	room := chatRoom(t, a, b)
	data := fileImage(t, 40, 30)
	token := fileUpload(t, a, "photo.png", data)
	fileProcessed(t, a, token)
	for _, tc := range []struct {
		typ     pb.RoomMessageType
		caption string
	}{
		{pb.RoomMessageType_IMAGE, ""}, {pb.RoomMessageType_VIDEO, ""}, {pb.RoomMessageType_AUDIO, ""},
		{pb.RoomMessageType_VOICE, ""}, {pb.RoomMessageType_GIF, ""}, {pb.RoomMessageType_FILE, ""},
		{pb.RoomMessageType_IMAGE_TEXT, "a"}, {pb.RoomMessageType_VIDEO_TEXT, "b"}, {pb.RoomMessageType_AUDIO_TEXT, "c"},
		{pb.RoomMessageType_GIF_TEXT, "d"}, {pb.RoomMessageType_FILE_TEXT, "e"},
	} {
		r, err := a.c.ChatSendMessage(ctx(t), &pb.ChatSendMessage{RoomId: room, MessageType: tc.typ, Message: tc.caption, Attachment: token})
		if err != nil {
			t.Fatalf("%v: %v", tc.typ, err)
		}
		p := nextPush(t, b.conn, pushSend).(*pb.ChatSendMessageResponse).RoomMessage
		att := p.GetAttachment()
		if p.MessageType != tc.typ || p.Message != tc.caption || att.GetToken() != token || att.GetSize() != int64(len(data)) ||
			att.GetWidth() != 40 || att.GetHeight() != 30 || !proto.Equal(p, r.RoomMessage) {
			t.Fatalf("%v: the peer got %v", tc.typ, p)
		}
		// The peer may now read the file it was sent.
		if got := fileDownload(t, b, token, pb.FileDownload_FILE, int64(len(data)), 64<<10); !bytes.Equal(got, data) {
			t.Fatalf("%v: the peer's download differs", tc.typ)
		}
	}
}
