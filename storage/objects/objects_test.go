package objects_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"leitai/models"
	"leitai/storage/objects"
	"leitai/storage/storagetest"
)

// testSecret signs the filesystem store's links in tests.
var testSecret = []byte("0123456789abcdef-test-secret")

// newFSStore returns a filesystem store and serves its /files/ links the way
// the server does: VerifyLink, then Get with the signed headers.
func newFSStore(t *testing.T) *objects.FS {
	t.Helper()
	var store *objects.FS
	mux := http.NewServeMux()
	mux.HandleFunc("GET /files/", func(w http.ResponseWriter, r *http.Request) {
		key := strings.TrimPrefix(r.URL.Path, "/files/")
		ct, dn, err := store.VerifyLink(key, r.URL.Query(), time.Now())
		if err != nil {
			http.Error(w, err.Error(), statusOf(err))
			return
		}
		body, _, err := store.Get(r.Context(), key, nil)
		if err != nil {
			http.Error(w, err.Error(), statusOf(err))
			return
		}
		defer body.Close()
		w.Header().Set("Content-Type", ct)
		w.Header().Set("Content-Disposition", dn)
		_, _ = io.Copy(w, body)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	var err error
	store, err = objects.NewFS(filepath.Join(t.TempDir(), "media"), testSecret, srv.URL+"/")
	if err != nil {
		t.Fatalf("NewFS: %v", err)
	}
	return store
}

func statusOf(err error) int {
	switch models.KindOf(err) {
	case models.KindForbidden:
		return http.StatusForbidden
	case models.KindNotFound:
		return http.StatusNotFound
	case models.KindInvalid:
		return http.StatusBadRequest
	}
	return http.StatusInternalServerError
}

// newMinIOStore starts a real MinIO server and returns a store on it.
func newMinIOStore(t *testing.T) (*objects.MinIO, *storagetest.MinIO) {
	t.Helper()
	srv := storagetest.StartMinIO(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	store, err := objects.NewMinIO(ctx, minioConfig(srv))
	if err != nil {
		t.Fatalf("NewMinIO: %v\nserver output:\n%s", err, srv.Output())
	}
	return store, srv
}

func minioConfig(srv *storagetest.MinIO) objects.MinIOConfig {
	return objects.MinIOConfig{
		Endpoint:  srv.Endpoint,
		AccessKey: srv.AccessKey,
		SecretKey: srv.SecretKey,
		Bucket:    "leitai-test",
	}
}

// TestStores runs one suite against the filesystem store and a real MinIO.
func TestStores(t *testing.T) {
	backends := []struct {
		name string
		open func(t *testing.T) objects.Store
	}{
		{"fs", func(t *testing.T) objects.Store { return newFSStore(t) }},
		{"minio", func(t *testing.T) objects.Store { s, _ := newMinIOStore(t); return s }},
	}
	suite := []struct {
		name string
		run  func(t *testing.T, s objects.Store)
	}{
		{"PutGetWhole", testPutGetWhole},
		{"PutGetLargeStreamed", testPutGetLarge},
		{"EmptyObjectAndDefaultType", testEmptyObject},
		{"GetRanges", testGetRanges},
		{"Stat", testStat},
		{"Delete", testDelete},
		{"Missing", testMissing},
		{"BadKeys", testBadKeys},
		{"WrongSize", testWrongSize},
		{"DownloadLinks", testDownloadLinks},
		{"DownloadLinkExpires", testDownloadLinkExpires},
		{"Check", func(t *testing.T, s objects.Store) {
			if err := s.Check(context.Background()); err != nil {
				t.Fatalf("Check: %v", err)
			}
		}},
	}
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			store := b.open(t)
			for _, tc := range suite {
				t.Run(tc.name, func(t *testing.T) { tc.run(t, store) })
			}
		})
	}
}

func put(t *testing.T, s objects.Store, body []byte, contentType string) string {
	t.Helper()
	key := objects.NewKey("test")
	if _, err := s.Put(context.Background(), key, bytes.NewReader(body), int64(len(body)), contentType); err != nil {
		t.Fatalf("Put %s: %v", key, err)
	}
	return key
}

func readAll(t *testing.T, s objects.Store, key string, rng *models.ByteRange) ([]byte, models.ObjectInfo) {
	t.Helper()
	rc, info, err := s.Get(context.Background(), key, rng)
	if err != nil {
		t.Fatalf("Get %s %v: %v", key, rng, err)
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("read %s: %v", key, err)
	}
	return data, info
}

func testPutGetWhole(t *testing.T, s objects.Store) {
	body := []byte("评审材料 — project report v1\n")
	key := objects.NewKey("test")
	info, err := s.Put(context.Background(), key, bytes.NewReader(body), int64(len(body)), "text/plain; charset=utf-8")
	if err != nil {
		t.Fatalf("Put: %v", err)
	}
	if info.Key != key || info.Size != int64(len(body)) || info.ContentType != "text/plain; charset=utf-8" {
		t.Fatalf("Put info = %+v", info)
	}
	got, gi := readAll(t, s, key, nil)
	if !bytes.Equal(got, body) {
		t.Fatalf("Get body = %q, want %q", got, body)
	}
	if gi.Size != int64(len(body)) || gi.ContentType != "text/plain; charset=utf-8" || gi.Key != key {
		t.Fatalf("Get info = %+v", gi)
	}

	// Put replaces an existing object.
	body2 := []byte("v2")
	if _, err := s.Put(context.Background(), key, bytes.NewReader(body2), 2, "text/plain"); err != nil {
		t.Fatalf("Put again: %v", err)
	}
	if got, gi := readAll(t, s, key, nil); string(got) != "v2" || gi.ContentType != "text/plain" {
		t.Fatalf("after overwrite: %q %+v", got, gi)
	}
}

// patternReader yields a deterministic, non-seekable byte stream.
type patternReader struct{ n int64 }

func (p *patternReader) Read(b []byte) (int, error) {
	for i := range b {
		b[i] = byte((p.n*7 + p.n/251) % 256)
		p.n++
	}
	return len(b), nil
}

func testPutGetLarge(t *testing.T, s objects.Store) {
	// Larger than the 16 MiB part size: MinIO takes the multipart path.
	const size = 20<<20 + 123
	want := sha256.New()
	if _, err := io.Copy(want, io.LimitReader(&patternReader{}, size)); err != nil {
		t.Fatal(err)
	}
	key := objects.NewKey("test")
	info, err := s.Put(context.Background(), key, io.LimitReader(&patternReader{}, size), size, "video/mp4")
	if err != nil {
		t.Fatalf("Put: %v", err)
	}
	if info.Size != size {
		t.Fatalf("Put size = %d", info.Size)
	}
	rc, gi, err := s.Get(context.Background(), key, nil)
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	defer rc.Close()
	got := sha256.New()
	n, err := io.Copy(got, rc)
	if err != nil || n != size || gi.Size != size {
		t.Fatalf("Get: read %d (info %d), err %v; want %d", n, gi.Size, err, size)
	}
	if !bytes.Equal(got.Sum(nil), want.Sum(nil)) {
		t.Fatal("large object read back differs")
	}
	// A range deep inside the second part.
	data, ri := readAll(t, s, key, &models.ByteRange{Start: 18 << 20, End: 18<<20 + 9})
	exp, _ := io.ReadAll(io.LimitReader(&patternReader{n: 18 << 20}, 10))
	if !bytes.Equal(data, exp) || ri.Size != size {
		t.Fatalf("range in part 2 = %v (size %d), want %v", data, ri.Size, exp)
	}
}

func testEmptyObject(t *testing.T, s objects.Store) {
	key := objects.NewKey("test")
	info, err := s.Put(context.Background(), key, strings.NewReader(""), 0, "")
	if err != nil {
		t.Fatalf("Put empty: %v", err)
	}
	if info.Size != 0 || info.ContentType != "application/octet-stream" {
		t.Fatalf("Put info = %+v", info)
	}
	got, gi := readAll(t, s, key, nil)
	if len(got) != 0 || gi.Size != 0 || gi.ContentType != "application/octet-stream" {
		t.Fatalf("Get = %q %+v", got, gi)
	}
	if _, err := s.Put(context.Background(), objects.NewKey("test"), strings.NewReader("x"), 1, "not a type"); models.KindOf(err) != models.KindInvalid {
		t.Fatalf("Put with a malformed content type: %v, want invalid", err)
	}
}

func testGetRanges(t *testing.T, s objects.Store) {
	body := []byte("0123456789abcdef")
	key := put(t, s, body, "application/octet-stream")
	tests := []struct {
		name    string
		rng     models.ByteRange
		want    string
		invalid bool
	}{
		{"start-end", models.ByteRange{Start: 0, End: 3}, "0123", false},
		{"middle", models.ByteRange{Start: 4, End: 9}, "456789", false},
		{"single last byte", models.ByteRange{Start: 15, End: 15}, "f", false},
		{"start to end", models.ByteRange{Start: 10, End: -1}, "abcdef", false},
		{"whole as range", models.ByteRange{Start: 0, End: -1}, string(body), false},
		{"end past size is clamped", models.ByteRange{Start: 12, End: 100}, "cdef", false},
		{"start at size", models.ByteRange{Start: 16, End: -1}, "", true},
		{"start past size", models.ByteRange{Start: 100, End: 200}, "", true},
		{"end before start", models.ByteRange{Start: 5, End: 2}, "", true},
		{"negative start", models.ByteRange{Start: -1, End: 4}, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rng := tt.rng
			rc, info, err := s.Get(context.Background(), key, &rng)
			if tt.invalid {
				if err == nil {
					rc.Close()
					t.Fatalf("Get %+v succeeded, want invalid", rng)
				}
				if models.KindOf(err) != models.KindInvalid {
					t.Fatalf("Get %+v: %v (kind %s), want invalid", rng, err, models.KindOf(err))
				}
				return
			}
			if err != nil {
				t.Fatalf("Get %+v: %v", rng, err)
			}
			defer rc.Close()
			got, err := io.ReadAll(rc)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Fatalf("Get %+v = %q, want %q", rng, got, tt.want)
			}
			if info.Size != int64(len(body)) {
				t.Fatalf("info.Size = %d, want the whole object's %d", info.Size, len(body))
			}
		})
	}
}

func testStat(t *testing.T, s objects.Store) {
	body := []byte("\x89PNG\r\n\x1a\nnot really a picture")
	before := time.Now().Add(-time.Minute)
	key := put(t, s, body, "image/png")
	info, err := s.Stat(context.Background(), key)
	if err != nil {
		t.Fatalf("Stat: %v", err)
	}
	if info.Key != key || info.Size != int64(len(body)) || info.ContentType != "image/png" {
		t.Fatalf("Stat = %+v", info)
	}
	if info.ETag == "" {
		t.Fatal("Stat: empty ETag")
	}
	if info.ModTime.Before(before) || info.ModTime.After(time.Now().Add(time.Minute)) {
		t.Fatalf("Stat ModTime = %v, want about now", info.ModTime)
	}
	other := put(t, s, []byte("something else"), "image/png")
	oi, err := s.Stat(context.Background(), other)
	if err != nil {
		t.Fatalf("Stat other: %v", err)
	}
	if oi.ETag == info.ETag {
		t.Fatalf("different bodies share ETag %q", oi.ETag)
	}
}

func testDelete(t *testing.T, s objects.Store) {
	ctx := context.Background()
	key := put(t, s, []byte("to be deleted"), "text/plain")
	if err := s.Delete(ctx, key); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, _, err := s.Get(ctx, key, nil); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("Get after Delete: %v, want not found", err)
	}
	if _, err := s.Stat(ctx, key); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("Stat after Delete: %v, want not found", err)
	}
	if err := s.Delete(ctx, key); err != nil {
		t.Fatalf("Delete again: %v, want nil", err)
	}
	if err := s.Delete(ctx, objects.NewKey("never")); err != nil {
		t.Fatalf("Delete of a never-stored key: %v, want nil", err)
	}
}

func testMissing(t *testing.T, s objects.Store) {
	ctx := context.Background()
	key := objects.NewKey("missing")
	if _, _, err := s.Get(ctx, key, nil); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("Get: %v, want not found", err)
	}
	if _, _, err := s.Get(ctx, key, &models.ByteRange{Start: 0, End: 1}); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("Get range: %v, want not found", err)
	}
	if _, err := s.Stat(ctx, key); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("Stat: %v, want not found", err)
	}
	// Without a content type the link needs the stored one.
	if _, err := s.DownloadURL(ctx, key, models.LinkOptions{}); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("DownloadURL: %v, want not found", err)
	}
	// A key below an existing object is missing, not an error of its own.
	parent := put(t, s, []byte("parent"), "text/plain")
	if _, err := s.Stat(ctx, parent+"/child"); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("Stat below an object: %v, want not found", err)
	}
	// A "directory" of objects is not an object.
	prefix := parent[:strings.LastIndexByte(parent, '/')]
	if _, err := s.Stat(ctx, prefix); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("Stat of a key prefix: %v, want not found", err)
	}
	if err := s.Delete(ctx, prefix); err != nil {
		t.Fatalf("Delete of a key prefix: %v, want nil", err)
	}
	if got, _ := readAll(t, s, parent, nil); string(got) != "parent" {
		t.Fatalf("object under the deleted prefix = %q", got)
	}
}

var badKeys = []string{
	"",
	"../x",
	"a/../../b",
	"a/./b",
	"/abs",
	"a//b",
	"a/b/",
	"Upper/Case",
	"a/.hidden",
	".meta/x",
	"a\\b",
	"a b",
	"a/b?c",
	"键",
	strings.Repeat("a", 513),
}

func testBadKeys(t *testing.T, s objects.Store) {
	ctx := context.Background()
	methods := []struct {
		name string
		call func(key string) error
	}{
		{"Put", func(key string) error {
			_, err := s.Put(ctx, key, strings.NewReader("x"), 1, "text/plain")
			return err
		}},
		{"Get", func(key string) error {
			rc, _, err := s.Get(ctx, key, nil)
			if err == nil {
				rc.Close()
			}
			return err
		}},
		{"Stat", func(key string) error { _, err := s.Stat(ctx, key); return err }},
		{"Delete", func(key string) error { return s.Delete(ctx, key) }},
		{"DownloadURL", func(key string) error {
			_, err := s.DownloadURL(ctx, key, models.LinkOptions{ContentType: "text/plain"})
			return err
		}},
	}
	for _, key := range badKeys {
		for _, m := range methods {
			if err := m.call(key); models.KindOf(err) != models.KindInvalid {
				t.Errorf("%s(%.40q) = %v, want an invalid error", m.name, key, err)
			}
		}
	}
}

func testWrongSize(t *testing.T, s objects.Store) {
	ctx := context.Background()
	tests := []struct {
		name     string
		body     io.Reader
		declared int64
	}{
		{"short", strings.NewReader("0123456789"), 100},
		{"long", strings.NewReader("0123456789"), 5},
		{"long empty", strings.NewReader("x"), 0},
		{"short non-seekable", io.LimitReader(&patternReader{}, 1000), 1001},
		// Over the part size: MinIO's multipart path must abort.
		{"short multipart", io.LimitReader(&patternReader{}, 16<<20+10), 17 << 20},
		{"long multipart", io.LimitReader(&patternReader{}, 17<<20+1), 17 << 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key := objects.NewKey("test")
			_, err := s.Put(ctx, key, tt.body, tt.declared, "application/octet-stream")
			if models.KindOf(err) != models.KindInvalid {
				t.Fatalf("Put: %v, want an invalid error", err)
			}
			if _, err := s.Stat(ctx, key); !errors.Is(err, models.ErrNotFound) {
				t.Fatalf("Stat after a failed Put: %v, want not found", err)
			}
		})
	}
	t.Run("keeps the old object", func(t *testing.T) {
		key := put(t, s, []byte("old body"), "text/plain")
		if _, err := s.Put(ctx, key, strings.NewReader("new"), 50, "text/plain"); err == nil {
			t.Fatal("short Put succeeded")
		}
		if got, _ := readAll(t, s, key, nil); string(got) != "old body" {
			t.Fatalf("after a failed overwrite: %q, want the old body", got)
		}
	})
	if _, err := s.Put(ctx, objects.NewKey("test"), strings.NewReader(""), -1, ""); models.KindOf(err) != models.KindInvalid {
		t.Fatalf("Put with size -1: %v, want invalid", err)
	}
}

// fetch GETs a link and returns the response with its body read.
func fetch(t *testing.T, link string) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.Get(link)
	if err != nil {
		t.Fatalf("GET %s: %v", link, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read %s: %v", link, err)
	}
	return resp, body
}

func testDownloadLinks(t *testing.T, s objects.Store) {
	tests := []struct {
		name        string
		storedType  string
		opts        models.LinkOptions
		disposition string
		wantType    string
	}{
		{"html is never inline", "text/html; charset=utf-8",
			models.LinkOptions{Filename: "评审报告.html", Inline: true, ContentType: "text/html; charset=utf-8"},
			"attachment", "text/html; charset=utf-8"},
		{"svg is never inline", "image/svg+xml",
			models.LinkOptions{Filename: "logo.svg", Inline: true, ContentType: "image/svg+xml"},
			"attachment", "image/svg+xml"},
		{"png inline", "image/png",
			models.LinkOptions{Filename: "海报.png", Inline: true, ContentType: "image/png"},
			"inline", "image/png"},
		{"video inline", "video/mp4",
			models.LinkOptions{Filename: "路演.mp4", Inline: true, ContentType: "video/mp4"},
			"inline", "video/mp4"},
		{"pdf as attachment unless inline asked", "application/pdf",
			models.LinkOptions{Filename: "申报书 (final).pdf", ContentType: "application/pdf"},
			"attachment", "application/pdf"},
		{"stored type used when none given", "application/pdf",
			models.LinkOptions{Filename: "plan.pdf", Inline: true},
			"inline", "application/pdf"},
		{"link type overrides stored html", "text/html",
			models.LinkOptions{Filename: "page.txt", Inline: true, ContentType: "text/plain"},
			"attachment", "text/plain"},
		{"no file name", "application/zip",
			models.LinkOptions{ContentType: "application/zip"},
			"attachment", "application/zip"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := []byte("<html><script>alert(1)</script></html> " + tt.name)
			key := put(t, s, body, tt.storedType)
			link, err := s.DownloadURL(context.Background(), key, tt.opts)
			if err != nil {
				t.Fatalf("DownloadURL: %v", err)
			}
			resp, got := fetch(t, link)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("GET link: %s: %s", resp.Status, got)
			}
			if !bytes.Equal(got, body) {
				t.Fatalf("body = %q, want %q", got, body)
			}
			if ct := resp.Header.Get("Content-Type"); ct != tt.wantType {
				t.Fatalf("Content-Type = %q, want %q", ct, tt.wantType)
			}
			cd := resp.Header.Get("Content-Disposition")
			disposition, params, err := mime.ParseMediaType(cd)
			if err != nil {
				t.Fatalf("Content-Disposition %q: %v", cd, err)
			}
			if disposition != tt.disposition {
				t.Fatalf("Content-Disposition = %q, want %s", cd, tt.disposition)
			}
			// mime decodes filename* (RFC 2231/5987) into "filename".
			if params["filename"] != tt.opts.Filename {
				t.Fatalf("Content-Disposition %q names %q, want %q", cd, params["filename"], tt.opts.Filename)
			}
			if tt.opts.Filename != "" && !strings.Contains(cd, `filename="`) {
				t.Fatalf("Content-Disposition %q has no ASCII fallback", cd)
			}
		})
	}
	t.Run("expiry bounds", func(t *testing.T) {
		key := put(t, s, []byte("x"), "text/plain")
		for _, d := range []time.Duration{-time.Second, 8 * 24 * time.Hour} {
			if _, err := s.DownloadURL(context.Background(), key, models.LinkOptions{Expiry: d}); models.KindOf(err) != models.KindInvalid {
				t.Fatalf("DownloadURL with expiry %s: %v, want invalid", d, err)
			}
		}
	})
}

func testDownloadLinkExpires(t *testing.T, s objects.Store) {
	key := put(t, s, []byte("short-lived"), "text/plain")
	link, err := s.DownloadURL(context.Background(), key, models.LinkOptions{Expiry: time.Second, Filename: "a.txt"})
	if err != nil {
		t.Fatalf("DownloadURL: %v", err)
	}
	if resp, body := fetch(t, link); resp.StatusCode != http.StatusOK {
		t.Fatalf("fresh link: %s: %s", resp.Status, body)
	}
	time.Sleep(2100 * time.Millisecond)
	if resp, body := fetch(t, link); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("expired link: %s: %s, want 403", resp.Status, body)
	}
}

func TestFSVerifyLink(t *testing.T) {
	store := newFSStore(t)
	key := put(t, store, []byte("x"), "application/pdf")
	link, err := store.DownloadURL(context.Background(), key, models.LinkOptions{
		Expiry: time.Hour, Filename: "报告.pdf", Inline: true,
	})
	if err != nil {
		t.Fatalf("DownloadURL: %v", err)
	}
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	if want := "/files/" + key; u.Path != want {
		t.Fatalf("link path = %q, want %q", u.Path, want)
	}
	q := u.Query()
	ct, dn, err := store.VerifyLink(key, q, time.Now())
	if err != nil {
		t.Fatalf("VerifyLink: %v", err)
	}
	if ct != "application/pdf" {
		t.Fatalf("content type = %q", ct)
	}
	if want := `inline; filename="__.pdf"; filename*=UTF-8''%E6%8A%A5%E5%91%8A.pdf`; dn != want {
		t.Fatalf("disposition = %q, want %q", dn, want)
	}

	with := func(name, value string) url.Values {
		c := url.Values{}
		for k, v := range q {
			c[k] = append([]string(nil), v...)
		}
		if value == "" {
			c.Del(name)
		} else {
			c.Set(name, value)
		}
		return c
	}
	sig := q.Get("sig")
	flipped := "0" + sig[1:]
	if sig[0] == '0' {
		flipped = "1" + sig[1:]
	}
	exp := q.Get("exp")
	tests := []struct {
		name string
		key  string
		q    url.Values
		now  time.Time
		msg  string
	}{
		{"tampered signature", key, with("sig", flipped), time.Now(), ""},
		{"missing signature", key, with("sig", ""), time.Now(), ""},
		{"signature not hex", key, with("sig", "zz"), time.Now(), ""},
		{"tampered type", key, with("ct", "text/html"), time.Now(), ""},
		{"tampered disposition", key, with("dn", "inline"), time.Now(), ""},
		{"later expiry", key, with("exp", exp+"0"), time.Now(), ""},
		{"other key", objects.NewKey("test"), q, time.Now(), ""},
		{"duplicated type", key, func() url.Values { c := with("sig", sig); c.Add("ct", "text/html"); return c }(), time.Now(), ""},
		{"expired", key, q, time.Now().Add(time.Hour + 2*time.Second), "link expired"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := store.VerifyLink(tt.key, tt.q, tt.now)
			if !errors.Is(err, models.ErrForbidden) {
				t.Fatalf("VerifyLink: %v, want forbidden", err)
			}
			var me *models.Error
			if tt.msg != "" && (!errors.As(err, &me) || me.Message != tt.msg) {
				t.Fatalf("VerifyLink: %v, want message %q", err, tt.msg)
			}
		})
	}
	if _, _, err := store.VerifyLink("../etc/passwd", q, time.Now()); models.KindOf(err) != models.KindInvalid {
		t.Fatalf("VerifyLink with a bad key: %v, want invalid", err)
	}

	// A store with another secret does not accept the link.
	other, err := objects.NewFS(t.TempDir(), []byte("another-secret-of-16+bytes"), "")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := other.VerifyLink(key, q, time.Now()); !errors.Is(err, models.ErrForbidden) {
		t.Fatalf("VerifyLink with another secret: %v, want forbidden", err)
	}
	if _, err := objects.NewFS(t.TempDir(), []byte("short"), ""); err == nil {
		t.Fatal("NewFS accepted a 5-byte secret")
	}
}

// TestFSStaysUnderRoot plants a symlink that leads out of the store's root:
// no method may read, write or delete through it.
func TestFSStaysUnderRoot(t *testing.T) {
	ctx := context.Background()
	store := newFSStore(t)
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "secret"), []byte("top secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(store.Root(), "evil")); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Put(ctx, "evil/planted", strings.NewReader("x"), 1, "text/plain"); err == nil {
		t.Fatal("Put through a symlink out of the root succeeded")
	}
	if _, err := os.Stat(filepath.Join(outside, "planted")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("file planted outside the root: %v", err)
	}
	if rc, _, err := store.Get(ctx, "evil/secret", nil); err == nil {
		data, _ := io.ReadAll(rc)
		rc.Close()
		t.Fatalf("Get through a symlink out of the root read %q", data)
	}
	if _, err := store.Stat(ctx, "evil/secret"); err == nil {
		t.Fatal("Stat through a symlink out of the root succeeded")
	}
	_ = store.Delete(ctx, "evil/secret")
	if _, err := os.Stat(filepath.Join(outside, "secret")); err != nil {
		t.Fatalf("Delete removed a file outside the root: %v", err)
	}

	// Failed writes leave no temporary files behind.
	for _, declared := range []int64{100, 2} {
		if _, err := store.Put(ctx, "test/2026/11/partial", strings.NewReader("0123456789"), declared, ""); err == nil {
			t.Fatalf("Put of a wrong-size body (declared %d) succeeded", declared)
		}
	}
	err := filepath.WalkDir(store.Root(), func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if strings.HasPrefix(d.Name(), ".tmp-") {
			t.Errorf("temporary file left behind: %s", path)
		}
		if d.Name() == "partial" || d.Name() == "partial.json" {
			t.Errorf("partial object left behind: %s", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestFSCheck(t *testing.T) {
	store := newFSStore(t)
	if err := store.Check(context.Background()); err != nil {
		t.Fatalf("Check: %v", err)
	}
	if err := os.RemoveAll(store.Root()); err != nil {
		t.Fatal(err)
	}
	if err := store.Check(context.Background()); models.KindOf(err) != models.KindUnavailable {
		t.Fatalf("Check without a root: %v, want unavailable", err)
	}
	if _, err := store.Put(context.Background(), objects.NewKey("test"), strings.NewReader("x"), 1, ""); models.KindOf(err) != models.KindUnavailable {
		t.Fatalf("Put without a root: %v, want unavailable", err)
	}
}

// TestMinIOOutage stops the server under a live store and starts it again.
func TestMinIOOutage(t *testing.T) {
	store, srv := newMinIOStore(t)
	ctx := context.Background()
	if err := store.Check(ctx); err != nil {
		t.Fatalf("Check: %v", err)
	}
	key := put(t, store, []byte("survives the outage"), "text/plain")

	srv.Stop()
	start := time.Now()
	err := store.Check(ctx)
	if models.KindOf(err) != models.KindUnavailable {
		t.Fatalf("Check with MinIO down: %v, want unavailable", err)
	}
	if !strings.Contains(err.Error(), "object storage unavailable") {
		t.Fatalf("Check error %q does not say what is down", err)
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Fatalf("Check took %s with MinIO down", took)
	}
	if _, err := store.Put(ctx, objects.NewKey("test"), strings.NewReader("x"), 1, "text/plain"); models.KindOf(err) != models.KindUnavailable {
		t.Fatalf("Put with MinIO down: %v, want unavailable", err)
	}
	if _, _, err := store.Get(ctx, key, nil); models.KindOf(err) != models.KindUnavailable {
		t.Fatalf("Get with MinIO down: %v, want unavailable", err)
	}
	if _, err := store.Stat(ctx, key); models.KindOf(err) != models.KindUnavailable {
		t.Fatalf("Stat with MinIO down: %v, want unavailable", err)
	}
	if err := store.Delete(ctx, key); models.KindOf(err) != models.KindUnavailable {
		t.Fatalf("Delete with MinIO down: %v, want unavailable", err)
	}
	// Presigning needs no network (the region is set).
	if _, err := store.DownloadURL(ctx, key, models.LinkOptions{ContentType: "text/plain"}); err != nil {
		t.Fatalf("DownloadURL with MinIO down: %v", err)
	}

	srv.Start()
	deadline := time.Now().Add(20 * time.Second)
	for {
		err := store.Check(ctx)
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Check after restart: %v", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if got, _ := readAll(t, store, key, nil); string(got) != "survives the outage" {
		t.Fatalf("after restart: %q", got)
	}
}

func TestNewMinIOUnreachable(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err := objects.NewMinIO(ctx, objects.MinIOConfig{
		Endpoint:  fmt.Sprintf("127.0.0.1:%d", storagetest.FreePort(t)),
		AccessKey: "nobody", SecretKey: "nothing-here", Bucket: "leitai",
	})
	if models.KindOf(err) != models.KindUnavailable {
		t.Fatalf("NewMinIO against a closed port: %v, want unavailable", err)
	}
}

// TestMinIOPublicEndpoint signs links for the address browsers use (here
// "localhost" instead of the server's 127.0.0.1) and an existing bucket is
// reused.
func TestMinIOPublicEndpoint(t *testing.T) {
	first, srv := newMinIOStore(t)
	key := put(t, first, []byte("via the public name"), "text/plain")

	cfg := minioConfig(srv)
	_, port, _ := strings.Cut(srv.Endpoint, ":")
	cfg.PublicEndpoint = "http://localhost:" + port
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	store, err := objects.NewMinIO(ctx, cfg)
	if err != nil {
		t.Fatalf("NewMinIO on an existing bucket: %v", err)
	}
	link, err := store.DownloadURL(ctx, key, models.LinkOptions{Filename: "说明.txt"})
	if err != nil {
		t.Fatalf("DownloadURL: %v", err)
	}
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	if u.Host != "localhost:"+port {
		t.Fatalf("link host = %q, want the public endpoint", u.Host)
	}
	for _, p := range []string{"response-content-disposition", "response-content-type", "X-Amz-Signature"} {
		if u.Query().Get(p) == "" {
			t.Fatalf("link %s lacks %s", link, p)
		}
	}
	resp, body := fetch(t, link)
	if resp.StatusCode != http.StatusOK || string(body) != "via the public name" {
		t.Fatalf("GET public link: %s %q", resp.Status, body)
	}
	// The signed disposition cannot be swapped for inline.
	q := u.Query()
	q.Set("response-content-disposition", "inline")
	u.RawQuery = q.Encode()
	if resp, body := fetch(t, u.String()); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("GET tampered link: %s %q, want 403", resp.Status, body)
	}
}

func TestKeys(t *testing.T) {
	key := objects.NewKey("media")
	now := time.Now().UTC()
	pattern := regexp.MustCompile(`^media/(\d{4})/(\d{2})/([0-9a-f-]{36})$`)
	m := pattern.FindStringSubmatch(key)
	if m == nil {
		t.Fatalf("NewKey = %q, want media/YYYY/MM/<uuid>", key)
	}
	if m[1] != fmt.Sprintf("%04d", now.Year()) || m[2] != fmt.Sprintf("%02d", int(now.Month())) {
		t.Fatalf("NewKey = %q, want the current UTC year and month", key)
	}
	id, err := uuid.Parse(m[3])
	if err != nil || id.Version() != 4 {
		t.Fatalf("NewKey uuid %q: version %v, err %v", m[3], id.Version(), err)
	}
	if err := objects.ValidateKey(key); err != nil {
		t.Fatalf("ValidateKey(NewKey) = %v", err)
	}
	if objects.NewKey("media") == key {
		t.Fatal("two NewKey calls gave the same key")
	}
	if k := objects.NewKey("thumbs/"); !strings.HasPrefix(k, "thumbs/") || strings.Contains(k, "//") {
		t.Fatalf("NewKey with a trailing slash = %q", k)
	}

	valid := []string{"a", "media/2026/11/0b7c", "a_b-c.d/e.f", "x/y.jpg", strings.Repeat("a", 512)}
	for _, k := range valid {
		if err := objects.ValidateKey(k); err != nil {
			t.Errorf("ValidateKey(%.40q) = %v, want nil", k, err)
		}
	}
	for _, k := range badKeys {
		if err := objects.ValidateKey(k); models.KindOf(err) != models.KindInvalid {
			t.Errorf("ValidateKey(%.40q) = %v, want an invalid error", k, err)
		}
	}
}
