package e2e

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"

	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/generated/pb"
)

// fileStatus is FileUploadStatus's answer for token.
func fileStatus(t *testing.T, u *chatUser, token string) *pb.FileUploadStatusResponse {
	t.Helper()
	s, err := u.c.FileUploadStatus(ctx(t), &pb.FileUploadStatus{Token: token})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// fileContentPath is where gapd keeps the bytes of data under the data
// directory dir (the default -files).
func fileContentPath(dir string, data []byte) string {
	return fileContentIn(filepath.Join(dir, "data", "files"), data)
}

// fileContentIn is where gapd keeps the bytes of data in the files
// directory (files.Store's layout).
func fileContentIn(filesDir string, data []byte) string {
	sum := sha256.Sum256(data)
	h := hex.EncodeToString(sum[:])
	return filepath.Join(filesDir, h[:2], h)
}

// An upload whose bytes fail the hash check at the last chunk is CORRUPTED
// from then on; the client starts again with FileUploadInit of the same
// file, which begins a new upload at offset 0 that completes.
func TestFileCorruptedUploadStartsAgain(t *testing.T) {
	e := fileStart(t)
	a := fileSignUp(e, 9122000061)
	data := fileImage(t, 160, 120)
	r := fileInit(t, a.chatUser, "c.png", data)
	wrong := bytes.Clone(data)
	wrong[len(wrong)-1] ^= 0xff
	n := (len(data) - 1) / fileChunk // every chunk but the last
	fileSend(t, a.chatUser, r.Token, wrong, 0, r.Limit, n)
	last := int64(n * fileChunk)
	_, err := a.c.FileUpload(ctx(t), &pb.FileUpload{Token: r.Token, Offset: last, Bytes: wrong[last:]})
	wantErr(t, err, errs.FileUploadBadPayload, errs.FileUploadBadPayloadInvalidBytes)

	if s := fileStatus(t, a.chatUser, r.Token); s.Status != pb.FileUploadStatusResponse_CORRUPTED || s.RecheckDelayMs != 0 {
		t.Fatalf("status after a failed hash check: %v", s)
	}
	again := fileInit(t, a.chatUser, "c.png", data)
	if again.Token == r.Token || again.Offset != 0 || again.Progress != 0 {
		t.Fatalf("init after CORRUPTED: %v", again)
	}
	fileSend(t, a.chatUser, again.Token, data, again.Offset, again.Limit, -1)
	fileProcessed(t, a.chatUser, again.Token)
	if s := fileStatus(t, a.chatUser, r.Token); s.Status != pb.FileUploadStatusResponse_CORRUPTED {
		t.Fatalf("the failed upload's status later: %v", s)
	}
}

// Content whose bytes are found missing or damaged on disk is CORRUPTED for
// every upload of it: a download finds it missing, or a repeated upload
// finds it cut short. The uploader's FileUploadInit then takes the bytes
// again, and every token of the content works once more.
func TestFileDamagedContentIsCorrupted(t *testing.T) {
	dir := t.TempDir()
	e, _ := fileStartAt(t, dir)
	a, b := fileSignUp(e, 9122000071), fileSignUp(e, 9122000072)
	room := chatRoom(t, a.chatUser, b.chatUser)

	// Missing: found by a download.
	data := fileImage(t, 120, 90)
	token := fileUpload(t, a.chatUser, "gone.png", data)
	fileProcessed(t, a.chatUser, token)
	if _, err := a.c.ChatSendMessage(ctx(t), &pb.ChatSendMessage{RoomId: room, MessageType: pb.RoomMessageType_IMAGE, Attachment: token}); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(fileContentPath(dir, data)); err != nil {
		t.Fatal(err)
	}
	_, err := b.c.FileDownload(ctx(t), &pb.FileDownload{Token: token, MaxLimit: 1000})
	wantErr(t, err, errs.FileDownloadNotFound, 0)
	for _, u := range []*chatUser{a.chatUser, b.chatUser} {
		if s := fileStatus(t, u, token); s.Status != pb.FileUploadStatusResponse_CORRUPTED {
			t.Fatalf("status of missing content for user %d: %v", u.id, s)
		}
	}
	// Nor can it be sent again until it is repaired.
	_, err = a.c.ChatSendMessage(ctx(t), &pb.ChatSendMessage{RoomId: room, MessageType: pb.RoomMessageType_IMAGE, Attachment: token})
	wantErr(t, err, errs.ChatSendMessageBadPayload, errs.ChatSendMessageBadPayloadFileNotFound)
	again := fileInit(t, a.chatUser, "gone.png", data)
	if again.Offset != 0 || again.Progress != 0 {
		t.Fatalf("init of corrupted content: %v", again)
	}
	fileSend(t, a.chatUser, again.Token, data, again.Offset, again.Limit, -1)
	fileProcessed(t, a.chatUser, again.Token)
	fileProcessed(t, b.chatUser, token)
	if got := fileDownload(t, b.chatUser, token, pb.FileDownload_FILE, int64(len(data)), 64<<10); !bytes.Equal(got, data) {
		t.Fatal("repaired content downloads other bytes")
	}

	// Cut short: found by the uploader's repeated FileUploadInit, which
	// would otherwise complete at once.
	other := fileImage(t, 100, 100)
	tok2 := fileUpload(t, a.chatUser, "short.png", other)
	fileProcessed(t, a.chatUser, tok2)
	if err := os.Truncate(fileContentPath(dir, other), 100); err != nil {
		t.Fatal(err)
	}
	r := fileInit(t, a.chatUser, "short.png", other)
	if r.Offset != 0 || r.Progress != 0 || r.Token == tok2 {
		t.Fatalf("init of content cut short: %v", r)
	}
	if s := fileStatus(t, a.chatUser, tok2); s.Status != pb.FileUploadStatusResponse_CORRUPTED {
		t.Fatalf("status of content cut short: %v", s)
	}
	fileSend(t, a.chatUser, r.Token, other, r.Offset, r.Limit, -1)
	fileProcessed(t, a.chatUser, tok2)
	if got := fileDownload(t, a.chatUser, tok2, pb.FileDownload_FILE, int64(len(other)), 512<<10); !bytes.Equal(got, other) {
		t.Fatal("content stored again downloads other bytes")
	}
}
