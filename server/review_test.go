package server

import (
	"context"
	"strings"
	"testing"

	"leitai/models"
)

// TestBlindName: a blind round's file names keep only a plain extension.
func TestBlindName(t *testing.T) {
	for _, tc := range []struct {
		n          int
		name, want string
	}{
		{1, "惠城区江北街道现场照片.JPG", "附件1.jpg"},
		{2, "方案.pdf", "附件2.pdf"},
		{3, "没有扩展名", "附件3"},
		{4, "奇怪.扩展名", "附件4"},
		{5, "a.verylongextension", "附件5"},
		{6, "x.tar.gz", "附件6.gz"},
	} {
		if got := blindName(tc.n, tc.name); got != tc.want {
			t.Errorf("blindName(%d, %q) = %q, want %q", tc.n, tc.name, got, tc.want)
		}
	}
}

// fakeReviews is a Reviews whose methods the test sets.
type fakeReviews struct {
	rounds    func(expert models.User) ([]models.Round, map[int64][2]int, error)
	reminders func(expertID int64) (map[int64]models.Reminder, error)
	items     func(expert models.User, roundID int64) (models.Round, []models.ReviewItem, error)
	project   func(expert models.User, roundID, projectID int64) (models.Round, models.Project, *models.Score, error)
	save      func(a models.Actor, expert models.User, roundID, projectID int64, points map[string]int64, comment string, submit bool) (models.Score, error)
	declare   func(a models.Actor, expertID, unitID int64, reason string) error
	conflicts func(expertID int64) ([]int64, error)
}

func (f *fakeReviews) ExpertRounds(_ context.Context, e models.User) ([]models.Round, map[int64][2]int, error) {
	if f.rounds == nil {
		return nil, nil, errUnexpected
	}
	return f.rounds(e)
}
func (f *fakeReviews) LatestReminders(_ context.Context, id int64) (map[int64]models.Reminder, error) {
	if f.reminders == nil {
		return nil, errUnexpected
	}
	return f.reminders(id)
}
func (f *fakeReviews) ExpertReviews(_ context.Context, e models.User, id int64) (models.Round, []models.ReviewItem, error) {
	if f.items == nil {
		return models.Round{}, nil, errUnexpected
	}
	return f.items(e, id)
}
func (f *fakeReviews) ReviewProject(_ context.Context, e models.User, id, pid int64) (models.Round, models.Project, *models.Score, error) {
	if f.project == nil {
		return models.Round{}, models.Project{}, nil, errUnexpected
	}
	return f.project(e, id, pid)
}
func (f *fakeReviews) SaveScore(_ context.Context, a models.Actor, e models.User, id, pid int64, points map[string]int64, comment string, submit bool) (models.Score, error) {
	if f.save == nil {
		return models.Score{}, errUnexpected
	}
	return f.save(a, e, id, pid, points, comment, submit)
}
func (f *fakeReviews) DeclareConflict(_ context.Context, a models.Actor, expertID, unitID int64, reason string) error {
	if f.declare == nil {
		return errUnexpected
	}
	return f.declare(a, expertID, unitID, reason)
}
func (f *fakeReviews) DeclaredConflicts(_ context.Context, id int64) ([]int64, error) {
	if f.conflicts == nil {
		return nil, errUnexpected
	}
	return f.conflicts(id)
}

// fakeReviewFiles is a ReviewFiles over one photo; blind links lead to
// the copy without metadata.
type fakeReviewFiles struct{}

func (fakeReviewFiles) ReviewMedia(_ context.Context, e models.User, id, pid int64) (models.Round, []models.Media, error) {
	if err := failByID(pid); err != nil {
		return models.Round{}, nil, err
	}
	return models.Round{ID: id, Blind: id == 2}, []models.Media{photo(1)}, nil
}
func (fakeReviewFiles) MediaLinks(_ context.Context, m models.Media) (models.MediaLinks, error) {
	return linksOf(m)
}
func (fakeReviewFiles) CleanLinks(_ context.Context, m models.Media) (models.MediaLinks, error) {
	return models.MediaLinks{URL: "/clean/" + m.Filename}, nil
}

// reviewRound is round 1 (named) or 2 (blind).
func reviewRound(id int64) models.Round {
	return models.Round{ID: id, Name: "初评", Rubric: models.DefaultRubric(), Blind: id == 2, Status: models.RoundOpen}
}

func TestReviewHandlers(t *testing.T) {
	submitted := models.Score{RoundID: 1, ProjectID: 5, ExpertID: 3, Points: map[string]int64{"innovative": 2250}, Status: models.ScoreSubmitted}
	project := models.Project{ID: 5, UnitID: 7, ProjectFields: models.ProjectFields{Title: "网格议事厅", ContactName: "李", ContactPhone: "13800138000"}}
	rv := &fakeReviews{
		rounds: func(e models.User) ([]models.Round, map[int64][2]int, error) {
			return []models.Round{reviewRound(1), reviewRound(2)}, map[int64][2]int{1: {12, 15}, 2: {0, 3}}, nil
		},
		reminders: func(id int64) (map[int64]models.Reminder, error) {
			return map[int64]models.Reminder{1: {Message: "请尽快", Remaining: 3}}, nil
		},
		items: func(e models.User, id int64) (models.Round, []models.ReviewItem, error) {
			if err := failByID(id); err != nil {
				return models.Round{}, nil, err
			}
			return reviewRound(id), []models.ReviewItem{{Project: project, Position: 1, Score: &submitted}, {Project: models.Project{ID: 6, UnitID: 7}, Position: 2}}, nil
		},
		project: func(e models.User, id, pid int64) (models.Round, models.Project, *models.Score, error) {
			if err := failByID(pid); err != nil {
				return models.Round{}, models.Project{}, nil, err
			}
			return reviewRound(id), project, &submitted, nil
		},
		save: func(a models.Actor, e models.User, id, pid int64, points map[string]int64, comment string, submit bool) (models.Score, error) {
			if e.ID != 3 || *a.UserID != 3 {
				return models.Score{}, errUnexpected
			}
			if err := failByID(pid); err != nil {
				return models.Score{}, err
			}
			if points["innovative"] > 2500 {
				return models.Score{}, models.Invalid("the score is not valid", map[string]string{"innovative": "at most 25"})
			}
			st := models.ScoreDraft
			if submit {
				st = models.ScoreSubmitted
			}
			return models.Score{RoundID: id, ProjectID: pid, ExpertID: e.ID, Points: points, Comment: comment, Status: st}, nil
		},
		declare: func(a models.Actor, expertID, unitID int64, reason string) error {
			if unitID == 0 {
				return models.Invalid("which unit?", map[string]string{"unit_id": "required"})
			}
			return failByID(unitID)
		},
		conflicts: func(id int64) ([]int64, error) {
			if id != 3 {
				return nil, errUnexpected
			}
			return nil, nil
		},
	}
	runCases(t, Deps{Reviews: rv, ReviewFiles: fakeReviewFiles{}, Units: treeOnly()}, []apiCase{
		get("review is for experts", "/api/v1/review/rounds", "admin", 403),
		get("the expert's rounds with progress and reminders", "/api/v1/review/rounds", "expert", 200, `"done":12,"total":15,"reminder":{"message":"请尽快","remaining":3`, `"done":0,"total":3,"reminder":null`),
		get("a round's list names the unit", "/api/v1/review/rounds/1", "expert", 200, `"unit_name":"江北街道"`, `"status":"submitted"`, `"status":"todo"`, `"done":1,`, `"total":2}`),
		get("a blind round's list does not", "/api/v1/review/rounds/2", "expert", 200, `"title":"网格议事厅","category":"","position":1`),
		get("a round not assigned", "/api/v1/review/rounds/404", "expert", 404),
		get("a project without its contact", "/api/v1/review/rounds/1/projects/5", "expert", 200, `"unit_name":"江北街道"`, `"contact_phone":""`, `"total":22.5`),
		get("a blind project without its unit", "/api/v1/review/rounds/2/projects/5", "expert", 200, `"unit_id":0`, `"unit_path":[]`),
		get("a conflicted project", "/api/v1/review/rounds/1/projects/403", "expert", 403),
		send("save a draft", "PUT", "/api/v1/review/rounds/1/projects/5/score", "expert", `{"points":{"innovative":22.5},"comment":"  好  "}`, 200, `"status":"draft"`, `"comment":"好"`, `"total":22.5`),
		send("submit", "PUT", "/api/v1/review/rounds/1/projects/5/score", "expert", `{"points":{"innovative":20},"submit":true}`, 200, `"status":"submitted"`),
		send("points with three decimals", "PUT", "/api/v1/review/rounds/1/projects/5/score", "expert", `{"points":{"innovative":20.125}}`, 422, `"innovative":"a number with at most 2 decimals"`),
		send("points as text", "PUT", "/api/v1/review/rounds/1/projects/5/score", "expert", `{"points":{"innovative":"20"}}`, 422, `"points"`),
		send("no points", "PUT", "/api/v1/review/rounds/1/projects/5/score", "expert", `{"comment":"x"}`, 422, `"points"`),
		send("over the maximum", "PUT", "/api/v1/review/rounds/1/projects/5/score", "expert", `{"points":{"innovative":26}}`, 422, `"innovative":"at most 25"`),
		send("a comment too long", "PUT", "/api/v1/review/rounds/1/projects/5/score", "expert", `{"points":{"innovative":1},"comment":"`+strings.Repeat("长", 2001)+`"}`, 422, `"comment"`),
		send("a closed round", "PUT", "/api/v1/review/rounds/1/projects/409/score", "expert", `{"points":{"innovative":1}}`, 409),
		get("my conflicts, none", "/api/v1/me/conflicts", "expert", 200, `"unit_ids":[]`),
		send("declare a conflict", "POST", "/api/v1/me/conflicts", "expert", `{"unit_id":7,"reason":"曾任职"}`, 200, `"unit_ids":[]`),
		send("declare without a unit", "POST", "/api/v1/me/conflicts", "expert", `{"reason":"x"}`, 422, `"unit_id"`),
		send("declare for no unit", "POST", "/api/v1/me/conflicts", "expert", `{"unit_id":404}`, 404),
		get("a project's media", "/api/v1/review/rounds/1/projects/5/media", "expert", 200, `"filename":"惠城区现场.jpg"`, `"url":"/o/p/5/photo.jpg"`, `"blind":false`),
		get("a blind round's media are renamed and cleaned", "/api/v1/review/rounds/2/projects/5/media", "expert", 200, `"filename":"附件1.jpg"`, `"url":"/clean/附件1.jpg"`, `"blind":true`),
		get("media of a project not assigned", "/api/v1/review/rounds/1/projects/403/media", "expert", 403),
	})
	runCases(t, Deps{}, []apiCase{
		get("no media on this server", "/api/v1/review/rounds/1/projects/5/media", "expert", 503),
	})
}
