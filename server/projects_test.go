package server

import (
	"context"
	"testing"
	"time"

	"leitai/models"
)

// fakeEditions is an Editions whose methods the test sets.
type fakeEditions struct {
	list   func(onlyPublic bool) ([]models.Edition, error)
	byID   func(id int64) (models.Edition, error)
	create func(a models.Actor, in models.EditionInput) (models.Edition, error)
	update func(a models.Actor, id int64, in models.EditionInput) (models.Edition, error)
}

func (f *fakeEditions) ListEditions(_ context.Context, onlyPublic bool) ([]models.Edition, error) {
	if f.list == nil {
		return nil, errUnexpected
	}
	return f.list(onlyPublic)
}
func (f *fakeEditions) EditionByID(_ context.Context, id int64) (models.Edition, error) {
	if f.byID == nil {
		return models.Edition{}, errUnexpected
	}
	return f.byID(id)
}
func (f *fakeEditions) CreateEdition(_ context.Context, a models.Actor, in models.EditionInput) (models.Edition, error) {
	if f.create == nil {
		return models.Edition{}, errUnexpected
	}
	return f.create(a, in)
}
func (f *fakeEditions) UpdateEdition(_ context.Context, a models.Actor, id int64, in models.EditionInput) (models.Edition, error) {
	if f.update == nil {
		return models.Edition{}, errUnexpected
	}
	return f.update(a, id, in)
}

// fakeProjects is a Projects whose methods the test sets.
type fakeProjects struct {
	create      func(u models.User, editionID int64, f models.ProjectFields) (models.Project, error)
	byID        func(u models.User, id int64) (models.Project, error)
	save        func(u models.User, id int64, f models.ProjectFields) (models.Project, error)
	submit      func(u models.User, id int64) (models.Project, error)
	withdraw    func(u models.User, id int64) (models.Project, error)
	versions    func(u models.User, id int64) ([]models.ProjectVersion, error)
	eligibility func(ids []int64, eligible bool, reason string) ([]models.Project, error)
	list        func(u models.User, f models.ProjectFilter) ([]models.Project, error)
}

func (f *fakeProjects) CreateProject(_ context.Context, _ models.Actor, u models.User, editionID int64, fl models.ProjectFields, _ *time.Location) (models.Project, error) {
	if f.create == nil {
		return models.Project{}, errUnexpected
	}
	return f.create(u, editionID, fl)
}
func (f *fakeProjects) ProjectByID(_ context.Context, u models.User, id int64) (models.Project, error) {
	if f.byID == nil {
		return models.Project{}, errUnexpected
	}
	return f.byID(u, id)
}
func (f *fakeProjects) SaveDraft(_ context.Context, u models.User, id int64, fl models.ProjectFields, _ *time.Location) (models.Project, error) {
	if f.save == nil {
		return models.Project{}, errUnexpected
	}
	return f.save(u, id, fl)
}
func (f *fakeProjects) SubmitProject(_ context.Context, _ models.Actor, u models.User, id int64, _ *time.Location) (models.Project, error) {
	if f.submit == nil {
		return models.Project{}, errUnexpected
	}
	return f.submit(u, id)
}
func (f *fakeProjects) WithdrawProject(_ context.Context, _ models.Actor, u models.User, id int64, _ *time.Location) (models.Project, error) {
	if f.withdraw == nil {
		return models.Project{}, errUnexpected
	}
	return f.withdraw(u, id)
}
func (f *fakeProjects) ProjectVersions(_ context.Context, u models.User, id int64) ([]models.ProjectVersion, error) {
	if f.versions == nil {
		return nil, errUnexpected
	}
	return f.versions(u, id)
}
func (f *fakeProjects) SetEligibility(_ context.Context, _ models.Actor, ids []int64, eligible bool, reason string) ([]models.Project, error) {
	if f.eligibility == nil {
		return nil, errUnexpected
	}
	return f.eligibility(ids, eligible, reason)
}
func (f *fakeProjects) ListProjects(_ context.Context, u models.User, fl models.ProjectFilter) ([]models.Project, error) {
	if f.list == nil {
		return nil, errUnexpected
	}
	return f.list(u, fl)
}

// testEdition is open from April to June 2026 with a 30-minute grace.
var testEdition = models.Edition{ID: 5, Year: 2026, Title: "2026年度", Categories: []string{"基层治理"}, Status: models.EditionActive,
	OpensAt: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC), ClosesAt: time.Date(2026, 6, 30, 10, 0, 0, 0, time.UTC), GraceMinutes: 30, QuotaPerUnit: 2}

func editionsFake() *fakeEditions {
	return &fakeEditions{
		list: func(onlyPublic bool) ([]models.Edition, error) {
			draft := models.Edition{ID: 6, Year: 2027, Title: "2027年度", Status: models.EditionDraft}
			if onlyPublic {
				return []models.Edition{testEdition}, nil
			}
			return []models.Edition{draft, testEdition}, nil
		},
		byID: func(id int64) (models.Edition, error) {
			if id == 6 {
				return models.Edition{ID: 6, Status: models.EditionDraft, Title: "2027年度"}, nil
			}
			e := testEdition
			e.ID = id
			return e, failByID(id)
		},
		create: func(a models.Actor, in models.EditionInput) (models.Edition, error) {
			if in.Year < 2000 {
				return models.Edition{}, models.Invalid("the year is out of range", map[string]string{"year": "2000–2100"})
			}
			return models.Edition{ID: 8, Year: in.Year, Title: in.Title, Status: models.EditionDraft}, nil
		},
		update: func(a models.Actor, id int64, in models.EditionInput) (models.Edition, error) {
			return models.Edition{ID: id, Year: in.Year, Title: in.Title, Status: in.Status}, failByID(id)
		},
	}
}

func TestEditionHandlers(t *testing.T) {
	during := func() time.Time { return time.Date(2026, 6, 30, 10, 20, 0, 0, time.UTC) } // in the grace period
	after := func() time.Time { return time.Date(2026, 6, 30, 10, 31, 0, 0, time.UTC) }
	d := Deps{Editions: editionsFake(), Clock: during}
	runCases(t, d, []apiCase{
		get("the public sees no draft edition", "/api/v1/editions", "", 200, `"title":"2026年度"`, `"accepting":true`, `"deadline":"2026-06-30T10:30:00Z"`),
		get("an admin sees the drafts too", "/api/v1/editions", "admin", 200, `"title":"2027年度"`),
		get("the current edition", "/api/v1/editions/current", "", 200, `"id":5`),
		get("a draft edition is not found for the public", "/api/v1/editions/6", "", 404),
		get("a draft edition for an admin", "/api/v1/editions/6", "admin", 200, `"status":"draft"`),
		get("an unknown edition", "/api/v1/editions/404", "", 404),
		get("an edition id that is not a number is no such path", "/api/v1/editions/x", "", 404),
		send("create: a unit may not", "POST", "/api/v1/editions", "unit", `{"year":2027,"title":"x"}`, 403),
		send("create: the store's 422 names the field", "POST", "/api/v1/editions", "admin", `{"year":1999,"title":"x"}`, 422, `"year"`),
		send("create: a quoted number is refused", "POST", "/api/v1/editions", "admin", `{"year":"2027","title":"x"}`, 422, `year`),
		send("create", "POST", "/api/v1/editions", "admin", `{"year":2027,"title":"2027年度"}`, 201, `"id":8`),
		send("update: a conflict", "PATCH", "/api/v1/editions/409", "admin", `{"year":2026,"title":"x","status":"active"}`, 409),
	})
	// The handlers' clock decides "accepting": one minute past the grace period it is false.
	runCases(t, Deps{Editions: editionsFake(), Clock: after}, []apiCase{
		get("after the grace period", "/api/v1/editions/5", "", 200, `"accepting":false`),
	})
}

func TestProjectHandlers(t *testing.T) {
	unitProject := models.Project{ID: 11, EditionID: 5, UnitID: 7, Status: models.ProjectDraft,
		ProjectFields: models.ProjectFields{Title: "江北网格", Summary: "摘要"}}
	p := &fakeProjects{
		create: func(u models.User, editionID int64, f models.ProjectFields) (models.Project, error) {
			if u.Username != "unit" || editionID != 5 || f.Title != "江北网格" {
				t.Errorf("CreateProject(%s, %d, %+v)", u.Username, editionID, f)
			}
			return unitProject, nil
		},
		byID: func(u models.User, id int64) (models.Project, error) { return unitProject, failByID(id) },
		save: func(u models.User, id int64, f models.ProjectFields) (models.Project, error) {
			q := unitProject
			q.ProjectFields = f
			return q, failByID(id)
		},
		submit: func(u models.User, id int64) (models.Project, error) {
			if id == 12 {
				return models.Project{}, models.Invalid("the project is incomplete", map[string]string{"problem": "required"})
			}
			q := unitProject
			q.Status = models.ProjectSubmitted
			return q, failByID(id)
		},
		withdraw: func(u models.User, id int64) (models.Project, error) { return unitProject, failByID(id) },
		versions: func(u models.User, id int64) ([]models.ProjectVersion, error) {
			return []models.ProjectVersion{{Version: 1, SubmittedBy: "unit", Fields: models.ProjectFields{Title: "第一版"}}}, failByID(id)
		},
		eligibility: func(ids []int64, eligible bool, reason string) ([]models.Project, error) {
			if !eligible && reason == "" {
				return nil, models.Invalid("a reason is required", map[string]string{"reason": "required"})
			}
			return []models.Project{unitProject}, nil
		},
		list: func(u models.User, f models.ProjectFilter) ([]models.Project, error) {
			if f.EditionID != 5 || f.Category != "基层治理" || f.CountyID == nil || *f.CountyID != 1 {
				t.Errorf("ListProjects(%+v)", f)
			}
			return []models.Project{unitProject}, nil
		},
	}
	d := Deps{Editions: editionsFake(), Projects: p, Units: treeOnly()}
	runCases(t, d, []apiCase{
		get("list: with the unit's name and path, and what is missing", "/api/v1/editions/5/projects?category=基层治理&county_id=1", "admin", 200,
			`"unit_name":"江北街道"`, `"unit_path":["惠城区","江北街道"]`, `"missing":["category","problem"`),
		get("list: an unknown edition", "/api/v1/editions/404/projects", "admin", 404),
		get("list: a county that is not a number", "/api/v1/editions/5/projects?county_id=abc", "admin", 422),
		get("list: experts may not", "/api/v1/editions/5/projects", "expert", 403),
		get("list: without a session", "/api/v1/editions/5/projects", "", 401),
		send("create: only units", "POST", "/api/v1/editions/5/projects", "admin", `{"title":"江北网格"}`, 403),
		send("create", "POST", "/api/v1/editions/5/projects", "unit", `{"title":"江北网格"}`, 201, `"id":11`, `"status":"draft"`),
		send("create: a null body", "POST", "/api/v1/editions/5/projects", "unit", `null`, 400, `"invalid"`),
		get("get: another unit's is not found", "/api/v1/projects/404", "unit", 404),
		get("get", "/api/v1/projects/11", "unit", 200, `"title":"江北网格"`),
		send("save", "PUT", "/api/v1/projects/11", "unit", `{"title":"新标题"}`, 200, `"title":"新标题"`),
		send("save: after the deadline", "PUT", "/api/v1/projects/409", "unit", `{"title":"x"}`, 409),
		send("submit: incomplete names the field", "POST", "/api/v1/projects/12/submit", "unit", ``, 422, `"problem"`),
		send("submit", "POST", "/api/v1/projects/11/submit", "unit", ``, 200, `"status":"submitted"`),
		send("withdraw: a conflict", "POST", "/api/v1/projects/409/withdraw", "unit", ``, 409),
		get("versions", "/api/v1/projects/11/versions", "unit", 200, `"title":"第一版"`, `"submitted_by":"unit"`),
		send("eligibility: a unit may not", "POST", "/api/v1/projects/eligibility", "unit", `{"project_ids":[11],"eligible":true}`, 403),
		send("eligibility: refusing needs a reason", "POST", "/api/v1/projects/eligibility", "admin", `{"project_ids":[11],"eligible":false}`, 422, `"reason"`),
		send("eligibility", "POST", "/api/v1/projects/eligibility", "admin", `{"project_ids":[11],"eligible":true}`, 200, `"id":11`),
	})
}
