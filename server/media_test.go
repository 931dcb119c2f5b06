package server

import (
	"context"
	"testing"
	"time"

	"leitai/models"
)

// linksOf are the links the fakes make: the object's name under /o/ (and
// /clean/ for a blind round's copy).
func linksOf(m models.Media) (models.MediaLinks, error) {
	return models.MediaLinks{URL: "/o/" + m.ObjectKey, DownloadURL: "/o/" + m.ObjectKey + "?dl", ExpiresAt: time.Date(2026, 4, 5, 6, 0, 0, 0, time.UTC)}, nil
}

// fakeMedia is a MediaLibrary whose methods the test sets; its links are
// linksOf.
type fakeMedia struct {
	list   func(u models.User, projectID int64) ([]models.Media, error)
	byID   func(u models.User, id int64) (models.Media, error)
	remove func(a models.Actor, u models.User, id int64) error
}

func (f *fakeMedia) ListMedia(_ context.Context, u models.User, pid int64) ([]models.Media, error) {
	if f.list == nil {
		return nil, errUnexpected
	}
	return f.list(u, pid)
}
func (f *fakeMedia) MediaByID(_ context.Context, u models.User, id int64) (models.Media, error) {
	if f.byID == nil {
		return models.Media{}, errUnexpected
	}
	return f.byID(u, id)
}
func (f *fakeMedia) DeleteMedia(_ context.Context, a models.Actor, u models.User, id int64) error {
	if f.remove == nil {
		return errUnexpected
	}
	return f.remove(a, u, id)
}
func (f *fakeMedia) MediaLinks(_ context.Context, m models.Media) (models.MediaLinks, error) {
	return linksOf(m)
}

// photo is a medium of project 5.
func photo(id int64) models.Media {
	return models.Media{ID: id, ProjectID: 5, Kind: models.MediaImage, Filename: "惠城区现场.jpg", ContentType: "image/jpeg", Size: 1234,
		ObjectKey: "p/5/photo.jpg", Processing: models.ProcessingDone}
}

func TestMediaHandlers(t *testing.T) {
	lib := &fakeMedia{
		list: func(u models.User, pid int64) ([]models.Media, error) {
			if err := failByID(pid); err != nil {
				return nil, err
			}
			return []models.Media{photo(1)}, nil
		},
		byID: func(u models.User, id int64) (models.Media, error) {
			return photo(id), failByID(id)
		},
		remove: func(a models.Actor, u models.User, id int64) error {
			if u.ID != *a.UserID {
				return errUnexpected
			}
			return failByID(id)
		},
	}
	runCases(t, Deps{Media: lib}, []apiCase{
		get("media are for units and admins", "/api/v1/projects/5/media", "expert", 403),
		get("a project's media with their links", "/api/v1/projects/5/media", "unit", 200, `"filename":"惠城区现场.jpg"`, `"url":"/o/p/5/photo.jpg"`, `"links_expire_at":"2026-04-05T06:00:00Z"`),
		get("another unit's project is not found", "/api/v1/projects/404/media", "unit", 404),
		get("one medium", "/api/v1/media/2", "admin", 200, `"id":2`, `"download_url":"/o/p/5/photo.jpg?dl"`),
		get("a missing medium", "/api/v1/media/404", "admin", 404),
		send("delete", "DELETE", "/api/v1/media/2", "unit", "", 204),
		send("delete after the deadline", "DELETE", "/api/v1/media/409", "unit", "", 409),
		send("delete without the CSRF token", "DELETE", "/api/v1/media/2", "", "", 401),
	})
	runCases(t, Deps{}, []apiCase{
		get("no media on this server", "/api/v1/projects/5/media", "unit", 503, "media are not available"),
	})
}
