package models

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"path"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"
)

// MediaKind is what a project's file is: a photo, a video or a document.
type MediaKind string

// The media kinds.
const (
	MediaImage    MediaKind = "image"
	MediaVideo    MediaKind = "video"
	MediaDocument MediaKind = "document"
)

// MediaKinds lists the kinds in display order.
var MediaKinds = []MediaKind{MediaImage, MediaVideo, MediaDocument}

// Size caps per kind, in bytes.
const (
	MaxImageBytes    int64 = 30 << 20
	MaxVideoBytes    int64 = 2 << 30
	MaxDocumentBytes int64 = 100 << 20
)

// Caps on uploads in progress, so that nobody can reserve unbounded space
// by declaring uploads they never send: a project has at most
// MaxOpenUploads open at once, and a unit's open uploads declare at most
// MaxOpenUploadBytesPerUnit together (enough for two full-size videos and
// a batch of photos and documents).
const (
	MaxOpenUploads            = 12
	MaxOpenUploadBytesPerUnit = 5 << 30
)

// Limit is the largest accepted file of the kind.
func (k MediaKind) Limit() int64 {
	switch k {
	case MediaImage:
		return MaxImageBytes
	case MediaVideo:
		return MaxVideoBytes
	case MediaDocument:
		return MaxDocumentBytes
	}
	return 0
}

// Valid reports whether k is a known kind.
func (k MediaKind) Valid() bool { return k.Limit() > 0 }

// CheckSize rejects an empty file and a file over the kind's limit (413).
func (k MediaKind) CheckSize(size int64) error {
	switch {
	case size <= 0:
		return Invalid("the file is empty", map[string]string{"size": "a positive number of bytes"})
	case size > k.Limit():
		return Errorf(KindTooLarge, "the file is %s; a %s may be at most %s", HumanBytes(size), k, HumanBytes(k.Limit()))
	}
	return nil
}

// HumanBytes formats a byte count for messages: 30 MiB, 1.5 GiB, 812 KiB.
func HumanBytes(n int64) string {
	units := []string{"bytes", "KiB", "MiB", "GiB", "TiB"}
	v, i := float64(n), 0
	for v >= 1024 && i < len(units)-1 {
		v /= 1024
		i++
	}
	if i == 0 {
		return fmt.Sprintf("%d bytes", n)
	}
	if v == float64(int64(v)) {
		return fmt.Sprintf("%d %s", int64(v), units[i])
	}
	return fmt.Sprintf("%.1f %s", v, units[i])
}

// ClaimedKind guesses the kind a browser's claim (content type, then file
// extension) points at. The claim only picks the size limit checked before
// any byte arrives; the content decides the kind (Sniff).
func ClaimedKind(contentType, filename string) MediaKind {
	ct := strings.ToLower(strings.TrimSpace(contentType))
	switch {
	case strings.HasPrefix(ct, "image/"):
		return MediaImage
	case strings.HasPrefix(ct, "video/"):
		return MediaVideo
	}
	switch strings.ToLower(path.Ext(filename)) {
	case ".jpg", ".jpeg", ".png", ".gif", ".webp", ".heic", ".heif", ".avif":
		return MediaImage
	case ".mp4", ".m4v", ".mov", ".webm", ".mkv", ".3gp", ".avi":
		return MediaVideo
	}
	return MediaDocument
}

// Content types the sniffer decides on.
const (
	TypeJPEG = "image/jpeg"
	TypePNG  = "image/png"
	TypeGIF  = "image/gif"
	TypeWebP = "image/webp"
	TypeHEIC = "image/heic"
	TypeHEIF = "image/heif"
	TypeAVIF = "image/avif"
	TypeMP4  = "video/mp4"
	TypeMOV  = "video/quicktime"
	TypeWebM = "video/webm"
	TypeMKV  = "video/x-matroska"
	Type3GP  = "video/3gpp"
	TypeAVI  = "video/x-msvideo"
	TypePDF  = "application/pdf"
	TypeDOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	TypePPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
	TypeXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	TypeDOC  = "application/msword"
	TypePPT  = "application/vnd.ms-powerpoint"
	TypeXLS  = "application/vnd.ms-excel"

	// TypeZipPending is a ZIP whose first entries did not show an Office
	// document: its central directory decides, at completion.
	TypeZipPending = "application/zip;pending"
	// TypeOLEPending is an OLE2 compound file whose stream names were not in
	// the first bytes: its first directory sector decides, at completion.
	TypeOLEPending = "application/x-ole-storage;pending"
)

// SniffBytes is how much of the start of a file Sniff wants to see.
const SniffBytes = 64 << 10

// Verdict is what sniffing decided about a file.
type Verdict struct {
	Kind        MediaKind
	ContentType string
}

// Pending reports whether the verdict waits for a look at the file's tail or
// directory (ResolveZip, ResolveOLE) before it is final.
func (v Verdict) Pending() bool {
	return v.ContentType == TypeZipPending || v.ContentType == TypeOLEPending
}

// KindOfType returns the media kind of a decided content type.
func KindOfType(ct string) MediaKind {
	switch {
	case strings.HasPrefix(ct, "image/"):
		return MediaImage
	case strings.HasPrefix(ct, "video/"):
		return MediaVideo
	}
	return MediaDocument
}

func unsupported(what string) error {
	return Errorf(KindUnsupportedMedia, "%s: upload photos (JPEG, PNG, GIF, WebP, HEIC), videos (MP4, MOV, WebM) or documents (PDF, Word, PowerPoint, Excel)", what)
}

// Sniff decides a file's type from its first bytes (at least SniffBytes of
// them when the file is that long). The name and the type a browser claims
// never decide. Anything that is not an allowed photo, video or document is
// an unsupported_media error.
func Sniff(head []byte) (Verdict, error) {
	h := head
	switch {
	case len(h) < 12:
		if len(h) >= 5 && string(h[:5]) == "%PDF-" {
			return Verdict{MediaDocument, TypePDF}, nil
		}
		return Verdict{}, unsupported("the file is too short to be a photo, video or document")
	case h[0] == 0xFF && h[1] == 0xD8 && h[2] == 0xFF:
		return Verdict{MediaImage, TypeJPEG}, nil
	case bytes.HasPrefix(h, []byte("\x89PNG\r\n\x1a\n")):
		return Verdict{MediaImage, TypePNG}, nil
	case bytes.HasPrefix(h, []byte("GIF87a")), bytes.HasPrefix(h, []byte("GIF89a")):
		return Verdict{MediaImage, TypeGIF}, nil
	case string(h[:4]) == "RIFF" && string(h[8:12]) == "WEBP":
		return Verdict{MediaImage, TypeWebP}, nil
	case string(h[:4]) == "RIFF" && string(h[8:12]) == "AVI ":
		return Verdict{MediaVideo, TypeAVI}, nil
	case string(h[4:8]) == "ftyp":
		return sniffISOBMFF(h)
	case isQuickTimeAtom(h):
		return Verdict{MediaVideo, TypeMOV}, nil
	case bytes.HasPrefix(h, []byte{0x1A, 0x45, 0xDF, 0xA3}):
		return sniffEBML(h)
	case bytes.HasPrefix(h, []byte("%PDF-")):
		return Verdict{MediaDocument, TypePDF}, nil
	case bytes.HasPrefix(h, []byte("PK\x03\x04")):
		return sniffZipHead(h), nil
	case bytes.HasPrefix(h, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}):
		if ct := oleTypeIn(h); ct != "" {
			return Verdict{MediaDocument, ct}, nil
		}
		return Verdict{MediaDocument, TypeOLEPending}, nil
	}
	return Verdict{}, unsupported("the file's content is not an allowed type, whatever its name says")
}

// sniffISOBMFF reads the ftyp box: its major and compatible brands tell a
// HEIC/AVIF picture from an MP4, QuickTime or 3GP video.
func sniffISOBMFF(h []byte) (Verdict, error) {
	size := int(binary.BigEndian.Uint32(h[:4]))
	if size < 16 || size > len(h) {
		size = min(len(h), 256)
	}
	brands := []string{string(h[8:12])}
	for i := 16; i+4 <= size; i += 4 {
		brands = append(brands, string(h[i:i+4]))
	}
	has := func(set ...string) bool {
		for _, b := range brands {
			for _, s := range set {
				if b == s {
					return true
				}
			}
		}
		return false
	}
	major := brands[0]
	switch {
	case major == "avif" || major == "avis":
		return Verdict{MediaImage, TypeAVIF}, nil
	case major == "heic" || major == "heix" || major == "heim" || major == "heis" || major == "hevc" || major == "hevx":
		return Verdict{MediaImage, TypeHEIC}, nil
	case major == "mif1" || major == "msf1":
		if has("avif", "avis") {
			return Verdict{MediaImage, TypeAVIF}, nil
		}
		if has("heic", "heix", "hevc", "hevx") {
			return Verdict{MediaImage, TypeHEIC}, nil
		}
		return Verdict{MediaImage, TypeHEIF}, nil
	case major == "M4A " || major == "M4B " || major == "M4P " || major == "F4A " || major == "F4B ":
		return Verdict{}, unsupported("the file is audio only")
	case major == "qt  ":
		return Verdict{MediaVideo, TypeMOV}, nil
	case strings.HasPrefix(major, "3gp") || strings.HasPrefix(major, "3g2"):
		return Verdict{MediaVideo, Type3GP}, nil
	case has("isom", "iso2", "iso3", "iso4", "iso5", "iso6", "mp41", "mp42", "avc1", "M4V ", "M4VH", "M4VP", "dash", "MSNV", "f4v ", "mmp4"):
		return Verdict{MediaVideo, TypeMP4}, nil
	case has("qt  "):
		return Verdict{MediaVideo, TypeMOV}, nil
	}
	return Verdict{}, unsupported(fmt.Sprintf("the file is an ISO media file of brand %q, not an allowed photo or video", strings.TrimSpace(major)))
}

// isQuickTimeAtom recognises an old QuickTime file that starts with a
// movie, data or padding atom instead of ftyp.
func isQuickTimeAtom(h []byte) bool {
	size := binary.BigEndian.Uint32(h[:4])
	switch string(h[4:8]) {
	case "moov", "mdat", "wide", "free", "skip", "pnot":
		return size == 0 || size == 1 || size >= 8
	}
	return false
}

// sniffEBML tells WebM from other Matroska files by the DocType element.
func sniffEBML(h []byte) (Verdict, error) {
	head := h[:min(len(h), 4096)]
	switch {
	case bytes.Contains(head, []byte("webm")):
		return Verdict{MediaVideo, TypeWebM}, nil
	case bytes.Contains(head, []byte("matroska")):
		return Verdict{MediaVideo, TypeMKV}, nil
	}
	return Verdict{}, unsupported("the file is an EBML file that is neither WebM nor Matroska")
}

// officeType names the Office Open XML type of a ZIP entry path, or "".
func officeType(name string) string {
	switch {
	case strings.HasPrefix(name, "word/"):
		return TypeDOCX
	case strings.HasPrefix(name, "ppt/"):
		return TypePPTX
	case strings.HasPrefix(name, "xl/"):
		return TypeXLSX
	}
	return ""
}

// sniffZipHead walks the local file headers found in the first bytes of a
// ZIP. Office files start with [Content_Types].xml and _rels/, then their
// word/, ppt/ or xl/ parts; a ZIP whose head shows none of them waits for
// its central directory (ResolveZip).
func sniffZipHead(h []byte) Verdict {
	for i := 0; i+30 <= len(h); {
		j := bytes.Index(h[i:], []byte("PK\x03\x04"))
		if j < 0 {
			break
		}
		p := i + j
		if p+30 > len(h) {
			break
		}
		n := int(binary.LittleEndian.Uint16(h[p+26:]))
		if p+30+n <= len(h) {
			if ct := officeType(string(h[p+30 : p+30+n])); ct != "" {
				return Verdict{MediaDocument, ct}
			}
		}
		i = p + 4
	}
	return Verdict{MediaDocument, TypeZipPending}
}

// ZipTailBytes is how much of a ZIP's end ResolveZip asks for first: the
// end-of-central-directory record, its comment and usually the whole
// directory.
const ZipTailBytes = 256 << 10

// maxZipDirectory bounds the central directory read at completion.
const maxZipDirectory = 8 << 20

// ZipDirectory finds the central directory of a ZIP of size bytes from its
// tail (the last len(tail) bytes). It returns the byte range of the
// directory; when that lies inside the tail, dir is that slice already.
func ZipDirectory(tail []byte, size int64) (start, end int64, dir []byte, err error) {
	bad := unsupported("the ZIP file is damaged or is not a Word, PowerPoint or Excel document")
	tailStart := size - int64(len(tail))
	i := bytes.LastIndex(tail, []byte("PK\x05\x06"))
	if i < 0 || i+22 > len(tail) {
		return 0, 0, nil, bad
	}
	rec := tail[i:]
	cdSize := int64(binary.LittleEndian.Uint32(rec[12:]))
	cdOffset := int64(binary.LittleEndian.Uint32(rec[16:]))
	if cdSize == 0xFFFFFFFF || cdOffset == 0xFFFFFFFF || cdSize > maxZipDirectory || cdOffset+cdSize > tailStart+int64(i) {
		return 0, 0, nil, bad
	}
	start, end = cdOffset, cdOffset+cdSize
	if start >= tailStart {
		dir = tail[start-tailStart : end-tailStart]
	}
	return start, end, dir, nil
}

// ResolveZip decides a pending ZIP from its central directory: an Office
// document, or unsupported (a plain ZIP archive is not accepted).
func ResolveZip(dir []byte) (Verdict, error) {
	for i := 0; i+46 <= len(dir); {
		if string(dir[i:i+4]) != "PK\x01\x02" {
			break
		}
		n := int(binary.LittleEndian.Uint16(dir[i+28:]))
		m := int(binary.LittleEndian.Uint16(dir[i+30:]))
		k := int(binary.LittleEndian.Uint16(dir[i+32:]))
		if i+46+n > len(dir) {
			break
		}
		if ct := officeType(string(dir[i+46 : i+46+n])); ct != "" {
			return Verdict{MediaDocument, ct}, nil
		}
		i += 46 + n + m + k
	}
	return Verdict{}, unsupported("the ZIP file is not a Word, PowerPoint or Excel document")
}

// oleStreams maps the stream that marks a legacy Office file to its type.
var oleStreams = []struct{ name, ct string }{
	{"WordDocument", TypeDOC},
	{"PowerPoint Document", TypePPT},
	{"Workbook", TypeXLS},
	{"Book", TypeXLS},
}

// oleTypeIn looks for the UTF-16 name of a legacy Office stream as a
// directory entry (128-byte aligned entries, the name first, then its
// length in bytes at offset 64).
func oleTypeIn(b []byte) string {
	for _, s := range oleStreams {
		name := utf16le(s.name)
		for i := 0; ; {
			j := bytes.Index(b[i:], name)
			if j < 0 {
				break
			}
			p := i + j
			if p%128 == 0 && p+66 <= len(b) && int(binary.LittleEndian.Uint16(b[p+64:])) == len(name)+2 {
				return s.ct
			}
			i = p + 1
		}
	}
	return ""
}

func utf16le(s string) []byte {
	var out []byte
	for _, u := range utf16.Encode([]rune(s)) {
		out = append(out, byte(u), byte(u>>8))
	}
	return out
}

// OLEDirectory returns where the first directory sector of an OLE2
// compound file lies, from its 512-byte header.
func OLEDirectory(head []byte) (start, end int64, err error) {
	if len(head) < 512 {
		return 0, 0, unsupported("the file is not a Word, PowerPoint or Excel document")
	}
	shift := binary.LittleEndian.Uint16(head[30:])
	if shift != 9 && shift != 12 {
		return 0, 0, unsupported("the compound file is damaged")
	}
	sector := int64(1) << shift
	first := int64(binary.LittleEndian.Uint32(head[48:]))
	if first >= 0xFFFFFFFA {
		return 0, 0, unsupported("the compound file is damaged")
	}
	start = (first + 1) * sector
	return start, start + sector, nil
}

// ResolveOLE decides a pending OLE2 file from its first directory sector.
func ResolveOLE(sector []byte) (Verdict, error) {
	if ct := oleTypeIn(sector); ct != "" {
		return Verdict{MediaDocument, ct}, nil
	}
	return Verdict{}, unsupported("the compound file is not a Word, PowerPoint or Excel document")
}

// Processing is where a medium's background processing stands.
type Processing string

// The processing states. Documents need none; photos get a thumbnail;
// videos a poster frame and, when browsers cannot play the original, an
// H.264 MP4.
const (
	ProcessingNone    Processing = "none"
	ProcessingPending Processing = "pending"
	ProcessingRunning Processing = "running"
	ProcessingDone    Processing = "done"
	ProcessingFailed  Processing = "failed"
)

// Media is one stored file of a project.
type Media struct {
	ID          int64
	ProjectID   int64
	Kind        MediaKind
	Filename    string
	ContentType string
	Size        int64
	ObjectKey   string
	ThumbKey    string
	PosterKey   string
	PlaybackKey string
	Processing  Processing
	Progress    int
	// ProcessError says why processing failed; the original is kept.
	ProcessError string
	// Clean is where the copy without metadata stands; CleanKey names it
	// once it is done. Blind rounds offer only that copy.
	Clean     CleanState
	CleanKey  string
	CreatedBy *int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// CleanState is where a medium's clean copy stands: the copy without the
// metadata that can name its unit (Exif, XMP, document properties…), which
// is all that experts get in a blind round.
type CleanState string

// The clean copy's states.
const (
	CleanPending     CleanState = "pending"
	CleanRunning     CleanState = "running"
	CleanDone        CleanState = "done"
	CleanUnavailable CleanState = "unavailable"
)

// CleanType is the content type of a medium's clean copy: HEIC, HEIF and
// AVIF photos become JPEG, videos MP4; the rest keep their type.
func CleanType(m Media) string {
	switch {
	case m.ContentType == TypeHEIC || m.ContentType == TypeHEIF || m.ContentType == TypeAVIF:
		return TypeJPEG
	case m.Kind == MediaVideo:
		return TypeMP4
	}
	return m.ContentType
}

// Keys lists every object of the medium: the original and its derivatives.
func (m Media) Keys() []string {
	keys := []string{m.ObjectKey}
	for _, k := range []string{m.ThumbKey, m.PosterKey, m.PlaybackKey, m.CleanKey} {
		if k != "" {
			keys = append(keys, k)
		}
	}
	return keys
}

// UploadMode is how a browser sends an upload's parts.
type UploadMode string

// The upload modes: through the server, or straight to MinIO with
// presigned part URLs (the server still accepts any part through itself).
const (
	UploadProxy  UploadMode = "proxy"
	UploadDirect UploadMode = "direct"
)

// ChunkSize is the size of every part but the last.
const ChunkSize int64 = 8 << 20

// UploadLifetime is how long an unfinished upload is kept.
const UploadLifetime = 24 * time.Hour

// MaxFilenameRunes bounds a stored file name.
const MaxFilenameRunes = 200

// Upload is a resumable upload in progress.
type Upload struct {
	ID        string
	ProjectID int64
	// Kind is the claimed kind until part 1 is sniffed, then the real one.
	Kind     MediaKind
	Filename string
	// ContentType is the sniffed type, empty until part 1 has arrived.
	ContentType   string
	Size          int64
	ChunkSize     int64
	ObjectKey     string
	StoreUploadID string
	Mode          UploadMode
	CreatedBy     *int64
	CreatedAt     time.Time
	ExpiresAt     time.Time
	// Received are the part numbers stored so far, ascending.
	Received []int
}

// Parts is the number of parts of the upload.
func (u Upload) Parts() int { return PartCount(u.Size, u.ChunkSize) }

// PartCount is how many parts of chunk bytes a file of size bytes takes.
func PartCount(size, chunk int64) int {
	if size <= 0 || chunk <= 0 {
		return 0
	}
	return int((size + chunk - 1) / chunk)
}

// PartSize is the exact size of part n (1-based), or an invalid error for a
// part number out of range.
func (u Upload) PartSize(n int) (int64, error) {
	parts := u.Parts()
	if n < 1 || n > parts {
		return 0, Invalid("no such part", map[string]string{"part": fmt.Sprintf("a part number from 1 to %d", parts)})
	}
	if n < parts {
		return u.ChunkSize, nil
	}
	return u.Size - int64(parts-1)*u.ChunkSize, nil
}

// UploadPart is one stored part.
type UploadPart struct {
	Number int
	Size   int64
	ETag   string
	// MD5 is the part's MD5, hex.
	MD5 string
}

// NewUploadInput is what a browser says about a file before sending it.
type NewUploadInput struct {
	Filename    string
	Size        int64
	ContentType string
	// Mode asks for proxy uploads even where direct ones are possible.
	Mode UploadMode
	// Purpose is "follow" for evidence of a funded project's progress;
	// empty for the application's materials.
	Purpose string
}

// Validate checks the claim and the size against the claimed kind's limit.
func (in NewUploadInput) Validate() (MediaKind, error) {
	f := map[string]string{}
	name := strings.TrimSpace(in.Filename)
	switch {
	case name == "":
		f["filename"] = "required"
	case !utf8.ValidString(name):
		f["filename"] = "not valid UTF-8"
	case utf8.RuneCountInString(name) > MaxFilenameRunes:
		f["filename"] = fmt.Sprintf("at most %d characters", MaxFilenameRunes)
	}
	if in.Mode != "" && in.Mode != UploadProxy && in.Mode != UploadDirect {
		f["mode"] = "proxy or direct"
	}
	if len(in.ContentType) > 255 {
		f["content_type"] = "at most 255 characters"
	}
	if len(f) > 0 {
		return "", Invalid("the upload is not valid", f)
	}
	kind := ClaimedKind(in.ContentType, name)
	if err := kind.CheckSize(in.Size); err != nil {
		return "", err
	}
	return kind, nil
}

// CleanFilename keeps a file name as typed but without paths, control and
// formatting characters (such as the right-to-left override that disguises
// extensions).
func CleanFilename(name string) string {
	name = strings.ToValidUTF8(name, "_")
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	var b strings.Builder
	for _, r := range name {
		if r < 0x20 || r == 0x7f || (r >= 0x200b && r <= 0x200f) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) || r == 0xfeff {
			continue
		}
		b.WriteRune(r)
	}
	out := strings.TrimSpace(b.String())
	if out == "" || out == "." || out == ".." {
		return "file"
	}
	return out
}

// PresignedPart is a signed request a browser makes itself to send one
// part straight to the object store.
type PresignedPart struct {
	Method string
	URL    string
	// Headers must be sent exactly as given (they are signed).
	Headers   map[string]string
	ExpiresAt time.Time
}

// MediaLinks are the expiring links to a medium's objects; empty when the
// object does not exist (yet).
type MediaLinks struct {
	// URL shows the original in place when that is safe (photos, video,
	// PDF), else downloads it.
	URL string
	// DownloadURL always downloads the original.
	DownloadURL string
	ThumbURL    string
	PosterURL   string
	// PlaybackURL is the video browsers play: the H.264 MP4 when one was
	// made, else the original.
	PlaybackURL string
	ExpiresAt   time.Time
	// Withheld says why URL, DownloadURL and PlaybackURL are empty in a
	// blind round: WithheldProcessing while the clean copy is being made,
	// WithheldUnavailable when none can be made. Empty otherwise.
	Withheld string
}

// Why a blind round's links to a file are withheld.
const (
	WithheldProcessing  = "processing"
	WithheldUnavailable = "unavailable"
)
