package scrub

import "bytes"

// GIF returns the picture without comment extensions and application
// extensions other than the looping ones (NETSCAPE2.0, ANIMEXTS1.0) — XMP
// lives in an application extension — and nothing after the trailer.
// Frames, palettes and timing are copied byte for byte.
func GIF(src []byte) ([]byte, error) {
	if len(src) < 13 || !(bytes.HasPrefix(src, []byte("GIF87a")) || bytes.HasPrefix(src, []byte("GIF89a"))) {
		return nil, unsupported("not a GIF")
	}
	i := 13
	if flags := src[10]; flags&0x80 != 0 {
		i += 3 << (int(flags&7) + 1)
	}
	if i > len(src) {
		return nil, unsupported("truncated GIF")
	}
	out := make([]byte, 0, len(src))
	out = append(out, src[:i]...)
	// subBlocks returns where the sub-block chain starting at j ends
	// (after its zero terminator).
	subBlocks := func(j int) (int, bool) {
		for j < len(src) {
			n := int(src[j])
			j++
			if n == 0 {
				return j, true
			}
			j += n
		}
		return 0, false
	}
	for {
		if i >= len(src) {
			return nil, unsupported("GIF without a trailer")
		}
		switch src[i] {
		case 0x3B:
			return append(out, 0x3B), nil
		case 0x21:
			if i+2 > len(src) {
				return nil, unsupported("truncated GIF extension")
			}
			label := src[i+1]
			end, ok := subBlocks(i + 2)
			if !ok {
				return nil, unsupported("truncated GIF extension")
			}
			keep := label == 0xF9 || label == 0x01
			if label == 0xFF && i+14 <= len(src) && src[i+2] == 11 {
				id := string(src[i+3 : i+14])
				keep = id == "NETSCAPE2.0" || id == "ANIMEXTS1.0"
			}
			if keep {
				out = append(out, src[i:end]...)
			}
			i = end
		case 0x2C:
			j := i + 10
			if j > len(src) {
				return nil, unsupported("truncated GIF image")
			}
			if flags := src[i+9]; flags&0x80 != 0 {
				j += 3 << (int(flags&7) + 1)
			}
			j++ // LZW minimum code size
			if j > len(src) {
				return nil, unsupported("truncated GIF image")
			}
			end, ok := subBlocks(j)
			if !ok {
				return nil, unsupported("truncated GIF image")
			}
			out = append(out, src[i:end]...)
			i = end
		default:
			return nil, unsupported("damaged GIF (block 0x%02x)", src[i])
		}
	}
}
