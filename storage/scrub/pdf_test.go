package scrub

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"testing"
)

// pdfBuilder writes a PDF object by object and records their offsets.
type pdfBuilder struct {
	buf      bytes.Buffer
	offsets  map[int]int
	lastXref int
}

func newPDF() *pdfBuilder {
	p := &pdfBuilder{offsets: map[int]int{}, lastXref: -1}
	p.buf.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	return p
}

func (p *pdfBuilder) obj(n int, body string) {
	p.offsets[n] = p.buf.Len()
	fmt.Fprintf(&p.buf, "%d 0 obj\n%s\nendobj\n", n, body)
}

func (p *pdfBuilder) stream(n int, dict string, data []byte) {
	p.offsets[n] = p.buf.Len()
	fmt.Fprintf(&p.buf, "%d 0 obj\n<< %s /Length %d >>\nstream\n", n, dict, len(data))
	p.buf.Write(data)
	p.buf.WriteString("\nendstream\nendobj\n")
}

// xref writes a cross-reference section for the objects written since the
// last one, and a trailer.
func (p *pdfBuilder) xref(trailer string) {
	at := p.buf.Len()
	p.buf.WriteString("xref\n")
	size := 0
	for n := range p.offsets {
		size = max(size, n+1)
	}
	if p.lastXref < 0 {
		fmt.Fprintf(&p.buf, "0 %d\n0000000000 65535 f \n", size)
		for n := 1; n < size; n++ {
			if off, ok := p.offsets[n]; ok {
				fmt.Fprintf(&p.buf, "%010d 00000 n \n", off)
			} else {
				p.buf.WriteString("0000000000 00000 f \n")
			}
		}
		fmt.Fprintf(&p.buf, "trailer\n<< /Size %d %s >>\n", size, trailer)
	} else {
		for n, off := range p.offsets {
			fmt.Fprintf(&p.buf, "%d 1\n%010d 00000 n \n", n, off)
		}
		fmt.Fprintf(&p.buf, "trailer\n<< /Size %d /Prev %d %s >>\n", size, p.lastXref, trailer)
	}
	fmt.Fprintf(&p.buf, "startxref\n%d\n%%%%EOF\n", at)
	p.lastXref = at
	p.offsets = map[int]int{}
}

func hexUTF16(s string) string {
	var b bytes.Buffer
	b.WriteString("<FEFF")
	for _, r := range s {
		fmt.Fprintf(&b, "%04X", r)
	}
	b.WriteString(">")
	return b.String()
}

func xmp(name string) []byte {
	return []byte(`<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">` +
		`<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>` + name + `</dc:creator></rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>`)
}

func deflate(b []byte) []byte {
	var buf bytes.Buffer
	zw := zlib.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

func pdfBase(p *pdfBuilder, name string) {
	p.obj(1, "<< /Type /Catalog /Pages 2 0 R /Metadata 4 0 R >>")
	p.obj(2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
	p.obj(3, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 6 0 R >>")
	p.stream(4, "/Type /Metadata /Subtype /XML", xmp(name))
	p.stream(6, "", []byte("BT /F1 12 Tf 20 100 Td (Project plan) Tj ET"))
}

// pdfs are the test documents: a plain one, one whose Info was replaced by
// an incremental update (the old one stays in the file), one whose Info
// sits in a compressed object stream and whose XMP is compressed.
func pdfs(name string) map[string][]byte {
	info := fmt.Sprintf("<< /Author %s /Creator (%s) /Producer (WPS) /Title (%s) /CreationDate (D:20250101) >>", hexUTF16(name), name, name)
	out := map[string][]byte{}

	p := newPDF()
	pdfBase(p, name)
	p.obj(5, info)
	p.xref("/Root 1 0 R /Info 5 0 R")
	out["plain"] = p.buf.Bytes()

	p = newPDF()
	pdfBase(p, name)
	p.obj(5, info)
	p.xref("/Root 1 0 R /Info 5 0 R")
	p.obj(7, "<< /Author (someone else) /Producer ("+name+") >>")
	p.xref("/Root 1 0 R /Info 7 0 R")
	out["incremental update"] = p.buf.Bytes()

	p = newPDF()
	p.obj(1, "<< /Type /Catalog /Pages 2 0 R /Metadata 4 0 R >>")
	p.obj(2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
	p.obj(3, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>")
	p.stream(4, "/Type /Metadata /Subtype /XML /Filter /FlateDecode", deflate(xmp(name)))
	objs := "<< /Lang (zh) >>\n" + info
	hdr := fmt.Sprintf("8 0 5 %d ", len("<< /Lang (zh) >>\n"))
	p.stream(9, fmt.Sprintf("/Type /ObjStm /N 2 /First %d /Filter /FlateDecode", len(hdr)), deflate([]byte(hdr+objs)))
	p.xref("/Root 1 0 R /Info 5 0 R")
	out["object stream"] = p.buf.Bytes()
	return out
}

// checkPDF is a structural check: every cross-reference section (the last
// one, then each /Prev) lists objects found at their offsets, and every
// object stream still decompresses.
func checkPDF(t *testing.T, b []byte) {
	t.Helper()
	i := bytes.LastIndex(b, []byte("startxref"))
	if i < 0 {
		t.Fatal("no startxref")
	}
	off, _, ok := readInt(b, i+len("startxref"))
	for ok {
		if !bytes.HasPrefix(b[off:], []byte("xref")) {
			t.Fatalf("no xref at %d", off)
		}
		pos := off + 4
		for {
			start, p, ok1 := readInt(b, pos)
			count, p2, ok2 := readInt(b, p)
			if !ok1 || !ok2 {
				break
			}
			pos = p2
			for k := 0; k < count; k++ {
				pos = skipWS(b, pos)
				line := string(b[pos : pos+18])
				pos += 18
				if line[17] != 'n' {
					continue
				}
				o, _ := strconv.Atoi(line[:10])
				want := fmt.Sprintf("%d 0 obj", start+k)
				if !bytes.HasPrefix(b[o:], []byte(want)) {
					t.Fatalf("object %d is not at %d", start+k, o)
				}
			}
		}
		tr := skipWS(b, pos)
		if !bytes.HasPrefix(b[tr:], []byte("trailer")) {
			t.Fatalf("no trailer after the xref at %d", off)
		}
		entries, _, okd := dictEntries(b, skipWS(b, tr+len("trailer")))
		if !okd {
			t.Fatal("the trailer does not parse")
		}
		prev, has := get(entries, "/Prev")
		if !has {
			break
		}
		off, _ = strconv.Atoi(string(b[prev.lo:prev.hi]))
	}
	for _, m := range regexp.MustCompile(`/Type /ObjStm[^>]*>>\nstream\n`).FindAllIndex(b, -1) {
		zr, err := zlib.NewReader(bytes.NewReader(b[m[1]:]))
		if err != nil {
			t.Fatalf("object stream: %v", err)
		}
		if _, err := io.ReadAll(zr); err != nil {
			t.Fatalf("object stream: %v", err)
		}
	}
}

func TestPDF(t *testing.T) {
	for name, in := range pdfs(unitName) {
		t.Run(name, func(t *testing.T) {
			checkPDF(t, in)
			out, err := PDF(in)
			if err != nil {
				t.Fatal(err)
			}
			if len(out) != len(in) {
				t.Fatalf("length %d, want %d", len(out), len(in))
			}
			noName(t, out)
			checkPDF(t, out)
			if !bytes.Contains(out, []byte("(Project plan)")) && name != "object stream" {
				t.Error("the page content changed")
			}
			if bytes.Contains(out, []byte("/Author")) || bytes.Contains(out, []byte("WPS")) {
				t.Error("an Info entry is left")
			}
			// Inside compressed streams too.
			for _, m := range regexp.MustCompile(`/FlateDecode[^>]*>>\nstream\n`).FindAllIndex(out, -1) {
				zr, err := zlib.NewReader(bytes.NewReader(out[m[1]:]))
				if err != nil {
					t.Fatal(err)
				}
				dec, _ := io.ReadAll(zr)
				noName(t, dec)
				if bytes.Contains(dec, []byte("/Author")) {
					t.Error("an Info entry is left in an object stream")
				}
			}
			again, err := PDF(out)
			if err != nil || !bytes.Equal(again, out) {
				t.Errorf("cleaning twice changes the file (%v)", err)
			}
		})
	}
}

// TestPDFRefusals: an /Info that cannot be found is refused, not ignored.
func TestPDFRefusals(t *testing.T) {
	missing := []byte("%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R /Info 9 0 R >>\n%%EOF\n")
	for name, in := range map[string][]byte{"missing info": missing, "not a pdf": []byte("hello"), "empty": nil} {
		if _, err := PDF(in); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func FuzzPDF(f *testing.F) {
	for _, b := range pdfs(unitName) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) { _, _ = PDF(b) })
}
