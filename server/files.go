package server

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"leitai/models"
)

// SignedFiles serves the filesystem store's signed download links. It is
// nil when media live in MinIO, whose presigned links go straight to MinIO.
type SignedFiles interface {
	VerifyLink(key string, q url.Values, now time.Time) (contentType, disposition string, err error)
	Stat(ctx context.Context, key string) (models.ObjectInfo, error)
	Get(ctx context.Context, key string, rng *models.ByteRange) (io.ReadCloser, models.ObjectInfo, error)
}

// signedFile serves an object of the filesystem store behind an HMAC-signed,
// expiring link, with single byte ranges so video can seek.
func (s *handlers) signedFile(c *fiber.Ctx) error {
	if s.deps.Files == nil {
		return models.Errorf(models.KindNotFound, "media are served by object storage, not by this server")
	}
	key := c.Params("*")
	q := c.Request().URI().QueryArgs()
	values := map[string][]string{}
	q.VisitAll(func(k, v []byte) { values[string(k)] = append(values[string(k)], string(v)) })
	contentType, disposition, err := s.deps.Files.VerifyLink(key, values, s.deps.Clock())
	if err != nil {
		return err
	}
	info, err := s.deps.Files.Stat(c.UserContext(), key)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, contentType)
	c.Set(fiber.HeaderContentDisposition, disposition)
	c.Set(fiber.HeaderAcceptRanges, "bytes")
	c.Set(fiber.HeaderCacheControl, "private, max-age=300")
	if info.ETag != "" {
		c.Set(fiber.HeaderETag, `"`+info.ETag+`"`)
	}
	var rng *models.ByteRange
	status := fiber.StatusOK
	if h := c.Get(fiber.HeaderRange); h != "" {
		r, err := parseRange(h, info.Size)
		if err != nil {
			c.Set(fiber.HeaderContentRange, fmt.Sprintf("bytes */%d", info.Size))
			return c.Status(fiber.StatusRequestedRangeNotSatisfiable).JSON(errorBody{Error: errorDetail{Code: models.KindInvalid, Message: err.Error()}})
		}
		rng = &r
		status = fiber.StatusPartialContent
		c.Set(fiber.HeaderContentRange, fmt.Sprintf("bytes %d-%d/%d", r.Start, r.End, info.Size))
	}
	if c.Method() == fiber.MethodHead {
		length := info.Size
		if rng != nil {
			length = rng.End - rng.Start + 1
		}
		c.Set(fiber.HeaderContentLength, strconv.FormatInt(length, 10))
		return c.SendStatus(status)
	}
	body, info2, err := s.deps.Files.Get(c.UserContext(), key, rng)
	if err != nil {
		return err
	}
	length := info2.Size
	if rng != nil {
		length = rng.End - rng.Start + 1
	}
	c.Status(status)
	// fasthttp closes the body once it has been sent.
	c.Context().SetBodyStream(body, int(length))
	return nil
}

// parseRange accepts one range of the forms "bytes=a-b", "bytes=a-" and
// "bytes=-n" against an object of the given size.
func parseRange(h string, size int64) (models.ByteRange, error) {
	spec, ok := strings.CutPrefix(h, "bytes=")
	if !ok || strings.Contains(spec, ",") {
		return models.ByteRange{}, fmt.Errorf("only a single byte range is supported")
	}
	first, last, ok := strings.Cut(strings.TrimSpace(spec), "-")
	if !ok {
		return models.ByteRange{}, fmt.Errorf("malformed range %q", h)
	}
	var r models.ByteRange
	switch {
	case first == "":
		n, err := strconv.ParseInt(last, 10, 64)
		if err != nil || n <= 0 {
			return r, fmt.Errorf("malformed range %q", h)
		}
		r = models.ByteRange{Start: max(size-n, 0), End: size - 1}
	default:
		a, err := strconv.ParseInt(first, 10, 64)
		if err != nil || a < 0 {
			return r, fmt.Errorf("malformed range %q", h)
		}
		b := size - 1
		if last != "" {
			if b, err = strconv.ParseInt(last, 10, 64); err != nil || b < a {
				return r, fmt.Errorf("malformed range %q", h)
			}
			b = min(b, size-1)
		}
		r = models.ByteRange{Start: a, End: b}
	}
	if size == 0 || r.Start >= size {
		return r, fmt.Errorf("range %q is outside the object's %d bytes", h, size)
	}
	return r, nil
}
