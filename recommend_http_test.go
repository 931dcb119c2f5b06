package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestRecommendationOverHTTP: an admin turns the recommendation step on
// with a quota for a county; a unit of that county submits; the county's
// recommender sees only the county's submissions, recommends within the
// quota (409 naming it beyond), returns one with a reason the unit sees,
// and manages the county's units and unit accounts — every attack outside
// the subtree or above the unit role is refused (403/404/422).
func TestRecommendationOverHTTP(t *testing.T) {
	dir := t.TempDir()
	base := startServe(t, testConfig(t, map[string]string{"LEITAI_DATA_DIR": dir}))
	clients := seedRoles(t, base, dir)
	admin := clients["admin"]
	id := func(body []byte) int64 {
		var v struct {
			ID int64 `json:"id"`
		}
		if err := json.Unmarshal(body, &v); err != nil || v.ID == 0 {
			t.Fatalf("no id in %s", body)
		}
		return v.ID
	}
	mustDo := func(c *client, want int, method, path string, body any) []byte {
		t.Helper()
		code, out, _ := c.do(method, path, body)
		if code != want {
			t.Fatalf("%s %s: %d %s, want %d", method, path, code, out, want)
		}
		return out
	}
	_, units, _ := admin.do("GET", "/api/v1/units", nil)
	var tree struct {
		Units []struct {
			ID   int64  `json:"id"`
			Name string `json:"name"`
		} `json:"units"`
	}
	_ = json.Unmarshal(units, &tree)
	var city, huicheng int64
	for _, u := range tree.Units {
		switch u.Name {
		case "惠州市":
			city = u.ID
		case "惠城区":
			huicheng = u.ID
		}
	}
	town := id(mustDo(admin, 201, "POST", "/api/v1/units", map[string]any{"kind": "town", "name": "江北街道", "parent_id": huicheng}))
	other := id(mustDo(admin, 201, "POST", "/api/v1/units", map[string]any{"kind": "county", "name": "惠阳区", "parent_id": city}))
	otherTown := id(mustDo(admin, 201, "POST", "/api/v1/units", map[string]any{"kind": "town", "name": "淡水街道", "parent_id": other}))
	mustDo(admin, 201, "POST", "/api/v1/users", map[string]any{"username": "jiangbei", "password": "jiangbei-pass-1", "roles": []string{"unit"}, "unit_id": town})
	mustDo(admin, 201, "POST", "/api/v1/users", map[string]any{"username": "danshui", "password": "danshui-pass-1", "roles": []string{"unit"}, "unit_id": otherTown})
	// A recommender of a town is refused, naming the field.
	if code, body, _ := admin.do("POST", "/api/v1/users", map[string]any{"username": "rec-town", "password": "rec-town-pass-1", "roles": []string{"recommender"}, "unit_id": town}); code != 422 || !strings.Contains(string(body), `"unit_id"`) {
		t.Fatalf("recommender of a town: %d %s", code, body)
	}
	rec := clients["recommender"]
	jiangbei, danshui := login(t, base, "jiangbei", "jiangbei-pass-1"), login(t, base, "danshui", "danshui-pass-1")

	now := time.Now().UTC()
	edBody := mustDo(admin, 201, "POST", "/api/v1/editions", map[string]any{"year": 2026, "title": "推荐", "categories": []string{"基层治理"},
		"opens_at": now.Add(-time.Hour), "closes_at": now.Add(72 * time.Hour), "status": "active",
		"recommend_step": true, "recommend_quotas": []map[string]any{{"unit_id": huicheng, "quota": 1}}})
	ed := id(edBody)
	if !strings.Contains(string(edBody), `"recommend_step":true`) || !strings.Contains(string(edBody), fmt.Sprintf(`"recommend_quotas":[{"unit_id":%d,"quota":1}]`, huicheng)) {
		t.Fatalf("edition: %s", edBody)
	}
	// A quota for a town is refused; a PATCH without the fields keeps them.
	if code, body, _ := admin.do("PATCH", fmt.Sprintf("/api/v1/editions/%d", ed), map[string]any{"year": 2026, "title": "推荐", "categories": []string{"基层治理"},
		"opens_at": now.Add(-time.Hour), "closes_at": now.Add(72 * time.Hour), "status": "active", "recommend_quotas": []map[string]any{{"unit_id": town, "quota": 1}}}); code != 422 || !strings.Contains(string(body), `"recommend_quotas"`) {
		t.Fatalf("quota for a town: %d %s", code, body)
	}
	kept := mustDo(admin, 200, "PATCH", fmt.Sprintf("/api/v1/editions/%d", ed), map[string]any{"year": 2026, "title": "推荐（改）", "categories": []string{"基层治理"},
		"opens_at": now.Add(-time.Hour), "closes_at": now.Add(72 * time.Hour), "status": "active"})
	if !strings.Contains(string(kept), `"recommend_step":true`) {
		t.Fatalf("PATCH without the step dropped it: %s", kept)
	}

	fields := map[string]any{"title": "", "category": "基层治理", "summary": "简介", "problem": "痛点", "approach": "做法", "results": "成效",
		"replicability": "推广", "sustainability": "长效", "start_date": "2025-03-01", "contact_name": "张三", "contact_phone": "13812345678"}
	submit := func(c *client, title string) int64 {
		fields["title"] = title
		p := id(mustDo(c, 201, "POST", fmt.Sprintf("/api/v1/editions/%d/projects", ed), fields))
		uploadPNG(t, c, p)
		mustDo(c, 200, "POST", fmt.Sprintf("/api/v1/projects/%d/submit", p), map[string]any{})
		return p
	}
	a, b, o := submit(jiangbei, "江北甲"), submit(jiangbei, "江北乙"), submit(danshui, "淡水")

	// The console lists only the county's submissions, with the quota.
	console := mustDo(rec, 200, "GET", fmt.Sprintf("/api/v1/editions/%d/recommendations", ed), nil)
	if strings.Contains(string(console), "淡水") || !strings.Contains(string(console), "江北甲") || !strings.Contains(string(console), `"quota":1,"set":true,"used":0,"left":1`) {
		t.Fatalf("console: %s", console)
	}
	// Outside the subtree: not found.
	for _, call := range []struct {
		method, path string
		body         any
	}{{"GET", fmt.Sprintf("/api/v1/projects/%d", o), nil}, {"POST", fmt.Sprintf("/api/v1/projects/%d/recommend", o), map[string]any{}},
		{"POST", fmt.Sprintf("/api/v1/projects/%d/recommender-return", o), map[string]any{"reason": "x"}},
		{"PUT", fmt.Sprintf("/api/v1/projects/%d/recommend-comment", o), map[string]any{"comment": "x"}},
		{"GET", fmt.Sprintf("/api/v1/projects/%d/media", o), nil}} {
		if code, body, _ := rec.do(call.method, call.path, call.body); code != 404 {
			t.Fatalf("%s %s outside the subtree: %d %s", call.method, call.path, code, body)
		}
	}
	// The eligibility check waits; a unit cannot recommend its own.
	if code, body, _ := admin.do("POST", "/api/v1/projects/eligibility", map[string]any{"project_ids": []int64{a}, "eligible": true}); code != 409 {
		t.Fatalf("eligibility before the recommendation: %d %s", code, body)
	}
	if code, _, _ := jiangbei.do("POST", fmt.Sprintf("/api/v1/projects/%d/recommend", a), map[string]any{}); code != 403 {
		t.Fatalf("a unit recommending: %d", code)
	}
	mustDo(rec, 200, "POST", fmt.Sprintf("/api/v1/projects/%d/recommend", a), map[string]any{"comment": "成效突出"})
	if code, body, _ := rec.do("POST", fmt.Sprintf("/api/v1/projects/%d/recommend", b), map[string]any{}); code != 409 || !strings.Contains(string(body), "quota") {
		t.Fatalf("beyond the quota: %d %s", code, body)
	}
	if code, body, _ := rec.do("POST", fmt.Sprintf("/api/v1/projects/%d/recommender-return", b), map[string]any{"reason": " "}); code != 422 || !strings.Contains(string(body), `"reason"`) {
		t.Fatalf("return without a reason: %d %s", code, body)
	}
	mustDo(rec, 200, "POST", fmt.Sprintf("/api/v1/projects/%d/recommender-return", b), map[string]any{"reason": "请补充数据"})
	seen := mustDo(jiangbei, 200, "GET", fmt.Sprintf("/api/v1/projects/%d", b), nil)
	if !strings.Contains(string(seen), `"status":"returned_by_recommender"`) || !strings.Contains(string(seen), `"eligibility_reason":"请补充数据"`) {
		t.Fatalf("the unit sees the reason: %s", seen)
	}
	// The city sees the recommendation and who made it, and checks it.
	cityView := mustDo(admin, 200, "GET", fmt.Sprintf("/api/v1/projects/%d", a), nil)
	if !strings.Contains(string(cityView), `"by":"r-recommender"`) || !strings.Contains(string(cityView), `"comment":"成效突出"`) || !strings.Contains(string(cityView), `"root_name":"惠城区"`) {
		t.Fatalf("the city's view: %s", cityView)
	}
	mustDo(admin, 200, "POST", "/api/v1/projects/eligibility", map[string]any{"project_ids": []int64{a}, "eligible": true})

	// Scoped administration and its attacks.
	mustDo(rec, 200, "GET", "/api/v1/recommend/units", nil)
	village := id(mustDo(rec, 201, "POST", "/api/v1/recommend/units", map[string]any{"kind": "village", "name": "新村", "parent_id": town}))
	if code, body, _ := rec.do("POST", "/api/v1/recommend/units", map[string]any{"kind": "village", "name": "外村", "parent_id": otherTown}); code != 422 || !strings.Contains(string(body), `"parent_id"`) {
		t.Fatalf("unit outside: %d %s", code, body)
	}
	if code, body, _ := rec.do("PATCH", fmt.Sprintf("/api/v1/recommend/units/%d", town), map[string]any{"kind": "town", "name": "江北街道", "parent_id": other}); code != 422 {
		t.Fatalf("move outside: %d %s", code, body)
	}
	if code, _, _ := rec.do("PATCH", fmt.Sprintf("/api/v1/recommend/units/%d", otherTown), map[string]any{"kind": "town", "name": "淡水", "parent_id": other}); code != 404 {
		t.Fatalf("change outside: %d", code)
	}
	if code, _, _ := rec.do("PATCH", fmt.Sprintf("/api/v1/recommend/units/%d", huicheng), map[string]any{"kind": "county", "name": "惠城", "parent_id": city}); code != 403 {
		t.Fatalf("change the root: %d", code)
	}
	for _, roles := range [][]string{{"admin"}, {"expert"}, {"recommender"}, {"unit", "admin"}} {
		if code, body, _ := rec.do("POST", "/api/v1/recommend/users", map[string]any{"username": "x-" + roles[0] + fmt.Sprint(len(roles)), "password": "long-enough-1", "roles": roles, "unit_id": village}); code != 403 {
			t.Fatalf("create %v: %d %s", roles, code, body)
		}
	}
	if code, _, _ := rec.do("POST", "/api/v1/users", map[string]any{"username": "x-admin", "password": "long-enough-1", "roles": []string{"admin"}}); code != 403 {
		t.Fatalf("admin route: %d", code)
	}
	if code, _, _ := rec.do("POST", "/api/v1/recommend/users", map[string]any{"username": "x-out", "password": "long-enough-1", "unit_id": otherTown}); code != 422 {
		t.Fatalf("account outside: %d", code)
	}
	newUnit := id(mustDo(rec, 201, "POST", "/api/v1/recommend/users", map[string]any{"username": "xincun", "password": "xincun-pass-1", "unit_id": village}))
	mustDo(rec, 204, "POST", fmt.Sprintf("/api/v1/recommend/users/%d/password", newUnit), map[string]any{"password": "xincun-pass-2"})
	login(t, base, "xincun", "xincun-pass-2")
	if !strings.Contains(string(mustDo(rec, 200, "PATCH", fmt.Sprintf("/api/v1/recommend/users/%d", newUnit), map[string]any{"disabled": true})), `"disabled":true`) {
		t.Fatal("disable")
	}
	// Escalation: roles are not a field here; the recommender's own and
	// others' accounts are not theirs to change.
	var me struct {
		User struct {
			ID int64 `json:"id"`
		} `json:"user"`
	}
	_, meBody, _ := rec.do("GET", "/api/v1/me", nil)
	_ = json.Unmarshal(meBody, &me)
	if code, _, _ := rec.do("PATCH", fmt.Sprintf("/api/v1/recommend/users/%d", newUnit), map[string]any{"roles": []string{"admin"}}); code != 400 {
		t.Fatalf("roles field: %d", code)
	}
	if code, _, _ := rec.do("PATCH", fmt.Sprintf("/api/v1/recommend/users/%d", me.User.ID), map[string]any{"disabled": false}); code != 404 {
		t.Fatalf("own account: %d", code)
	}
	if code, _, _ := rec.do("PATCH", fmt.Sprintf("/api/v1/users/%d", me.User.ID), map[string]any{"roles": []string{"admin"}}); code != 403 {
		t.Fatalf("escalate through the admin route: %d", code)
	}
	_, users, _ := admin.do("GET", "/api/v1/users?q=danshui", nil)
	var found struct {
		Users []struct {
			ID int64 `json:"id"`
		} `json:"users"`
	}
	_ = json.Unmarshal(users, &found)
	if code, _, _ := rec.do("POST", fmt.Sprintf("/api/v1/recommend/users/%d/password", found.Users[0].ID), map[string]any{"password": "stolen-pass-1"}); code != 404 {
		t.Fatalf("reset outside: %d", code)
	}
}
