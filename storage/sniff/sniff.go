// Package sniff decides what an uploaded file really is from its first
// bytes (and, for ZIP and OLE2 containers, from their directories), never
// from the name or the type the browser claims.
package sniff

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"leitai/models"
	"strings"
	"unicode/utf16"
)

// SniffBytes is how much of the start of a file Sniff wants to see.
const SniffBytes = 64 << 10

// Verdict is what sniffing decided about a file.
type Verdict struct {
	Kind        models.MediaKind
	ContentType string
}

// Pending reports whether the verdict waits for a look at the file's tail or
// directory (ResolveZip, ResolveOLE) before it is final.
func (v Verdict) Pending() bool {
	return v.ContentType == models.TypeZipPending || v.ContentType == models.TypeOLEPending
}

// KindOfType returns the media kind of a decided content type.
func KindOfType(ct string) models.MediaKind {
	switch {
	case strings.HasPrefix(ct, "image/"):
		return models.MediaImage
	case strings.HasPrefix(ct, "video/"):
		return models.MediaVideo
	}
	return models.MediaDocument
}

func unsupported(what string) error {
	return models.Errorf(models.KindUnsupportedMedia, "%s: upload photos (JPEG, PNG, GIF, WebP, HEIC), videos (MP4, MOV, WebM) or documents (PDF, Word, PowerPoint, Excel)", what)
}

// Sniff decides a file's type from its first bytes (at least SniffBytes of
// them when the file is that long). The name and the type a browser claims
// never decide. Anything that is not an allowed photo, video or document is
// an unsupported_media error.
func Sniff(head []byte) (Verdict, error) {
	h := head
	switch {
	case len(h) < 12:
		if len(h) >= 5 && string(h[:5]) == "%PDF-" {
			return Verdict{models.MediaDocument, models.TypePDF}, nil
		}
		return Verdict{}, unsupported("the file is too short to be a photo, video or document")
	case h[0] == 0xFF && h[1] == 0xD8 && h[2] == 0xFF:
		return Verdict{models.MediaImage, models.TypeJPEG}, nil
	case bytes.HasPrefix(h, []byte("\x89PNG\r\n\x1a\n")):
		return Verdict{models.MediaImage, models.TypePNG}, nil
	case bytes.HasPrefix(h, []byte("GIF87a")), bytes.HasPrefix(h, []byte("GIF89a")):
		return Verdict{models.MediaImage, models.TypeGIF}, nil
	case string(h[:4]) == "RIFF" && string(h[8:12]) == "WEBP":
		return Verdict{models.MediaImage, models.TypeWebP}, nil
	case string(h[:4]) == "RIFF" && string(h[8:12]) == "AVI ":
		return Verdict{models.MediaVideo, models.TypeAVI}, nil
	case string(h[4:8]) == "ftyp":
		return sniffISOBMFF(h)
	case isQuickTimeAtom(h):
		return Verdict{models.MediaVideo, models.TypeMOV}, nil
	case bytes.HasPrefix(h, []byte{0x1A, 0x45, 0xDF, 0xA3}):
		return sniffEBML(h)
	case bytes.HasPrefix(h, []byte("%PDF-")):
		return Verdict{models.MediaDocument, models.TypePDF}, nil
	case bytes.HasPrefix(h, []byte("PK\x03\x04")):
		return sniffZipHead(h), nil
	case bytes.HasPrefix(h, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}):
		if ct := oleTypeIn(h); ct != "" {
			return Verdict{models.MediaDocument, ct}, nil
		}
		return Verdict{models.MediaDocument, models.TypeOLEPending}, nil
	}
	return Verdict{}, unsupported("the file's content is not an allowed type, whatever its name says")
}

// sniffISOBMFF reads the ftyp box: its major and compatible brands tell a
// HEIC/AVIF picture from an MP4, QuickTime or 3GP video.
func sniffISOBMFF(h []byte) (Verdict, error) {
	size := int(binary.BigEndian.Uint32(h[:4]))
	if size < 16 || size > len(h) {
		size = min(len(h), 256)
	}
	brands := []string{string(h[8:12])}
	for i := 16; i+4 <= size; i += 4 {
		brands = append(brands, string(h[i:i+4]))
	}
	has := func(set ...string) bool {
		for _, b := range brands {
			for _, s := range set {
				if b == s {
					return true
				}
			}
		}
		return false
	}
	major := brands[0]
	switch {
	case major == "avif" || major == "avis":
		return Verdict{models.MediaImage, models.TypeAVIF}, nil
	case major == "heic" || major == "heix" || major == "heim" || major == "heis" || major == "hevc" || major == "hevx":
		return Verdict{models.MediaImage, models.TypeHEIC}, nil
	case major == "mif1" || major == "msf1":
		if has("avif", "avis") {
			return Verdict{models.MediaImage, models.TypeAVIF}, nil
		}
		if has("heic", "heix", "hevc", "hevx") {
			return Verdict{models.MediaImage, models.TypeHEIC}, nil
		}
		return Verdict{models.MediaImage, models.TypeHEIF}, nil
	case major == "M4A " || major == "M4B " || major == "M4P " || major == "F4A " || major == "F4B ":
		return Verdict{}, unsupported("the file is audio only")
	case major == "qt  ":
		return Verdict{models.MediaVideo, models.TypeMOV}, nil
	case strings.HasPrefix(major, "3gp") || strings.HasPrefix(major, "3g2"):
		return Verdict{models.MediaVideo, models.Type3GP}, nil
	case has("isom", "iso2", "iso3", "iso4", "iso5", "iso6", "mp41", "mp42", "avc1", "M4V ", "M4VH", "M4VP", "dash", "MSNV", "f4v ", "mmp4"):
		return Verdict{models.MediaVideo, models.TypeMP4}, nil
	case has("qt  "):
		return Verdict{models.MediaVideo, models.TypeMOV}, nil
	}
	return Verdict{}, unsupported(fmt.Sprintf("the file is an ISO media file of brand %q, not an allowed photo or video", strings.TrimSpace(major)))
}

// isQuickTimeAtom recognises an old QuickTime file that starts with a
// movie, data or padding atom instead of ftyp.
func isQuickTimeAtom(h []byte) bool {
	size := binary.BigEndian.Uint32(h[:4])
	switch string(h[4:8]) {
	case "moov", "mdat", "wide", "free", "skip", "pnot":
		return size == 0 || size == 1 || size >= 8
	}
	return false
}

// sniffEBML tells WebM from other Matroska files by the DocType element.
func sniffEBML(h []byte) (Verdict, error) {
	head := h[:min(len(h), 4096)]
	switch {
	case bytes.Contains(head, []byte("webm")):
		return Verdict{models.MediaVideo, models.TypeWebM}, nil
	case bytes.Contains(head, []byte("matroska")):
		return Verdict{models.MediaVideo, models.TypeMKV}, nil
	}
	return Verdict{}, unsupported("the file is an EBML file that is neither WebM nor Matroska")
}

// officeType names the Office Open XML type of a ZIP entry path, or "".
func officeType(name string) string {
	switch {
	case strings.HasPrefix(name, "word/"):
		return models.TypeDOCX
	case strings.HasPrefix(name, "ppt/"):
		return models.TypePPTX
	case strings.HasPrefix(name, "xl/"):
		return models.TypeXLSX
	}
	return ""
}

// sniffZipHead walks the local file headers found in the first bytes of a
// ZIP. Office files start with [Content_Types].xml and _rels/, then their
// word/, ppt/ or xl/ parts; a ZIP whose head shows none of them waits for
// its central directory (ResolveZip).
func sniffZipHead(h []byte) Verdict {
	for i := 0; i+30 <= len(h); {
		j := bytes.Index(h[i:], []byte("PK\x03\x04"))
		if j < 0 {
			break
		}
		p := i + j
		if p+30 > len(h) {
			break
		}
		n := int(binary.LittleEndian.Uint16(h[p+26:]))
		if p+30+n <= len(h) {
			if ct := officeType(string(h[p+30 : p+30+n])); ct != "" {
				return Verdict{models.MediaDocument, ct}
			}
		}
		i = p + 4
	}
	return Verdict{models.MediaDocument, models.TypeZipPending}
}

// ZipTailBytes is how much of a ZIP's end ResolveZip asks for first: the
// end-of-central-directory record, its comment and usually the whole
// directory.
const ZipTailBytes = 256 << 10

// maxZipDirectory bounds the central directory read at completion.
const maxZipDirectory = 8 << 20

// ZipDirectory finds the central directory of a ZIP of size bytes from its
// tail (the last len(tail) bytes). It returns the byte range of the
// directory; when that lies inside the tail, dir is that slice already.
func ZipDirectory(tail []byte, size int64) (start, end int64, dir []byte, err error) {
	bad := unsupported("the ZIP file is damaged or is not a Word, PowerPoint or Excel document")
	tailStart := size - int64(len(tail))
	i := bytes.LastIndex(tail, []byte("PK\x05\x06"))
	if i < 0 || i+22 > len(tail) {
		return 0, 0, nil, bad
	}
	rec := tail[i:]
	cdSize := int64(binary.LittleEndian.Uint32(rec[12:]))
	cdOffset := int64(binary.LittleEndian.Uint32(rec[16:]))
	if cdSize == 0xFFFFFFFF || cdOffset == 0xFFFFFFFF || cdSize > maxZipDirectory || cdOffset+cdSize > tailStart+int64(i) {
		return 0, 0, nil, bad
	}
	start, end = cdOffset, cdOffset+cdSize
	if start >= tailStart {
		dir = tail[start-tailStart : end-tailStart]
	}
	return start, end, dir, nil
}

// ResolveZip decides a pending ZIP from its central directory: an Office
// document, or unsupported (a plain ZIP archive is not accepted).
func ResolveZip(dir []byte) (Verdict, error) {
	for i := 0; i+46 <= len(dir); {
		if string(dir[i:i+4]) != "PK\x01\x02" {
			break
		}
		n := int(binary.LittleEndian.Uint16(dir[i+28:]))
		m := int(binary.LittleEndian.Uint16(dir[i+30:]))
		k := int(binary.LittleEndian.Uint16(dir[i+32:]))
		if i+46+n > len(dir) {
			break
		}
		if ct := officeType(string(dir[i+46 : i+46+n])); ct != "" {
			return Verdict{models.MediaDocument, ct}, nil
		}
		i += 46 + n + m + k
	}
	return Verdict{}, unsupported("the ZIP file is not a Word, PowerPoint or Excel document")
}

// oleStreams maps the stream that marks a legacy Office file to its type.
var oleStreams = []struct{ name, ct string }{
	{"WordDocument", models.TypeDOC},
	{"PowerPoint Document", models.TypePPT},
	{"Workbook", models.TypeXLS},
	{"Book", models.TypeXLS},
}

// oleTypeIn looks for the UTF-16 name of a legacy Office stream as a
// directory entry (128-byte aligned entries, the name first, then its
// length in bytes at offset 64).
func oleTypeIn(b []byte) string {
	for _, s := range oleStreams {
		name := utf16le(s.name)
		for i := 0; ; {
			j := bytes.Index(b[i:], name)
			if j < 0 {
				break
			}
			p := i + j
			if p%128 == 0 && p+66 <= len(b) && int(binary.LittleEndian.Uint16(b[p+64:])) == len(name)+2 {
				return s.ct
			}
			i = p + 1
		}
	}
	return ""
}

func utf16le(s string) []byte {
	var out []byte
	for _, u := range utf16.Encode([]rune(s)) {
		out = append(out, byte(u), byte(u>>8))
	}
	return out
}

// OLEDirectory returns where the first directory sector of an OLE2
// compound file lies, from its 512-byte header.
func OLEDirectory(head []byte) (start, end int64, err error) {
	if len(head) < 512 {
		return 0, 0, unsupported("the file is not a Word, PowerPoint or Excel document")
	}
	shift := binary.LittleEndian.Uint16(head[30:])
	if shift != 9 && shift != 12 {
		return 0, 0, unsupported("the compound file is damaged")
	}
	sector := int64(1) << shift
	first := int64(binary.LittleEndian.Uint32(head[48:]))
	if first >= 0xFFFFFFFA {
		return 0, 0, unsupported("the compound file is damaged")
	}
	start = (first + 1) * sector
	return start, start + sector, nil
}

// ResolveOLE decides a pending OLE2 file from its first directory sector.
func ResolveOLE(sector []byte) (Verdict, error) {
	if ct := oleTypeIn(sector); ct != "" {
		return Verdict{models.MediaDocument, ct}, nil
	}
	return Verdict{}, unsupported("the compound file is not a Word, PowerPoint or Excel document")
}
