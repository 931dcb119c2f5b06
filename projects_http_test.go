package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// TestProjectsOverHTTP walks an edition through the API: an admin opens it,
// a unit drafts a project (stored as typed), another unit cannot see it,
// the admin exports the submissions as CSV and Excel.
func TestProjectsOverHTTP(t *testing.T) {
	dir := t.TempDir()
	base := startServe(t, testConfig(t, map[string]string{"LEITAI_DATA_DIR": dir}))
	clients := seedRoles(t, base, dir)
	admin, unit := clients["admin"], clients["unit"]

	now := time.Now().UTC()
	code, body, _ := admin.do("POST", "/api/v1/editions", map[string]any{
		"year": 2026, "title": "2026年惠州市社会治理创新十大项目", "categories": []string{"基层治理", "平安建设"},
		"opens_at": now.Add(-time.Hour), "closes_at": now.Add(72 * time.Hour), "grace_minutes": 30, "quota_per_unit": 2, "status": "active"})
	if code != 201 {
		t.Fatalf("create edition: %d %s", code, body)
	}
	var ed struct {
		ID        int64 `json:"id"`
		Accepting bool  `json:"accepting"`
	}
	_ = json.Unmarshal(body, &ed)
	if !ed.Accepting {
		t.Fatalf("edition not accepting: %s", body)
	}
	code, body, _ = (&client{t: t, base: base}).do("GET", "/api/v1/editions/current", nil)
	if code != 200 || !strings.Contains(string(body), `"deadline"`) {
		t.Fatalf("public current edition: %d %s", code, body)
	}
	code, body, _ = admin.do("POST", "/api/v1/editions", map[string]any{"year": 1999, "title": "", "categories": []string{},
		"opens_at": now, "closes_at": now.Add(-time.Hour), "status": "open"})
	if code != 422 {
		t.Fatalf("bad edition: %d %s", code, body)
	}
	for _, f := range []string{"year", "title", "categories", "closes_at", "status"} {
		if !strings.Contains(string(body), `"`+f+`"`) {
			t.Errorf("bad edition error does not name %s: %s", f, body)
		}
	}

	title := `<script>alert("x")</script> 四民主工作法 =SUM(A1)`
	code, body, _ = unit.do("POST", fmt.Sprintf("/api/v1/editions/%d/projects", ed.ID), map[string]any{"title": title, "category": "基层治理"})
	if code != 201 {
		t.Fatalf("create project: %d %s", code, body)
	}
	var p struct {
		ID      int64    `json:"id"`
		Title   string   `json:"title"`
		Missing []string `json:"missing"`
	}
	_ = json.Unmarshal(body, &p)
	if p.Title != title || len(p.Missing) == 0 {
		t.Fatalf("project stored as typed with missing fields listed: %+v", p)
	}
	code, body, _ = unit.do("POST", fmt.Sprintf("/api/v1/projects/%d/submit", p.ID), map[string]any{})
	if code != 422 || !strings.Contains(string(body), `"summary":"required"`) {
		t.Fatalf("incomplete submit: %d %s", code, body)
	}
	// An expert is not a unit: forbidden to list; a missing project is 404.
	if code, _, _ := clients["expert"].do("GET", fmt.Sprintf("/api/v1/editions/%d/projects", ed.ID), nil); code != 403 {
		t.Fatalf("expert listing projects: %d", code)
	}
	if code, _, _ := unit.do("GET", "/api/v1/projects/424242", nil); code != 404 {
		t.Fatalf("missing project: %d", code)
	}
	code, body, _ = unit.do("GET", fmt.Sprintf("/api/v1/editions/%d/projects", ed.ID), nil)
	if code != 200 || !strings.Contains(string(body), `"unit_name":"惠州市"`) {
		t.Fatalf("unit list: %d %s", code, body)
	}

	code, csvBody, h := admin.do("GET", fmt.Sprintf("/api/v1/editions/%d/projects/export?format=csv", ed.ID), nil)
	if code != 200 || !bytes.HasPrefix(csvBody, []byte("\ufeff")) || !strings.Contains(h.Get("Content-Disposition"), ".csv") {
		t.Fatalf("csv export: %d %q", code, h.Get("Content-Disposition"))
	}
	if !strings.Contains(string(csvBody), "四民主工作法") || !strings.Contains(string(csvBody), "/admin/projects/") {
		t.Fatalf("csv content: %s", csvBody)
	}
	code, xlsxBody, _ := admin.do("GET", fmt.Sprintf("/api/v1/editions/%d/projects/export?format=xlsx", ed.ID), nil)
	if code != 200 {
		t.Fatalf("xlsx export: %d", code)
	}
	x, err := excelize.OpenReader(bytes.NewReader(xlsxBody))
	if err != nil {
		t.Fatalf("xlsx does not open: %v", err)
	}
	rows, _ := x.GetRows(x.GetSheetList()[0])
	if len(rows) != 2 || rows[1][1] != title {
		t.Fatalf("xlsx rows: %v", rows)
	}
	if code, _, _ := admin.do("GET", fmt.Sprintf("/api/v1/editions/%d/projects/export?format=pdf", ed.ID), nil); code != 422 {
		t.Fatalf("bad export format: %d", code)
	}
}
