package scrub

import (
	"bytes"
	"encoding/binary"
)

// pngKeep are the chunks a PNG keeps: the critical ones and the ancillary
// ones that change how it looks (colour, transparency, animation).
// Everything else goes, notably tEXt, iTXt, zTXt (author, software,
// comments), eXIf, tIME and private chunks such as C2PA manifests.
var pngKeep = map[string]bool{
	"IHDR": true, "PLTE": true, "IDAT": true, "IEND": true,
	"tRNS": true, "cHRM": true, "gAMA": true, "iCCP": true, "sBIT": true, "sRGB": true,
	"cICP": true, "mDCv": true, "cLLi": true, "bKGD": true, "hIST": true, "pHYs": true, "sPLT": true,
	"acTL": true, "fcTL": true, "fdAT": true,
}

var pngSignature = []byte("\x89PNG\r\n\x1a\n")

// PNG returns the picture with only the chunks that affect how it looks
// (pngKeep), each copied whole with its CRC, and nothing after IEND.
// Unknown critical chunks (an upper-case first letter) are kept, since a
// decoder needs them; unknown ancillary ones are dropped.
func PNG(src []byte) ([]byte, error) {
	if !bytes.HasPrefix(src, pngSignature) {
		return nil, unsupported("not a PNG")
	}
	out := make([]byte, 0, len(src))
	out = append(out, pngSignature...)
	for i := len(pngSignature); ; {
		if i+12 > len(src) {
			return nil, unsupported("truncated PNG")
		}
		n := binary.BigEndian.Uint32(src[i:])
		if n > 0x7FFFFFFF || uint64(i)+12+uint64(n) > uint64(len(src)) {
			return nil, unsupported("truncated PNG chunk")
		}
		typ := string(src[i+4 : i+8])
		end := i + 12 + int(n)
		if pngKeep[typ] || (typ[0] >= 'A' && typ[0] <= 'Z') {
			out = append(out, src[i:end]...)
		}
		if typ == "IEND" {
			return out, nil
		}
		i = end
	}
}
