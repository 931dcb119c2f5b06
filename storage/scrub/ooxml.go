package scrub

import (
	"archive/zip"
	"bytes"
	"io"
	"path"
	"regexp"
	"strings"
)

// The blank property parts that replace the originals.
const (
	blankCore = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
		`<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" ` +
		`xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" ` +
		`xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"></cp:coreProperties>`
	blankApp = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
		`<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" ` +
		`xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"></Properties>`
)

// maxPart bounds a part that is read to be rewritten (a zip bomb stops
// there).
const maxPart = 64 << 20

var (
	// customRel and customOverride name docProps/custom.xml, which is
	// dropped, in the package relationships and the content types.
	customRel      = regexp.MustCompile(`<Relationship\b[^>]*\bTarget="/?docProps/custom\.xml"[^>]*/>`)
	customOverride = regexp.MustCompile(`<Override\b[^>]*\bPartName="/docProps/custom\.xml"[^>]*/>`)
	// personAttr are the attributes that carry a person's name on
	// comments, tracked changes and co-authors (w:author, w:initials,
	// w15:userId, displayName…).
	personAttr = regexp.MustCompile(`(\s(?:[A-Za-z][A-Za-z0-9]*:)?(?:author|initials|userId|providerId|displayName))="[^"]*"`)
	// pptAuthor is a PowerPoint comment author's name.
	pptAuthor = regexp.MustCompile(`(<(?:[A-Za-z][A-Za-z0-9]*:)?(?:cmAuthor|author)\b[^>]*?\sname)="[^"]*"`)
	// xlAuthor is an Excel comment author.
	xlAuthor = regexp.MustCompile(`(<(?:[A-Za-z][A-Za-z0-9]*:)?author>)[^<]*(</(?:[A-Za-z][A-Za-z0-9]*:)?author>)`)
)

// OOXML rewrites a Word, Excel or PowerPoint file (.docx, .xlsx, .pptx)
// without the metadata that can name its makers:
//   - docProps/core.xml (creator, lastModifiedBy, title, subject,
//     keywords…) and docProps/app.xml (company, manager, template…) are
//     replaced by blank, valid parts; docProps/custom.xml is dropped along
//     with its relationship and content-type override;
//   - people's names on comments, tracked changes and co-authoring
//     (author, initials, userId, displayName attributes; Excel's comment
//     <author>; PowerPoint's comment authors) are blanked;
//   - embedded JPEG and PNG pictures lose their Exif/XMP/text chunks.
//
// Every other part is copied as it is stored (compressed bytes, no
// re-compression). The text of the document itself is not changed.
func OOXML(r io.ReaderAt, size int64, w io.Writer) error {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return unsupported("not an Office document: %v", err)
	}
	hasContentTypes := false
	for _, f := range zr.File {
		if f.Name == "[Content_Types].xml" {
			hasContentTypes = true
		}
	}
	if !hasContentTypes {
		return unsupported("not an Office document: no [Content_Types].xml")
	}
	zw := zip.NewWriter(w)
	seen := map[string]bool{}
	for _, f := range zr.File {
		name := f.Name
		if seen[name] {
			return unsupported("duplicate part %q", name)
		}
		seen[name] = true
		if f.Flags&0x1 != 0 {
			return unsupported("part %s is encrypted", name)
		}
		lower := strings.ToLower(name)
		if lower == "docprops/custom.xml" {
			continue
		}
		rewrite, err := ooxmlRewriter(lower)
		if err != nil {
			return err
		}
		if rewrite == nil {
			if err := copyRaw(zw, f); err != nil {
				return err
			}
			continue
		}
		body, err := readPart(f)
		if err != nil {
			return err
		}
		if body, err = rewrite(body); err != nil {
			return unsupported("part %s: %v", name, err)
		}
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: f.Modified})
		if err != nil {
			return err
		}
		if _, err := fw.Write(body); err != nil {
			return err
		}
	}
	return zw.Close()
}

// ooxmlRewriter returns how a part is rewritten, or nil to copy it.
func ooxmlRewriter(lower string) (func([]byte) ([]byte, error), error) {
	fixed := func(s string) func([]byte) ([]byte, error) {
		return func([]byte) ([]byte, error) { return []byte(s), nil }
	}
	replace := func(res ...*regexp.Regexp) func([]byte) ([]byte, error) {
		return func(b []byte) ([]byte, error) {
			for _, re := range res {
				b = re.ReplaceAll(b, []byte(`$1=""`))
			}
			return b, nil
		}
	}
	office := strings.HasPrefix(lower, "word/") || strings.HasPrefix(lower, "xl/") || strings.HasPrefix(lower, "ppt/")
	switch {
	case lower == "docprops/core.xml":
		return fixed(blankCore), nil
	case lower == "docprops/app.xml":
		return fixed(blankApp), nil
	case lower == "[content_types].xml":
		return func(b []byte) ([]byte, error) { return customOverride.ReplaceAll(b, nil), nil }, nil
	case lower == "_rels/.rels":
		return func(b []byte) ([]byte, error) { return customRel.ReplaceAll(b, nil), nil }, nil
	case office && strings.HasPrefix(lower, "xl/comments") && strings.HasSuffix(lower, ".xml"):
		return func(b []byte) ([]byte, error) {
			b = xlAuthor.ReplaceAll(b, []byte("$1$2"))
			return personAttr.ReplaceAll(b, []byte(`$1=""`)), nil
		}, nil
	case office && strings.HasSuffix(lower, ".xml"):
		return replace(personAttr, pptAuthor), nil
	case office && (path.Ext(lower) == ".jpg" || path.Ext(lower) == ".jpeg"):
		return JPEG, nil
	case office && path.Ext(lower) == ".png":
		return PNG, nil
	}
	return nil, nil
}

// readPart reads a part to be rewritten, at most maxPart bytes of it.
func readPart(f *zip.File) ([]byte, error) {
	if f.UncompressedSize64 > maxPart {
		return nil, unsupported("part %s is too large (%d bytes)", f.Name, f.UncompressedSize64)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, unsupported("part %s: %v", f.Name, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, maxPart+1))
	if err != nil {
		return nil, unsupported("part %s: %v", f.Name, err)
	}
	if len(b) > maxPart {
		return nil, unsupported("part %s is too large", f.Name)
	}
	return b, nil
}

// copyRaw copies a part as it is stored, without recompressing. The
// header is rebuilt, so the copy carries no extra fields or comments.
func copyRaw(zw *zip.Writer, f *zip.File) error {
	rc, err := f.OpenRaw()
	if err != nil {
		return unsupported("part %s: %v", f.Name, err)
	}
	h := &zip.FileHeader{Name: f.Name, Method: f.Method, Modified: f.Modified, CRC32: f.CRC32,
		CompressedSize64: f.CompressedSize64, UncompressedSize64: f.UncompressedSize64}
	h.Flags = f.Flags & 0x0800 // keep only "UTF-8 name"
	fw, err := zw.CreateRaw(h)
	if err != nil {
		return err
	}
	n, err := io.Copy(fw, rc)
	if err != nil {
		return unsupported("part %s: %v", f.Name, err)
	}
	if uint64(n) != f.CompressedSize64 {
		return unsupported("part %s is truncated", f.Name)
	}
	return nil
}

// OOXMLBytes is OOXML on a file held in memory.
func OOXMLBytes(src []byte) ([]byte, error) {
	var buf bytes.Buffer
	if err := OOXML(bytes.NewReader(src), int64(len(src)), &buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
