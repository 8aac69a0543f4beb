package e2e

import (
	"bytes"
	"image"
	"image/png"
	"testing"

	qrcode "github.com/skip2/go-qrcode"
)

// decodeQR reads the text of a QR code image the server made (byte mode,
// recovery level M, version 1 to 6, as github.com/skip2/go-qrcode draws
// it), trying each mask, and proves the reading by drawing the text again
// and comparing the images byte for byte. A test helper, not a decoder of
// photographs.
func decodeQR(t *testing.T, pngBytes []byte) string {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(pngBytes))
	if err != nil {
		t.Fatalf("qr image: %v", err)
	}
	grid := qrGrid(t, img)
	for mask := range 8 {
		text, ok := qrRead(grid, mask)
		if !ok {
			continue
		}
		again, err := qrcode.Encode(text, qrcode.Medium, img.Bounds().Dx())
		if err == nil && bytes.Equal(again, pngBytes) {
			return text
		}
	}
	t.Fatal("the qr image does not read")
	return ""
}

func dark(img image.Image, x, y int) bool {
	r, g, b, _ := img.At(x, y).RGBA()
	return r+g+b < 3*0x8000
}

// qrGrid samples the modules: the top-left finder's corner is the first dark
// pixel on the diagonal, its width is 7 modules, and the top row of the
// symbol ends at the top-right finder's right edge.
func qrGrid(t *testing.T, img image.Image) [][]bool {
	b := img.Bounds()
	o := 0
	for o < b.Dx() && !dark(img, o, o) {
		o++
	}
	w := 0
	for o+w < b.Dx() && dark(img, o+w, o) {
		w++
	}
	right := b.Dx() - 1
	for right > o && !dark(img, right, o) {
		right--
	}
	if w < 7 {
		t.Fatalf("qr finder of %d px", w)
	}
	// The image is scaled by a fraction: modules are not whole pixels.
	total := float64(right - o + 1)
	n := int(total*7/float64(w) + 0.5)
	if n < 21 || (n-17)%4 != 0 || (n-17)/4 > 6 {
		t.Fatalf("qr of %d modules", n)
	}
	px := total / float64(n)
	grid := make([][]bool, n)
	for r := range grid {
		grid[r] = make([]bool, n)
		for c := range grid[r] {
			grid[r][c] = dark(img, o+int((float64(c)+0.5)*px), o+int((float64(r)+0.5)*px))
		}
	}
	return grid
}

// qrBlocks are the data codewords per block and the blocks of level M.
var qrBlocks = map[int][2]int{1: {16, 1}, 2: {28, 1}, 3: {44, 1}, 4: {32, 2}, 5: {43, 2}, 6: {27, 4}}

func qrMask(mask, i, j int) bool {
	switch mask {
	case 0:
		return (i+j)%2 == 0
	case 1:
		return i%2 == 0
	case 2:
		return j%3 == 0
	case 3:
		return (i+j)%3 == 0
	case 4:
		return (i/2+j/3)%2 == 0
	case 5:
		return (i*j)%2+(i*j)%3 == 0
	case 6:
		return ((i*j)%2+(i*j)%3)%2 == 0
	default:
		return ((i+j)%2+(i*j)%3)%2 == 0
	}
}

func qrRead(grid [][]bool, mask int) (string, bool) {
	n := len(grid)
	v := (n - 17) / 4
	reserved := func(r, c int) bool {
		switch {
		case r < 9 && c < 9, r < 9 && c >= n-8, r >= n-8 && c < 9, r == 6, c == 6:
			return true
		case v >= 2 && r >= n-9 && r <= n-5 && c >= n-9 && c <= n-5:
			return true
		}
		return false
	}
	var bits []bool
	up := true
	for c := n - 1; c > 0; c -= 2 {
		if c == 6 {
			c--
		}
		for k := range n {
			r := k
			if up {
				r = n - 1 - k
			}
			for _, cc := range []int{c, c - 1} {
				if !reserved(r, cc) {
					bits = append(bits, grid[r][cc] != qrMask(mask, r, cc))
				}
			}
		}
		up = !up
	}
	per, nb := qrBlocks[v][0], qrBlocks[v][1]
	if len(bits) < 8*per*nb {
		return "", false
	}
	cw := make([]byte, per*nb)
	for i := range cw {
		var x byte
		for _, b := range bits[8*i : 8*i+8] {
			x <<= 1
			if b {
				x |= 1
			}
		}
		// interleaved: codeword i belongs to block i%nb, position i/nb
		cw[(i%nb)*per+i/nb] = x
	}
	var data []bool
	for _, x := range cw {
		for s := 7; s >= 0; s-- {
			data = append(data, x>>s&1 == 1)
		}
	}
	bad := false
	num := func(from, width int) int {
		if from+width > len(data) {
			bad = true
			return 0
		}
		x := 0
		for _, b := range data[from : from+width] {
			x <<= 1
			if b {
				x |= 1
			}
		}
		return x
	}
	// Segments until the terminator: the encoder mixes numeric (1),
	// alphanumeric (2) and byte (4) mode to save space.
	const alnum = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
	var out []byte
	at := 0
	for at+4 <= len(data) {
		mode := num(at, 4)
		at += 4
		switch mode {
		case 0:
			return string(out), true
		case 1:
			count := num(at, 10)
			at += 10
			for ; count >= 3; count -= 3 {
				x := num(at, 10)
				at += 10
				out = append(out, byte('0'+x/100), byte('0'+x/10%10), byte('0'+x%10))
			}
			switch count {
			case 2:
				x := num(at, 7)
				at += 7
				out = append(out, byte('0'+x/10), byte('0'+x%10))
			case 1:
				out = append(out, byte('0'+num(at, 4)))
				at += 4
			}
		case 2:
			count := num(at, 9)
			at += 9
			for ; count >= 2; count -= 2 {
				x := num(at, 11)
				at += 11
				if x/45 >= len(alnum) {
					return "", false
				}
				out = append(out, alnum[x/45], alnum[x%45])
			}
			if count == 1 {
				out = append(out, alnum[num(at, 6)%45])
				at += 6
			}
		case 4:
			count := num(at, 8)
			at += 8
			if at+8*count > len(data) {
				return "", false
			}
			for range count {
				out = append(out, byte(num(at, 8)))
				at += 8
			}
		default:
			return "", false
		}
		if bad || at > len(data) {
			return "", false
		}
	}
	return string(out), true
}

func TestDecodeQR(t *testing.T) {
	for _, s := range []string{"hello", "3q2-7wEAAAAAaGVsbG8gd29ybGQgdGhpcyBpcyBhIHRva2Vu_x"} {
		p, err := qrcode.Encode(s, qrcode.Medium, 256)
		if err != nil {
			t.Fatal(err)
		}
		if got := decodeQR(t, p); got != s {
			t.Fatalf("read %q, want %q", got, s)
		}
	}
}
