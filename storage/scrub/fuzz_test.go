package scrub

import (
	"testing"

	"leitai/storage/scrub/scrubtest"
)

// Each stripper must return a clean file or an error for any input, never
// panic.

func FuzzJPEG(f *testing.F) {
	f.Add(scrubtest.JPEG(f, unitName, 6))
	f.Add([]byte{0xFF, 0xD8, 0xFF, 0xDA, 0, 2, 0xFF})
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = JPEG(b)
		_ = JPEGOrientation(b)
	})
}

func FuzzPNG(f *testing.F) {
	f.Add(scrubtest.PNG(f, unitName))
	f.Fuzz(func(t *testing.T, b []byte) { _, _ = PNG(b) })
}

func FuzzGIF(f *testing.F) {
	f.Add(scrubtest.GIF(f, unitName))
	f.Fuzz(func(t *testing.T, b []byte) { _, _ = GIF(b) })
}

func FuzzWebP(f *testing.F) {
	f.Add(scrubtest.WebP(f, unitName))
	f.Fuzz(func(t *testing.T, b []byte) { _, _ = WebP(b) })
}

func FuzzOOXML(f *testing.F) {
	f.Add(scrubtest.DOCX(f, unitName))
	f.Fuzz(func(t *testing.T, b []byte) { _, _ = OOXMLBytes(b) })
}
