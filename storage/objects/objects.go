// Package objects stores media and other binary objects, either in MinIO (or
// any S3-compatible service) or, for the embedded default, in a directory on
// the local filesystem. Both satisfy Store and behave the same: keys are
// generated (never built from user file names) and validated, bodies stream
// with a declared size, and downloads go through time-limited links whose
// Content-Disposition is decided here, not by the stored content type.
package objects

import (
	"context"
	"fmt"
	"io"
	"mime"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"

	"leitai/models"
)

// Store is an object store. Every method validates its key first (see
// ValidateKey) and reports failures as models error kinds: a missing object
// is KindNotFound, a bad key, range or body is KindInvalid, and an
// unreachable backend is KindUnavailable.
type Store interface {
	// Put stores exactly size bytes read from r under key, replacing any
	// object there. The body is streamed, never held in memory whole; a body
	// shorter or longer than size is an error and leaves no object behind.
	// An empty contentType stores application/octet-stream.
	Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) (models.ObjectInfo, error)
	// Get opens the object, or the bytes rng selects when rng is not nil.
	// The returned ObjectInfo.Size is always the size of the whole object.
	// The caller closes the reader.
	Get(ctx context.Context, key string, rng *models.ByteRange) (io.ReadCloser, models.ObjectInfo, error)
	// Stat describes the object without reading it.
	Stat(ctx context.Context, key string) (models.ObjectInfo, error)
	// Delete removes the object; deleting a missing object is not an error.
	Delete(ctx context.Context, key string) error
	// DownloadURL returns a link that serves the object until opts.Expiry
	// passes (DefaultLinkExpiry when zero, at most MaxLinkExpiry). When
	// opts.ContentType is empty the stored type is used, which costs a Stat.
	DownloadURL(ctx context.Context, key string, opts models.LinkOptions) (string, error)
	// Check reports whether the store can serve requests (readiness).
	Check(ctx context.Context) error
}

const (
	// MaxKeyLength is the longest accepted key, in bytes.
	MaxKeyLength = 512
	// DefaultLinkExpiry is the lifetime of a download link whose options
	// name none.
	DefaultLinkExpiry = 15 * time.Minute
	// MaxLinkExpiry is the longest lifetime of a download link (the limit of
	// S3 presigned URLs).
	MaxLinkExpiry = 7 * 24 * time.Hour
	// defaultContentType is stored when a Put names no type.
	defaultContentType = "application/octet-stream"
	// maxContentTypeLength bounds the stored content type.
	maxContentTypeLength = 255
	// maxFilenameRunes bounds the file name offered in Content-Disposition.
	maxFilenameRunes = 180
)

// NewKey returns a fresh key under prefix: prefix/YYYY/MM/<uuid v4>, with the
// current UTC year and month. The prefix is the caller's constant (such as
// "media"); it must itself be a valid key, or the key is rejected when used.
func NewKey(prefix string) string {
	now := time.Now().UTC()
	tail := fmt.Sprintf("%04d/%02d/%s", now.Year(), int(now.Month()), uuid.New().String())
	prefix = strings.Trim(prefix, "/")
	if prefix == "" {
		return tail
	}
	return prefix + "/" + tail
}

// ValidateKey checks that key is a safe object key: 1 to MaxKeyLength bytes
// of lowercase letters, digits and "/ _ - .", made of non-empty segments
// separated by "/", none of which starts with a dot (this rules out "." and
// "..", hidden files, and the filesystem store's own metadata and temporary
// files). The error is a models KindInvalid error.
func ValidateKey(key string) error {
	problem := keyProblem(key)
	if problem == "" {
		return nil
	}
	shown := key
	if len(shown) > 64 {
		shown = shown[:64] + "…"
	}
	return models.Errorf(models.KindInvalid, "invalid object key %q: %s", shown, problem)
}

func keyProblem(key string) string {
	switch {
	case key == "":
		return "empty"
	case len(key) > MaxKeyLength:
		return fmt.Sprintf("longer than %d bytes", MaxKeyLength)
	case key[0] == '/':
		return "starts with /"
	}
	for i := 0; i < len(key); i++ {
		c := key[i]
		ok := (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '/' || c == '_' || c == '-' || c == '.'
		if !ok {
			return fmt.Sprintf("character %q not allowed", rune(c))
		}
	}
	for seg := range strings.SplitSeq(key, "/") {
		switch {
		case seg == "":
			return "empty path segment"
		case seg == "." || seg == "..":
			return "dot segment"
		case seg[0] == '.':
			return "segment starts with a dot"
		}
	}
	return ""
}

// normalizeContentType checks a declared content type and returns its
// canonical form; empty means application/octet-stream.
func normalizeContentType(ct string) (string, error) {
	ct = strings.TrimSpace(ct)
	if ct == "" {
		return defaultContentType, nil
	}
	if len(ct) > maxContentTypeLength {
		return "", models.Errorf(models.KindInvalid, "content type longer than %d bytes", maxContentTypeLength)
	}
	mediaType, params, err := mime.ParseMediaType(ct)
	if err != nil || !strings.Contains(mediaType, "/") {
		return "", models.Errorf(models.KindInvalid, "invalid content type %q", ct)
	}
	canonical := mime.FormatMediaType(mediaType, params)
	if canonical == "" {
		return "", models.Errorf(models.KindInvalid, "invalid content type %q", ct)
	}
	return canonical, nil
}

// inlineSafe reports whether a browser may display contentType in place
// without running the object's content as part of our origin.
func inlineSafe(contentType string) bool {
	mediaType, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	switch mediaType {
	case "image/jpeg", "image/png", "image/gif", "image/webp", "image/avif", "application/pdf":
		return true
	}
	return strings.HasPrefix(mediaType, "video/")
}

// contentDisposition builds the Content-Disposition of a download: inline
// only when asked for and the type is safe to display (never HTML or SVG),
// attachment otherwise; the file name as an ASCII fallback plus its RFC 5987
// UTF-8 form, so that Chinese names survive.
func contentDisposition(inline bool, contentType, filename string) string {
	disposition := "attachment"
	if inline && inlineSafe(contentType) {
		disposition = "inline"
	}
	name := cleanFilename(filename)
	if name == "" {
		return disposition
	}
	return disposition + `; filename="` + asciiFilename(name) + `"; filename*=UTF-8''` + rfc5987Encode(name)
}

// cleanFilename drops control and formatting characters (including the
// right-to-left override used to disguise extensions), path separators and
// surrounding space, and shortens very long names keeping the extension.
func cleanFilename(name string) string {
	if !utf8.ValidString(name) {
		name = strings.ToValidUTF8(name, "_")
	}
	var b strings.Builder
	for _, r := range name {
		switch {
		case r == '/' || r == '\\':
			b.WriteRune('_')
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r):
		default:
			b.WriteRune(r)
		}
	}
	clean := strings.TrimSpace(b.String())
	runes := []rune(clean)
	if len(runes) <= maxFilenameRunes {
		return clean
	}
	ext := []rune("")
	if i := strings.LastIndexByte(clean, '.'); i > 0 && utf8.RuneCountInString(clean[i:]) <= 16 {
		ext = []rune(clean[i:])
	}
	return string(runes[:maxFilenameRunes-len(ext)]) + string(ext)
}

// asciiFilename is the filename= fallback for old clients: printable ASCII
// only, without quotes, backslashes or percent signs.
func asciiFilename(name string) string {
	var b strings.Builder
	for _, r := range name {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' || r == '%' {
			b.WriteByte('_')
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// rfc5987Encode percent-encodes every byte that is not an attr-char of
// RFC 5987 section 3.2.1.
func rfc5987Encode(s string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			strings.IndexByte("!#$&+-.^_`|~", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&0x0f])
	}
	return b.String()
}

// linkExpiry checks a requested link lifetime and rounds it up to whole
// seconds, the resolution of both link formats.
func linkExpiry(d time.Duration) (time.Duration, error) {
	switch {
	case d == 0:
		return DefaultLinkExpiry, nil
	case d < 0:
		return 0, models.Errorf(models.KindInvalid, "link expiry must be positive")
	case d > MaxLinkExpiry:
		return 0, models.Errorf(models.KindInvalid, "link expiry longer than %s", MaxLinkExpiry)
	}
	if rem := d % time.Second; rem != 0 {
		d += time.Second - rem
	}
	return d, nil
}

// checkRange rejects ranges that are malformed whatever the object's size.
func checkRange(rng *models.ByteRange) error {
	if rng == nil {
		return nil
	}
	if rng.Start < 0 || (rng.End >= 0 && rng.End < rng.Start) {
		return models.Errorf(models.KindInvalid, "invalid byte range %d-%d", rng.Start, rng.End)
	}
	return nil
}

// resolveRange returns the offset and length rng selects in an object of
// size bytes; an end past the object is clamped, a start at or past it is
// unsatisfiable.
func resolveRange(rng models.ByteRange, size int64) (offset, length int64, err error) {
	if err := checkRange(&rng); err != nil {
		return 0, 0, err
	}
	if rng.Start >= size {
		return 0, 0, rangeNotSatisfiable(rng, size)
	}
	end := rng.End
	if end < 0 || end >= size {
		end = size - 1
	}
	return rng.Start, end - rng.Start + 1, nil
}

func rangeNotSatisfiable(rng models.ByteRange, size int64) error {
	if size < 0 {
		return models.Errorf(models.KindInvalid, "byte range starting at %d not satisfiable", rng.Start)
	}
	return models.Errorf(models.KindInvalid, "byte range starting at %d not satisfiable for %d bytes", rng.Start, size)
}

// notFound is the error for a missing object.
func notFound(key string) error {
	return &models.Error{Kind: models.KindNotFound, Message: "object not found", Err: fmt.Errorf("key %s", key)}
}

// unavailable is the error for a backend that cannot be reached. The cause
// is kept for the log; the message stays generic.
func unavailable(cause error) error {
	return &models.Error{Kind: models.KindUnavailable, Message: "object storage unavailable", Err: cause}
}

// exactReader passes through exactly size bytes of a body and fails the read
// that would complete a body of the wrong length: a short body fails with
// the final short read, and a long body fails before its last declared byte
// is handed on, so a consumer that stops at size bytes (an HTTP request with
// a Content-Length) can never complete a request with it.
type exactReader struct {
	ctx       context.Context
	r         io.Reader
	size      int64
	remaining int64
	checked   bool  // the byte after size has been looked for
	failure   error // a models error once the body is known to be wrong
}

func newExactReader(ctx context.Context, r io.Reader, size int64) (*exactReader, error) {
	if size < 0 {
		return nil, models.Errorf(models.KindInvalid, "object size must be known (got %d)", size)
	}
	if r == nil {
		return nil, models.Errorf(models.KindInvalid, "object body missing")
	}
	e := &exactReader{ctx: ctx, r: r, size: size, remaining: size}
	if size == 0 {
		// Consumers may never read an empty body, so check it now.
		if err := e.checkEnd(); err != nil {
			return nil, err
		}
	}
	return e, nil
}

func (e *exactReader) Read(p []byte) (int, error) {
	if e.failure != nil {
		return 0, e.failure
	}
	if err := e.ctx.Err(); err != nil {
		return 0, err
	}
	if e.remaining == 0 {
		if err := e.checkEnd(); err != nil {
			return 0, err
		}
		return 0, io.EOF
	}
	if int64(len(p)) > e.remaining {
		p = p[:e.remaining]
	}
	n, err := e.r.Read(p)
	e.remaining -= int64(n)
	if e.remaining == 0 {
		if cerr := e.checkEnd(); cerr != nil {
			// Withhold the last byte so the consumer cannot finish.
			return n - 1, cerr
		}
		return n, nil
	}
	if err == io.EOF {
		e.failure = models.Errorf(models.KindInvalid, "body shorter than its declared size: %d of %d bytes", e.size-e.remaining, e.size)
		return n, e.failure
	}
	return n, err
}

// checkEnd looks for a byte after the declared size.
func (e *exactReader) checkEnd() error {
	if e.checked {
		return e.failure
	}
	e.checked = true
	var one [1]byte
	n, err := io.ReadFull(e.r, one[:])
	switch {
	case n > 0:
		e.failure = models.Errorf(models.KindInvalid, "body longer than its declared size of %d bytes", e.size)
	case err == io.EOF:
		return nil
	default:
		e.failure = fmt.Errorf("read body: %w", err)
	}
	return e.failure
}

// complete reports whether the whole body, and nothing more, was read.
func (e *exactReader) complete() error {
	if e.failure != nil {
		return e.failure
	}
	if e.remaining != 0 || !e.checked {
		return fmt.Errorf("body not fully consumed: %d of %d bytes read", e.size-e.remaining, e.size)
	}
	return nil
}
