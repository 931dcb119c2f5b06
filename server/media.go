package server

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"

	"leitai/models"
)

// MediaLibrary is what the media handlers call: a project's media and
// the expiring links to their objects. Every method checks the project's
// scope for the user (not_found outside it); changes need a project the
// user may still change. Uploads (uploads.go) and an expert's view of the
// media (review.go) have their own interfaces.
type MediaLibrary interface {
	ListMedia(ctx context.Context, user models.User, projectID int64) ([]models.Media, error)
	MediaByID(ctx context.Context, user models.User, id int64) (models.Media, error)
	DeleteMedia(ctx context.Context, actor models.Actor, user models.User, id int64) error
	MediaLinks(ctx context.Context, m models.Media) (models.MediaLinks, error)
}

// mediaJSON is a medium as the API shows it.
type mediaJSON struct {
	ID          int64             `json:"id"`
	ProjectID   int64             `json:"project_id"`
	Kind        models.MediaKind  `json:"kind"`
	Filename    string            `json:"filename"`
	ContentType string            `json:"content_type"`
	Size        int64             `json:"size"`
	Processing  models.Processing `json:"processing"`
	Progress    int               `json:"progress"`
	Error       string            `json:"error"`
	URL         string            `json:"url"`
	DownloadURL string            `json:"download_url"`
	ThumbURL    string            `json:"thumb_url"`
	PosterURL   string            `json:"poster_url"`
	PlaybackURL string            `json:"playback_url"`
	LinksExpire time.Time         `json:"links_expire_at"`
	CreatedAt   time.Time         `json:"created_at"`
	// Withheld (blind rounds only): "processing" while the copy without
	// metadata is being made, "unavailable" when none can be made; the
	// links to the file are empty then and Notice says why.
	Withheld string `json:"withheld,omitempty"`
	Notice   string `json:"notice,omitempty"`
}

// withheldNotices explain a blind round's withheld file.
var withheldNotices = map[string]string{
	models.WithheldProcessing: "A copy of this file without its metadata (author, company, camera, location) is being made " +
		"for this blind round; the file can be opened when it is ready.",
	models.WithheldUnavailable: "This file cannot be stripped of its metadata (author, company, camera, location), " +
		"so it is not offered in a blind round; the organisers can see it.",
}

func (s *handlers) mediaJSON(c *fiber.Ctx, m models.Media) (mediaJSON, error) {
	links, err := s.deps.Media.MediaLinks(c.UserContext(), m)
	if err != nil {
		return mediaJSON{}, err
	}
	return mediaOut(m, links), nil
}

// mediaOut is the JSON of a medium with its links.
func mediaOut(m models.Media, links models.MediaLinks) mediaJSON {
	return mediaJSON{Withheld: links.Withheld, Notice: withheldNotices[links.Withheld], ID: m.ID, ProjectID: m.ProjectID, Kind: m.Kind, Filename: m.Filename, ContentType: m.ContentType,
		Size: m.Size, Processing: m.Processing, Progress: m.Progress, Error: m.ProcessError, URL: links.URL,
		DownloadURL: links.DownloadURL, ThumbURL: links.ThumbURL, PosterURL: links.PosterURL,
		PlaybackURL: links.PlaybackURL, LinksExpire: links.ExpiresAt, CreatedAt: m.CreatedAt}
}

// media returns the media library or a 503 when the server runs without one.
func (s *handlers) media() (MediaLibrary, error) {
	if s.deps.Media == nil {
		return nil, errNoMedia()
	}
	return s.deps.Media, nil
}

// errNoMedia is the 503 of a server that runs without media.
func errNoMedia() error {
	return models.Errorf(models.KindUnavailable, "media are not available on this server")
}

func (s *handlers) listMedia(c *fiber.Ctx) error {
	lib, err := s.media()
	if err != nil {
		return err
	}
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	sess, _ := sessionOf(c)
	list, err := lib.ListMedia(c.UserContext(), sess.User, id)
	if err != nil {
		return err
	}
	out := make([]mediaJSON, len(list))
	for i, m := range list {
		if out[i], err = s.mediaJSON(c, m); err != nil {
			return err
		}
	}
	return c.JSON(fiber.Map{"media": out})
}

func (s *handlers) getMedia(c *fiber.Ctx) error {
	lib, err := s.media()
	if err != nil {
		return err
	}
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	sess, _ := sessionOf(c)
	m, err := lib.MediaByID(c.UserContext(), sess.User, id)
	if err != nil {
		return err
	}
	out, err := s.mediaJSON(c, m)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

func (s *handlers) deleteMedia(c *fiber.Ctx) error {
	lib, err := s.media()
	if err != nil {
		return err
	}
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	sess, _ := sessionOf(c)
	if err := lib.DeleteMedia(c.UserContext(), actorOf(c), sess.User, id); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}
