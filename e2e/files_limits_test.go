package e2e

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/png"
	"testing"

	"github.com/gapd/gapd/config"
	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/handlers"
)

// A user's distinct files (finished or under way) may take at most
// -max-user-storage bytes; beyond it FileUploadInit refuses the size. The
// same file again takes nothing more, and other users have their own quota.
func TestFileUserStorageQuota(t *testing.T) {
	e := start(t, func(c *config.Config, _ *handlers.Deps) {
		c.Handlers.Files.MaxUserStorage = 300_000
		c.Handlers.Files.ChunkSize = fileChunk
	})
	a, b := fileSignUp(e, 9122000081), fileSignUp(e, 9122000082)
	blob := func(n int, fill byte) []byte { return bytes.Repeat([]byte{fill}, n) }
	one, two := blob(100_000, 1), blob(150_000, 2)
	fileUpload(t, a.chatUser, "one.bin", one)
	fileUpload(t, a.chatUser, "two.bin", two) // 250 000 bytes in use

	_, err := a.c.FileUploadInit(ctx(t), fileInitReq(t, a.chatUser, "three.bin", blob(60_000, 3)))
	wantErr(t, err, errs.FileUploadInitBadPayload, errs.FileUploadInitBadPayloadInvalidSize)
	if r := fileInit(t, a.chatUser, "one again.bin", one); r.Progress != 100 {
		t.Fatalf("a file the user holds counts once: %v", r)
	}
	// An upload under way holds its size: a second one cannot overshoot.
	half := fileInit(t, a.chatUser, "four.bin", blob(40_000, 4))
	if half.Offset != 0 || half.Limit == 0 {
		t.Fatalf("upload within the quota: %v", half)
	}
	_, err = a.c.FileUploadInit(ctx(t), fileInitReq(t, a.chatUser, "five.bin", blob(20_000, 5)))
	wantErr(t, err, errs.FileUploadInitBadPayload, errs.FileUploadInitBadPayloadInvalidSize)
	if r := fileInit(t, a.chatUser, "four.bin", blob(40_000, 4)); r.Token != half.Token {
		t.Fatalf("resuming an admitted upload: %v", r)
	}
	// b's quota is b's own, even for a's content.
	fileUpload(t, b.chatUser, "two.bin", two)
	fileUpload(t, b.chatUser, "other.bin", blob(140_000, 6))
}

// pngClaiming is a valid PNG of one RGBA pixel whose header says w x h.
func pngClaiming(t *testing.T, w, h uint32) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewNRGBA(image.Rect(0, 0, 1, 1))); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	binary.BigEndian.PutUint32(b[16:], w)
	binary.BigEndian.PutUint32(b[20:], h)
	binary.BigEndian.PutUint32(b[29:], crc32.ChecksumIEEE(b[12:29])) // IHDR's CRC
	return b
}

// An image whose header claims more pixels than the budget (6300x6300,
// about 40 megapixels, against the default 25) is processed from its
// header alone: PROCESSED with its size and no thumbnails, and the file
// itself stays usable. (files.TestProbeReadsTheHeaderBeforeDecoding shows
// that the pixels are not decoded.)
func TestFileImageOverThePixelBudget(t *testing.T) {
	e := fileStart(t)
	a := fileSignUp(e, 9122000091)
	data := pngClaiming(t, 6300, 6300)
	token := fileUpload(t, a.chatUser, "bomb.png", data)
	fileProcessed(t, a.chatUser, token)
	info, err := a.c.FileInfo(ctx(t), &pb.FileInfo{Token: token})
	if err != nil {
		t.Fatal(err)
	}
	if f := info.File; f.Width != 6300 || f.Height != 6300 || f.SmallThumbnail != nil || f.LargeThumbnail != nil {
		t.Fatalf("file over the budget: %v", f)
	}
	_, err = a.c.FileDownload(ctx(t), &pb.FileDownload{Token: token, MaxLimit: 100, Selector: pb.FileDownload_SMALL_THUMBNAIL})
	wantErr(t, err, errs.FileDownloadNotFound, 0)
	if got := fileDownload(t, a.chatUser, token, pb.FileDownload_FILE, int64(len(data)), 1000); !bytes.Equal(got, data) {
		t.Fatal("the file itself downloads other bytes")
	}
}
