package server

import (
	"context"
	"testing"

	"leitai/models"
)

// fakeRedactions is a Redactions whose methods the test sets.
type fakeRedactions struct {
	review func(roundID int64) (models.Round, []models.BlindProject, error)
	save   func(a models.Actor, roundID, projectID int64, texts map[string]string) (models.BlindProject, error)
}

func (f *fakeRedactions) BlindReview(_ context.Context, id int64) (models.Round, []models.BlindProject, error) {
	if f.review == nil {
		return models.Round{}, nil, errUnexpected
	}
	return f.review(id)
}

func (f *fakeRedactions) SaveRedaction(_ context.Context, a models.Actor, id, pid int64, texts map[string]string) (models.BlindProject, error) {
	if f.save == nil {
		return models.BlindProject{}, errUnexpected
	}
	return f.save(a, id, pid, texts)
}

func TestBlindHandlers(t *testing.T) {
	named := models.BlindTexts(models.ProjectFields{Title: "中介超市", Summary: "市民政局立足基层"})
	terms := []models.BlindTerm{{Text: "市民政局", Kind: models.TermUnit}}
	unredacted := models.BlindProject{ProjectID: 5, Version: 1, Original: named, Hits: models.FindBlindFieldHits(named, terms), Terms: terms}
	clean := models.BlindProject{ProjectID: 6, Version: 1, Original: models.BlindTexts(models.ProjectFields{Title: "网格"}), Terms: []models.BlindTerm{}}
	// Round 2 is a blind draft with one unredacted project, 3 a blind
	// draft whose project is scored, 1 not blind.
	rounds := &fakeRounds{
		byID: func(id int64) (models.Round, error) {
			return models.Round{ID: id, Name: "复审", Blind: id != 1, Status: models.RoundDraft}, failByID(id)
		},
		move: func(a models.Actor, id int64, to models.RoundStatus) (models.RoundChange, error) {
			return models.RoundChange{Round: models.Round{ID: id, Status: to, Blind: id != 1}}, nil
		},
	}
	red := &fakeRedactions{
		review: func(id int64) (models.Round, []models.BlindProject, error) {
			if err := failByID(id); err != nil {
				return models.Round{}, nil, err
			}
			if id == 1 {
				return models.Round{}, nil, models.Errorf(models.KindConflict, "round is not blind")
			}
			if id == 4 {
				// A clean copy, but of an earlier version of the project.
				stale := clean
				stale.Copy, stale.Stale = clean.Original, true
				return models.Round{ID: id, Blind: true, Status: models.RoundDraft}, []models.BlindProject{stale}, nil
			}
			p := unredacted
			p.Scored = id == 3
			return models.Round{ID: id, Blind: true, Status: models.RoundDraft}, []models.BlindProject{p, clean}, nil
		},
		save: func(a models.Actor, id, pid int64, texts map[string]string) (models.BlindProject, error) {
			if a.Name != "admin" {
				return models.BlindProject{}, errUnexpected
			}
			if err := failByID(pid); err != nil {
				return models.BlindProject{}, err
			}
			if texts["summary"] == "" {
				return models.BlindProject{}, models.Invalid("the redacted copy is not valid", map[string]string{"fields.summary": "required"})
			}
			p := unredacted
			p.Copy = models.BlindTexts(models.ProjectFields{Title: "中介超市", Summary: texts["summary"]})
			return p, nil
		},
	}
	d := Deps{Rounds: rounds, Redactions: red}
	runCases(t, d, []apiCase{
		get("the hits and copies", "/api/v1/rounds/2/blind", "admin", 200, `"unredacted_projects":1`,
			`"hits":{"summary":[{"start":0,"end":4,"text":"市民政局","term":"市民政局","kind":"unit"}]}`, `"copy":null`, `"editable":true`, `"unredacted":1`, `"masks":["■■","【单位】"]`),
		get("a scored project is fixed", "/api/v1/rounds/3/blind", "admin", 200, `"scored":true,"editable":false`),
		get("experts may not see the originals", "/api/v1/rounds/2/blind", "expert", 403),
		get("units may not", "/api/v1/rounds/2/blind", "unit", 403),
		get("nor anyone signed out", "/api/v1/rounds/2/blind", "", 401),
		get("a round that is not blind", "/api/v1/rounds/1/blind", "admin", 409),
		get("no round", "/api/v1/rounds/404/blind", "admin", 404),
		send("save a copy", "PUT", "/api/v1/rounds/2/blind/5", "admin", `{"texts":{"summary":"【单位】立足基层"}}`, 200, `"copy":{"approach":"","problem":"","replicability":"","results":"","summary":"【单位】立足基层"`),
		send("a copy without texts", "PUT", "/api/v1/rounds/2/blind/5", "admin", `{}`, 422, `"texts"`),
		send("a deleted text", "PUT", "/api/v1/rounds/2/blind/5", "admin", `{"texts":{"summary":""}}`, 422, `"fields.summary"`),
		send("a scored project", "PUT", "/api/v1/rounds/2/blind/409", "admin", `{"texts":{"summary":"x"}}`, 409),
		send("experts may not redact", "PUT", "/api/v1/rounds/2/blind/5", "expert", `{"texts":{"summary":"x"}}`, 403),
		send("opening with a project that names its unit", "POST", "/api/v1/rounds/2/status", "admin", `{"status":"open"}`, 409,
			`"code":"conflict"`, `1 project(s) of this blind round still name their unit`, `"confirm_unredacted"`),
		send("opening with a copy older than its project", "POST", "/api/v1/rounds/4/status", "admin", `{"status":"open"}`, 409,
			`1 project(s) of this blind round still name their unit (0 place(s)) or changed since their redaction`),
		send("opening anyway, confirmed", "POST", "/api/v1/rounds/2/status", "admin", `{"status":"open","confirm_unredacted":true}`, 200, `"status":"open"`),
		send("a scored project does not hold the opening back", "POST", "/api/v1/rounds/3/status", "admin", `{"status":"open"}`, 200, `"status":"open"`),
		send("a round that is not blind opens without the check", "POST", "/api/v1/rounds/1/status", "admin", `{"status":"open"}`, 200),
		send("closing is not checked", "POST", "/api/v1/rounds/2/status", "admin", `{"status":"closed"}`, 200),
	})
	runCases(t, Deps{Rounds: rounds}, []apiCase{
		get("a server without redactions", "/api/v1/rounds/2/blind", "admin", 503),
	})
}

// TestReviewProjectLeaks: what a blind round's expert gets for a project
// names neither the unit nor its people, nor carries the organisers'
// eligibility note.
func TestReviewProjectLeaks(t *testing.T) {
	project := models.Project{ID: 5, UnitID: 7, EligibilityReason: "江北街道材料齐全", ProjectFields: models.ProjectFields{Title: "议事厅",
		ContactName: "李四", ContactPhone: "13800138000"}}
	rv := &fakeReviews{
		project: func(e models.User, id, pid int64) (models.Round, models.Project, *models.Score, error) {
			return reviewRound(id), project, nil, nil
		},
		items: func(e models.User, id int64) (models.Round, []models.ReviewItem, error) {
			return reviewRound(id), []models.ReviewItem{{Project: project, Position: 1}}, nil
		},
	}
	c := get("a blind project", "/api/v1/review/rounds/2/projects/5", "expert", 200, `"title":"议事厅"`, `"eligibility_reason":""`, `"unit_name":""`)
	c.absent = []string{"江北", "李四", "13800138000"}
	l := get("a blind list", "/api/v1/review/rounds/2", "expert", 200, `"title":"议事厅"`)
	l.absent = []string{"江北", "unit_name", "李四"}
	n := get("a named round's project keeps the unit but not the note", "/api/v1/review/rounds/1/projects/5", "expert", 200, `"unit_name":"江北街道"`, `"eligibility_reason":""`)
	n.absent = []string{"材料齐全", "李四"}
	runCases(t, Deps{Reviews: rv, Units: treeOnly()}, []apiCase{c, l, n})
}
