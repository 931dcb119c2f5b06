package scrub

import (
	"bytes"
	"encoding/binary"
)

// JPEG returns the picture without its metadata: every APPn segment except
// JFIF (APP0), the ICC colour profile (APP2) and Adobe's colour transform
// (APP14), every comment (COM), and anything after the end of the image
// (the trailers where phones keep extra pictures). That drops Exif (GPS,
// camera owner, serial numbers, the embedded thumbnail), XMP, IPTC and
// Photoshop resources. The image data is copied byte for byte.
//
// A picture that the Exif orientation turns upright keeps that one value:
// a new, minimal Exif segment holds only the Orientation tag, so viewers
// still show it the right way up without a lossy re-encoding.
func JPEG(src []byte) ([]byte, error) {
	if len(src) < 4 || src[0] != 0xFF || src[1] != 0xD8 {
		return nil, unsupported("not a JPEG")
	}
	out := make([]byte, 0, len(src))
	out = append(out, 0xFF, 0xD8)
	orientation := 1
	orientAt := -1 // where the orientation segment goes: after SOI or JFIF
	i := 2
	for {
		// Fill bytes (0xFF runs) may precede a marker.
		for i+1 < len(src) && src[i] == 0xFF && src[i+1] == 0xFF {
			i++
		}
		if i+2 > len(src) || src[i] != 0xFF {
			return nil, unsupported("damaged JPEG (marker expected at %d)", i)
		}
		marker := src[i+1]
		switch {
		case marker == 0xD9: // EOI: whatever follows is dropped
			out = append(out, 0xFF, 0xD9)
			return withOrientation(out, orientAt, orientation), nil
		case marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7) || marker == 0xD8:
			out = append(out, 0xFF, marker)
			i += 2
			continue
		}
		if i+4 > len(src) {
			return nil, unsupported("truncated JPEG")
		}
		size := int(binary.BigEndian.Uint16(src[i+2:]))
		if size < 2 || i+2+size > len(src) {
			return nil, unsupported("truncated JPEG segment")
		}
		seg := src[i : i+2+size]
		body := seg[4:]
		keep := true
		switch {
		case marker == 0xE0:
			keep = bytes.HasPrefix(body, []byte("JFIF\x00"))
			if keep && orientAt < 0 {
				orientAt = len(out) + len(seg)
			}
		case marker == 0xE1:
			keep = false
			if bytes.HasPrefix(body, []byte("Exif\x00\x00")) && orientation == 1 {
				orientation = tiffOrientation(body[6:])
			}
		case marker == 0xE2:
			keep = bytes.HasPrefix(body, []byte("ICC_PROFILE\x00"))
		case marker == 0xEE:
			keep = bytes.HasPrefix(body, []byte("Adobe"))
		case marker >= 0xE3 && marker <= 0xEF, marker == 0xFE:
			keep = false
		}
		if keep {
			out = append(out, seg...)
		}
		i += 2 + size
		if marker != 0xDA {
			continue
		}
		// Entropy-coded data follows a scan header, up to the next marker
		// that is not a stuffed byte or a restart.
		j := i
		for {
			k := bytes.IndexByte(src[j:], 0xFF)
			if k < 0 {
				return nil, unsupported("JPEG without an end of image")
			}
			j += k
			if j+1 >= len(src) {
				return nil, unsupported("JPEG without an end of image")
			}
			next := src[j+1]
			if next == 0x00 || (next >= 0xD0 && next <= 0xD7) || next == 0xFF {
				j++
				continue
			}
			break
		}
		out = append(out, src[i:j]...)
		i = j
	}
}

// withOrientation inserts a minimal Exif segment holding only the
// orientation, when the picture needs one to show upright.
func withOrientation(out []byte, at, orientation int) []byte {
	if orientation <= 1 || orientation > 8 {
		return out
	}
	if at < 0 {
		at = 2
	}
	seg := []byte{0xFF, 0xE1, 0, 34, 'E', 'x', 'i', 'f', 0, 0,
		'M', 'M', 0, 0x2A, 0, 0, 0, 8, // big-endian TIFF, IFD0 at 8
		0, 1, // one entry
		0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, byte(orientation), 0, 0, // Orientation, SHORT, 1
		0, 0, 0, 0} // no next IFD
	res := make([]byte, 0, len(out)+len(seg))
	res = append(res, out[:at]...)
	res = append(res, seg...)
	return append(res, out[at:]...)
}

// JPEGOrientation reads the Exif Orientation (1–8) of a JPEG from its
// first bytes (a prefix of the file is enough); 1 when there is none.
func JPEGOrientation(b []byte) int {
	if len(b) < 4 || b[0] != 0xFF || b[1] != 0xD8 {
		return 1
	}
	for i := 2; i+4 <= len(b); {
		if b[i] != 0xFF {
			return 1
		}
		marker := b[i+1]
		if marker == 0xFF {
			i++
			continue
		}
		if marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7) || marker == 0x01 {
			i += 2
			continue
		}
		if marker == 0xDA || marker == 0xD9 {
			return 1 // image data: no Exif before it
		}
		size := int(binary.BigEndian.Uint16(b[i+2:]))
		if size < 2 {
			return 1
		}
		seg := b[i+4 : min(len(b), i+2+size)]
		if marker == 0xE1 && len(seg) > 14 && string(seg[:6]) == "Exif\x00\x00" {
			return tiffOrientation(seg[6:])
		}
		i += 2 + size
	}
	return 1
}

// tiffOrientation reads the Orientation tag of IFD0 of a TIFF structure.
func tiffOrientation(t []byte) int {
	if len(t) < 8 {
		return 1
	}
	var bo binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return 1
	}
	off := int(bo.Uint32(t[4:]))
	if off < 8 || off+2 > len(t) {
		return 1
	}
	n := int(bo.Uint16(t[off:]))
	for k := 0; k < n; k++ {
		e := off + 2 + 12*k
		if e+12 > len(t) {
			return 1
		}
		if bo.Uint16(t[e:]) == 0x0112 {
			if v := int(bo.Uint16(t[e+8:])); v >= 1 && v <= 8 {
				return v
			}
			return 1
		}
	}
	return 1
}
