// Package frontend holds the Leitai web app (a Vue 3 + TypeScript + Vite project beside this file)
// and hands its production build to the server as a file system.
//
// The app is built with `npm ci && npm run build` in this folder, which writes dist/. The Go
// side embeds whatever dist/ holds at compile time:
//
//   - Default build: embed.go embeds `all:dist`. An embed pattern that matches nothing is a compile
//     error, so the repository tracks the placeholder dist/.gitkeep (frontend/.gitignore ignores the
//     rest of dist/, and vite.config.ts writes the placeholder back after each build, since Vite
//     empties dist/ first). `go build` and `go vet` therefore work on a fresh clone before any
//     frontend build; the binary then serves no app, and Built reports false.
//   - `-tags no_ui`: embed_noui.go embeds nothing, for API-only builds and quick Go-only work.
package frontend
