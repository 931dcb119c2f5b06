//go:build no_ui

package frontend

import (
	"embed"
	"io/fs"
)

// empty is a file system with no files: the zero embed.FS.
var empty embed.FS

// Dist returns an empty file system: this binary was built with the no_ui tag.
func Dist() fs.FS { return empty }

// Built reports false: a no_ui binary embeds no app.
func Built() bool { return false }
