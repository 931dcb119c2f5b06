package main

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// putChunk sends one upload part the way the browser does.
func (c *client) putChunk(uploadID string, n int, body []byte, sum []byte) (int, []byte) {
	c.t.Helper()
	req, _ := http.NewRequest("PUT", fmt.Sprintf("%s/api/v1/uploads/%s/parts/%d", c.base, uploadID, n), bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/octet-stream")
	if sum != nil {
		req.Header.Set("Content-MD5", base64.StdEncoding.EncodeToString(sum))
	}
	req.Header.Set("Cookie", "leitai_session="+c.cookie)
	req.Header.Set("X-CSRF-Token", c.csrf)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

func md5sum(b []byte) []byte { s := md5.Sum(b); return s[:] }

// local points a filesystem-store link (made for the configured public
// URL) at the test server.
func local(base, link string) string {
	u, err := url.Parse(link)
	if err != nil {
		return link
	}
	return base + u.RequestURI()
}

type uploadResp struct {
	UploadID  string `json:"upload_id"`
	ChunkSize int64  `json:"chunk_size"`
	Parts     int    `json:"parts"`
	Mode      string `json:"mode"`
	Received  []int  `json:"received"`
	Kind      string `json:"kind"`
}

type mediaResp struct {
	ID          int64  `json:"id"`
	Kind        string `json:"kind"`
	ContentType string `json:"content_type"`
	Processing  string `json:"processing"`
	URL         string `json:"url"`
	DownloadURL string `json:"download_url"`
	ThumbURL    string `json:"thumb_url"`
}

// TestMediaOverHTTP uploads through the real server on the embedded
// default: chunks with checksums, sniffing, limits, resume, completion,
// expiring links with ranges, processing and deletion.
func TestMediaOverHTTP(t *testing.T) {
	dir := t.TempDir()
	base := startServe(t, testConfig(t, map[string]string{"LEITAI_DATA_DIR": dir}))
	clients := seedRoles(t, base, dir)
	admin, unit := clients["admin"], clients["unit"]
	now := time.Now().UTC()
	code, body, _ := admin.do("POST", "/api/v1/editions", map[string]any{"year": now.Year(), "title": "测试", "categories": []string{"基层治理"},
		"opens_at": now.Add(-time.Hour), "closes_at": now.Add(time.Hour), "status": "active"})
	var ed struct{ ID int64 }
	if json.Unmarshal(body, &ed); code != 201 || ed.ID == 0 {
		t.Fatalf("edition: %d %s", code, body)
	}
	code, body, _ = unit.do("POST", fmt.Sprintf("/api/v1/editions/%d/projects", ed.ID), map[string]any{"title": "四民主工作法"})
	var project struct{ ID int64 }
	if json.Unmarshal(body, &project); code != 201 || project.ID == 0 {
		t.Fatalf("project: %d %s", code, body)
	}
	uploads := fmt.Sprintf("/api/v1/projects/%d/uploads", project.ID)
	start := func(name, ct string, size int) uploadResp {
		t.Helper()
		code, body, _ := unit.do("POST", uploads, map[string]any{"filename": name, "size": size, "content_type": ct})
		var up uploadResp
		if json.Unmarshal(body, &up); code != 201 {
			t.Fatalf("start %s: %d %s", name, code, body)
		}
		return up
	}

	// Over the limit: 413 before any byte.
	if code, body, _ := unit.do("POST", uploads, map[string]any{"filename": "big.jpg", "size": 31 << 20, "content_type": "image/jpeg"}); code != 413 || !strings.Contains(string(body), "too_large") {
		t.Fatalf("31 MiB photo: %d %s", code, body)
	}
	// A web page renamed to .jpg: 415, and the upload is gone.
	page := []byte("<!doctype html><script>alert(1)</script>")
	up := start("photo.jpg", "image/jpeg", len(page))
	if code, body := unit.putChunk(up.UploadID, 1, page, md5sum(page)); code != 415 || !strings.Contains(string(body), "unsupported_media") {
		t.Fatalf("html as jpeg: %d %s", code, body)
	}
	if code, _, _ := unit.do("GET", "/api/v1/uploads/"+up.UploadID, nil); code != 404 {
		t.Fatalf("refused upload still there: %d", code)
	}

	// A two-part video: the 8 MiB chunk passes the body limit.
	video := make([]byte, 8<<20+4096)
	copy(video, "\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2")
	up = start("路演.mp4", "video/mp4", len(video))
	if up.Parts != 2 || up.ChunkSize != 8<<20 || up.Mode != "proxy" {
		t.Fatalf("upload = %+v", up)
	}
	p1, p2 := video[:8<<20], video[8<<20:]
	if code, body := unit.putChunk(up.UploadID, 1, p1, nil); code != 422 || !strings.Contains(string(body), "Content-MD5") {
		t.Fatalf("no checksum: %d %s", code, body)
	}
	if code, body := unit.putChunk(up.UploadID, 1, p1, md5sum(p2)); code != 400 || !strings.Contains(string(body), "corrupted chunk") {
		t.Fatalf("wrong checksum: %d %s", code, body)
	}
	if code, body := unit.putChunk(up.UploadID, 1, p1, md5sum(p1)); code != 200 || !strings.Contains(string(body), `"received":[1]`) {
		t.Fatalf("part 1: %d %s", code, body)
	}
	// Resume after a reload: the project's uploads say what arrived.
	code, body, _ = unit.do("GET", uploads, nil)
	if code != 200 || !strings.Contains(string(body), up.UploadID) || !strings.Contains(string(body), `"received":[1]`) {
		t.Fatalf("uploads: %d %s", code, body)
	}
	if code, body := unit.putChunk(up.UploadID, 2, p2, md5sum(p2)); code != 200 || !strings.Contains(string(body), `"complete":true`) {
		t.Fatalf("part 2: %d %s", code, body)
	}
	code, body, _ = unit.do("POST", "/api/v1/uploads/"+up.UploadID+"/complete", map[string]any{})
	var vid mediaResp
	if json.Unmarshal(body, &vid); code != 201 || vid.Kind != "video" || vid.ContentType != "video/mp4" {
		t.Fatalf("complete: %d %s", code, body)
	}
	// The link serves ranges (seeking).
	req, _ := http.NewRequest("GET", local(base, vid.URL), nil)
	req.Header.Set("Range", "bytes=4-11")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 206 || string(got) != "ftypisom" || !strings.HasPrefix(resp.Header.Get("Content-Disposition"), "inline") {
		t.Fatalf("range on the video link: %d %q %s", resp.StatusCode, got, resp.Header.Get("Content-Disposition"))
	}

	// A photo gets a thumbnail from the worker.
	img := image.NewNRGBA(image.Rect(0, 0, 900, 600))
	for i := range img.Pix {
		img.Pix[i] = byte(i)
	}
	img.Set(0, 0, color.White)
	var buf bytes.Buffer
	png.Encode(&buf, img)
	photo := buf.Bytes()
	up = start("现场.png", "image/png", len(photo))
	if code, body := unit.putChunk(up.UploadID, 1, photo, md5sum(photo)); code != 200 {
		t.Fatalf("photo: %d %s", code, body)
	}
	code, body, _ = unit.do("POST", "/api/v1/uploads/"+up.UploadID+"/complete", map[string]any{})
	var pic mediaResp
	if json.Unmarshal(body, &pic); code != 201 {
		t.Fatalf("complete photo: %d %s", code, body)
	}
	deadline := time.Now().Add(20 * time.Second)
	for pic.Processing != "done" {
		if time.Now().After(deadline) {
			t.Fatalf("photo not processed: %+v", pic)
		}
		time.Sleep(100 * time.Millisecond)
		_, body, _ = unit.do("GET", fmt.Sprintf("/api/v1/media/%d", pic.ID), nil)
		json.Unmarshal(body, &pic)
	}
	if code, body := get(t, local(base, pic.ThumbURL)); code != 200 || !strings.HasPrefix(body, "\xFF\xD8") {
		t.Fatalf("thumbnail: %d", code)
	}

	// Other roles see nothing of it.
	if code, _, _ := clients["expert"].do("GET", fmt.Sprintf("/api/v1/projects/%d/media", project.ID), nil); code != 403 {
		t.Fatalf("expert lists media: %d", code)
	}
	code, body, _ = unit.do("GET", fmt.Sprintf("/api/v1/projects/%d/media", project.ID), nil)
	if code != 200 || strings.Count(string(body), `"id":`) != 2 {
		t.Fatalf("media list: %d %s", code, body)
	}
	// Deleting removes the object: the old link stops working.
	if code, body, _ := unit.do("DELETE", fmt.Sprintf("/api/v1/media/%d", vid.ID), nil); code != 204 {
		t.Fatalf("delete: %d %s", code, body)
	}
	if code, _ := get(t, local(base, vid.URL)); code != 404 {
		t.Fatalf("link after delete: %d", code)
	}
}
