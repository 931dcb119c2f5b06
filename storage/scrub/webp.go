package scrub

import (
	"bytes"
	"encoding/binary"
)

// webpKeep are the RIFF chunks a WebP keeps; EXIF, XMP and unknown chunks
// go.
var webpKeep = map[string]bool{"VP8X": true, "VP8 ": true, "VP8L": true, "ALPH": true, "ANIM": true, "ANMF": true, "ICCP": true}

// WebP returns the picture without its EXIF and XMP chunks (and without
// unknown chunks), with the VP8X flags and the RIFF size corrected. The
// image data is copied byte for byte.
func WebP(src []byte) ([]byte, error) {
	if len(src) < 12 || string(src[:4]) != "RIFF" || string(src[8:12]) != "WEBP" {
		return nil, unsupported("not a WebP")
	}
	end := len(src)
	if n := int64(binary.LittleEndian.Uint32(src[4:])) + 8; n < int64(end) {
		end = int(n) // bytes after the RIFF chunk are not part of it
	}
	out := make([]byte, 12, len(src))
	copy(out, src[:12])
	var body bytes.Buffer
	seen := false
	for i := 12; i < end; {
		if i+8 > end {
			return nil, unsupported("truncated WebP chunk")
		}
		n := int64(binary.LittleEndian.Uint32(src[i+4:]))
		next := int64(i) + 8 + n + n&1
		if int64(i)+8+n > int64(end) {
			return nil, unsupported("truncated WebP chunk")
		}
		next = min(next, int64(end))
		fourcc := string(src[i : i+4])
		if webpKeep[fourcc] {
			chunk := src[i:next]
			if fourcc == "VP8X" && n >= 1 {
				chunk = append([]byte(nil), chunk...)
				chunk[8] &^= 0x08 | 0x04 // no EXIF, no XMP
			}
			body.Write(chunk)
			if int64(len(chunk))&1 == 1 {
				body.WriteByte(0)
			}
			seen = seen || fourcc == "VP8 " || fourcc == "VP8L" || fourcc == "ANMF"
		}
		i = int(next)
	}
	if !seen {
		return nil, unsupported("WebP without image data")
	}
	out = append(out, body.Bytes()...)
	binary.LittleEndian.PutUint32(out[4:], uint32(len(out)-8))
	return out, nil
}
