package server

import (
	"context"
	"strings"
	"testing"
	"time"

	"leitai/judging"
	"leitai/models"
)

// fakeRounds is a Rounds whose methods the test sets.
type fakeRounds struct {
	create       func(a models.Actor, editionID int64, in models.Round) (models.Round, error)
	byID         func(id int64) (models.Round, error)
	list         func(editionID int64) ([]models.Round, error)
	update       func(a models.Actor, id int64, in models.Round) (models.Round, error)
	move         func(a models.Actor, id int64, to models.RoundStatus) (models.RoundChange, error)
	publications func() ([]models.Round, []models.Publication, error)
	publication  func(roundID int64) (models.Publication, error)
	assign       func(a models.Actor, roundID int64, seed uint64) (judging.Assignment, error)
	progress     func(roundID int64) ([]models.ExpertProgress, error)
	sheet        func(roundID int64) (judging.Sheet, error)
	objections   func(roundIDs []int64) (map[int64][]models.Objection, error)
}

func (f *fakeRounds) CreateRound(_ context.Context, a models.Actor, editionID int64, in models.Round) (models.Round, error) {
	if f.create == nil {
		return models.Round{}, errUnexpected
	}
	return f.create(a, editionID, in)
}
func (f *fakeRounds) RoundByID(_ context.Context, id int64) (models.Round, error) {
	if f.byID == nil {
		return models.Round{}, errUnexpected
	}
	return f.byID(id)
}
func (f *fakeRounds) ListRounds(_ context.Context, editionID int64) ([]models.Round, error) {
	if f.list == nil {
		return nil, errUnexpected
	}
	return f.list(editionID)
}
func (f *fakeRounds) UpdateRound(_ context.Context, a models.Actor, id int64, in models.Round) (models.Round, error) {
	if f.update == nil {
		return models.Round{}, errUnexpected
	}
	return f.update(a, id, in)
}
func (f *fakeRounds) MoveRound(_ context.Context, a models.Actor, id int64, to models.RoundStatus, _ *time.Location) (models.RoundChange, error) {
	if f.move == nil {
		return models.RoundChange{}, errUnexpected
	}
	return f.move(a, id, to)
}
func (f *fakeRounds) Publications(context.Context) ([]models.Round, []models.Publication, error) {
	if f.publications == nil {
		return nil, nil, errUnexpected
	}
	return f.publications()
}
func (f *fakeRounds) PublicationOf(_ context.Context, id int64) (models.Publication, error) {
	if f.publication == nil {
		return models.Publication{}, errUnexpected
	}
	return f.publication(id)
}
func (f *fakeRounds) AssignRound(_ context.Context, a models.Actor, id int64, seed uint64) (judging.Assignment, error) {
	if f.assign == nil {
		return judging.Assignment{}, errUnexpected
	}
	return f.assign(a, id, seed)
}
func (f *fakeRounds) RoundProgress(_ context.Context, id int64) ([]models.ExpertProgress, error) {
	if f.progress == nil {
		return nil, errUnexpected
	}
	return f.progress(id)
}
func (f *fakeRounds) RoundSheet(_ context.Context, id int64) (judging.Sheet, error) {
	if f.sheet == nil {
		return judging.Sheet{}, errUnexpected
	}
	return f.sheet(id)
}
func (f *fakeRounds) PublishedObjections(_ context.Context, ids []int64) (map[int64][]models.Objection, error) {
	if f.objections == nil {
		return nil, errUnexpected
	}
	return f.objections(ids)
}

// testSheet: three experts score two projects; 11 leads, with a tie-free ranking.
const testSheet = `{"method":"mean","trim":0,"scores":[
 {"judge":"E3","project":"11","total":90},{"judge":"E5","project":"11","total":86},{"judge":"E6","project":"11","total":88},
 {"judge":"E3","project":"12","total":80},{"judge":"E5","project":"12","total":70},{"judge":"E6","project":"12","total":75}]}`

func TestRoundHandlers(t *testing.T) {
	at := time.Date(2026, 7, 1, 1, 0, 0, 0, time.UTC)
	round := models.Round{ID: 3, EditionID: 5, Name: "初审", Kind: models.RoundOnline, Status: models.RoundOpen, Method: "mean",
		OpensAt: at, ClosesAt: at.Add(72 * time.Hour), ReviewersPerProject: 3,
		Rubric: []models.Criterion{{Key: "innovation", NameZh: "创新性", Max: 100, Step: 1}}}
	sheet, err := judging.ParseSheet(strings.NewReader(testSheet))
	if err != nil {
		t.Fatal(err)
	}
	r := &fakeRounds{
		list: func(editionID int64) ([]models.Round, error) { return []models.Round{round}, failByID(editionID) },
		byID: func(id int64) (models.Round, error) { return round, failByID(id) },
		create: func(a models.Actor, editionID int64, in models.Round) (models.Round, error) {
			if editionID == 5 && in.KeyCriterion != "innovation" {
				t.Errorf("the key criterion defaults to the first: %q", in.KeyCriterion)
			}
			return round, failByID(editionID)
		},
		update: func(a models.Actor, id int64, in models.Round) (models.Round, error) { return round, failByID(id) },
		move: func(a models.Actor, id int64, to models.RoundStatus) (models.RoundChange, error) {
			if to != models.RoundClosed {
				return models.RoundChange{}, models.Errorf(models.KindConflict, "a round moves open → closed → published")
			}
			closed := round
			closed.Status = to
			return models.RoundChange{Round: closed, UncountedDrafts: []models.Score{{RoundID: 3, ProjectID: 12, ExpertID: 7, Status: models.ScoreDraft}}}, failByID(id)
		},
		assign: func(a models.Actor, id int64, seed uint64) (judging.Assignment, error) {
			if id == 8 {
				return judging.Assignment{}, &judging.InfeasibleError{Starved: []judging.StarvedProject{{Project: 12, Eligible: 1, Conflicted: 2}}}
			}
			if seed != 42 {
				t.Errorf("seed %d, want 42", seed)
			}
			return judging.Assignment{Projects: []judging.ProjectReviewers{{Project: 11, Experts: []int64{3, 5, 6}}}, MinLoad: 1, MaxLoad: 1, Balanced: true}, nil
		},
		progress: func(id int64) ([]models.ExpertProgress, error) {
			return []models.ExpertProgress{{ExpertID: 3, Username: "e3", Assigned: 2, Submitted: 1, Drafts: 1}}, failByID(id)
		},
		sheet: func(id int64) (judging.Sheet, error) {
			if id == 9 {
				return judging.Sheet{Method: "mean"}, nil // nothing scored yet
			}
			return sheet, failByID(id)
		},
		publications: func() ([]models.Round, []models.Publication, error) {
			return []models.Round{round}, []models.Publication{{RoundID: 3, PublishedAt: at, ObjectionUntil: at.Add(120 * time.Hour),
				Results: `[{"rank":1,"project":"11"}]`, AuditHeadID: 40, AuditHeadHash: "ab12"}}, nil
		},
		objections: func(ids []int64) (map[int64][]models.Objection, error) {
			answered := at.Add(time.Hour)
			return map[int64][]models.Objection{3: {{ID: 1, ProjectID: ptr(int64(11)), Body: "评分有误", Answer: "已复核", AnsweredAt: &answered, Name: "张三", Contact: "13900000000"}, {ID: 2, ProjectID: ptr(int64(12)), Body: "未答"}}}, nil
		},
		publication: func(id int64) (models.Publication, error) {
			return models.Publication{RoundID: id, Sheet: testSheet}, failByID(id)
		},
	}
	p := &fakeProjects{list: func(u models.User, f models.ProjectFilter) ([]models.Project, error) {
		return []models.Project{{ID: 11, ProjectFields: models.ProjectFields{Title: "江北网格"}}, {ID: 12, ProjectFields: models.ProjectFields{Title: "龙门调解"}}}, nil
	}}
	during := func() time.Time { return at.Add(24 * time.Hour) }
	runCases(t, Deps{Rounds: r, Projects: p, Clock: during}, []apiCase{
		get("list", "/api/v1/editions/5/rounds", "admin", 200, `"name":"初审"`),
		get("list: experts may not", "/api/v1/editions/5/rounds", "expert", 403),
		send("create: the key criterion defaults to the first", "POST", "/api/v1/editions/5/rounds", "admin",
			`{"name":"初审","kind":"online","rubric":[{"key":"innovation","name_zh":"创新性","max":100,"step":1}]}`, 201, `"id":3`),
		send("create: an unknown edition", "POST", "/api/v1/editions/404/rounds", "admin", `{"name":"x"}`, 404),
		get("get: an unknown round", "/api/v1/rounds/404", "admin", 404),
		send("update: a conflict once open", "PATCH", "/api/v1/rounds/409", "admin", `{"name":"x"}`, 409),
		send("move: close, with the drafts that will not count", "POST", "/api/v1/rounds/3/status", "admin", `{"status":"closed"}`, 200,
			`"status":"closed"`, `"uncounted_drafts":[{"round_id":3,"project_id":12,"expert_id":7`),
		send("move: a skipped state", "POST", "/api/v1/rounds/3/status", "admin", `{"status":"published"}`, 409),
		send("assign with a seed, echoed as text", "POST", "/api/v1/rounds/3/assign", "admin", `{"seed":42}`, 200, `"seed":"42"`, `"experts":[3,5,6]`),
		send("assign: infeasible names the starved project", "POST", "/api/v1/rounds/8/assign", "admin", ``, 422, `"project 12":"only 1 eligible expert(s), 2 conflicted"`),
		get("progress", "/api/v1/rounds/3/progress", "admin", 200, `"submitted":1`, `"drafts":1`),
		get("results: ranked by the round's method", "/api/v1/rounds/3/results", "admin", 200, `"project":"11"`, `"display":"88.00"`, `"ties":[]`, `"scores":6`),
		get("results: not for a host", "/api/v1/rounds/3/results", "host", 403),
		get("sheet: a download", "/api/v1/rounds/3/sheet", "admin", 200, `"judge": "E3"`),
		get("statistics: per judge, with the expert's id", "/api/v1/rounds/3/statistics", "admin", 200, `"judge":"E3","expert_id":3`, `"kendall_w":`),
		get("statistics: nothing scored yet", "/api/v1/rounds/9/statistics", "admin", 200, `"judges":[]`, `"kendall_w":null`),
		get("export: scores as CSV with the titles", "/api/v1/rounds/3/export?format=csv&what=scores", "admin", 200, "江北网格", "创新性 innovation"),
		get("export: results as CSV", "/api/v1/rounds/3/export?format=csv", "admin", 200, "名次 Rank", "龙门调解"),
		get("export: a bad format", "/api/v1/rounds/3/export?format=pdf", "admin", 422, `"format"`),
		get("export: a bad what", "/api/v1/rounds/3/export?what=all", "admin", 422, `"what"`),
		get("public results: answered objections without their senders, the anchor", "/api/v1/results", "", 200,
			`"objections_open":true`, `"objections":2`, `"answer":"已复核"`, `"audit_anchor":{"id":40,"hash":"ab12"}`),
		get("published sheet: public", "/api/v1/rounds/3/published-sheet", "", 200, `"judge":"E3"`),
		get("published sheet: an unpublished round", "/api/v1/rounds/404/published-sheet", "", 404),
	})
	// After the window the public page says objections are closed (the handlers' clock).
	later := func() time.Time { return at.Add(121 * time.Hour) }
	runCases(t, Deps{Rounds: r, Projects: p, Clock: later}, []apiCase{
		get("public results after the window", "/api/v1/results", "", 200, `"objections_open":false`),
	})
	// A sender's name never reaches the public page.
	runCases(t, Deps{Rounds: r, Projects: p, Clock: during}, []apiCase{
		{name: "no sender's name", method: "GET", path: "/api/v1/results", status: 200, want: []string{`"body":"评分有误"`}, absent: []string{"张三", "13900000000"}},
	})
}
