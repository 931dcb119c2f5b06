package server

import (
	"bytes"
	"errors"
	"html"
	"io/fs"
	"mime"
	"path"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"leitai/models"
)

const notBuiltPage = `<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>Leitai 擂台</title>
<body style="font-family:sans-serif;max-width:40em;margin:4em auto">
<h1>网页界面尚未构建 · The web interface is not built</h1>
<p>运行 <code>make run</code>（或 <code>make build</code>）以构建前端并嵌入到程序中。</p>
<p>Run <code>make run</code> (or <code>make build</code>) to build the frontend into the binary.</p>
<p>The API is available under <code>/api/v1/</code>.</p></body></html>`

// spa serves the embedded frontend: real files as they are (hashed assets
// cached for a year), and index.html for every other path so that deep links
// work. Missing assets are a plain 404.
func (s *handlers) spa() fiber.Handler {
	files := s.deps.Frontend
	return func(c *fiber.Ctx) error {
		if files == nil {
			return c.Status(fiber.StatusServiceUnavailable).Type("html").SendString(notBuiltPage)
		}
		name := strings.TrimPrefix(path.Clean("/"+c.Params("*")), "/")
		if name != "" && name != "index.html" {
			body, err := fs.ReadFile(files, name)
			if err == nil {
				if strings.HasPrefix(name, "assets/") {
					c.Set(fiber.HeaderCacheControl, "public, max-age=31536000, immutable")
				} else {
					c.Set(fiber.HeaderCacheControl, "no-cache")
				}
				if ct := mime.TypeByExtension(path.Ext(name)); ct != "" {
					c.Set(fiber.HeaderContentType, ct)
				}
				return c.Send(body)
			}
			if !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, fs.ErrInvalid) && !isDirErr(err) {
				return err
			}
			if strings.HasPrefix(name, "assets/") || path.Ext(name) == ".js" || path.Ext(name) == ".css" {
				return models.Errorf(models.KindNotFound, "no file %s", name)
			}
		}
		index, err := fs.ReadFile(files, "index.html")
		if err != nil {
			return c.Status(fiber.StatusServiceUnavailable).Type("html").SendString(notBuiltPage)
		}
		c.Set(fiber.HeaderCacheControl, "no-cache")
		return c.Type("html").Send(withTimeZone(index, s.deps.Config.Location))
	}
}

// isDirErr reports whether reading failed because the name is a directory.
func isDirErr(err error) bool {
	var pe *fs.PathError
	return errors.As(err, &pe) && strings.Contains(pe.Err.Error(), "directory")
}

// timeZoneMeta is where index.html is told the server's time zone
// (LEITAI_TIMEZONE): the browser shows every time, and reads every time an
// organiser types, in that zone (src/time.ts reads the tag).
const timeZoneMeta = `<meta name="leitai-timezone" content="`

// withTimeZone adds the time zone's meta tag to the page's head.
func withTimeZone(index []byte, loc *time.Location) []byte {
	if loc == nil || loc.String() == "" || loc.String() == "Local" {
		return index
	}
	head := bytes.Index(index, []byte("<head>"))
	if head < 0 {
		return index
	}
	at := head + len("<head>")
	tag := timeZoneMeta + html.EscapeString(loc.String()) + `" />`
	out := make([]byte, 0, len(index)+len(tag))
	out = append(out, index[:at]...)
	out = append(out, tag...)
	return append(out, index[at:]...)
}
