// Package scrubtest builds small real files whose metadata names a unit,
// for the tests of the metadata strippers and of the media worker.
package scrubtest

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"strings"
	"testing"
)

// Picture is a small gradient.
func Picture(w, h int) *image.NRGBA {
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
func exifSegment(name string, orientation int) []byte {
	artist := append([]byte(name), 0)
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

// JPEG is a real JPEG with Exif, XMP, IPTC and a comment naming the
// unit, and a trailer after the end of the image.
func JPEG(t testing.TB, name string, orientation int) []byte {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, Picture(40, 24), &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	enc := buf.Bytes()
	var out []byte
	out = append(out, enc[:2]...)
	out = append(out, exifSegment(name, orientation)...)
	out = append(out, segment(0xE1, []byte("http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta><dc:creator>"+name+"</dc:creator></x:xmpmeta>"))...)
	out = append(out, segment(0xED, []byte("Photoshop 3.0\x008BIM\x04\x04"+name))...)
	out = append(out, segment(0xFE, []byte(name))...)
	out = append(out, enc[2:]...)
	return append(out, []byte("trailer "+name)...)
}

// textChunk is a PNG chunk with its CRC.
func textChunk(typ string, data []byte) []byte {
	c := make([]byte, 8, 12+len(data))
	binary.BigEndian.PutUint32(c, uint32(len(data)))
	copy(c[4:], typ)
	c = append(c, data...)
	return binary.BigEndian.AppendUint32(c, crc32.ChecksumIEEE(c[4:]))
}

// PNG is a real PNG with tEXt, iTXt, zTXt, eXIf and tIME chunks.
func PNG(t testing.TB, name string) []byte {
	var buf bytes.Buffer
	if err := png.Encode(&buf, Picture(30, 20)); err != nil {
		t.Fatal(err)
	}
	enc := buf.Bytes()
	ihdrEnd := 8 + 25
	var out []byte
	out = append(out, enc[:ihdrEnd]...)
	out = append(out, textChunk("tEXt", []byte("Author\x00"+name))...)
	out = append(out, textChunk("iTXt", []byte("Copyright\x00\x00\x00zh\x00\x00"+name))...)
	out = append(out, textChunk("zTXt", []byte("Comment\x00\x00"+name))...)
	out = append(out, textChunk("eXIf", []byte("MM\x00*"+name))...)
	out = append(out, textChunk("tIME", []byte{0x07, 0xE9, 1, 2, 3, 4, 5})...)
	out = append(out, enc[ihdrEnd:]...)
	return out
}

// GIF is an animated GIF with a comment and an XMP extension naming the
// unit.
func GIF(t testing.TB, name string) []byte {
	pal := color.Palette{color.Black, color.White, color.RGBA{200, 0, 0, 255}}
	img := image.NewPaletted(image.Rect(0, 0, 8, 8), pal)
	img.SetColorIndex(3, 3, 2)
	var buf bytes.Buffer
	if err := gif.EncodeAll(&buf, &gif.GIF{Image: []*image.Paletted{img, img}, Delay: []int{10, 10}, LoopCount: 0}); err != nil {
		t.Fatal(err)
	}
	enc := buf.Bytes()
	// Insert a comment and an XMP application extension before the trailer.
	nb := []byte(name)
	ext := []byte{0x21, 0xFE, byte(len(nb))}
	ext = append(ext, nb...)
	ext = append(ext, 0)
	ext = append(ext, 0x21, 0xFF, 11)
	ext = append(ext, "XMP DataXMP"...)
	ext = append(ext, byte(len(nb)))
	ext = append(ext, nb...)
	ext = append(ext, 0)
	out := append([]byte(nil), enc[:len(enc)-1]...)
	out = append(out, ext...)
	return append(out, 0x3B)
}

// WebP is a lossless 2×2 WebP (VP8L) inside an extended (VP8X)
// container with EXIF and XMP chunks.
func WebP(t testing.TB, name string) []byte {
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
	body = append(body, chunk("EXIF", []byte("II*\x00"+name))...)
	body = append(body, chunk("XMP ", []byte("<x:xmpmeta>"+name+"</x:xmpmeta>"))...)
	out := []byte("RIFF")
	out = binary.LittleEndian.AppendUint32(out, uint32(len(body)))
	return append(out, body...)
}

// DOCX is a minimal Word document whose properties, custom
// properties, a tracked change and an embedded photo name the unit.
func DOCX(t testing.TB, name string) []byte {
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
		`<w:ins w:id="1" w:author="`+name+`" w:date="2025-01-01T00:00:00Z"><w:r><w:t>项目方案</w:t></w:r></w:ins></w:p></w:body></w:document>`)
	add("docProps/core.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`+
		`<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/">`+
		`<dc:creator>`+name+`</dc:creator><cp:lastModifiedBy>`+name+`</cp:lastModifiedBy></cp:coreProperties>`)
	add("docProps/app.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`+
		`<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Company>`+name+`</Company><Manager>`+name+`</Manager></Properties>`)
	add("docProps/custom.xml", `<?xml version="1.0"?><Properties><property name="单位">`+name+`</property></Properties>`)
	w, _ := zw.Create("word/media/image1.jpeg")
	w.Write(JPEG(t, name, 1))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// PDF is a one-page PDF whose Info dictionary (Author as UTF-16, Creator
// and Title as UTF-8 bytes) and XMP metadata stream name the unit, with a
// valid cross-reference table.
func PDF(name string) []byte {
	var b bytes.Buffer
	var offsets []int
	b.WriteString("%PDF-1.7\n")
	obj := func(body string) {
		offsets = append(offsets, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", len(offsets), body)
	}
	var author strings.Builder
	author.WriteString("<FEFF")
	for _, r := range name {
		fmt.Fprintf(&author, "%04X", r)
	}
	author.WriteString(">")
	x := `<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/"><dc:creator>` + name + `</dc:creator></x:xmpmeta><?xpacket end="w"?>`
	content := "BT /F1 12 Tf 20 100 Td (Project plan) Tj ET"
	obj("<< /Type /Catalog /Pages 2 0 R /Metadata 4 0 R >>")
	obj("<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
	obj("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 5 0 R >>")
	obj(fmt.Sprintf("<< /Type /Metadata /Subtype /XML /Length %d >>\nstream\n%s\nendstream", len(x), x))
	obj(fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content))
	obj(fmt.Sprintf("<< /Author %s /Creator (%s) /Title (%s) /Producer (WPS Office) >>", author.String(), name, name))
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(offsets)+1)
	for _, o := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offsets)+1, xref)
	return b.Bytes()
}
