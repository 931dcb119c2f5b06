package scrub

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"encoding/xml"
	"errors"
	"hash/crc32"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"strings"
	"testing"

	"golang.org/x/image/webp"

	"leitai/storage/scrub/scrubtest"
)

// unitName is what must not survive: the unit that made the file.
const unitName = "惠城区江北街道办事处"

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
		{"jpeg", scrubtest.JPEG(t, unitName, 1), JPEG, jpeg.Decode},
		{"jpeg turned", scrubtest.JPEG(t, unitName, 6), JPEG, jpeg.Decode},
		{"png", scrubtest.PNG(t, unitName), PNG, png.Decode},
		{"gif", scrubtest.GIF(t, unitName), GIF, gif.Decode},
		{"webp", scrubtest.WebP(t, unitName), WebP, webp.Decode},
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
		out, err := JPEG(scrubtest.JPEG(t, unitName, o))
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
	out, _ := JPEG(scrubtest.JPEG(t, unitName, 1))
	if !bytes.HasSuffix(out, []byte{0xFF, 0xD9}) {
		t.Error("the clean JPEG does not end at EOI")
	}
}

// TestPNGChunks: the clean PNG is a valid chunk sequence with correct
// CRCs and none of the text chunks.
func TestPNGChunks(t *testing.T) {
	out, err := PNG(scrubtest.PNG(t, unitName))
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
	in := scrubtest.DOCX(t, unitName)
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
	j := scrubtest.JPEG(t, unitName, 1)
	p := scrubtest.PNG(t, unitName)
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
		{"truncated gif", GIF, scrubtest.GIF(t, unitName)[:30]},
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
