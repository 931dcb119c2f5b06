package models

import "time"

// ObjectInfo describes a stored object (a media file, a thumbnail, a backup part).
type ObjectInfo struct {
	Key         string
	Size        int64
	ContentType string
	ETag        string
	ModTime     time.Time
}

// ByteRange selects bytes Start through End of an object, both inclusive.
// End < 0 means "to the end of the object".
type ByteRange struct {
	Start int64
	End   int64
}

// LinkOptions shapes a time-limited download link.
type LinkOptions struct {
	// Expiry is how long the link stays valid.
	Expiry time.Duration
	// Filename is offered to the browser in Content-Disposition.
	Filename string
	// ContentType is the type the response declares.
	ContentType string
	// Inline lets the browser display the object in place. Callers set it
	// only for safe types (images, video, PDF); HTML and SVG are always
	// served as attachments.
	Inline bool
}
