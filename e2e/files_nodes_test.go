package e2e

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gapd/gapd/config"
	"github.com/gapd/gapd/generated/errs"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/handlers"
	"github.com/gapd/gapd/storage"
)

// startNodes runs two gapd nodes as an operator would behind a balancer:
// one database (-data), one shared -files directory outside it, one NATS.
// It returns them and the files directory.
func startNodes(t *testing.T) (a, b *env, filesDir string) {
	t.Helper()
	return startNodesWith(t, nil)
}

// startNodesWith is startNodes with tune applied to both nodes' settings.
func startNodesWith(t *testing.T, tune func(*config.Config)) (a, b *env, filesDir string) {
	t.Helper()
	dir := t.TempDir()
	filesDir = filepath.Join(dir, "shared-files")
	ns := runNATS(t, -1)
	small := func(c *config.Config, _ *handlers.Deps) {
		c.Handlers.Files.ChunkSize = fileChunk
		if tune != nil {
			tune(c)
		}
	}
	for _, n := range []struct {
		e    **env
		name string
	}{{&a, "a"}, {&b, "b"}} {
		*n.e = startWith(t, []string{"-data", filepath.Join(dir, "data"), "-files", filesDir,
			"-nats", ns.ClientURL(), "-node", n.name}, small)
	}
	return a, b, filesDir
}

// An upload begun on node A resumes and finishes on node B: B reports A's
// progress, names the offset A reached, takes the rest and processes the
// file; then the file downloads whole from B and from A, and its bytes are
// in the shared -files directory, not under -data.
func TestFileUploadMovesBetweenNodes(t *testing.T) {
	nodeA, nodeB, filesDir := startNodes(t)
	u := fileSignUp(nodeA, 9122000071)
	data := fileImage(t, 300, 200) // four chunks
	r := fileInit(t, u.chatUser, "moved.png", data)
	fileSend(t, u.chatUser, r.Token, data, r.Offset, r.Limit, 2)
	atTwo := float64(2*fileChunk) * 100 / float64(len(data))
	if st := fileStatus(t, u.chatUser, r.Token); st.Status != pb.FileUploadStatusResponse_UPLOADING || st.Progress != atTwo {
		t.Fatalf("status on A: %v", st)
	}

	// The client's connection now lands on B (the balancer's choice).
	onB := fileReconnect(nodeB, u)
	if st := fileStatus(t, onB.chatUser, r.Token); st.Status != pb.FileUploadStatusResponse_UPLOADING || st.Progress != atTwo {
		t.Fatalf("status on B of the upload begun on A: %v", st)
	}
	resumed := fileInit(t, onB.chatUser, "moved.png", data)
	if resumed.Token != r.Token || resumed.Offset != 2*fileChunk || resumed.Limit != fileChunk {
		t.Fatalf("resumed on B: %v, want token %s at %d", resumed, r.Token, 2*fileChunk)
	}
	_, err := onB.c.FileUpload(ctx(t), &pb.FileUpload{Token: r.Token, Offset: fileChunk, Bytes: data[fileChunk : 2*fileChunk]})
	wantErr(t, err, errs.FileUploadBadPayload, errs.FileUploadBadPayloadUnexpectedOffset)
	fileSend(t, onB.chatUser, r.Token, data, resumed.Offset, resumed.Limit, -1)
	fileProcessed(t, onB.chatUser, r.Token)
	if got := fileDownload(t, onB.chatUser, r.Token, pb.FileDownload_FILE, int64(len(data)), 100<<10); !bytes.Equal(got, data) {
		t.Fatal("B downloads other bytes")
	}

	backOnA := fileReconnect(nodeA, u)
	info, err := backOnA.c.FileInfo(ctx(t), &pb.FileInfo{Token: r.Token})
	if err != nil {
		t.Fatal(err)
	}
	if info.File.Width != 300 || info.File.Height != 200 || info.File.Size != int64(len(data)) {
		t.Fatalf("A describes the file finished on B as %v", info.File)
	}
	if got := fileDownload(t, backOnA.chatUser, r.Token, pb.FileDownload_FILE, int64(len(data)), 100<<10); !bytes.Equal(got, data) {
		t.Fatal("A downloads other bytes")
	}
	fileThumb(t, backOnA.chatUser, r.Token, pb.FileDownload_LARGE_THUMBNAIL, info.File.LargeThumbnail, 320)

	if _, err := os.Stat(fileContentIn(filesDir, data)); err != nil {
		t.Fatalf("content is not in -files: %v", err)
	}
	if parts, err := os.ReadDir(filepath.Join(filesDir, "partial")); err != nil || len(parts) != 0 {
		t.Fatalf("part files left: %v %v", parts, err)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(filesDir), "data", "files")); !os.IsNotExist(err) {
		t.Fatalf("a files directory under -data: %v", err)
	}
}

// While a request on one node is writing an upload's next chunk (its claim
// is in the database), the same chunk sent to another node is refused and
// writes nothing; once that claim's lease has run out (the node died
// mid-write), the chunk is taken.
func TestFileChunkClaimedByAnotherNode(t *testing.T) {
	nodeA, nodeB, filesDir := startNodes(t)
	u := fileSignUp(nodeB, 9122000072)
	data := fileImage(t, 200, 200) // three chunks
	r := fileInit(t, u.chatUser, "claimed.png", data)
	fileSend(t, u.chatUser, r.Token, data, r.Offset, r.Limit, 1)

	// A request on node A has claimed the chunk at fileChunk and is writing it.
	now := nodeA.clock.Now()
	if err := nodeA.app.DB.Write(ctx(t), func(tx *storage.Tx) error {
		f, err := tx.FileByToken(r.Token)
		if err != nil {
			return err
		}
		return tx.ClaimChunk(f.ID, fileChunk, "a-request", now.UnixMilli(), now.Add(time.Minute).UnixMilli())
	}); err != nil {
		t.Fatal(err)
	}
	chunk := data[fileChunk : 2*fileChunk]
	_, err := u.c.FileUpload(ctx(t), &pb.FileUpload{Token: r.Token, Offset: fileChunk, Bytes: chunk})
	wantErr(t, err, errs.FileUploadBadPayload, errs.FileUploadBadPayloadUnexpectedOffset)
	if fi, err := os.Stat(filepath.Join(filesDir, "partial", r.Token)); err != nil || fi.Size() != fileChunk {
		t.Fatalf("the refused chunk touched the part file: %v %v", fi, err)
	}

	// Node A died mid-write: after its lease, B takes the chunk and the rest.
	nodeB.clock.Add(time.Minute + time.Second)
	fileSend(t, u.chatUser, r.Token, data, fileChunk, fileChunk, -1)
	fileProcessed(t, u.chatUser, r.Token)
	if got := fileDownload(t, u.chatUser, r.Token, pb.FileDownload_FILE, int64(len(data)), 100<<10); !bytes.Equal(got, data) {
		t.Fatal("downloads other bytes")
	}
}
