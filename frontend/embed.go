//go:build !no_ui

package frontend

import (
	"embed"
	"io/fs"
)

// dist is the Vite build output. `all:` includes dot files, which is what lets the tracked
// dist/.gitkeep alone satisfy the pattern before the frontend has been built (see doc.go).
//
//go:embed all:dist
var dist embed.FS

// Dist returns the built app as a file system rooted at dist/ (index.html, assets/…). Before the
// frontend is built it holds only the .gitkeep placeholder; check Built.
func Dist() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		// fs.Sub fails only for an invalid path, and "dist" is a constant valid one.
		panic("frontend: " + err.Error())
	}
	return sub
}

// Built reports whether the binary embeds a built app, that is, whether dist/index.html was there
// at compile time.
func Built() bool {
	_, err := fs.Stat(dist, "dist/index.html")
	return err == nil
}
