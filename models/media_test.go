package models

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
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
		kind MediaKind
	}{
		{"jpeg", []byte("\xFF\xD8\xFF\xE1\x00\x10Exif\x00\x00MM\x00*"), TypeJPEG, MediaImage},
		{"png", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), TypePNG, MediaImage},
		{"gif", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00"), TypeGIF, MediaImage},
		{"webp", []byte("RIFF\x24\x00\x00\x00WEBPVP8 "), TypeWebP, MediaImage},
		{"heic from a phone", heic, TypeHEIC, MediaImage},
		{"avif", avif, TypeAVIF, MediaImage},
		{"mp4", mp4, TypeMP4, MediaVideo},
		{"mov (HEVC from an iPhone)", mov, TypeMOV, MediaVideo},
		{"old quicktime", []byte("\x00\x00\x00\x08wide\x00\x00\x00\x00mdat"), TypeMOV, MediaVideo},
		{"webm", webm, TypeWebM, MediaVideo},
		{"pdf", []byte("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"), TypePDF, MediaDocument},
		{"docx", zipOf(t, "[Content_Types].xml", "_rels/.rels", "word/document.xml"), TypeDOCX, MediaDocument},
		{"pptx", zipOf(t, "[Content_Types].xml", "ppt/presentation.xml"), TypePPTX, MediaDocument},
		{"xlsx", zipOf(t, "[Content_Types].xml", "xl/workbook.xml"), TypeXLSX, MediaDocument},
		{"zip without office parts: decided later", zipOf(t, "a.txt", "b.txt"), TypeZipPending, MediaDocument},
		{"doc", oleOf("WordDocument"), TypeDOC, MediaDocument},
		{"ppt", oleOf("PowerPoint Document"), TypePPT, MediaDocument},
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
		if v, err := Sniff(head); KindOf(err) != KindUnsupportedMedia {
			t.Errorf("%s: %+v %v, want unsupported_media", name, v, err)
		}
	}
}

func TestResolvePending(t *testing.T) {
	for _, c := range []struct {
		names []string
		ct    string
	}{
		{[]string{"big.bin", "word/document.xml"}, TypeDOCX},
		{[]string{"a.txt"}, ""},
	} {
		z := zipOf(t, c.names...)
		_, _, dir, err := ZipDirectory(z, int64(len(z)))
		if err != nil || dir == nil {
			t.Fatalf("ZipDirectory: %v", err)
		}
		v, err := ResolveZip(dir)
		if c.ct == "" {
			if KindOf(err) != KindUnsupportedMedia {
				t.Fatalf("plain zip resolved to %+v %v", v, err)
			}
			continue
		}
		if err != nil || v.ContentType != c.ct {
			t.Fatalf("resolve %v: %+v %v", c.names, v, err)
		}
	}
	if _, _, _, err := ZipDirectory([]byte("no zip here"), 11); KindOf(err) != KindUnsupportedMedia {
		t.Fatalf("no end record: %v", err)
	}
	head := oleOf("Workbook")
	start, end, err := OLEDirectory(head)
	if err != nil || start != 512 || end != 1024 {
		t.Fatalf("OLEDirectory = %d %d %v", start, end, err)
	}
	if v, err := ResolveOLE(head[start:end]); err != nil || v.ContentType != TypeXLS {
		t.Fatalf("ResolveOLE = %+v %v", v, err)
	}
	if _, err := ResolveOLE(make([]byte, 512)); KindOf(err) != KindUnsupportedMedia {
		t.Fatalf("OLE without office streams: %v", err)
	}
}

func TestUploadInput(t *testing.T) {
	kind, err := NewUploadInput{Filename: "路演.mov", Size: 100 << 20, ContentType: "video/quicktime"}.Validate()
	if err != nil || kind != MediaVideo {
		t.Fatalf("video: %s %v", kind, err)
	}
	if _, err := (NewUploadInput{Filename: "x.jpg", Size: 31 << 20, ContentType: "image/jpeg"}).Validate(); KindOf(err) != KindTooLarge {
		t.Fatalf("31 MiB photo: %v", err)
	}
	if _, err := (NewUploadInput{Filename: "", Size: 1}).Validate(); KindOf(err) != KindInvalid {
		t.Fatalf("no name: %v", err)
	}
	if got := CleanFilename("..\\..\\evil\u202egpj.exe"); got != "evilgpj.exe" {
		t.Fatalf("CleanFilename = %q", got)
	}
	u := Upload{Size: 2*ChunkSize + 5, ChunkSize: ChunkSize}
	if u.Parts() != 3 {
		t.Fatalf("parts = %d", u.Parts())
	}
	if n, _ := u.PartSize(3); n != 5 {
		t.Fatalf("last part = %d", n)
	}
	if _, err := u.PartSize(4); KindOf(err) != KindInvalid {
		t.Fatalf("part 4: %v", err)
	}
}
