package objects_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"leitai/models"
	"leitai/storage/objects"
)

// TestMultipart runs one suite against the filesystem store and a real
// MinIO.
func TestMultipart(t *testing.T) {
	backends := []struct {
		name string
		open func(t *testing.T) interface {
			objects.Store
			objects.Multipart
		}
	}{
		{"fs", func(t *testing.T) interface {
			objects.Store
			objects.Multipart
		} {
			return newFSStore(t)
		}},
		{"minio", func(t *testing.T) interface {
			objects.Store
			objects.Multipart
		} {
			s, _ := newMinIOStore(t)
			return s
		}},
	}
	suite := []struct {
		name string
		run  func(t *testing.T, s store)
	}{
		{"PartsCompleteReadBack", testMultipartRoundTrip},
		{"CorruptedPartRejected", testCorruptedPart},
		{"WrongPartSize", testWrongPartSize},
		{"ResendReplaces", testResendReplaces},
		{"CompleteChecksPartList", testCompleteChecksList},
		{"Abort", testAbort},
		{"UnknownUpload", testUnknownUpload},
	}
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			s := b.open(t)
			for _, tc := range suite {
				t.Run(tc.name, func(t *testing.T) { tc.run(t, s) })
			}
		})
	}
}

type store interface {
	objects.Store
	objects.Multipart
}

func sum(b []byte) []byte { s := md5.Sum(b); return s[:] }

func pattern(n int, seed byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7+i/251) ^ seed
	}
	return b
}

func putPart(t *testing.T, s store, key, id string, n int, body []byte) models.UploadPart {
	t.Helper()
	p, err := s.PutPart(context.Background(), key, id, n, bytes.NewReader(body), int64(len(body)), sum(body))
	if err != nil {
		t.Fatalf("PutPart %d: %v", n, err)
	}
	if p.Number != n || p.Size != int64(len(body)) || p.ETag == "" {
		t.Fatalf("PutPart %d = %+v", n, p)
	}
	return p
}

func testMultipartRoundTrip(t *testing.T, s store) {
	ctx := context.Background()
	key := objects.NewKey("test")
	id, err := s.CreateMultipart(ctx, key, "video/mp4")
	if err != nil {
		t.Fatalf("CreateMultipart: %v", err)
	}
	p1, p2, p3 := pattern(objects.MinPartSize, 1), pattern(objects.MinPartSize, 2), pattern(1234, 3)
	// Parts may arrive in any order; a non-seekable reader works too.
	got3, err := s.PutPart(ctx, key, id, 3, io.MultiReader(bytes.NewReader(p3)), int64(len(p3)), sum(p3))
	if err != nil {
		t.Fatalf("PutPart 3 (stream): %v", err)
	}
	got1 := putPart(t, s, key, id, 1, p1)
	got2 := putPart(t, s, key, id, 2, p2)
	listed, err := s.ListParts(ctx, key, id)
	if err != nil {
		t.Fatalf("ListParts: %v", err)
	}
	if len(listed) != 3 {
		t.Fatalf("ListParts = %+v, want 3 parts", listed)
	}
	for i, want := range []models.UploadPart{got1, got2, got3} {
		if listed[i].Number != want.Number || listed[i].ETag != want.ETag || listed[i].Size != want.Size {
			t.Fatalf("ListParts[%d] = %+v, want %+v", i, listed[i], want)
		}
	}
	if _, err := s.Stat(ctx, key); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("object visible before completion: %v", err)
	}
	info, err := s.CompleteMultipart(ctx, key, id, []models.UploadPart{got1, got2, got3})
	if err != nil {
		t.Fatalf("CompleteMultipart: %v", err)
	}
	whole := append(append(append([]byte{}, p1...), p2...), p3...)
	if info.Size != int64(len(whole)) {
		t.Fatalf("complete size = %d, want %d", info.Size, len(whole))
	}
	data, gi := readAll(t, s, key, nil)
	if !bytes.Equal(data, whole) || gi.Size != int64(len(whole)) {
		t.Fatalf("read back %d bytes (info %d), want the %d joined bytes", len(data), gi.Size, len(whole))
	}
	// A range across the first part boundary.
	rng, _ := readAll(t, s, key, &models.ByteRange{Start: objects.MinPartSize - 2, End: objects.MinPartSize + 1})
	if !bytes.Equal(rng, whole[objects.MinPartSize-2:objects.MinPartSize+2]) {
		t.Fatal("range across parts differs")
	}
	if _, err := s.ListParts(ctx, key, id); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("ListParts after completion: %v, want not found", err)
	}
}

func testCorruptedPart(t *testing.T, s store) {
	ctx := context.Background()
	key := objects.NewKey("test")
	id, err := s.CreateMultipart(ctx, key, "")
	if err != nil {
		t.Fatal(err)
	}
	body := pattern(100_000, 9)
	bad := append([]byte{}, body...)
	bad[5000] ^= 0xff // one bit flipped on the way
	_, err = s.PutPart(ctx, key, id, 1, bytes.NewReader(bad), int64(len(bad)), sum(body))
	if models.KindOf(err) != models.KindInvalid || !strings.Contains(err.Error(), "corrupted chunk") {
		t.Fatalf("corrupted part: %v, want invalid 'corrupted chunk'", err)
	}
	if parts, err := s.ListParts(ctx, key, id); err != nil || len(parts) != 0 {
		t.Fatalf("parts after a corrupted one: %+v, %v", parts, err)
	}
	// The retry goes through.
	putPart(t, s, key, id, 1, body)
	if _, err := s.PutPart(ctx, key, id, 1, bytes.NewReader(body), int64(len(body)), []byte("short")); models.KindOf(err) != models.KindInvalid {
		t.Fatalf("malformed checksum: %v", err)
	}
	if _, err := s.PutPart(ctx, key, id, 0, bytes.NewReader(body), int64(len(body)), sum(body)); models.KindOf(err) != models.KindInvalid {
		t.Fatalf("part 0: %v", err)
	}
	if _, err := s.PutPart(ctx, key, id, objects.MaxParts+1, bytes.NewReader(body), int64(len(body)), sum(body)); models.KindOf(err) != models.KindInvalid {
		t.Fatalf("part past the limit: %v", err)
	}
	_ = s.AbortMultipart(ctx, key, id)
}

func testWrongPartSize(t *testing.T, s store) {
	ctx := context.Background()
	key := objects.NewKey("test")
	id, err := s.CreateMultipart(ctx, key, "")
	if err != nil {
		t.Fatal(err)
	}
	body := pattern(4096, 4)
	for _, declared := range []int64{4000, 5000} {
		_, err := s.PutPart(ctx, key, id, 1, io.MultiReader(bytes.NewReader(body)), declared, sum(body[:min(int(declared), len(body))]))
		if models.KindOf(err) != models.KindInvalid {
			t.Fatalf("declared %d for %d bytes: %v, want invalid", declared, len(body), err)
		}
	}
	if parts, _ := s.ListParts(ctx, key, id); len(parts) != 0 {
		t.Fatalf("a wrong-size part was kept: %+v", parts)
	}
	_ = s.AbortMultipart(ctx, key, id)
}

func testResendReplaces(t *testing.T, s store) {
	ctx := context.Background()
	key := objects.NewKey("test")
	id, err := s.CreateMultipart(ctx, key, "application/pdf")
	if err != nil {
		t.Fatal(err)
	}
	putPart(t, s, key, id, 1, []byte("first version"))
	second := putPart(t, s, key, id, 1, []byte("second version"))
	parts, err := s.ListParts(ctx, key, id)
	if err != nil || len(parts) != 1 || parts[0].ETag != second.ETag {
		t.Fatalf("parts after a resend = %+v, %v", parts, err)
	}
	if _, err := s.CompleteMultipart(ctx, key, id, []models.UploadPart{second}); err != nil {
		t.Fatalf("complete: %v", err)
	}
	if got, _ := readAll(t, s, key, nil); string(got) != "second version" {
		t.Fatalf("object = %q", got)
	}
}

func testCompleteChecksList(t *testing.T, s store) {
	ctx := context.Background()
	key := objects.NewKey("test")
	id, err := s.CreateMultipart(ctx, key, "")
	if err != nil {
		t.Fatal(err)
	}
	p1 := putPart(t, s, key, id, 1, pattern(objects.MinPartSize, 5))
	p2 := putPart(t, s, key, id, 2, []byte("tail"))
	wrong := p2
	wrong.ETag = strings.Repeat("0", 32)
	missing := models.UploadPart{Number: 3, Size: 4, ETag: strings.Repeat("1", 32)}
	for name, list := range map[string][]models.UploadPart{
		"wrong etag":   {p1, wrong},
		"missing part": {p1, p2, missing},
		"unordered":    {p2, p1},
		"empty":        nil,
	} {
		if _, err := s.CompleteMultipart(ctx, key, id, list); models.KindOf(err) != models.KindInvalid {
			t.Fatalf("complete with %s: %v, want invalid", name, err)
		}
		if _, err := s.Stat(ctx, key); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("object exists after a refused completion (%s): %v", name, err)
		}
	}
	if _, err := s.CompleteMultipart(ctx, key, id, []models.UploadPart{p1, p2}); err != nil {
		t.Fatalf("complete with the right list: %v", err)
	}
}

func testAbort(t *testing.T, s store) {
	ctx := context.Background()
	key := objects.NewKey("test")
	id, err := s.CreateMultipart(ctx, key, "")
	if err != nil {
		t.Fatal(err)
	}
	putPart(t, s, key, id, 1, []byte("abandoned"))
	if err := s.AbortMultipart(ctx, key, id); err != nil {
		t.Fatalf("Abort: %v", err)
	}
	if _, err := s.ListParts(ctx, key, id); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("ListParts after abort: %v, want not found", err)
	}
	if _, err := s.PutPart(ctx, key, id, 2, strings.NewReader("x"), 1, sum([]byte("x"))); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("PutPart after abort: %v, want not found", err)
	}
	if err := s.AbortMultipart(ctx, key, id); err != nil {
		t.Fatalf("Abort again: %v, want nil", err)
	}
	if _, err := s.Stat(ctx, key); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("object after abort: %v", err)
	}
}

func testUnknownUpload(t *testing.T, s store) {
	ctx := context.Background()
	key := objects.NewKey("test")
	for _, id := range []string{"0123456789abcdef0123456789abcdef", "../../etc"} {
		if _, err := s.PutPart(ctx, key, id, 1, strings.NewReader("x"), 1, sum([]byte("x"))); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("PutPart to upload %q: %v, want not found", id, err)
		}
	}
	// An upload id is bound to its key.
	id, err := s.CreateMultipart(ctx, key, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutPart(ctx, objects.NewKey("other"), id, 1, strings.NewReader("x"), 1, sum([]byte("x"))); err == nil {
		t.Fatal("PutPart under another key succeeded")
	}
	_ = s.AbortMultipart(ctx, key, id)
	if _, err := s.CreateMultipart(ctx, "../escape", ""); models.KindOf(err) != models.KindInvalid {
		t.Fatalf("CreateMultipart with a bad key: %v", err)
	}
}

// TestMinIOPresignedParts sends parts the way a browser does: PUT on a
// presigned URL with the signed Content-MD5, then completes the upload.
func TestMinIOPresignedParts(t *testing.T) {
	s, _ := newMinIOStore(t)
	ctx := context.Background()
	key := objects.NewKey("test")
	id, err := s.CreateMultipart(ctx, key, "video/mp4")
	if err != nil {
		t.Fatal(err)
	}
	body := pattern(objects.MinPartSize, 7)
	signed, err := s.PresignPart(ctx, key, id, 1, sum(body), time.Minute)
	if err != nil {
		t.Fatalf("PresignPart: %v", err)
	}
	if signed.Method != "PUT" || signed.Headers["Content-MD5"] == "" || !strings.Contains(signed.URL, "uploadId=") {
		t.Fatalf("presigned = %+v", signed)
	}
	send := func(b []byte, md5b64 string) (int, string) {
		req, _ := http.NewRequest(signed.Method, signed.URL, bytes.NewReader(b))
		req.Header.Set("Content-MD5", md5b64)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		io.Copy(io.Discard, resp.Body)
		return resp.StatusCode, strings.Trim(resp.Header.Get("ETag"), `"`)
	}
	corrupted := append([]byte{}, body...)
	corrupted[10] ^= 1
	if code, _ := send(corrupted, signed.Headers["Content-MD5"]); code != 400 {
		t.Fatalf("corrupted body on a presigned URL: %d, want 400", code)
	}
	other := models.PresignedPart{}
	if o, err := s.PresignPart(ctx, key, id, 1, sum(corrupted), time.Minute); err == nil {
		other = o
	}
	if code, _ := send(body, other.Headers["Content-MD5"]); code != 403 {
		t.Fatalf("another checksum than the signed one: %d, want 403", code)
	}
	code, etag := send(body, signed.Headers["Content-MD5"])
	if code != 200 || etag == "" {
		t.Fatalf("PUT presigned part: %d etag %q", code, etag)
	}
	parts, err := s.ListParts(ctx, key, id)
	if err != nil || len(parts) != 1 || parts[0].ETag != etag || parts[0].Size != int64(len(body)) {
		t.Fatalf("ListParts = %+v, %v; want the part with etag %s", parts, err, etag)
	}
	p2 := putPart(t, s, key, id, 2, []byte("end"))
	if _, err := s.CompleteMultipart(ctx, key, id, []models.UploadPart{{Number: 1, Size: int64(len(body)), ETag: etag}, p2}); err != nil {
		t.Fatalf("complete: %v", err)
	}
	if data, _ := readAll(t, s, key, nil); len(data) != len(body)+3 || !bytes.Equal(data[:len(body)], body) {
		t.Fatalf("object after presigned parts: %d bytes", len(data))
	}
}
