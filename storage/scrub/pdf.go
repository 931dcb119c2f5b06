package scrub

import (
	"bytes"
	"compress/zlib"
	"io"
	"regexp"
	"strconv"
)

// xmpBlank is the empty XMP packet written over a metadata stream.
const xmpBlank = `<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/"></x:xmpmeta><?xpacket end="w"?>`

// maxObjStm bounds a decompressed object stream.
const maxObjStm = 64 << 20

// PDF returns the document with its metadata blanked in place, every byte
// offset unchanged, so the cross-reference tables (classic or streams)
// stay valid without being rewritten:
//   - every document information dictionary — the one each trailer or
//     cross-reference stream names under /Info, including those of
//     earlier revisions left by incremental updates, and including one
//     stored in a compressed object stream — becomes an empty dictionary
//     (Author, Creator, Producer, Title, Subject, Keywords, dates and
//     custom keys are overwritten with spaces);
//   - every XMP metadata stream (/Type /Metadata), of the document, its
//     pages or its images, is overwritten with an empty XMP packet and its
//     filter removed;
//   - every JPEG image (/DCTDecode) loses its Exif, XMP, IPTC and comments.
//
// The old bytes are overwritten, not superseded, so the strings are gone
// from the file. Not covered: annotation authors (/T of comments), the
// page content itself, and private application data (/PieceInfo). A file
// it cannot read with confidence — an /Info it cannot find, an object
// stream it cannot decode or re-encode within its old length — is refused
// with ErrUnsupported rather than half cleaned.
func PDF(src []byte) ([]byte, error) {
	head := src[:min(len(src), 1024)]
	if !bytes.Contains(head, []byte("%PDF-")) {
		return nil, unsupported("not a PDF")
	}
	out := append([]byte(nil), src...)
	p := &pdfScrub{b: out, info: infoRefs(out)}
	if err := p.walk(); err != nil {
		return nil, err
	}
	for num := range p.info {
		if !p.found[num] {
			return nil, unsupported("the document information (object %d) was not found", num)
		}
	}
	return out, nil
}

// infoRe finds /Info references in trailers and cross-reference streams.
var infoRe = regexp.MustCompile(`/Info[\x00\t\n\f\r ]*(\d{1,10})[\x00\t\n\f\r ]+(\d{1,5})[\x00\t\n\f\r ]+R`)

// infoRefs collects the object numbers named as /Info by any trailer or
// cross-reference stream (a dictionary that also has /Root).
func infoRefs(b []byte) map[int]bool {
	refs := map[int]bool{}
	for _, m := range infoRe.FindAllSubmatchIndex(b, -1) {
		lo, hi := max(0, m[0]-4096), min(len(b), m[1]+4096)
		if !bytes.Contains(b[lo:hi], []byte("/Root")) {
			continue
		}
		if n, err := strconv.Atoi(string(b[m[2]:m[3]])); err == nil {
			refs[n] = true
		}
	}
	return refs
}

type pdfScrub struct {
	b     []byte
	info  map[int]bool
	found map[int]bool
}

func isWS(c byte) bool { return c == 0 || c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == ' ' }

func isDelim(c byte) bool {
	switch c {
	case '(', ')', '<', '>', '[', ']', '{', '}', '/', '%':
		return true
	}
	return false
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// skipWS skips whitespace and comments.
func skipWS(b []byte, i int) int {
	for i < len(b) {
		switch {
		case isWS(b[i]):
			i++
		case b[i] == '%':
			for i < len(b) && b[i] != '\n' && b[i] != '\r' {
				i++
			}
		default:
			return i
		}
	}
	return i
}

// skipValue returns the end of the value at i (an indirect reference
// counts as one value), or -1 when it cannot be read.
func skipValue(b []byte, i, depth int) int {
	if depth > 64 || i >= len(b) {
		return -1
	}
	switch c := b[i]; {
	case c == '<' && i+1 < len(b) && b[i+1] == '<':
		i += 2
		for {
			i = skipWS(b, i)
			if i+1 < len(b) && b[i] == '>' && b[i+1] == '>' {
				return i + 2
			}
			if i >= len(b) {
				return -1
			}
			if i = skipValue(b, i, depth+1); i < 0 {
				return -1
			}
		}
	case c == '<':
		j := bytes.IndexByte(b[i:], '>')
		if j < 0 {
			return -1
		}
		return i + j + 1
	case c == '(':
		level := 0
		for i < len(b) {
			switch b[i] {
			case '\\':
				i++
			case '(':
				level++
			case ')':
				level--
				if level == 0 {
					return i + 1
				}
			}
			i++
		}
		return -1
	case c == '[':
		i++
		for {
			i = skipWS(b, i)
			if i < len(b) && b[i] == ']' {
				return i + 1
			}
			if i >= len(b) {
				return -1
			}
			if i = skipValue(b, i, depth+1); i < 0 {
				return -1
			}
		}
	case c == '/':
		i++
		for i < len(b) && !isWS(b[i]) && !isDelim(b[i]) {
			i++
		}
		return i
	case c == ')' || c == '>' || c == ']' || c == '{' || c == '}':
		return -1
	}
	start := i
	for i < len(b) && !isWS(b[i]) && !isDelim(b[i]) {
		i++
	}
	if i == start {
		return -1
	}
	// N G R is one value.
	if isDigit(b[start]) {
		if j := skipWS(b, i); j < len(b) && isDigit(b[j]) {
			k := j
			for k < len(b) && isDigit(b[k]) {
				k++
			}
			if l := skipWS(b, k); l < len(b) && b[l] == 'R' && (l+1 == len(b) || isWS(b[l+1]) || isDelim(b[l+1])) {
				return l + 1
			}
		}
	}
	return i
}

// dictEntries lists the top-level keys of the dictionary at i (which must
// start with <<) with their value ranges; end is after >>.
type entry struct {
	key           string
	keyAt, lo, hi int
}

func dictEntries(b []byte, i int) (entries []entry, end int, ok bool) {
	if i+1 >= len(b) || b[i] != '<' || b[i+1] != '<' {
		return nil, 0, false
	}
	i += 2
	for {
		i = skipWS(b, i)
		if i+1 < len(b) && b[i] == '>' && b[i+1] == '>' {
			return entries, i + 2, true
		}
		if i >= len(b) || b[i] != '/' {
			return nil, 0, false
		}
		k := skipValue(b, i, 0)
		if k < 0 {
			return nil, 0, false
		}
		v := skipWS(b, k)
		e := skipValue(b, v, 1)
		if e < 0 {
			return nil, 0, false
		}
		entries = append(entries, entry{key: string(b[i:k]), keyAt: i, lo: v, hi: e})
		i = e
	}
}

func get(entries []entry, key string) (entry, bool) {
	for _, e := range entries {
		if e.key == key {
			return e, true
		}
	}
	return entry{}, false
}

func blank(b []byte) {
	for i := range b {
		b[i] = ' '
	}
}

// blankDict empties the dictionary at i: everything between << and >>
// becomes spaces.
func blankDict(b []byte, i int) bool {
	_, end, ok := dictEntries(b, i)
	if !ok {
		return false
	}
	blank(b[i+2 : end-2])
	return true
}

var objRe = regexp.MustCompile(`(\d{1,10})[\x00\t\n\f\r ]+(\d{1,5})[\x00\t\n\f\r ]+obj`)

// walk visits every indirect object in the file, in file order, skipping
// stream data.
func (p *pdfScrub) walk() error {
	p.found = map[int]bool{}
	b := p.b
	for i := 0; i < len(b); {
		m := objRe.FindSubmatchIndex(b[i:])
		if m == nil {
			return nil
		}
		start, after := i+m[0], i+m[1]
		if (start > 0 && !isWS(b[start-1]) && !isDelim(b[start-1])) || (after < len(b) && !isWS(b[after]) && !isDelim(b[after])) {
			i = i + m[1]
			continue
		}
		num, _ := strconv.Atoi(string(b[i+m[2] : i+m[3]]))
		next, err := p.object(num, skipWS(b, after))
		if err != nil {
			return err
		}
		i = max(next, after)
	}
	return nil
}

// object scrubs one object whose value starts at i and returns where the
// scan goes on.
func (p *pdfScrub) object(num, i int) (int, error) {
	b := p.b
	if i+1 >= len(b) || b[i] != '<' || b[i+1] != '<' {
		return i, nil // not a dictionary or stream: nothing to do
	}
	entries, end, ok := dictEntries(b, i)
	if !ok {
		return i + 2, nil // damaged: the scan resyncs on the next object
	}
	s := skipWS(b, end)
	isStream := bytes.HasPrefix(b[s:], []byte("stream"))
	if _, typed := get(entries, "/Type"); p.info[num] && !isStream && !typed {
		// An information dictionary has no /Type; a typed object under
		// the same number is a later reuse of it and stays.
		blankDict(b, i)
		p.found[num] = true
		return end, nil
	}
	if !isStream {
		return end, nil
	}
	data := s + len("stream")
	if data < len(b) && b[data] == '\r' {
		data++
	}
	if data < len(b) && b[data] == '\n' {
		data++
	}
	dataEnd := -1
	if l, ok := get(entries, "/Length"); ok {
		if n, err := strconv.Atoi(string(b[l.lo:l.hi])); err == nil && n >= 0 && data+n <= len(b) {
			if e := skipWS(b, data+n); bytes.HasPrefix(b[e:], []byte("endstream")) {
				dataEnd = data + n
			}
		}
	}
	if dataEnd < 0 {
		k := bytes.Index(b[data:], []byte("endstream"))
		if k < 0 {
			return len(b), nil
		}
		dataEnd = data + k
		for dataEnd > data && (b[dataEnd-1] == '\n' || b[dataEnd-1] == '\r') {
			dataEnd--
		}
	}
	typ, _ := get(entries, "/Type")
	filter, hasFilter := get(entries, "/Filter")
	filterName := ""
	if hasFilter {
		filterName = string(bytes.Trim(b[filter.lo:filter.hi], "[] \t\r\n"))
	}
	switch {
	case typ.key != "" && string(b[typ.lo:typ.hi]) == "/Metadata":
		// The XMP packet, replaced in place; without a filter it is read
		// as it is written.
		for _, key := range []string{"/Filter", "/DecodeParms"} {
			if e, ok := get(entries, key); ok {
				blank(b[e.keyAt:e.hi])
			}
		}
		d := b[data:dataEnd]
		blank(d)
		if len(d) >= len(xmpBlank) {
			copy(d, xmpBlank)
		}
	case typ.key != "" && string(b[typ.lo:typ.hi]) == "/ObjStm":
		if err := p.objStm(entries, b[data:dataEnd], hasFilter, filterName); err != nil {
			return 0, err
		}
	case filterName == "/DCTDecode":
		d := b[data:dataEnd]
		if clean, err := JPEG(d); err == nil && len(clean) <= len(d) {
			copy(d, clean)
			clear(d[len(clean):]) // after the end of the image: ignored
		}
	}
	return dataEnd, nil
}

// objStm blanks the information dictionaries kept in a compressed object
// stream, re-compressing it within its old length.
func (p *pdfScrub) objStm(entries []entry, d []byte, hasFilter bool, filterName string) error {
	wanted := false
	n, first := -1, -1
	if e, ok := get(entries, "/N"); ok {
		n, _ = strconv.Atoi(string(p.b[e.lo:e.hi]))
	}
	if e, ok := get(entries, "/First"); ok {
		first, _ = strconv.Atoi(string(p.b[e.lo:e.hi]))
	}
	if n <= 0 || first <= 0 {
		return nil
	}
	_, parms := get(entries, "/DecodeParms")
	compressed := hasFilter && filterName == "/FlateDecode" && !parms
	if hasFilter && !compressed {
		// A filter chain or a predictor this function does not write:
		// fine unless an information dictionary is inside, which the
		// check after the walk reports.
		return nil
	}
	raw := d
	if compressed {
		zr, err := zlib.NewReader(bytes.NewReader(d))
		if err != nil {
			return nil
		}
		dec, err := io.ReadAll(io.LimitReader(zr, maxObjStm+1))
		if (err != nil && err != io.ErrUnexpectedEOF) || len(dec) > maxObjStm {
			return nil
		}
		raw = dec
	}
	// The header: n pairs of object number and offset.
	pos := 0
	for k := 0; k < n && k < 1<<20; k++ {
		var num, off int
		var ok bool
		if num, pos, ok = readInt(raw, pos); !ok {
			return nil
		}
		if off, pos, ok = readInt(raw, pos); !ok {
			return nil
		}
		if !p.info[num] || first+off >= len(raw) {
			continue
		}
		at := skipWS(raw, first+off)
		if blankDict(raw, at) {
			p.found[num] = true
			wanted = true
		}
	}
	if !wanted || !compressed {
		return nil
	}
	var buf bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&buf, zlib.BestCompression)
	zw.Write(raw)
	zw.Close()
	if buf.Len() > len(d) {
		return unsupported("an object stream holding the document information does not fit once cleaned")
	}
	copy(d, buf.Bytes())
	clear(d[buf.Len():]) // after the end of the compressed data: ignored
	return nil
}

func readInt(b []byte, i int) (int, int, bool) {
	i = skipWS(b, i)
	start := i
	for i < len(b) && isDigit(b[i]) && i-start < 10 {
		i++
	}
	if i == start {
		return 0, i, false
	}
	n, err := strconv.Atoi(string(b[start:i]))
	return n, i, err == nil
}
