package models

import (
	"fmt"
	"path"
	"strings"
	"time"
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
	if in.Purpose != "" && in.Purpose != "application" && in.Purpose != "follow" {
		f["purpose"] = "application or follow"
	}
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
