package server

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"io"
	"mime"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"leitai/models"
)

// Uploads is what the upload handlers call: resumable uploads in parts,
// through this server or straight to the object store, ending in a medium
// (whose links MediaLinks makes). Every method checks the project's scope
// for the user, as MediaLibrary's do.
type Uploads interface {
	CreateUpload(ctx context.Context, actor models.Actor, user models.User, projectID int64, in models.NewUploadInput) (models.Upload, error)
	ListUploads(ctx context.Context, user models.User, projectID int64) ([]models.Upload, error)
	Upload(ctx context.Context, user models.User, id string) (models.Upload, error)
	PutPart(ctx context.Context, user models.User, id string, n int, r io.Reader, size int64, md5sum []byte) (models.Upload, error)
	PresignPart(ctx context.Context, user models.User, id string, n int, md5sum []byte) (models.PresignedPart, error)
	PartDone(ctx context.Context, user models.User, id string, n int, etag string) (models.Upload, error)
	AbortUpload(ctx context.Context, user models.User, id string) error
	CompleteUpload(ctx context.Context, actor models.Actor, user models.User, id string) (models.Media, error)
	MediaLinks(ctx context.Context, m models.Media) (models.MediaLinks, error)
}

// uploads returns the uploads or a 503 when the server runs without media.
func (s *handlers) uploads() (Uploads, error) {
	if s.deps.Uploads == nil {
		return nil, errNoMedia()
	}
	return s.deps.Uploads, nil
}

// uploadJSON is a resumable upload as the API shows it.
type uploadJSON struct {
	UploadID  string           `json:"upload_id"`
	ProjectID int64            `json:"project_id"`
	Filename  string           `json:"filename"`
	Size      int64            `json:"size"`
	Kind      models.MediaKind `json:"kind"`
	// ContentType is the sniffed type, empty until part 1 has arrived.
	ContentType string            `json:"content_type"`
	ChunkSize   int64             `json:"chunk_size"`
	Parts       int               `json:"parts"`
	Mode        models.UploadMode `json:"mode"`
	Received    []int             `json:"received"`
	Complete    bool              `json:"complete"`
	ExpiresAt   time.Time         `json:"expires_at"`
	CreatedAt   time.Time         `json:"created_at"`
}

func toUploadJSON(u models.Upload) uploadJSON {
	received := u.Received
	if received == nil {
		received = []int{}
	}
	return uploadJSON{UploadID: u.ID, ProjectID: u.ProjectID, Filename: u.Filename, Size: u.Size, Kind: u.Kind,
		ContentType: u.ContentType, ChunkSize: u.ChunkSize, Parts: u.Parts(), Mode: u.Mode, Received: received,
		Complete: len(received) == u.Parts(), ExpiresAt: u.ExpiresAt, CreatedAt: u.CreatedAt}
}

// uploadID reads the :id of an upload route (32 lowercase hex digits).
func uploadID(c *fiber.Ctx) (string, error) {
	id := c.Params("id")
	if b, err := hex.DecodeString(id); err != nil || len(b) != 16 {
		return "", models.Errorf(models.KindNotFound, "no upload %q", id)
	}
	return id, nil
}

// partNumber reads the :n of a part route.
func partNumber(c *fiber.Ctx) (int, error) {
	n, err := strconv.Atoi(c.Params("n"))
	if err != nil || n < 1 {
		return 0, models.Invalid("bad part number", map[string]string{"part": "a part number from 1"})
	}
	return n, nil
}

type newUploadRequest struct {
	Filename    string            `json:"filename"`
	Size        int64             `json:"size"`
	ContentType string            `json:"content_type"`
	Mode        models.UploadMode `json:"mode"`
	// Purpose is "follow" for evidence of a funded project's progress.
	Purpose string `json:"purpose"`
}

func (s *handlers) createUpload(c *fiber.Ctx) error {
	lib, err := s.uploads()
	if err != nil {
		return err
	}
	projectID, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req newUploadRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	sess, _ := sessionOf(c)
	up, err := lib.CreateUpload(c.UserContext(), actorOf(c), sess.User, projectID, models.NewUploadInput{
		Filename: req.Filename, Size: req.Size, ContentType: req.ContentType, Mode: req.Mode, Purpose: req.Purpose})
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(toUploadJSON(up))
}

func (s *handlers) listUploads(c *fiber.Ctx) error {
	lib, err := s.uploads()
	if err != nil {
		return err
	}
	projectID, err := pathID(c, "id")
	if err != nil {
		return err
	}
	sess, _ := sessionOf(c)
	list, err := lib.ListUploads(c.UserContext(), sess.User, projectID)
	if err != nil {
		return err
	}
	out := make([]uploadJSON, len(list))
	for i, u := range list {
		out[i] = toUploadJSON(u)
	}
	return c.JSON(fiber.Map{"uploads": out})
}

func (s *handlers) getUpload(c *fiber.Ctx) error {
	lib, err := s.uploads()
	if err != nil {
		return err
	}
	id, err := uploadID(c)
	if err != nil {
		return err
	}
	sess, _ := sessionOf(c)
	up, err := lib.Upload(c.UserContext(), sess.User, id)
	if err != nil {
		return err
	}
	return c.JSON(toUploadJSON(up))
}

// putPart takes one chunk as the raw body with its Content-MD5. Fiber has
// read the body already (it is at most the chunk size, under BodyLimit).
func (s *handlers) putPart(c *fiber.Ctx) error {
	lib, err := s.uploads()
	if err != nil {
		return err
	}
	id, err := uploadID(c)
	if err != nil {
		return err
	}
	n, err := partNumber(c)
	if err != nil {
		return err
	}
	if ct := c.Get(fiber.HeaderContentType); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != fiber.MIMEOctetStream {
			return models.Invalid("send the chunk as the raw body", map[string]string{"Content-Type": "application/octet-stream"})
		}
	}
	sum, err := base64.StdEncoding.DecodeString(c.Get("Content-MD5"))
	if err != nil || len(sum) != 16 {
		return models.Invalid("the chunk's checksum is missing", map[string]string{"Content-MD5": "the base64 MD5 of the chunk"})
	}
	// Stream the chunk from the socket into the store: no per-request
	// buffer of the chunk's size. bodyLimits has checked Content-Length.
	size := int64(c.Request().Header.ContentLength())
	var body io.Reader = bytes.NewReader(c.Request().Body())
	if stream := c.Context().RequestBodyStream(); stream != nil {
		body = io.LimitReader(stream, size)
	} else {
		size = int64(len(c.Request().Body()))
	}
	sess, _ := sessionOf(c)
	up, err := lib.PutPart(c.UserContext(), sess.User, id, n, body, size, sum)
	if err != nil {
		return err
	}
	return c.JSON(toUploadJSON(up))
}

type presignRequest struct {
	MD5 string `json:"md5"`
}

func (s *handlers) presignPart(c *fiber.Ctx) error {
	lib, err := s.uploads()
	if err != nil {
		return err
	}
	id, err := uploadID(c)
	if err != nil {
		return err
	}
	n, err := partNumber(c)
	if err != nil {
		return err
	}
	var req presignRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	sum, err := base64.StdEncoding.DecodeString(req.MD5)
	if err != nil || len(sum) != 16 {
		return models.Invalid("bad checksum", map[string]string{"md5": "the base64 MD5 of the part (as in Content-MD5)"})
	}
	sess, _ := sessionOf(c)
	p, err := lib.PresignPart(c.UserContext(), sess.User, id, n, sum)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"method": p.Method, "url": p.URL, "headers": p.Headers, "expires_at": p.ExpiresAt})
}

type partDoneRequest struct {
	ETag string `json:"etag"`
}

func (s *handlers) partDone(c *fiber.Ctx) error {
	lib, err := s.uploads()
	if err != nil {
		return err
	}
	id, err := uploadID(c)
	if err != nil {
		return err
	}
	n, err := partNumber(c)
	if err != nil {
		return err
	}
	var req partDoneRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	sess, _ := sessionOf(c)
	up, err := lib.PartDone(c.UserContext(), sess.User, id, n, req.ETag)
	if err != nil {
		return err
	}
	return c.JSON(toUploadJSON(up))
}

func (s *handlers) completeUpload(c *fiber.Ctx) error {
	lib, err := s.uploads()
	if err != nil {
		return err
	}
	id, err := uploadID(c)
	if err != nil {
		return err
	}
	sess, _ := sessionOf(c)
	m, err := lib.CompleteUpload(c.UserContext(), actorOf(c), sess.User, id)
	if err != nil {
		return err
	}
	links, err := lib.MediaLinks(c.UserContext(), m)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(mediaOut(m, links))
}

func (s *handlers) abortUpload(c *fiber.Ctx) error {
	lib, err := s.uploads()
	if err != nil {
		return err
	}
	id, err := uploadID(c)
	if err != nil {
		return err
	}
	sess, _ := sessionOf(c)
	if err := lib.AbortUpload(c.UserContext(), sess.User, id); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}
