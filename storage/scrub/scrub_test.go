package scrub

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"encoding/xml"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"strings"
	"testing"

	"golang.org/x/image/webp"
)

// unitName is what must not survive: the unit that made the file.
const unitName = "惠城区江北街道办事处"

func picture(w, h int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.NRGBA{uint8(x * 7), uint8(y * 5), 120, 255})
		}
	}
	return img
}

// exifSegment is an APP1 Exif segment with an Artist (the unit), a GPS
// pointer stand-in and the given orientation.
func exifSegment(orientation int) []byte {
	artist := append([]byte(unitName), 0)
	var t bytes.Buffer
	t.WriteString("II*\x00")
	binary.Write(&t, binary.LittleEndian, uint32(8))
	binary.Write(&t, binary.LittleEndian, uint16(2))
	// Orientation, SHORT, 1
	binary.Write(&t, binary.LittleEndian, []uint16{0x0112, 3})
	binary.Write(&t, binary.LittleEndian, uint32(1))
	binary.Write(&t, binary.LittleEndian, []uint16{uint16(orientation), 0})
	// Artist, ASCII, n, offset
	binary.Write(&t, binary.LittleEndian, []uint16{0x013B, 2})
	binary.Write(&t, binary.LittleEndian, uint32(len(artist)))
	binary.Write(&t, binary.LittleEndian, uint32(8+2+24+4))
	binary.Write(&t, binary.LittleEndian, uint32(0))
	t.Write(artist)
	return segment(0xE1, append([]byte("Exif\x00\x00"), t.Bytes()...))
}

func segment(marker byte, body []byte) []byte {
	s := []byte{0xFF, marker, 0, 0}
	binary.BigEndian.PutUint16(s[2:], uint16(len(body)+2))
	return append(s, body...)
}

// dirtyJPEG is a real JPEG with Exif, XMP, IPTC and a comment naming the
// unit, and a trailer after the end of the image.
func dirtyJPEG(t testing.TB, orientation int) []byte {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, picture(40, 24), &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	enc := buf.Bytes()
	var out []byte
	out = append(out, enc[:2]...)
	out = append(out, exifSegment(orientation)...)
	out = append(out, segment(0xE1, []byte("http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta><dc:creator>"+unitName+"</dc:creator></x:xmpmeta>"))...)
	out = append(out, segment(0xED, []byte("Photoshop 3.0\x008BIM\x04\x04"+unitName))...)
	out = append(out, segment(0xFE, []byte(unitName))...)
	out = append(out, enc[2:]...)
	return append(out, []byte("trailer "+unitName)...)
}

func textChunk(typ string, data []byte) []byte {
	c := make([]byte, 8, 12+len(data))
	binary.BigEndian.PutUint32(c, uint32(len(data)))
	copy(c[4:], typ)
	c = append(c, data...)
	return binary.BigEndian.AppendUint32(c, crc32.ChecksumIEEE(c[4:]))
}

// dirtyPNG is a real PNG with tEXt, iTXt, zTXt, eXIf and tIME chunks.
func dirtyPNG(t testing.TB) []byte {
	var buf bytes.Buffer
	if err := png.Encode(&buf, picture(30, 20)); err != nil {
		t.Fatal(err)
	}
	enc := buf.Bytes()
	ihdrEnd := 8 + 25
	var out []byte
	out = append(out, enc[:ihdrEnd]...)
	out = append(out, textChunk("tEXt", []byte("Author\x00"+unitName))...)
	out = append(out, textChunk("iTXt", []byte("Copyright\x00\x00\x00zh\x00\x00"+unitName))...)
	out = append(out, textChunk("zTXt", []byte("Comment\x00\x00"+unitName))...)
	out = append(out, textChunk("eXIf", []byte("MM\x00*"+unitName))...)
	out = append(out, textChunk("tIME", []byte{0x07, 0xE9, 1, 2, 3, 4, 5})...)
	out = append(out, enc[ihdrEnd:]...)
	return out
}

func dirtyGIF(t testing.TB) []byte {
	pal := color.Palette{color.Black, color.White, color.RGBA{200, 0, 0, 255}}
	img := image.NewPaletted(image.Rect(0, 0, 8, 8), pal)
	img.SetColorIndex(3, 3, 2)
	var buf bytes.Buffer
	if err := gif.EncodeAll(&buf, &gif.GIF{Image: []*image.Paletted{img, img}, Delay: []int{10, 10}, LoopCount: 0}); err != nil {
		t.Fatal(err)
	}
	enc := buf.Bytes()
	// Insert a comment and an XMP application extension before the trailer.
	name := []byte(unitName)
	ext := []byte{0x21, 0xFE, byte(len(name))}
	ext = append(ext, name...)
	ext = append(ext, 0)
	ext = append(ext, 0x21, 0xFF, 11)
	ext = append(ext, "XMP DataXMP"...)
	ext = append(ext, byte(len(name)))
	ext = append(ext, name...)
	ext = append(ext, 0)
	out := append([]byte(nil), enc[:len(enc)-1]...)
	out = append(out, ext...)
	return append(out, 0x3B)
}

// dirtyWebP is a lossless 2×2 WebP (VP8L) inside an extended (VP8X)
// container with EXIF and XMP chunks.
func dirtyWebP(t testing.TB) []byte {
	// A red 2×2 lossless image from libwebp (ffmpeg -c:v libwebp -lossless 1).
	vp8l := []byte{0x2f, 0x01, 0x40, 0x00, 0x00, 0x07, 0x10, 0xf5, 0x8f, 0xfe, 0x07, 0x22, 0xa2, 0xff, 0x01}
	chunk := func(fourcc string, data []byte) []byte {
		c := []byte(fourcc)
		c = binary.LittleEndian.AppendUint32(c, uint32(len(data)))
		c = append(c, data...)
		if len(data)%2 == 1 {
			c = append(c, 0)
		}
		return c
	}
	vp8x := []byte{0x08 | 0x04, 0, 0, 0, 1, 0, 0, 1, 0, 0} // EXIF|XMP, 2×2
	body := []byte("WEBP")
	body = append(body, chunk("VP8X", vp8x)...)
	body = append(body, chunk("VP8L", vp8l)...)
	body = append(body, chunk("EXIF", []byte("II*\x00"+unitName))...)
	body = append(body, chunk("XMP ", []byte("<x:xmpmeta>"+unitName+"</x:xmpmeta>"))...)
	out := []byte("RIFF")
	out = binary.LittleEndian.AppendUint32(out, uint32(len(body)))
	return append(out, body...)
}

// dirtyDOCX is a minimal Word document whose properties, custom
// properties, a tracked change and an embedded photo name the unit.
func dirtyDOCX(t testing.TB) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	add := func(name, body string) {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, body)
	}
	add("[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`+
		`<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">`+
		`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>`+
		`<Default Extension="xml" ContentType="application/xml"/><Default Extension="jpeg" ContentType="image/jpeg"/>`+
		`<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>`+
		`<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>`+
		`<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>`+
		`<Override PartName="/docProps/custom.xml" ContentType="application/vnd.openxmlformats-officedocument.custom-properties+xml"/></Types>`)
	add("_rels/.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`+
		`<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">`+
		`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>`+
		`<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>`+
		`<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/>`+
		`<Relationship Id="rId4" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties" Target="docProps/custom.xml"/></Relationships>`)
	add("word/document.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`+
		`<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p>`+
		`<w:ins w:id="1" w:author="`+unitName+`" w:date="2025-01-01T00:00:00Z"><w:r><w:t>项目方案</w:t></w:r></w:ins></w:p></w:body></w:document>`)
	add("docProps/core.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`+
		`<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/">`+
		`<dc:creator>`+unitName+`</dc:creator><cp:lastModifiedBy>`+unitName+`</cp:lastModifiedBy></cp:coreProperties>`)
	add("docProps/app.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`+
		`<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Company>`+unitName+`</Company><Manager>`+unitName+`</Manager></Properties>`)
	add("docProps/custom.xml", `<?xml version="1.0"?><Properties><property name="单位">`+unitName+`</property></Properties>`)
	w, _ := zw.Create("word/media/image1.jpeg")
	w.Write(dirtyJPEG(t, 1))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// noName fails when any encoding of the unit's name is left.
func noName(t *testing.T, b []byte) {
	t.Helper()
	for _, form := range [][]byte{[]byte(unitName), []byte("惠城区"), utf16be("惠城区")} {
		if bytes.Contains(b, form) {
			t.Fatalf("the unit's name (% x) is still in the file", form)
		}
	}
}

func utf16be(s string) []byte {
	var out []byte
	for _, r := range s {
		out = append(out, byte(r>>8), byte(r))
	}
	return out
}

func TestImages(t *testing.T) {
	tests := []struct {
		name   string
		input  []byte
		strip  func([]byte) ([]byte, error)
		decode func(io.Reader) (image.Image, error)
	}{
		{"jpeg", dirtyJPEG(t, 1), JPEG, jpeg.Decode},
		{"jpeg turned", dirtyJPEG(t, 6), JPEG, jpeg.Decode},
		{"png", dirtyPNG(t), PNG, png.Decode},
		{"gif", dirtyGIF(t), GIF, gif.Decode},
		{"webp", dirtyWebP(t), WebP, webp.Decode},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if !bytes.Contains(tc.input, []byte(unitName)) {
				t.Fatal("the test file does not name the unit")
			}
			before, err := tc.decode(bytes.NewReader(tc.input))
			if err != nil {
				t.Fatalf("the test file does not decode: %v", err)
			}
			out, err := tc.strip(tc.input)
			if err != nil {
				t.Fatal(err)
			}
			noName(t, out)
			after, err := tc.decode(bytes.NewReader(out))
			if err != nil {
				t.Fatalf("the clean file does not decode: %v", err)
			}
			if before.Bounds() != after.Bounds() {
				t.Fatalf("bounds %v, want %v", after.Bounds(), before.Bounds())
			}
			b := before.Bounds()
			for y := b.Min.Y; y < b.Max.Y; y++ {
				for x := b.Min.X; x < b.Max.X; x++ {
					if before.At(x, y) != after.At(x, y) {
						t.Fatalf("pixel %d,%d changed", x, y)
					}
				}
			}
			again, err := tc.strip(out)
			if err != nil || !bytes.Equal(again, out) {
				t.Fatalf("stripping twice changes the file (%v)", err)
			}
		})
	}
}

// TestJPEGOrientation: a picture that needs turning keeps its orientation
// (and only that); an upright one gets no Exif at all.
func TestJPEGOrientation(t *testing.T) {
	for _, o := range []int{1, 3, 6, 8} {
		out, err := JPEG(dirtyJPEG(t, o))
		if err != nil {
			t.Fatal(err)
		}
		if got := JPEGOrientation(out); got != o {
			t.Errorf("orientation %d became %d", o, got)
		}
		if hasExif := bytes.Contains(out, []byte("Exif\x00\x00")); hasExif != (o != 1) {
			t.Errorf("orientation %d: Exif present = %v", o, hasExif)
		}
	}
	// The trailer after the image is gone.
	out, _ := JPEG(dirtyJPEG(t, 1))
	if !bytes.HasSuffix(out, []byte{0xFF, 0xD9}) {
		t.Error("the clean JPEG does not end at EOI")
	}
}

// TestPNGChunks: the clean PNG is a valid chunk sequence with correct
// CRCs and none of the text chunks.
func TestPNGChunks(t *testing.T) {
	out, err := PNG(dirtyPNG(t))
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for i := 8; i < len(out); {
		n := int(binary.BigEndian.Uint32(out[i:]))
		c := out[i+4 : i+8+n]
		if crc32.ChecksumIEEE(c) != binary.BigEndian.Uint32(out[i+8+n:]) {
			t.Fatalf("chunk %s has a wrong CRC", c[:4])
		}
		types = append(types, string(c[:4]))
		i += 12 + n
	}
	if got := strings.Join(types, ","); got != "IHDR,IDAT,IEND" {
		t.Fatalf("chunks %s", got)
	}
}

func TestOOXML(t *testing.T) {
	in := dirtyDOCX(t)
	out, err := OOXMLBytes(in)
	if err != nil {
		t.Fatal(err)
	}
	noName(t, out) // the stored parts are deflated: check the parts too
	zr, err := zip.NewReader(bytes.NewReader(out), int64(len(out)))
	if err != nil {
		t.Fatal(err)
	}
	parts := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		parts[f.Name] = b
		noName(t, b)
		if strings.HasSuffix(f.Name, ".xml") || strings.HasSuffix(f.Name, ".rels") {
			wellFormed(t, f.Name, b)
		}
	}
	if _, ok := parts["docProps/custom.xml"]; ok {
		t.Error("docProps/custom.xml is still there")
	}
	for _, name := range []string{"[Content_Types].xml", "_rels/.rels"} {
		if bytes.Contains(parts[name], []byte("custom.xml")) {
			t.Errorf("%s still names custom.xml", name)
		}
		if !bytes.Contains(parts[name], []byte("core")) {
			t.Errorf("%s lost the core properties", name)
		}
	}
	if !bytes.Contains(parts["word/document.xml"], []byte("项目方案")) {
		t.Error("the document's text is gone")
	}
	if _, err := jpeg.Decode(bytes.NewReader(parts["word/media/image1.jpeg"])); err != nil {
		t.Errorf("the embedded photo: %v", err)
	}
	if len(parts) != 6 {
		t.Errorf("%d parts, want 6", len(parts))
	}
}

func wellFormed(t *testing.T, name string, b []byte) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(b))
	for {
		_, err := d.Token()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			t.Fatalf("%s is not well-formed XML: %v", name, err)
		}
	}
}

// TestRefusals: what is not the format, or is damaged, is refused with
// ErrUnsupported.
func TestRefusals(t *testing.T) {
	j := dirtyJPEG(t, 1)
	p := dirtyPNG(t)
	tests := []struct {
		name  string
		strip func([]byte) ([]byte, error)
		input []byte
	}{
		{"empty jpeg", JPEG, nil},
		{"png as jpeg", JPEG, p},
		{"truncated jpeg", JPEG, j[:len(j)/2]},
		{"truncated png", PNG, p[:len(p)-20]},
		{"jpeg as png", PNG, j},
		{"truncated gif", GIF, dirtyGIF(t)[:30]},
		{"png as webp", WebP, p},
		{"png as docx", OOXMLBytes, p},
		{"plain zip", OOXMLBytes, plainZip(t)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := tc.strip(tc.input); !errors.Is(err, ErrUnsupported) {
				t.Fatalf("err = %v, want ErrUnsupported", err)
			}
		})
	}
}

func plainZip(t testing.TB) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("a.txt")
	io.WriteString(w, "hello")
	zw.Close()
	return buf.Bytes()
}
