package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// TestDemo seeds the demo into an empty data dir, checks the --json shape
// the contract fixes, signs in with a printed account, and refuses a second
// seeding.
func TestDemo(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"LEITAI_DATA_DIR": dir, "LEITAI_DATABASE_URL": "", "LEITAI_S3_ENDPOINT": ""}
	var out, logs bytes.Buffer
	for k, v := range env {
		t.Setenv(k, v)
	}
	if code := run(context.Background(), []string{"demo", "--json", "--password", "demo-pass-1"}, strings.NewReader(""), &out, &logs); code != 0 {
		t.Fatalf("demo exit %d: %s %s", code, out.String(), logs.String())
	}
	var res struct {
		Password string `json:"password"`
		Accounts []struct {
			Username string   `json:"username"`
			Roles    []string `json:"roles"`
		} `json:"accounts"`
		EditionID       int64  `json:"edition_id"`
		TrackerPath     string `json:"tracker_path"`
		FundedProjectID int64  `json:"funded_project_id"`
	}
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		t.Fatalf("demo --json output %q: %v", out.String(), err)
	}
	roles := map[string]string{}
	for _, a := range res.Accounts {
		for _, r := range a.Roles {
			roles[r] = a.Username
		}
	}
	if res.Password != "demo-pass-1" || res.EditionID == 0 || len(roles) != 4 || res.TrackerPath != "/tracker" || res.FundedProjectID == 0 {
		t.Fatalf("demo result: %+v", res)
	}
	base := startServe(t, testConfig(t, env))
	unit := login(t, base, roles["unit"], res.Password)
	code, body, _ := unit.do("GET", "/api/v1/editions/current", nil)
	if code != 200 {
		t.Fatalf("current edition: %d %s", code, body)
	}
	admin := login(t, base, roles["admin"], res.Password)
	code, body, _ = admin.do("GET", "/api/v1/editions/1/projects", nil)
	var list struct {
		Projects []struct{ Title string } `json:"projects"`
	}
	_ = json.Unmarshal(body, &list)
	if code != 200 || len(list.Projects) < 40 {
		t.Fatalf("demo projects: %d, %d projects", code, len(list.Projects))
	}
	code, body, _ = admin.do("GET", "/api/v1/editions/1/rounds", nil)
	if code != 200 || !strings.Contains(string(body), `"status":"published"`) || !strings.Contains(string(body), `"status":"open"`) {
		t.Fatalf("demo rounds: %d %s", code, body)
	}
	code, body, _ = admin.do("GET", "/api/v1/rounds/1/results", nil)
	if code != 200 || !strings.Contains(string(body), `"rank":1`) {
		t.Fatalf("demo results: %d %s", code, body)
	}
	if code, body, _ := (&client{t: t, base: base}).do("GET", "/api/v1/results", nil); code != 200 || !strings.Contains(string(body), `"name":"初审"`) {
		t.Fatalf("demo public results: %d %s", code, body)
	}
	// The follow-through at every stage, on the public tracker.
	anon := &client{t: t, base: base}
	code, body, _ = anon.do("GET", "/api/v1/tracker", nil)
	for _, want := range []string{`"status":"completed"`, `"status":"terminated"`, `"adoptions":[{"unit_name"`, `"url":"/api/v1/tracker/photos/`, `"flag":"late"`} {
		if code != 200 || !strings.Contains(string(body), want) {
			t.Fatalf("demo tracker lacks %s: %d %s", want, code, body)
		}
	}
	var tr struct {
		Projects []struct {
			Photos []struct{ URL string } `json:"photos"`
		} `json:"projects"`
	}
	_ = json.Unmarshal(body, &tr)
	for _, p := range tr.Projects {
		for _, ph := range p.Photos {
			resp, err := http.Get(base + ph.URL)
			if err != nil {
				t.Fatal(err)
			}
			img, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || !bytes.HasPrefix(img, []byte{0xFF, 0xD8}) || !strings.Contains(resp.Header.Get("Cache-Control"), "immutable") {
				t.Fatalf("tracker photo %s: %d %q", ph.URL, resp.StatusCode, resp.Header.Get("Cache-Control"))
			}
		}
	}
	if code, body, _ := anon.do("GET", "/api/v1/tracker/"+strconv.FormatInt(res.FundedProjectID, 10), nil); code != 200 || !strings.Contains(string(body), `"reports":[{`) {
		t.Fatalf("demo funded project page: %d %s", code, body)
	}
	if code, body, _ := admin.do("GET", "/api/v1/editions/1/awards/export?format=csv", nil); code != 200 ||
		!strings.Contains(string(body), "结项验收") || !strings.Contains(string(body), "HZCZ-") || !strings.Contains(string(body), "300000.00") {
		t.Fatalf("implementation status export: %d %s", code, body)
	}
	if code, body, _ := admin.do("GET", "/api/v1/follow/dashboard", nil); code != 200 || !strings.Contains(string(body), `"overdue_reports":1`) ||
		!strings.Contains(string(body), `"reports_to_review":0`) || !strings.Contains(string(body), `"plans_to_review":1`) {
		t.Fatalf("dashboard: %d %s", code, body)
	}
	_, body, _ = admin.do("GET", "/api/v1/units", nil)
	var unitList struct {
		Units []struct{ ID int64 } `json:"units"`
	}
	_ = json.Unmarshal(body, &unitList)
	var ids []string
	for _, u := range unitList.Units {
		ids = append(ids, strconv.FormatInt(u.ID, 10))
	}
	if code, body, _ := admin.do("GET", "/api/v1/unit-flags?units="+strings.Join(ids, ","), nil); code != 200 || !strings.Contains(string(body), "终止实施") {
		t.Fatalf("eligibility flags: %d %s", code, body)
	}
	expert := login(t, base, roles["expert"], res.Password)
	code, body, _ = expert.do("GET", "/api/v1/review/rounds", nil)
	if code != 200 || !strings.Contains(string(body), `"name":"复审"`) {
		t.Fatalf("demo expert rounds: %d %s", code, body)
	}
	// 复审 is a blind round in progress: every project's texts name its
	// unit, all but one are redacted, and its experts read the copies.
	var expertRounds struct {
		Rounds []struct {
			ID    int64  `json:"id"`
			Name  string `json:"name"`
			Blind bool   `json:"blind"`
		} `json:"rounds"`
	}
	_ = json.Unmarshal(body, &expertRounds)
	var blindRound int64
	for _, r := range expertRounds.Rounds {
		if r.Name == "复审" && r.Blind {
			blindRound = r.ID
		}
	}
	if blindRound == 0 {
		t.Fatalf("the demo's 复审 is not blind: %s", body)
	}
	rid := strconv.FormatInt(blindRound, 10)
	code, body, _ = admin.do("GET", "/api/v1/rounds/"+rid+"/blind", nil)
	var blind struct {
		Projects []struct {
			ProjectID int64             `json:"project_id"`
			Copy      map[string]string `json:"copy"`
			Hits      map[string][]any  `json:"hits"`
		} `json:"projects"`
		Unredacted int `json:"unredacted_projects"`
	}
	if err := json.Unmarshal(body, &blind); code != 200 || err != nil || blind.Unredacted != 1 || len(blind.Projects) != 15 {
		t.Fatalf("demo blind round: %d %v %s", code, err, body)
	}
	redacted := map[int64]bool{}
	for _, p := range blind.Projects {
		if len(p.Hits) == 0 {
			t.Fatalf("the demo's project %d does not name its unit: %s", p.ProjectID, body)
		}
		redacted[p.ProjectID] = p.Copy != nil
	}
	code, body, _ = expert.do("GET", "/api/v1/review/rounds/"+rid, nil)
	var items struct {
		Items []struct {
			ProjectID int64 `json:"project_id"`
		} `json:"items"`
	}
	if err := json.Unmarshal(body, &items); code != 200 || err != nil || len(items.Items) == 0 {
		t.Fatalf("demo blind round's list: %d %v %s", code, err, body)
	}
	masked := 0
	for _, it := range items.Items {
		code, body, _ := expert.do("GET", "/api/v1/review/rounds/"+rid+"/projects/"+strconv.FormatInt(it.ProjectID, 10), nil)
		if code != 200 || !strings.Contains(string(body), `"unit_name":""`) {
			t.Fatalf("demo blind project: %d %s", code, body)
		}
		if redacted[it.ProjectID] {
			if !strings.Contains(string(body), "【单位】立足基层实际") {
				t.Fatalf("a redacted project reaches the expert unredacted: %s", body)
			}
			masked++
		}
	}
	if masked == 0 {
		t.Fatalf("the demo expert has no redacted project in the blind round")
	}
	code, body, _ = admin.do("GET", "/api/v1/projects/1/media", nil)
	if code != 200 || !strings.Contains(string(body), `"thumb_url":"http`) {
		t.Fatalf("demo media with thumbnails: %d %s", code, body)
	}
	out.Reset()
	if code := runWithEnv(t, env, []string{"demo"}, "", &out); code != 1 || !bytes.Contains(out.Bytes(), []byte("not empty")) {
		t.Fatalf("second demo: exit %d %s", code, out.String())
	}
}
