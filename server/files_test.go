package server

import (
	"context"
	"io"
	"net/url"
	"strings"
	"testing"
	"time"

	"leitai/models"
)

// fakeFiles is a SignedFiles holding one object, "p/1/a.txt", behind the
// signature "sig=ok".
type fakeFiles struct{}

const fileBody = "0123456789"

func (fakeFiles) VerifyLink(key string, q url.Values, _ time.Time) (string, string, error) {
	if q.Get("sig") != "ok" {
		return "", "", models.Errorf(models.KindForbidden, "the link is not valid or has expired")
	}
	return "text/plain", `attachment; filename="a.txt"`, nil
}
func (fakeFiles) Stat(_ context.Context, key string) (models.ObjectInfo, error) {
	if key != "p/1/a.txt" {
		return models.ObjectInfo{}, models.Errorf(models.KindNotFound, "no such object")
	}
	return models.ObjectInfo{Key: key, Size: int64(len(fileBody)), ETag: "e1"}, nil
}
func (fakeFiles) Get(_ context.Context, key string, rng *models.ByteRange) (io.ReadCloser, models.ObjectInfo, error) {
	body := fileBody
	if rng != nil {
		body = fileBody[rng.Start : rng.End+1]
	}
	return io.NopCloser(strings.NewReader(body)), models.ObjectInfo{Key: key, Size: int64(len(body))}, nil
}

func TestSignedFileHandler(t *testing.T) {
	runCases(t, Deps{Files: fakeFiles{}}, []apiCase{
		{name: "the whole file", method: "GET", path: "/files/p/1/a.txt?sig=ok", status: 200, want: []string{fileBody},
			wantHeader: map[string]string{"Content-Type": "text/plain", "ETag": `"e1"`, "Accept-Ranges": "bytes", "Content-Disposition": `attachment; filename="a.txt"`}},
		{name: "a range", method: "GET", path: "/files/p/1/a.txt?sig=ok", header: map[string]string{"Range": "bytes=2-4"}, status: 206, want: []string{"234"},
			wantHeader: map[string]string{"Content-Range": "bytes 2-4/10"}},
		{name: "a suffix range", method: "GET", path: "/files/p/1/a.txt?sig=ok", header: map[string]string{"Range": "bytes=-3"}, status: 206, want: []string{"789"}},
		{name: "an unsatisfiable range", method: "GET", path: "/files/p/1/a.txt?sig=ok", header: map[string]string{"Range": "bytes=0-1,4-5"}, status: 416,
			wantHeader: map[string]string{"Content-Range": "bytes */10"}},
		{name: "a bad signature", method: "GET", path: "/files/p/1/a.txt?sig=forged", status: 403},
		{name: "a missing object", method: "GET", path: "/files/p/2/b.txt?sig=ok", status: 404},
	})
	runCases(t, Deps{}, []apiCase{
		get("no filesystem store: links go to MinIO", "/files/p/1/a.txt?sig=ok", "", 404, "object storage"),
	})
}
