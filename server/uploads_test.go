package server

import (
	"context"
	"crypto/md5"
	"encoding/base64"
	"io"
	"testing"
	"time"

	"leitai/models"
)

// fakeUploads is an Uploads whose methods the test sets; its links are
// linksOf.
type fakeUploads struct {
	create   func(a models.Actor, u models.User, projectID int64, in models.NewUploadInput) (models.Upload, error)
	list     func(u models.User, projectID int64) ([]models.Upload, error)
	upload   func(u models.User, id string) (models.Upload, error)
	putPart  func(u models.User, id string, n int, body []byte, size int64, md5sum []byte) (models.Upload, error)
	presign  func(u models.User, id string, n int, md5sum []byte) (models.PresignedPart, error)
	partDone func(u models.User, id string, n int, etag string) (models.Upload, error)
	abort    func(u models.User, id string) error
	complete func(a models.Actor, u models.User, id string) (models.Media, error)
}

func (f *fakeUploads) CreateUpload(_ context.Context, a models.Actor, u models.User, pid int64, in models.NewUploadInput) (models.Upload, error) {
	if f.create == nil {
		return models.Upload{}, errUnexpected
	}
	return f.create(a, u, pid, in)
}
func (f *fakeUploads) ListUploads(_ context.Context, u models.User, pid int64) ([]models.Upload, error) {
	if f.list == nil {
		return nil, errUnexpected
	}
	return f.list(u, pid)
}
func (f *fakeUploads) Upload(_ context.Context, u models.User, id string) (models.Upload, error) {
	if f.upload == nil {
		return models.Upload{}, errUnexpected
	}
	return f.upload(u, id)
}
func (f *fakeUploads) PutPart(_ context.Context, u models.User, id string, n int, r io.Reader, size int64, sum []byte) (models.Upload, error) {
	if f.putPart == nil {
		return models.Upload{}, errUnexpected
	}
	body, err := io.ReadAll(r)
	if err != nil {
		return models.Upload{}, err
	}
	return f.putPart(u, id, n, body, size, sum)
}
func (f *fakeUploads) PresignPart(_ context.Context, u models.User, id string, n int, sum []byte) (models.PresignedPart, error) {
	if f.presign == nil {
		return models.PresignedPart{}, errUnexpected
	}
	return f.presign(u, id, n, sum)
}
func (f *fakeUploads) PartDone(_ context.Context, u models.User, id string, n int, etag string) (models.Upload, error) {
	if f.partDone == nil {
		return models.Upload{}, errUnexpected
	}
	return f.partDone(u, id, n, etag)
}
func (f *fakeUploads) AbortUpload(_ context.Context, u models.User, id string) error {
	if f.abort == nil {
		return errUnexpected
	}
	return f.abort(u, id)
}
func (f *fakeUploads) CompleteUpload(_ context.Context, a models.Actor, u models.User, id string) (models.Media, error) {
	if f.complete == nil {
		return models.Media{}, errUnexpected
	}
	return f.complete(a, u, id)
}
func (f *fakeUploads) MediaLinks(_ context.Context, m models.Media) (models.MediaLinks, error) {
	return linksOf(m)
}

const (
	upID      = "0123456789abcdef0123456789abcdef"
	upMissing = "ffffffffffffffffffffffffffffffff"
	upDone    = "dddddddddddddddddddddddddddddddd"
)

// upErr maps the test's upload ids to errors: upMissing is not found,
// upDone conflicts (the upload is complete).
func upErr(id string) error {
	switch id {
	case upMissing:
		return failByID(404)
	case upDone:
		return failByID(409)
	}
	return nil
}

func anUpload(id string, received ...int) models.Upload {
	return models.Upload{ID: id, ProjectID: 5, Kind: models.MediaImage, Filename: "a.jpg", Size: 2 * models.ChunkSize, ChunkSize: models.ChunkSize,
		Mode: models.UploadProxy, Received: received, CreatedAt: time.Date(2026, 4, 5, 6, 0, 0, 0, time.UTC)}
}

func TestUploadHandlers(t *testing.T) {
	chunk := []byte("the first chunk")
	sum := md5.Sum(chunk)
	sum64 := base64.StdEncoding.EncodeToString(sum[:])
	ups := &fakeUploads{
		create: func(_ models.Actor, _ models.User, pid int64, in models.NewUploadInput) (models.Upload, error) {
			if _, err := in.Validate(); err != nil {
				return models.Upload{}, err
			}
			return anUpload(upID), failByID(pid)
		},
		list: func(_ models.User, pid int64) ([]models.Upload, error) {
			return []models.Upload{anUpload(upID, 1)}, failByID(pid)
		},
		upload: func(_ models.User, id string) (models.Upload, error) { return anUpload(id, 1, 2), upErr(id) },
		putPart: func(_ models.User, id string, n int, body []byte, size int64, s []byte) (models.Upload, error) {
			if string(body) != string(chunk) || size != int64(len(chunk)) || string(s) != string(sum[:]) {
				return models.Upload{}, models.Invalid("the chunk arrived wrongly", map[string]string{"Content-MD5": "does not match"})
			}
			return anUpload(id, n), upErr(id)
		},
		presign: func(_ models.User, id string, n int, s []byte) (models.PresignedPart, error) {
			return models.PresignedPart{Method: "PUT", URL: "https://s3.example.cn/part?n=1", Headers: map[string]string{"Content-MD5": sum64}}, upErr(id)
		},
		partDone: func(_ models.User, id string, n int, etag string) (models.Upload, error) {
			if etag == "" {
				return models.Upload{}, models.Invalid("no etag", map[string]string{"etag": "required"})
			}
			return anUpload(id, n), upErr(id)
		},
		abort: func(_ models.User, id string) error { return upErr(id) },
		complete: func(_ models.Actor, _ models.User, id string) (models.Media, error) {
			if id == upDone {
				return models.Media{}, models.Errorf(models.KindConflict, "parts are missing")
			}
			return photo(3), upErr(id)
		},
	}
	part := func(name, id, ctype, md5 string, status int, want ...string) apiCase {
		h := map[string]string{}
		if md5 != "" {
			h["Content-MD5"] = md5
		}
		return apiCase{name: name, method: "PUT", path: "/api/v1/uploads/" + id + "/parts/1", as: "unit", body: string(chunk), ctype: ctype, header: h, status: status, want: want}
	}
	runCases(t, Deps{Uploads: ups}, []apiCase{
		send("start an upload", "POST", "/api/v1/projects/5/uploads", "unit", `{"filename":"a.jpg","size":16777216,"content_type":"image/jpeg"}`, 201,
			`"upload_id":"`+upID+`"`, `"parts":2`, `"received":[]`, `"complete":false`),
		send("start without a name", "POST", "/api/v1/projects/5/uploads", "unit", `{"size":10,"content_type":"image/jpeg"}`, 422, `"filename":"required"`),
		send("start in another unit's project", "POST", "/api/v1/projects/404/uploads", "unit", `{"filename":"a.jpg","size":10,"content_type":"image/jpeg"}`, 404),
		send("uploads are not for experts", "POST", "/api/v1/projects/5/uploads", "expert", `{"filename":"a.jpg","size":10}`, 403),
		get("list", "/api/v1/projects/5/uploads", "unit", 200, `"received":[1]`),
		get("one upload", "/api/v1/uploads/"+upID, "unit", 200, `"received":[1,2]`, `"complete":true`),
		get("an id that is no upload's", "/api/v1/uploads/nothex", "unit", 404),
		get("a missing upload", "/api/v1/uploads/"+upMissing, "unit", 404),
		part("a part", upID, "application/octet-stream", sum64, 200, `"received":[1]`),
		part("a part as JSON", upID, "application/json", sum64, 422, `"Content-Type":"application/octet-stream"`),
		part("a part without its checksum", upID, "application/octet-stream", "", 422, `"Content-MD5"`),
		part("a part of a complete upload", upDone, "application/octet-stream", sum64, 409),
		{name: "part 0", method: "PUT", path: "/api/v1/uploads/" + upID + "/parts/0", as: "unit", body: "x", ctype: "application/octet-stream", status: 422, want: []string{`"part"`}},
		send("presign a part", "POST", "/api/v1/uploads/"+upID+"/parts/1/url", "unit", `{"md5":"`+sum64+`"}`, 200, `"method":"PUT"`, `"url":"https://s3.example.cn/part?n=1"`),
		send("presign, a bad checksum", "POST", "/api/v1/uploads/"+upID+"/parts/1/url", "unit", `{"md5":"abc"}`, 422, `"md5"`),
		send("a part done", "POST", "/api/v1/uploads/"+upID+"/parts/2/done", "unit", `{"etag":"e2"}`, 200, `"received":[2]`),
		send("a part done without its etag", "POST", "/api/v1/uploads/"+upID+"/parts/2/done", "unit", `{}`, 422, `"etag"`),
		send("complete answers the medium with links", "POST", "/api/v1/uploads/"+upID+"/complete", "unit", "", 201, `"id":3`, `"url":"/o/p/5/photo.jpg"`),
		send("complete with parts missing", "POST", "/api/v1/uploads/"+upDone+"/complete", "unit", "", 409),
		send("abort", "DELETE", "/api/v1/uploads/"+upID, "unit", "", 204),
		send("abort a missing upload", "DELETE", "/api/v1/uploads/"+upMissing, "admin", "", 404),
	})
	runCases(t, Deps{}, []apiCase{
		get("no media on this server", "/api/v1/uploads/"+upID, "unit", 503),
	})
}
