package main

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"leitai/models"
	"leitai/storage"
	"leitai/storage/scrub/scrubtest"
)

// TestReviewRoundOverHTTP: an admin creates a round, assigns and opens it;
// experts score (bad points are named); the admin closes it, reads the
// results and downloads the score sheet, and `leitai rank` on that sheet
// reproduces the results exactly.
func TestReviewRoundOverHTTP(t *testing.T) {
	dir := t.TempDir()
	base := startServe(t, testConfig(t, map[string]string{"LEITAI_DATA_DIR": dir}))
	ctx := context.Background()
	db, err := storage.Open(ctx, "", dir, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	actor := models.Actor{Name: "test"}
	city, _ := db.CreateUnit(ctx, actor, models.UnitInput{Kind: models.UnitCity, Name: "惠州市"})
	now := time.Now().UTC()
	ed, err := db.CreateEdition(ctx, actor, models.EditionInput{Year: 2026, Title: "评审测试", Categories: []string{"基层治理"},
		OpensAt: now.Add(-time.Hour), ClosesAt: now.Add(time.Hour), Status: models.EditionActive})
	if err != nil {
		t.Fatal(err)
	}
	var projectIDs []int64
	for i := 0; i < 3; i++ {
		u, _ := db.CreateUser(ctx, actor, models.NewUser{Username: fmt.Sprintf("unit%d", i), Password: "review-pass-1", Roles: []models.Role{models.RoleUnit}, UnitID: &city.ID})
		p, err := db.CreateProject(ctx, actor, u, ed.ID, models.ProjectFields{Title: fmt.Sprintf("项目%d", i), Category: "基层治理", Summary: "s",
			Problem: "p", Approach: "a", Results: "r", Replicability: "r", Sustainability: "s", StartDate: "2025-01-01", ContactName: "c", ContactPhone: "13812345678"}, time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		projectIDs = append(projectIDs, p.ID)
	}
	admin0, _ := db.CreateUser(ctx, actor, models.NewUser{Username: "boss", Password: "review-pass-1", Roles: []models.Role{models.RoleAdmin}})
	_ = admin0
	for i := 0; i < 2; i++ {
		if _, err := db.CreateUser(ctx, actor, models.NewUser{Username: fmt.Sprintf("judge%d", i), Password: "review-pass-1", Roles: []models.Role{models.RoleExpert}}); err != nil {
			t.Fatal(err)
		}
	}
	admin := login(t, base, "boss", "review-pass-1")
	// Each unit attaches a photo and submits; the admin finds them eligible.
	for i, id := range projectIDs {
		unit := login(t, base, fmt.Sprintf("unit%d", i), "review-pass-1")
		uploadPNG(t, unit, id)
		if code, body, _ := unit.do("POST", fmt.Sprintf("/api/v1/projects/%d/submit", id), map[string]any{}); code != 200 {
			t.Fatalf("submit: %d %s", code, body)
		}
	}
	if code, body, _ := admin.do("POST", "/api/v1/projects/eligibility", map[string]any{"project_ids": projectIDs, "eligible": true}); code != 200 {
		t.Fatalf("eligibility: %d %s", code, body)
	}
	code, body, _ := admin.do("POST", fmt.Sprintf("/api/v1/editions/%d/rounds", ed.ID), map[string]any{
		"name": "初审", "kind": "online", "opens_at": now.Add(-time.Hour), "closes_at": now.Add(time.Hour),
		"reviewers_per_project": 2, "method": "mean", "key_criterion": "innovative"})
	if code != 201 {
		t.Fatalf("create round: %d %s", code, body)
	}
	var round struct {
		ID          int64 `json:"id"`
		RubricTotal any   `json:"rubric_total"`
	}
	_ = json.Unmarshal(body, &round)
	if code, body, _ := admin.do("POST", fmt.Sprintf("/api/v1/rounds/%d/assign", round.ID), map[string]any{"seed": 42}); code != 200 || !strings.Contains(string(body), `"balanced":true`) {
		t.Fatalf("assign: %d %s", code, body)
	}
	if code, body, _ := admin.do("POST", fmt.Sprintf("/api/v1/rounds/%d/status", round.ID), map[string]any{"status": "open"}); code != 200 {
		t.Fatalf("open: %d %s", code, body)
	}
	for j := 0; j < 2; j++ {
		judge := login(t, base, fmt.Sprintf("judge%d", j), "review-pass-1")
		code, body, _ := judge.do("GET", "/api/v1/review/rounds", nil)
		if code != 200 || !strings.Contains(string(body), `"total":3`) {
			t.Fatalf("review rounds: %d %s", code, body)
		}
		path := func(pid int64) string {
			return fmt.Sprintf("/api/v1/review/rounds/%d/projects/%d/score", round.ID, pid)
		}
		code, body, _ = judge.do("PUT", path(projectIDs[0]), map[string]any{"points": map[string]any{"innovative": 26, "sustainable": 10.3}})
		if code != 422 || !strings.Contains(string(body), `"innovative":"between 0 and 25"`) || !strings.Contains(string(body), `"sustainable":"in steps of 0.5"`) {
			t.Fatalf("bad points: %d %s", code, body)
		}
		for i, pid := range projectIDs {
			// Project 0 and 1 tie on totals; project 1 wins on innovative.
			inn, exp := 20.0, 15.0
			if i == 1 {
				inn, exp = 21.5, 13.5
			}
			if i == 2 {
				inn = 24
			}
			code, body, _ := judge.do("PUT", path(pid), map[string]any{"points": map[string]any{"innovative": inn, "exploratory": exp,
				"demonstrative": 15, "replicable": 15, "sustainable": 10}, "submit": true})
			if code != 200 {
				t.Fatalf("score: %d %s", code, body)
			}
		}
	}
	if code, body, _ := admin.do("POST", fmt.Sprintf("/api/v1/rounds/%d/status", round.ID), map[string]any{"status": "closed"}); code != 200 {
		t.Fatalf("close: %d %s", code, body)
	}
	code, results, _ := admin.do("GET", fmt.Sprintf("/api/v1/rounds/%d/results", round.ID), nil)
	if code != 200 {
		t.Fatalf("results: %d %s", code, results)
	}
	var res struct {
		Ranking []struct {
			Project  string  `json:"project"`
			Score    float64 `json:"score"`
			Rank     int     `json:"rank"`
			Display  string  `json:"display"`
			Tiebreak string  `json:"tiebreak"`
		} `json:"ranking"`
	}
	_ = json.Unmarshal(results, &res)
	if len(res.Ranking) != 3 || res.Ranking[0].Project != fmt.Sprint(projectIDs[2]) || res.Ranking[1].Project != fmt.Sprint(projectIDs[1]) ||
		res.Ranking[1].Tiebreak != "key_criterion" || res.Ranking[2].Rank != 3 || res.Ranking[0].Display != "79.00" {
		t.Fatalf("results: %s", results)
	}
	code, stats, _ := admin.do("GET", fmt.Sprintf("/api/v1/rounds/%d/statistics", round.ID), nil)
	if code != 200 || !strings.Contains(string(stats), `"leniency"`) || !strings.Contains(string(stats), `"kendall_w":`) {
		t.Fatalf("statistics: %d %s", code, stats)
	}
	code, xlsx, _ := admin.do("GET", fmt.Sprintf("/api/v1/rounds/%d/export?what=scores", round.ID), nil)
	if code != 200 || !bytes.HasPrefix(xlsx, []byte("PK")) {
		t.Fatalf("scores export: %d", code)
	}
	code, csvBody, _ := admin.do("GET", fmt.Sprintf("/api/v1/rounds/%d/export?format=csv", round.ID), nil)
	if code != 200 || !strings.Contains(string(csvBody), "79.00") || !strings.Contains(string(csvBody), "项目2") {
		t.Fatalf("results export: %d %s", code, csvBody)
	}
	code, sheet, _ := admin.do("GET", fmt.Sprintf("/api/v1/rounds/%d/sheet", round.ID), nil)
	if code != 200 {
		t.Fatalf("sheet: %d", code)
	}
	var out, errOut bytes.Buffer
	if code := run(ctx, []string{"rank"}, bytes.NewReader(sheet), &out, &errOut); code != 0 {
		t.Fatalf("leitai rank: exit %d %s", code, errOut.String())
	}
	var ranked struct {
		Ranking []struct {
			Project string  `json:"project"`
			Score   float64 `json:"score"`
			Rank    int     `json:"rank"`
		} `json:"ranking"`
	}
	_ = json.Unmarshal(out.Bytes(), &ranked)
	for i, r := range ranked.Ranking {
		if r.Project != res.Ranking[i].Project || r.Score != res.Ranking[i].Score || r.Rank != res.Ranking[i].Rank {
			t.Fatalf("leitai rank differs at %d: %+v vs %+v", i, r, res.Ranking[i])
		}
	}
	// Publish: the public results list it, and the anonymised sheet ranks the same.
	if code, body, _ := admin.do("POST", fmt.Sprintf("/api/v1/rounds/%d/status", round.ID), map[string]any{"status": "published"}); code != 200 {
		t.Fatalf("publish: %d %s", code, body)
	}
	anon := &client{t: t, base: base}
	code, pub, _ := anon.do("GET", "/api/v1/results", nil)
	if code != 200 || !strings.Contains(string(pub), `"display":"79.00"`) || !strings.Contains(string(pub), `"objection_until"`) {
		t.Fatalf("public results: %d %s", code, pub)
	}
	code, pubSheet, _ := anon.do("GET", fmt.Sprintf("/api/v1/rounds/%d/published-sheet", round.ID), nil)
	if code != 200 || !strings.Contains(string(pubSheet), `"judge":"J1"`) || strings.Contains(string(pubSheet), `"judge":"E`) {
		t.Fatalf("published sheet: %d %s", code, pubSheet)
	}
	out.Reset()
	if code := run(ctx, []string{"rank"}, bytes.NewReader(pubSheet), &out, &errOut); code != 0 || !strings.Contains(out.String(), `"project":"`+fmt.Sprint(projectIDs[2])+`","score":79,"rank":1`) {
		t.Fatalf("leitai rank on the published sheet: %d %s %s", code, out.String(), errOut.String())
	}
	if code, _, _ := login(t, base, "judge0", "review-pass-1").do("PUT", fmt.Sprintf("/api/v1/review/rounds/%d/projects/%d/score", round.ID, projectIDs[0]),
		map[string]any{"points": map[string]any{"innovative": 25}, "submit": false}); code != 409 {
		t.Fatalf("changing a score after close: %d", code)
	}
}

// uploadPNG attaches a small real PNG to a project through the upload API.
func uploadPNG(t *testing.T, c *client, projectID int64) {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for i := range img.Pix {
		img.Pix[i] = byte(i)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	uploadFile(t, c, projectID, "photo.png", "image/png", buf.Bytes())
}

// uploadFile uploads a small file (one part) to a project.
func uploadFile(t *testing.T, c *client, projectID int64, name, contentType string, data []byte) {
	t.Helper()
	code, body, _ := c.do("POST", fmt.Sprintf("/api/v1/projects/%d/uploads", projectID), map[string]any{"filename": name, "size": len(data), "content_type": contentType})
	if code != 201 {
		t.Fatalf("start upload: %d %s", code, body)
	}
	var up struct {
		ID string `json:"upload_id"`
	}
	_ = json.Unmarshal(body, &up)
	sum := md5.Sum(data)
	req, _ := http.NewRequest("PUT", c.base+"/api/v1/uploads/"+up.ID+"/parts/1", bytes.NewReader(data))
	req.Header.Set("Content-Type", "application/octet-stream")
	req.Header.Set("Content-MD5", base64.StdEncoding.EncodeToString(sum[:]))
	req.Header.Set("Cookie", "leitai_session="+c.cookie)
	req.Header.Set("X-CSRF-Token", c.csrf)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("part 1: %v %v", err, resp)
	}
	resp.Body.Close()
	if code, body, _ := c.do("POST", "/api/v1/uploads/"+up.ID+"/complete", map[string]any{}); code != 201 {
		t.Fatalf("complete: %d %s", code, body)
	}
}

// TestDecisionsOverHTTP: two projects tie through the whole chain; the
// admin chooses the panel, reminds the expert who is behind, decides the
// tie and the advancement, publishes; the published sheet carries the
// decision so `leitai rank` reproduces the order; the public objects and
// the admin's answer shows on the public results. The expert sees the
// media with blind file names and no unit anywhere.
func TestDecisionsOverHTTP(t *testing.T) {
	dir := t.TempDir()
	base := startServe(t, testConfig(t, map[string]string{"LEITAI_DATA_DIR": dir}))
	ctx := context.Background()
	db, err := storage.Open(ctx, "", dir, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	actor := models.Actor{Name: "test"}
	city, _ := db.CreateUnit(ctx, actor, models.UnitInput{Kind: models.UnitCity, Name: "盲评测试市"})
	now := time.Now().UTC()
	ed, _ := db.CreateEdition(ctx, actor, models.EditionInput{Year: 2026, Title: "裁决测试", Categories: []string{"基层治理"},
		OpensAt: now.Add(-time.Hour), ClosesAt: now.Add(time.Hour), Status: models.EditionActive})
	var ids []int64
	for i := 0; i < 3; i++ {
		u, _ := db.CreateUser(ctx, actor, models.NewUser{Username: fmt.Sprintf("unit%d", i), Password: "review-pass-1", Roles: []models.Role{models.RoleUnit}, UnitID: &city.ID})
		p, err := db.CreateProject(ctx, actor, u, ed.ID, models.ProjectFields{Title: fmt.Sprintf("项目%d", i), Category: "基层治理", Summary: "s",
			Problem: "p", Approach: "a", Results: "r", Replicability: "r", Sustainability: "s", StartDate: "2025-01-01", ContactName: "c", ContactPhone: "13812345678"}, time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, p.ID)
	}
	for _, name := range []string{"boss", "judge0", "judge1", "judge2"} {
		role := models.RoleExpert
		if name == "boss" {
			role = models.RoleAdmin
		}
		if _, err := db.CreateUser(ctx, actor, models.NewUser{Username: name, Password: "review-pass-1", Roles: []models.Role{role}}); err != nil {
			t.Fatal(err)
		}
	}
	admin := login(t, base, "boss", "review-pass-1")
	exifPhoto := scrubtest.JPEG(t, "盲评测试市", 6)
	for i, id := range ids {
		unit := login(t, base, fmt.Sprintf("unit%d", i), "review-pass-1")
		uploadPNG(t, unit, id)
		if i == 0 {
			uploadFile(t, unit, id, "盲评测试市现场.jpg", "image/jpeg", exifPhoto)
		}
		if code, body, _ := unit.do("POST", fmt.Sprintf("/api/v1/projects/%d/submit", id), map[string]any{}); code != 200 {
			t.Fatalf("submit: %d %s", code, body)
		}
	}
	admin.do("POST", "/api/v1/projects/eligibility", map[string]any{"project_ids": ids, "eligible": true})
	code, body, _ := admin.do("POST", fmt.Sprintf("/api/v1/editions/%d/rounds", ed.ID), map[string]any{
		"name": "初审", "kind": "online", "opens_at": now.Add(-time.Hour), "closes_at": now.Add(time.Hour),
		"reviewers_per_project": 2, "method": "mean", "key_criterion": "innovative", "blind": true})
	if code != 201 {
		t.Fatalf("create round: %d %s", code, body)
	}
	var round struct {
		ID int64 `json:"id"`
	}
	_ = json.Unmarshal(body, &round)
	rp := func(format string, args ...any) string {
		return fmt.Sprintf("/api/v1/rounds/%d"+format, append([]any{round.ID}, args...)...)
	}

	// The panel: judge0 and judge1 only.
	_, users, _ := admin.do("GET", "/api/v1/users?role=expert", nil)
	var ul struct {
		Users []struct {
			ID       int64  `json:"id"`
			Username string `json:"username"`
		} `json:"users"`
	}
	_ = json.Unmarshal(users, &ul)
	var panel []int64
	for _, u := range ul.Users {
		if u.Username != "judge2" {
			panel = append(panel, u.ID)
		}
	}
	if code, body, _ := admin.do("PUT", rp("/experts"), map[string]any{"expert_ids": panel}); code != 200 {
		t.Fatalf("panel: %d %s", code, body)
	}
	code, body, _ = admin.do("POST", rp("/assign"), map[string]any{"seed": 3})
	if code != 200 || !strings.Contains(string(body), `"projects":[{"project":`) || !strings.Contains(string(body), `"experts":[{"expert":`) {
		t.Fatalf("assign (snake_case JSON): %d %s", code, body)
	}
	admin.do("POST", rp("/status"), map[string]any{"status": "open"})

	judges := []*client{login(t, base, "judge0", "review-pass-1"), login(t, base, "judge1", "review-pass-1")}
	// Media for the assigned expert: blind names, no unit.
	code, media, _ := judges[0].do("GET", fmt.Sprintf("/api/v1/review/rounds/%d/projects/%d/media", round.ID, ids[0]), nil)
	if code != 200 || !strings.Contains(string(media), `"filename":"附件1.png"`) || strings.Contains(string(media), "photo") ||
		strings.Contains(string(media), "盲评测试市") || !strings.Contains(string(media), `"url":"`) {
		t.Fatalf("review media: %d %s", code, media)
	}
	// The photo with Exif naming the unit: the expert's links serve the
	// copy without metadata once the worker made it (nothing before), the
	// admin's the original.
	var listed struct {
		Media []struct {
			Filename    string `json:"filename"`
			URL         string `json:"url"`
			DownloadURL string `json:"download_url"`
			Withheld    string `json:"withheld"`
		} `json:"media"`
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		_, media, _ = judges[0].do("GET", fmt.Sprintf("/api/v1/review/rounds/%d/projects/%d/media", round.ID, ids[0]), nil)
		listed.Media = nil
		_ = json.Unmarshal(media, &listed)
		if len(listed.Media) != 2 {
			t.Fatalf("review media: %s", media)
		}
		photo := listed.Media[1]
		if photo.Withheld == "" {
			if photo.Filename != "附件2.jpg" || photo.URL == "" || photo.DownloadURL == "" {
				t.Fatalf("clean photo: %s", media)
			}
			break
		}
		if photo.Withheld != "processing" || photo.URL != "" || photo.DownloadURL != "" || !strings.Contains(string(media), `"notice":"`) {
			t.Fatalf("photo while its clean copy is made: %s", media)
		}
		if time.Now().After(deadline) {
			t.Fatalf("no clean copy after 20 s: %s", media)
		}
		time.Sleep(100 * time.Millisecond)
	}
	fetch := func(link string) []byte {
		// The filesystem store's links name the public address; the test
		// server listens elsewhere.
		if i := strings.Index(link, "/files/"); i >= 0 {
			link = base + link[i:]
		}
		resp, err := http.Get(link)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("GET %s: %v %v", link, resp, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return b
	}
	for _, link := range []string{listed.Media[1].URL, listed.Media[1].DownloadURL} {
		b := fetch(link)
		if bytes.Contains(b, []byte("盲评测试市")) {
			t.Fatal("the expert's photo link serves the unit's name")
		}
		if _, err := jpeg.Decode(bytes.NewReader(b)); err != nil {
			t.Fatalf("the expert's photo: %v", err)
		}
	}
	_, own, _ := admin.do("GET", fmt.Sprintf("/api/v1/projects/%d/media", ids[0]), nil)
	var adminList struct {
		Media []struct {
			DownloadURL string `json:"download_url"`
		} `json:"media"`
	}
	_ = json.Unmarshal(own, &adminList)
	if len(adminList.Media) != 2 || !bytes.Equal(fetch(adminList.Media[1].DownloadURL), exifPhoto) {
		t.Fatalf("the admin does not get the original: %s", own)
	}
	if code, _, _ := login(t, base, "judge2", "review-pass-1").do("GET", fmt.Sprintf("/api/v1/review/rounds/%d/projects/%d/media", round.ID, ids[0]), nil); code != 403 {
		t.Fatalf("media of an unassigned project: %d", code)
	}
	for j, judge := range judges {
		for i, pid := range ids {
			inn := 20.0
			if i == 2 {
				inn = 24
			}
			submit := j == 0 || i < 2
			code, body, _ := judge.do("PUT", fmt.Sprintf("/api/v1/review/rounds/%d/projects/%d/score", round.ID, pid), map[string]any{"points": map[string]any{
				"innovative": inn, "exploratory": 15, "demonstrative": 15, "replicable": 15, "sustainable": 10}, "submit": submit})
			if code != 200 {
				t.Fatalf("score: %d %s", code, body)
			}
		}
	}
	code, body, _ = admin.do("POST", rp("/reminders"), map[string]any{"message": "请尽快完成评审"})
	if code != 200 || strings.Count(string(body), `"expert_id"`) != 1 || !strings.Contains(string(body), `"username":"judge1"`) {
		t.Fatalf("remind: %d %s", code, body)
	}
	if code, body, _ := judges[1].do("GET", "/api/v1/review/rounds", nil); code != 200 || !strings.Contains(string(body), `"message":"请尽快完成评审","remaining":1`) {
		t.Fatalf("the expert's home shows the reminder: %d %s", code, body)
	}
	judges[1].do("PUT", fmt.Sprintf("/api/v1/review/rounds/%d/projects/%d/score", round.ID, ids[2]), map[string]any{"points": map[string]any{
		"innovative": 24, "exploratory": 15, "demonstrative": 15, "replicable": 15, "sustainable": 10}, "submit": true})
	admin.do("POST", rp("/status"), map[string]any{"status": "closed"})

	p0, p1, p2 := fmt.Sprint(ids[0]), fmt.Sprint(ids[1]), fmt.Sprint(ids[2])
	if code, body, _ := admin.do("GET", rp("/results"), nil); code != 200 || strings.Count(string(body), `"tied":true`) != 2 {
		t.Fatalf("flagged tie: %d %s", code, body)
	}
	if code, body, _ := admin.do("POST", rp("/decisions"), map[string]any{"order": []string{p2, p1}, "reason": "x"}); code != 422 || !strings.Contains(string(body), `"order"`) {
		t.Fatalf("a decision naming an untied project: %d %s", code, body)
	}
	if code, body, _ := admin.do("POST", rp("/decisions"), map[string]any{"order": []string{p1, p0}, "reason": "现场核查情况更好"}); code != 201 {
		t.Fatalf("decide: %d %s", code, body)
	}
	if code, body, _ := admin.do("PUT", rp("/advancement"), map[string]any{"top": 1, "overrides": []map[string]any{{"project": p1, "advance": true, "reason": "破格晋级"}}}); code != 200 ||
		!strings.Contains(string(body), `"advancing":["`+p2+`","`+p1+`"]`) {
		t.Fatalf("advancement: %d %s", code, body)
	}
	if code, body, _ := admin.do("GET", rp("/decisions"), nil); code != 200 || !strings.Contains(string(body), `"reason":"现场核查情况更好"`) || !strings.Contains(string(body), `"top":1`) {
		t.Fatalf("decisions: %d %s", code, body)
	}
	code, results, _ := admin.do("GET", rp("/results"), nil)
	if code != 200 || strings.Contains(string(results), `"tied":true`) || !strings.Contains(string(results), `"tiebreak":"decision"`) {
		t.Fatalf("decided results: %d %s", code, results)
	}
	if code, body, _ := admin.do("POST", rp("/status"), map[string]any{"status": "published"}); code != 200 {
		t.Fatalf("publish: %d %s", code, body)
	}
	anon := &client{t: t, base: base}
	_, sheet, _ := anon.do("GET", rp("/published-sheet"), nil)
	var out, errOut bytes.Buffer
	if code := run(ctx, []string{"rank"}, bytes.NewReader(sheet), &out, &errOut); code != 0 {
		t.Fatalf("leitai rank: %d %s", code, errOut.String())
	}
	want := fmt.Sprintf(`{"ranking":[{"project":"%s","score":79,"rank":1,"judges":2,"method_applied":"mean","tied":false},{"project":"%s","score":75,"rank":2,"judges":2,"method_applied":"mean","tied":false},{"project":"%s","score":75,"rank":3,"judges":2,"method_applied":"mean","tied":false}]}`, p2, p1, p0)
	if strings.TrimSpace(out.String()) != want {
		t.Fatalf("leitai rank on the published sheet:\n%s\nwant\n%s", out.String(), want)
	}

	// Objections: public, name and contact required; answered publicly.
	op := fmt.Sprintf("/api/v1/results/%d/objections", round.ID)
	if code, body, _ := anon.do("POST", op, map[string]any{"body": "太短"}); code != 422 || !strings.Contains(string(body), `"contact"`) {
		t.Fatalf("incomplete objection: %d %s", code, body)
	}
	code, body, _ = anon.do("POST", op, map[string]any{"project_id": ids[1], "name": "李女士", "contact": "13900002222", "body": "破格晋级的理由不够充分，请说明。"})
	if code != 201 {
		t.Fatalf("objection: %d %s", code, body)
	}
	var obj struct {
		ID int64 `json:"id"`
	}
	_ = json.Unmarshal(body, &obj)
	if code, body, _ := admin.do("GET", rp("/objections"), nil); code != 200 || !strings.Contains(string(body), `"contact":"13900002222"`) {
		t.Fatalf("admin objections: %d %s", code, body)
	}
	if code, body, _ := admin.do("POST", fmt.Sprintf("/api/v1/objections/%d/answer", obj.ID), map[string]any{"answer": "经复核，维持原决定。"}); code != 200 {
		t.Fatalf("answer: %d %s", code, body)
	}
	code, pub, _ := anon.do("GET", "/api/v1/results", nil)
	if code != 200 || !strings.Contains(string(pub), `"answer":"经复核，维持原决定。"`) || strings.Contains(string(pub), "13900002222") ||
		strings.Contains(string(pub), "李女士") || !strings.Contains(string(pub), `"objections_open":true`) || !strings.Contains(string(pub), `"advances":true,"advance_reason":"破格晋级"`) {
		t.Fatalf("public results: %d %s", code, pub)
	}
}
