// Package scrub removes the metadata that can name who made a file —
// camera owners, GPS positions, document authors, companies — from photos
// and documents, for the blind review rounds. Each function keeps the
// content as it is (no re-encoding) and returns ErrUnsupported, wrapped,
// for input it cannot read or cannot make clean; it never panics on any
// input (each has a fuzz target).
package scrub

import (
	"errors"
	"fmt"
)

// ErrUnsupported is returned, wrapped with the reason, when a file cannot
// be made clean: it is malformed, or uses a feature the function cannot
// strip safely. The caller must then not offer the file where it needed a
// clean copy.
var ErrUnsupported = errors.New("no clean copy can be made")

func unsupported(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrUnsupported, fmt.Sprintf(format, args...))
}
