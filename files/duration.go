package files

import (
	"encoding/binary"
	"io"
)

// maxBoxes bounds the walk through a file's chunks or boxes, so a crafted
// file of tiny boxes cannot keep a worker busy.
const maxBoxes = 4096

// wavDuration reads a RIFF/WAVE header: the data chunk's size over the
// format's byte rate.
func wavDuration(r io.ReadSeeker) (float64, bool) {
	var hdr [12]byte
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return 0, false
	}
	if _, err := io.ReadFull(r, hdr[:]); err != nil || string(hdr[:4]) != "RIFF" || string(hdr[8:]) != "WAVE" {
		return 0, false
	}
	var byteRate uint32
	for i := 0; i < maxBoxes; i++ {
		var ch [8]byte
		if _, err := io.ReadFull(r, ch[:]); err != nil {
			return 0, false
		}
		size := int64(binary.LittleEndian.Uint32(ch[4:]))
		switch string(ch[:4]) {
		case "fmt ":
			var fmtb [12]byte
			if size < 12 {
				return 0, false
			}
			if _, err := io.ReadFull(r, fmtb[:]); err != nil {
				return 0, false
			}
			byteRate = binary.LittleEndian.Uint32(fmtb[8:])
			size -= 12
		case "data":
			if byteRate == 0 {
				return 0, false
			}
			return float64(size) / float64(byteRate), true
		}
		if _, err := r.Seek(size+size&1, io.SeekCurrent); err != nil { // chunks are padded to even sizes
			return 0, false
		}
	}
	return 0, false
}

// mp4Duration reads moov/mvhd of an ISO base media file (MP4, MOV, M4A).
func mp4Duration(r io.ReadSeeker) (float64, bool) {
	end, err := r.Seek(0, io.SeekEnd)
	if err != nil {
		return 0, false
	}
	moov, moovEnd, ok := findBox(r, 0, end, "moov")
	if !ok {
		return 0, false
	}
	mvhd, _, ok := findBox(r, moov, moovEnd, "mvhd")
	if !ok {
		return 0, false
	}
	if _, err := r.Seek(mvhd, io.SeekStart); err != nil {
		return 0, false
	}
	var b [32]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return 0, false
	}
	var scale, dur uint64
	if b[0] == 1 { // version 1: 64-bit times
		scale, dur = uint64(binary.BigEndian.Uint32(b[20:])), binary.BigEndian.Uint64(b[24:])
	} else {
		scale, dur = uint64(binary.BigEndian.Uint32(b[12:])), uint64(binary.BigEndian.Uint32(b[16:]))
	}
	if scale == 0 {
		return 0, false
	}
	return float64(dur) / float64(scale), true
}

// findBox finds the box of that type among the boxes in [from, to) and
// returns where its body starts and ends.
func findBox(r io.ReadSeeker, from, to int64, typ string) (int64, int64, bool) {
	off := from
	for i := 0; i < maxBoxes && off+8 <= to; i++ {
		if _, err := r.Seek(off, io.SeekStart); err != nil {
			return 0, 0, false
		}
		var h [16]byte
		if _, err := io.ReadFull(r, h[:8]); err != nil {
			return 0, 0, false
		}
		size, body := int64(binary.BigEndian.Uint32(h[:4])), off+8
		switch size {
		case 0: // to the end
			size = to - off
		case 1: // 64-bit size follows
			if _, err := io.ReadFull(r, h[8:]); err != nil {
				return 0, 0, false
			}
			size, body = int64(binary.BigEndian.Uint64(h[8:])), off+16
		}
		if size < body-off || off+size > to {
			return 0, 0, false
		}
		if string(h[4:8]) == typ {
			return body, off + size, true
		}
		off += size
	}
	return 0, 0, false
}
