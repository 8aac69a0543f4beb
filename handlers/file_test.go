package handlers

import (
	"bytes"
	"crypto/sha256"
	"io"
	"log/slog"
	"testing"

	"github.com/gapd/gapd/files"
	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/generated/pb"
)

// fileEnv is env with a content directory and 4-byte chunks, so a few
// bytes make an upload of several chunks.
func fileEnv(t *testing.T) (*env, *files.Store) {
	t.Helper()
	e := newEnv(t)
	dir := t.TempDir()
	store, err := files.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	e.h = New(Config{Files: FileOptions{ChunkSize: 4, EdgeBytes: 2}},
		Deps{DB: e.db, Sender: e.sent, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Clock: e.clock.Now, Store: store})
	return e, store
}

func fileInitFor(t *testing.T, e *env, s *session, data []byte) *pb.FileUploadInitResponse {
	t.Helper()
	sum := sha256.Sum256(data)
	n := e.h.files.edgeLen(int64(len(data)))
	r, err := e.h.FileUploadInit(e.ctx, s, &pb.FileUploadInit{FirstBytes: data[:n], LastBytes: data[len(data)-n:],
		Size: int64(len(data)), FileHash: sum[:], FileName: "f.bin"})
	wantOK(t, err)
	return r
}

func fileChunk(e *env, s *session, token string, data []byte, off int64) (*pb.FileUploadResponse, error) {
	end := min(off+4, int64(len(data)))
	return e.h.FileUpload(e.ctx, s, &pb.FileUpload{Token: token, Offset: off, Bytes: data[off:end]})
}

// A crash after the last chunk's bytes moved into place but before the
// database knew: the client resends the last chunk, and the upload
// finishes on the content already in place.
func TestFileUploadFinishesAfterCrashAtPromote(t *testing.T) {
	e, store := fileEnv(t)
	uid, _ := e.signUp(phoneIR)
	s := &session{user: uid}
	data := []byte("0123456789")
	sum := sha256.Sum256(data)
	r := fileInitFor(t, e, s, data)
	for off := int64(0); off < 8; off += 4 {
		_, err := fileChunk(e, s, r.Token, data, off)
		wantOK(t, err)
	}
	// What FileUpload does before its last transaction.
	if err := store.WriteChunk(r.Token, 8, data[8:]); err != nil {
		t.Fatal(err)
	}
	if err := store.Promote(r.Token, sum[:], 10); err != nil {
		t.Fatal(err)
	}
	again := fileInitFor(t, e, s, data)
	if again.Token != r.Token || again.Offset != 8 {
		t.Fatalf("after the crash: %v", again)
	}
	done, err := fileChunk(e, s, r.Token, data, 8)
	wantOK(t, err)
	if done.Progress != 100 || done.NextOffset != 10 {
		t.Fatalf("last chunk again: %v", done)
	}
	got, err := store.ReadAt(sum[:], "", 0, 100)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("content: %q %v", got, err)
	}
}

// Bytes the database counts but the disk lost (a partial file removed by
// hand) end the upload rather than leave a hole in the content.
func TestFileUploadWithLostBytesStartsAgain(t *testing.T) {
	e, store := fileEnv(t)
	uid, _ := e.signUp(phoneIR)
	s := &session{user: uid}
	data := []byte("abcdefghij")
	r := fileInitFor(t, e, s, data)
	_, err := fileChunk(e, s, r.Token, data, 0)
	wantOK(t, err)
	if err := store.RemovePartial(r.Token); err != nil {
		t.Fatal(err)
	}
	_, err = fileChunk(e, s, r.Token, data, 4)
	wantErr(t, err, errs.FileUploadBadPayload, errs.FileUploadBadPayloadInvalidToken)
	again := fileInitFor(t, e, s, data)
	if again.Token == r.Token || again.Offset != 0 {
		t.Fatalf("after losing the bytes: %v", again)
	}
}

// Chunks and edge bytes fit in the frames the server accepts.
func TestFileOptionsFitTheFrame(t *testing.T) {
	o := FileOptions{MaxFrame: 1024}.WithDefaults()
	if o.ChunkSize != 1024-frameOverhead || o.EdgeBytes != (1024-frameOverhead)/2 {
		t.Fatalf("1 KiB frames: chunk %d, edges %d", o.ChunkSize, o.EdgeBytes)
	}
	o = FileOptions{MaxFrame: 64 << 20}.WithDefaults()
	if o.ChunkSize != DefaultChunkSize || o.EdgeBytes != DefaultEdgeBytes {
		t.Fatalf("64 MiB frames: chunk %d, edges %d", o.ChunkSize, o.EdgeBytes)
	}
	if o.chunkLimit(10, 10) != 0 || o.chunkLimit(10, 4) != 6 || o.edgeLen(5) != 5 {
		t.Fatal("limits near the end of a file")
	}
}
