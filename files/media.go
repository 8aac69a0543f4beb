package files

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"os"

	// Decoders for image.Decode: the standard library's and x/image's.
	_ "image/gif"
	_ "image/png"

	_ "golang.org/x/image/bmp"
	"golang.org/x/image/draw"
	_ "golang.org/x/image/tiff"
	_ "golang.org/x/image/webp"
)

// Thumbnail sizes: the longer side, in pixels. An image smaller than that
// keeps its size.
const (
	SmallSide = 90
	LargeSide = 320
)

// DefaultMaxPixels is the default pixel budget of Probe: decoding allocates
// up to 8 bytes a pixel, so a small file declaring a huge image (a
// decompression bomb) only gets its width and height recorded.
const DefaultMaxPixels = 25_000_000

// Thumb is an encoded thumbnail.
type Thumb struct {
	Data          []byte
	Width, Height int
}

// Media is what processing learnt about a content. Zero fields are unknown.
type Media struct {
	Width, Height int
	Duration      float64 // seconds
	Small, Large  *Thumb
}

// Probe reads the content at path: an image gets its size and thumbnails, a
// WAV or MP4/MOV file its duration. Content it does not understand is not an
// error: it has no media facts. Errors are I/O failures only.
//
// An image is decoded only if its header (image.DecodeConfig, which reads
// no pixels) declares at most maxPixels; a larger one keeps its width and
// height and gets no thumbnails. Decoding at a reduced scale would let large
// images have thumbnails too, but the decoders used here (the standard
// library's and x/image's) always decode at full size, so the budget is what
// bounds memory and CPU.
func Probe(path string, maxPixels int64) (Media, error) {
	f, err := os.Open(path)
	if err != nil {
		return Media{}, fmt.Errorf("files: probe: %w", err)
	}
	defer f.Close()
	if cfg, _, err := image.DecodeConfig(f); err == nil {
		return probeImage(f, cfg, maxPixels)
	}
	if d, ok := wavDuration(f); ok {
		return Media{Duration: d}, nil
	}
	if d, ok := mp4Duration(f); ok {
		return Media{Duration: d}, nil
	}
	return Media{}, nil
}

func probeImage(f *os.File, cfg image.Config, maxPixels int64) (Media, error) {
	m := Media{Width: cfg.Width, Height: cfg.Height}
	if cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > maxPixels {
		return m, nil
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return m, fmt.Errorf("files: probe: %w", err)
	}
	img, _, err := image.Decode(f)
	if err != nil {
		return m, nil // the header was fine but the pixels are not: no thumbnails
	}
	if m.Small, err = thumbnail(img, SmallSide); err != nil {
		return m, err
	}
	if m.Large, err = thumbnail(img, LargeSide); err != nil {
		return m, err
	}
	return m, nil
}

// thumbnail scales img to fit side x side, on white (JPEG has no alpha).
func thumbnail(img image.Image, side int) (*Thumb, error) {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w > side || h > side {
		if w >= h {
			w, h = side, max(1, h*side/b.Dx())
		} else {
			w, h = max(1, w*side/b.Dy()), side
		}
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(dst, dst.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	draw.CatmullRom.Scale(dst, dst.Bounds(), img, b, draw.Over, nil)
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, dst, &jpeg.Options{Quality: 80}); err != nil {
		return nil, fmt.Errorf("files: thumbnail: %w", err)
	}
	return &Thumb{Data: buf.Bytes(), Width: w, Height: h}, nil
}
