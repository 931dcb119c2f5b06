package sniff

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"leitai/models"
	"testing"
)

func zipOf(t *testing.T, names ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for _, n := range names {
		f, err := w.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		f.Write([]byte("<x/>"))
	}
	w.Close()
	return buf.Bytes()
}

// oleOf builds a compound file header and one directory sector naming
// stream at entry 1.
func oleOf(stream string) []byte {
	b := make([]byte, 1024)
	copy(b, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1})
	binary.LittleEndian.PutUint16(b[30:], 9) // 512-byte sectors
	binary.LittleEndian.PutUint32(b[48:], 0) // directory in sector 0
	entry := b[512+128:]
	name := utf16le(stream)
	copy(entry, name)
	binary.LittleEndian.PutUint16(entry[64:], uint16(len(name)+2))
	return b
}

func TestSniff(t *testing.T) {
	heic := append([]byte("\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic"), make([]byte, 20)...)
	mov := append([]byte("\x00\x00\x00\x14ftypqt  \x00\x00\x02\x00qt  "), make([]byte, 20)...)
	mp4 := append([]byte("\x00\x00\x00\x1cftypmp42\x00\x00\x00\x00mp42isomavc1"), make([]byte, 20)...)
	avif := append([]byte("\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1miaf"), make([]byte, 20)...)
	webm := append([]byte{0x1A, 0x45, 0xDF, 0xA3, 0x9f, 0x42, 0x86, 0x81, 0x01, 0x42, 0x82, 0x84}, []byte("webm....")...)
	tests := []struct {
		name string
		head []byte
		ct   string
		kind models.MediaKind
	}{
		{"jpeg", []byte("\xFF\xD8\xFF\xE1\x00\x10Exif\x00\x00MM\x00*"), models.TypeJPEG, models.MediaImage},
		{"png", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), models.TypePNG, models.MediaImage},
		{"gif", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00"), models.TypeGIF, models.MediaImage},
		{"webp", []byte("RIFF\x24\x00\x00\x00WEBPVP8 "), models.TypeWebP, models.MediaImage},
		{"heic from a phone", heic, models.TypeHEIC, models.MediaImage},
		{"avif", avif, models.TypeAVIF, models.MediaImage},
		{"mp4", mp4, models.TypeMP4, models.MediaVideo},
		{"mov (HEVC from an iPhone)", mov, models.TypeMOV, models.MediaVideo},
		{"old quicktime", []byte("\x00\x00\x00\x08wide\x00\x00\x00\x00mdat"), models.TypeMOV, models.MediaVideo},
		{"webm", webm, models.TypeWebM, models.MediaVideo},
		{"pdf", []byte("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"), models.TypePDF, models.MediaDocument},
		{"docx", zipOf(t, "[Content_Types].xml", "_rels/.rels", "word/document.xml"), models.TypeDOCX, models.MediaDocument},
		{"pptx", zipOf(t, "[Content_Types].xml", "ppt/presentation.xml"), models.TypePPTX, models.MediaDocument},
		{"xlsx", zipOf(t, "[Content_Types].xml", "xl/workbook.xml"), models.TypeXLSX, models.MediaDocument},
		{"zip without office parts: decided later", zipOf(t, "a.txt", "b.txt"), models.TypeZipPending, models.MediaDocument},
		{"doc", oleOf("WordDocument"), models.TypeDOC, models.MediaDocument},
		{"ppt", oleOf("PowerPoint Document"), models.TypePPT, models.MediaDocument},
	}
	for _, tt := range tests {
		v, err := Sniff(tt.head)
		if err != nil || v.ContentType != tt.ct || v.Kind != tt.kind {
			t.Errorf("%s: %+v %v, want %s %s", tt.name, v, err, tt.kind, tt.ct)
		}
	}
	for name, head := range map[string][]byte{
		"html":         []byte("<!doctype html><html><script>alert(1)</script>"),
		"svg":          []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg">`),
		"exe":          append([]byte("MZ\x90\x00\x03\x00\x00\x00"), make([]byte, 64)...),
		"text":         []byte("just some text pretending to be a photo"),
		"short":        []byte("\xFF\xD8"),
		"empty":        nil,
		"m4a audio":    append([]byte("\x00\x00\x00\x18ftypM4A \x00\x00\x00\x00M4A mp42"), make([]byte, 8)...),
		"pdf not at 0": []byte("xx%PDF-1.4 and more bytes here"),
	} {
		if v, err := Sniff(head); models.KindOf(err) != models.KindUnsupportedMedia {
			t.Errorf("%s: %+v %v, want unsupported_media", name, v, err)
		}
	}
}

func TestResolvePending(t *testing.T) {
	for _, c := range []struct {
		names []string
		ct    string
	}{
		{[]string{"big.bin", "word/document.xml"}, models.TypeDOCX},
		{[]string{"a.txt"}, ""},
	} {
		z := zipOf(t, c.names...)
		_, _, dir, err := ZipDirectory(z, int64(len(z)))
		if err != nil || dir == nil {
			t.Fatalf("ZipDirectory: %v", err)
		}
		v, err := ResolveZip(dir)
		if c.ct == "" {
			if models.KindOf(err) != models.KindUnsupportedMedia {
				t.Fatalf("plain zip resolved to %+v %v", v, err)
			}
			continue
		}
		if err != nil || v.ContentType != c.ct {
			t.Fatalf("resolve %v: %+v %v", c.names, v, err)
		}
	}
	if _, _, _, err := ZipDirectory([]byte("no zip here"), 11); models.KindOf(err) != models.KindUnsupportedMedia {
		t.Fatalf("no end record: %v", err)
	}
	head := oleOf("Workbook")
	start, end, err := OLEDirectory(head)
	if err != nil || start != 512 || end != 1024 {
		t.Fatalf("OLEDirectory = %d %d %v", start, end, err)
	}
	if v, err := ResolveOLE(head[start:end]); err != nil || v.ContentType != models.TypeXLS {
		t.Fatalf("ResolveOLE = %+v %v", v, err)
	}
	if _, err := ResolveOLE(make([]byte, 512)); models.KindOf(err) != models.KindUnsupportedMedia {
		t.Fatalf("OLE without office streams: %v", err)
	}
}
