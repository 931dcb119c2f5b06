package server

import (
	"context"
	"testing"
	"time"

	"leitai/models"
)

// fakeVisits is a SiteVisits: round 1 records visits and is open, round 2
// is closed; project ids 403/404/409 fail as failByID says. Saves and
// uploads check what the handler passed.
type fakeVisits struct{ t *testing.T }

func visitRound(id int64) models.Round {
	r := models.Round{ID: id, Name: "复审", SiteVisits: true, Status: models.RoundOpen,
		OpensAt: time.Now().Add(-time.Hour), ClosesAt: time.Now().Add(time.Hour)}
	if id == 2 {
		r.Status = models.RoundClosed
	}
	return r
}

func (f fakeVisits) CreateVisitUpload(_ context.Context, a models.Actor, e models.User, id, pid int64, in models.NewUploadInput) (models.Upload, error) {
	if err := failByID(pid); err != nil {
		return models.Upload{}, err
	}
	if e.ID != 3 || a.UserID == nil || *a.UserID != 3 || in.Filename != "现场.jpg" || in.Size != 2048 {
		f.t.Errorf("create visit upload: %+v %+v %+v", a, e, in)
	}
	return models.Upload{ID: "0123456789abcdef0123456789abcdef", ProjectID: pid, Kind: models.MediaImage, Filename: in.Filename,
		Size: in.Size, ChunkSize: models.ChunkSize, Mode: models.UploadProxy}, nil
}

func (f fakeVisits) SaveVisit(_ context.Context, a models.Actor, e models.User, id, pid int64, in models.VisitInput) (models.SiteVisit, error) {
	if err := failByID(pid); err != nil {
		return models.SiteVisit{}, err
	}
	if err := in.Validate(time.Now(), time.UTC); err != nil {
		return models.SiteVisit{}, err
	}
	return models.SiteVisit{ID: 8, RoundID: id, ProjectID: pid, ExpertID: e.ID, ExpertName: e.Username, VisitedOn: in.VisitedOn,
		Notes: in.Notes, MediaIDs: in.MediaIDs}, nil
}

func (f fakeVisits) ProjectVisits(_ context.Context, u models.User, id, pid int64) (models.Round, []models.SiteVisit, map[int64]models.Media, error) {
	if err := failByID(pid); err != nil {
		return models.Round{}, nil, nil, err
	}
	visits := []models.SiteVisit{
		{ID: 8, RoundID: id, ProjectID: pid, ExpertID: 3, ExpertName: "expert", VisitedOn: "2026-11-20", Notes: "走访三个村", MediaIDs: []int64{1}},
		{ID: 9, RoundID: id, ProjectID: pid, ExpertID: 30, ExpertName: "王专家", VisitedOn: "2026-11-21", Notes: "座谈会", MediaIDs: []int64{77}},
	}
	return visitRound(id), visits, map[int64]models.Media{1: photo(1)}, nil
}

func (fakeVisits) MediaLinks(_ context.Context, m models.Media) (models.MediaLinks, error) {
	return linksOf(m)
}

// fakeFigures is an EditionFigures of edition 1.
type fakeFigures struct{}

func (fakeFigures) EditionFigures(_ context.Context, id int64) (models.EditionFigures, error) {
	if err := failByID(id); err != nil {
		return models.EditionFigures{}, err
	}
	return models.EditionFigures{EditionID: id, Submissions: 5,
		ByCounty:    []models.FigureCount{{Key: "2", Label: "惠城区", N: 3}, {Key: "4", Label: "=博罗县", N: 2}},
		ByCategory:  []models.FigureCount{{Key: "基层治理", Label: "基层治理", N: 5}},
		Eligibility: []models.FigureCount{{Key: "eligible", Label: "eligible", N: 4}, {Key: "ineligible", Label: "ineligible", N: 1}},
		Rounds:      []models.RoundFigures{{RoundID: 1, Name: "初审", Order: 1, Status: models.RoundOpen, Projects: 4, Assignments: 12, Submitted: 7, Drafts: 2}},
		Experts:     []models.ExpertFigures{{RoundID: 1, ExpertID: 3, Name: "李专家", Assigned: 4, Submitted: 3, Drafts: 1}},
	}, nil
}

func TestVisitHandlers(t *testing.T) {
	today := time.Now().Format(time.DateOnly)
	runCases(t, Deps{Visits: fakeVisits{t}, EditionFigures: fakeFigures{}}, []apiCase{
		get("the panel's visits, the caller's marked, photos with links", "/api/v1/review/rounds/1/projects/5/visits", "expert", 200,
			`"editable":true`, `"site_visits":true`, `"notes":"走访三个村","photos":[{"id":1,`, `"url":"/o/p/5/photo.jpg"`, `"mine":true`, `"expert_name":"王专家"`, `"photos":[],"mine":false`),
		get("a closed round is read only", "/api/v1/review/rounds/2/projects/5/visits", "expert", 200, `"editable":false`, `"round_status":"closed"`),
		get("an unassigned expert", "/api/v1/review/rounds/1/projects/404/visits", "expert", 404),
		get("a unit never reads visits", "/api/v1/review/rounds/1/projects/5/visits", "unit", 403),
		get("nor the public", "/api/v1/review/rounds/1/projects/5/visits", "", 401),
		get("the admins read them, not editable", "/api/v1/rounds/1/projects/5/visits", "admin", 200, `"editable":false`, `"notes":"座谈会"`),
		get("the admin route is not the experts'", "/api/v1/rounds/1/projects/5/visits", "expert", 403),
		send("record a visit", "PUT", "/api/v1/review/rounds/1/projects/5/visit", "expert", `{"visited_on":"`+today+`","notes":" 看了台账 ","media_ids":[1]}`, 200,
			`"notes":"看了台账"`, `"mine":true`, `"photos":[{"id":1,`),
		send("a bad date names the field", "PUT", "/api/v1/review/rounds/1/projects/5/visit", "expert", `{"visited_on":"2026-02-30","notes":"x"}`, 422, `"visited_on"`),
		send("nothing recorded", "PUT", "/api/v1/review/rounds/1/projects/5/visit", "expert", `{"visited_on":"`+today+`"}`, 422, `"notes"`),
		send("media ids as text", "PUT", "/api/v1/review/rounds/1/projects/5/visit", "expert", `{"visited_on":"`+today+`","media_ids":["1"]}`, 422),
		send("a closed round", "PUT", "/api/v1/review/rounds/1/projects/409/visit", "expert", `{"visited_on":"`+today+`","notes":"x"}`, 409),
		send("not assigned", "PUT", "/api/v1/review/rounds/1/projects/404/visit", "expert", `{"visited_on":"`+today+`","notes":"x"}`, 404),
		send("an admin does not record visits", "PUT", "/api/v1/review/rounds/1/projects/5/visit", "admin", `{"visited_on":"`+today+`","notes":"x"}`, 403),
		send("start a photo upload", "POST", "/api/v1/review/rounds/1/projects/5/visit/uploads", "expert", `{"filename":"现场.jpg","size":2048,"content_type":"image/jpeg"}`, 201,
			`"upload_id":"0123456789abcdef0123456789abcdef"`, `"kind":"image"`),
		send("a unit cannot start one", "POST", "/api/v1/review/rounds/1/projects/5/visit/uploads", "unit", `{"filename":"现场.jpg","size":2048}`, 403),

		get("the figures", "/api/v1/editions/1/figures", "admin", 200, `"submissions":5`, `"by_county":[{"key":"2","label":"惠城区","n":3}`,
			`"eligibility":[{"key":"eligible","label":"eligible","n":4}`, `"rounds":[{"round_id":1,"name":"初审","order":1,"status":"open","projects":4,"assignments":12,"submitted":7,"drafts":2}]`,
			`"experts":[{"round_id":1,"expert_id":3,"name":"李专家","assigned":4,"submitted":3,"drafts":1}]`),
		get("figures are the admins'", "/api/v1/editions/1/figures", "expert", 403),
		get("figures of no edition", "/api/v1/editions/404/figures", "admin", 404),
		{name: "a county CSV, formulas neutralised", method: "GET", path: "/api/v1/editions/1/figures/export?what=county&format=csv", as: "admin", status: 200,
			want: []string{"\ufeff县区 County,项目数 Projects\n惠城区,3\n'=博罗县,2\n"}, wantHeader: map[string]string{"Content-Type": "text/csv; charset=utf-8"}},
		get("eligibility in words", "/api/v1/editions/1/figures/export?what=eligibility&format=csv", "admin", 200, "通过 eligible,4", "未通过 ineligible,1"),
		get("experts with their round", "/api/v1/editions/1/figures/export?what=experts&format=csv", "admin", 200, "初审,李专家,4,3,1"),
		get("rounds as xlsx", "/api/v1/editions/1/figures/export?what=rounds", "admin", 200, "PK"),
		get("an unknown figure", "/api/v1/editions/1/figures/export?what=money", "admin", 422, `"what"`),
		get("an unknown format", "/api/v1/editions/1/figures/export?what=county&format=pdf", "admin", 422, `"format"`),
		get("exports are the admins'", "/api/v1/editions/1/figures/export?what=county", "unit", 403),
	})
}
