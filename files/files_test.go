package files

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

func TestStoreUploadAndRead(t *testing.T) {
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	data := bytes.Repeat([]byte("0123456789"), 100)
	sum := sha256.Sum256(data)
	if err := s.WriteChunk("tok", 0, data[:600]); err != nil {
		t.Fatal(err)
	}
	if err := s.WriteChunk("tok", 600, data[600:]); err != nil {
		t.Fatal(err)
	}
	if got, err := s.ReadPartial("tok", 990, 100); err != nil || !bytes.Equal(got, data[990:]) {
		t.Fatalf("read partial: %q %v", got, err)
	}
	if err := s.Promote("tok", sum[:], int64(len(data))); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(s.dir, "partial", "tok")); !os.IsNotExist(err) {
		t.Fatalf("partial file left behind: %v", err)
	}
	got, err := s.ReadAt(sum[:], "", 10, 20)
	if err != nil || !bytes.Equal(got, data[10:30]) {
		t.Fatalf("read content: %q %v", got, err)
	}
	if err := s.WriteThumbnail(sum[:], Small, []byte("thumb")); err != nil {
		t.Fatal(err)
	}
	if got, err := s.ReadAt(sum[:], Small, 0, 100); err != nil || string(got) != "thumb" {
		t.Fatalf("read thumbnail: %q %v", got, err)
	}
	if err := s.RemovePartial("gone"); err != nil {
		t.Fatalf("remove a missing partial file: %v", err)
	}
	for _, bad := range []string{"", "../x", "a/b", "a b"} {
		if err := s.WriteChunk(bad, 0, []byte("x")); err == nil {
			t.Errorf("token %q accepted as a file name", bad)
		}
	}
}

func writeTemp(t *testing.T, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestProbeImage(t *testing.T) {
	img := image.NewNRGBA(image.Rect(0, 0, 640, 400))
	for y := 0; y < 400; y++ {
		for x := 0; x < 640; x++ {
			img.Set(x, y, color.NRGBA{uint8(x), uint8(y), 90, 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	m, err := Probe(writeTemp(t, buf.Bytes()), DefaultMaxPixels)
	if err != nil {
		t.Fatal(err)
	}
	if m.Width != 640 || m.Height != 400 || m.Small == nil || m.Large == nil {
		t.Fatalf("media: %+v", m)
	}
	if m.Small.Width != 90 || m.Small.Height != 56 || m.Large.Width != 320 || m.Large.Height != 200 {
		t.Fatalf("thumbnail sizes: small %dx%d large %dx%d", m.Small.Width, m.Small.Height, m.Large.Width, m.Large.Height)
	}
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(m.Large.Data))
	if err != nil || cfg.Width != 320 || cfg.Height != 200 {
		t.Fatalf("large thumbnail is not a 320x200 JPEG: %+v %v", cfg, err)
	}
}

func TestProbeHugeImageGetsNoThumbnails(t *testing.T) {
	// A PNG header declaring 100000x100000 pixels: only the size is kept.
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, 1, 1))); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	binary.BigEndian.PutUint32(b[16:], 100000)
	binary.BigEndian.PutUint32(b[20:], 100000)
	binary.BigEndian.PutUint32(b[29:], crc32.ChecksumIEEE(b[12:29])) // IHDR's CRC
	m, err := Probe(writeTemp(t, b), DefaultMaxPixels)
	if err != nil || m.Width != 100000 || m.Small != nil {
		t.Fatalf("media: %+v %v", m, err)
	}
}

func TestProbeDurations(t *testing.T) {
	// WAV: 8000 Hz mono 16-bit (byte rate 16000), 32000 data bytes = 2s.
	var w bytes.Buffer
	w.WriteString("RIFF\x00\x00\x00\x00WAVE")
	w.WriteString("fmt ")
	binary.Write(&w, binary.LittleEndian, []uint32{16})
	binary.Write(&w, binary.LittleEndian, []uint16{1, 1})
	binary.Write(&w, binary.LittleEndian, []uint32{8000, 16000})
	binary.Write(&w, binary.LittleEndian, []uint16{2, 16})
	w.WriteString("data")
	binary.Write(&w, binary.LittleEndian, []uint32{32000})
	w.Write(make([]byte, 32000))
	if m, err := Probe(writeTemp(t, w.Bytes()), DefaultMaxPixels); err != nil || m.Duration != 2 {
		t.Fatalf("wav: %+v %v", m, err)
	}

	// MP4: ftyp, then moov/mvhd (version 0) with timescale 1000, duration 3500.
	box := func(typ string, body []byte) []byte {
		b := binary.BigEndian.AppendUint32(nil, uint32(8+len(body)))
		return append(append(b, typ...), body...)
	}
	mvhd := make([]byte, 100)
	binary.BigEndian.PutUint32(mvhd[12:], 1000)
	binary.BigEndian.PutUint32(mvhd[16:], 3500)
	file := append(box("ftyp", []byte("isom\x00\x00\x02\x00")), box("moov", box("mvhd", mvhd))...)
	if m, err := Probe(writeTemp(t, file), DefaultMaxPixels); err != nil || m.Duration != 3.5 {
		t.Fatalf("mp4: %+v %v", m, err)
	}

	if m, err := Probe(writeTemp(t, []byte("just text")), DefaultMaxPixels); err != nil || m != (Media{}) {
		t.Fatalf("text: %+v %v", m, err)
	}
}

func TestPartialSizeAndHasContent(t *testing.T) {
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte("abcdef"))
	if n, err := s.PartialSize("up"); n != 0 || err != nil {
		t.Fatalf("no partial file: %d %v", n, err)
	}
	if err := s.WriteChunk("up", 0, []byte("abcdef")); err != nil {
		t.Fatal(err)
	}
	if n, err := s.PartialSize("up"); n != 6 || err != nil {
		t.Fatalf("partial file: %d %v", n, err)
	}
	if ok, err := s.HasContent(sum[:]); ok || err != nil {
		t.Fatalf("content before promotion: %v %v", ok, err)
	}
	if err := s.Promote("up", sum[:], 6); err != nil {
		t.Fatal(err)
	}
	if ok, err := s.HasContent(sum[:]); !ok || err != nil {
		t.Fatalf("content after promotion: %v %v", ok, err)
	}
}

// pngClaiming is a valid PNG of 1x1 RGBA pixels whose header says w x h: a
// decoder that trusted it would allocate 4·w·h bytes before finding the
// pixel data short.
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

// An image over the pixel budget is judged by its header alone: 6300x6300
// RGBA (about 40 megapixels, 159 MB decoded) gets its size recorded and no
// thumbnails, and probing it allocates nowhere near the decoded size.
func TestProbeReadsTheHeaderBeforeDecoding(t *testing.T) {
	path := writeTemp(t, pngClaiming(t, 6300, 6300))
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	m, err := Probe(path, DefaultMaxPixels)
	runtime.ReadMemStats(&after)
	if err != nil || m.Width != 6300 || m.Height != 6300 || m.Small != nil || m.Large != nil {
		t.Fatalf("media: %+v %v", m, err)
	}
	if n := after.TotalAlloc - before.TotalAlloc; n > 8<<20 {
		t.Fatalf("probing allocated %d bytes: the pixels were decoded", n)
	}
	// The budget is the operator's: a small one leaves small images
	// without thumbnails too.
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, 40, 30))); err != nil {
		t.Fatal(err)
	}
	small := writeTemp(t, buf.Bytes())
	if m, err := Probe(small, 1000); err != nil || m.Width != 40 || m.Small != nil {
		t.Fatalf("40x30 under a 1000-pixel budget: %+v %v", m, err)
	}
	if m, err := Probe(small, 1200); err != nil || m.Small == nil {
		t.Fatalf("40x30 under a 1200-pixel budget: %+v %v", m, err)
	}
}
