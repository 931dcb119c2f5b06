package storage

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"leitai/judging"
	"leitai/models"
)

func testRounds(t *testing.T, db *DB) {
	ctx := context.Background()
	city := mustUnit(t, db, nil, models.UnitCity, "惠州市")
	huicheng := mustUnit(t, db, &city, models.UnitCounty, "惠城区")
	boluo := mustUnit(t, db, &city, models.UnitCounty, "博罗县")
	jiangbei := mustUnit(t, db, &huicheng, models.UnitTown, "江北街道")
	luoyang := mustUnit(t, db, &boluo, models.UnitTown, "罗阳街道")
	now := time.Now()
	e := mustEdition(t, db, now.Add(-time.Hour), now.Add(time.Hour), 0, 0)
	// Four eligible projects, two from each county.
	var projects []int64
	for i, u := range []int64{jiangbei, jiangbei, luoyang, luoyang} {
		user := mustUser(t, db, "u"+strconv.Itoa(i), []models.Role{models.RoleUnit}, &u)
		p, err := db.CreateProject(ctx, cli, user, e.ID, completeFields("项目"+strconv.Itoa(i)), shanghai)
		if err != nil {
			t.Fatal(err)
		}
		attachMedia(t, db, p.ID)
		if _, err := db.SubmitProject(ctx, cli, user, p.ID, shanghai); err != nil {
			t.Fatal(err)
		}
		projects = append(projects, p.ID)
	}
	if _, err := db.SetEligibility(ctx, cli, projects, true, ""); err != nil {
		t.Fatal(err)
	}
	// Experts: one from 惠城区 (conflicts with its projects), four from outside.
	local := mustUser(t, db, "local", []models.Role{models.RoleExpert}, &huicheng)
	experts := []models.User{local}
	for i := 0; i < 4; i++ {
		experts = append(experts, mustUser(t, db, "ext"+strconv.Itoa(i), []models.Role{models.RoleExpert}, nil))
	}
	round := models.Round{Name: "初审", Kind: models.RoundOnline, OpensAt: now.Add(-time.Hour), ClosesAt: now.Add(time.Hour),
		Rubric: models.DefaultRubric(), ReviewersPerProject: 3, Method: "mean", KeyCriterion: "innovative"}
	r, err := db.CreateRound(ctx, cli, e.ID, round)
	if err != nil || r.Order != 1 || r.Status != models.RoundDraft {
		t.Fatalf("create round: %+v %v", r, err)
	}
	if _, err := db.MoveRound(ctx, cli, r.ID, models.RoundOpen, time.UTC); models.KindOf(err) != models.KindConflict {
		t.Fatalf("opening without assignments: %v", err)
	}
	// k = 5 is impossible for 惠城区's projects (only 4 eligible experts):
	// a report, nothing written.
	r4 := round
	r4.ReviewersPerProject = 5
	if _, err := db.UpdateRound(ctx, cli, r.ID, r4); err != nil {
		t.Fatal(err)
	}
	_, err = db.AssignRound(ctx, cli, r.ID, 7)
	var infeasible *judging.InfeasibleError
	if !errors.As(err, &infeasible) || len(infeasible.Starved) != 2 || models.KindOf(err) != models.KindInvalid {
		t.Fatalf("infeasible assignment: %v", err)
	}
	if _, err := db.UpdateRound(ctx, cli, r.ID, round); err != nil {
		t.Fatal(err)
	}
	a, err := db.AssignRound(ctx, cli, r.ID, 7)
	if err != nil || !a.Balanced || a.MaxLoad-a.MinLoad > 1 {
		t.Fatalf("assign: %+v %v", a, err)
	}
	if _, items, _ := db.ExpertReviews(ctx, local, r.ID); len(items) != 2 || items[0].Project.UnitID != luoyang {
		t.Fatalf("the 惠城区 expert must only get 博罗县 projects: %+v", items)
	}
	if _, err := db.MoveRound(ctx, cli, r.ID, models.RoundOpen, time.UTC); err != nil {
		t.Fatal(err)
	}
	if _, err := db.UpdateRound(ctx, cli, r.ID, r4); models.KindOf(err) != models.KindConflict {
		t.Fatalf("changing k of an open round: %v", err)
	}
	// Scoring: the local expert cannot score a 惠城区 project (403).
	if _, err := db.SaveScore(ctx, cli, local, r.ID, projects[0], map[string]int64{"innovative": 2000}, "", false); models.KindOf(err) != models.KindForbidden {
		t.Fatalf("scoring an unassigned project: %v", err)
	}
	full := func(base int64) map[string]int64 {
		return map[string]int64{"innovative": base, "exploratory": 1500, "demonstrative": 1500, "replicable": 1500, "sustainable": 1000}
	}
	// Out of range and off-step points name the criterion.
	_, err = db.SaveScore(ctx, cli, experts[1], r.ID, projects[0], map[string]int64{"innovative": 2600, "sustainable": 1010}, "", false)
	if f := fieldsOf(err); f["innovative"] == "" || f["sustainable"] == "" {
		t.Fatalf("bad points: %v", err)
	}
	// Every assigned expert scores; project i gets innovative 20 + i.
	for _, ex := range experts {
		_, items, _ := db.ExpertReviews(ctx, ex, r.ID)
		for _, it := range items {
			idx := indexOf(projects, it.Project.ID)
			if _, err := db.SaveScore(ctx, cli, ex, r.ID, it.Project.ID, full(2000+int64(idx)*100), "草稿", false); err != nil {
				t.Fatal(err)
			}
			if ex.ID == experts[3].ID && idx == 3 {
				continue // left as a draft: reported at close, never counted
			}
			if _, err := db.SaveScore(ctx, cli, ex, r.ID, it.Project.ID, full(2000+int64(idx)*100), "", true); err != nil {
				t.Fatal(err)
			}
		}
	}
	// The admin's score history: an expert's draft, submission and a
	// changed resubmission, each with the total before and who wrote it.
	_, first, _ := db.ExpertReviews(ctx, experts[1], r.ID)
	pid, idx := first[0].Project.ID, int64(indexOf(projects, first[0].Project.ID))
	byExpert := models.Actor{UserID: &experts[1].ID, Name: experts[1].Username, IP: "10.0.0.9"}
	if _, err := db.SaveScore(ctx, byExpert, experts[1], r.ID, pid, full(2100+idx*100), "复核后上调", true); err != nil {
		t.Fatal(err)
	}
	history, err := db.ScoreHistory(ctx, r.ID, pid)
	if err != nil {
		t.Fatal(err)
	}
	var mine []models.ScoreChange
	for _, h := range history {
		if h.ExpertID == experts[1].ID {
			mine = append(mine, h)
		}
	}
	if len(mine) != 3 || mine[0].Status != models.ScoreDraft || mine[0].Action != "" || mine[0].Previous != nil ||
		mine[1].Action != "score.submit" || mine[1].Previous == nil || *mine[1].Previous != mine[0].Total ||
		mine[2].By != experts[1].Username || mine[2].Comment != "复核后上调" || *mine[2].Previous != mine[1].Total || mine[2].Total <= mine[1].Total ||
		mine[2].Expert != experts[1].Username {
		t.Fatalf("score history: %+v", mine)
	}
	if _, err := db.ScoreHistory(ctx, 99999, pid); models.KindOf(err) != models.KindNotFound {
		t.Fatalf("the history of no round: %v", err)
	}
	progress, err := db.RoundProgress(ctx, r.ID)
	if err != nil || len(progress) != 5 {
		t.Fatalf("progress: %+v %v", progress, err)
	}
	change, err := db.MoveRound(ctx, cli, r.ID, models.RoundClosed, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	_, items3, _ := db.ExpertReviews(ctx, experts[3], r.ID)
	wantDrafts := 0
	for _, it := range items3 {
		if indexOf(projects, it.Project.ID) == 3 {
			wantDrafts = 1
		}
	}
	if len(change.UncountedDrafts) != wantDrafts {
		t.Fatalf("uncounted drafts: %+v, want %d", change.UncountedDrafts, wantDrafts)
	}
	if _, err := db.SaveScore(ctx, cli, experts[1], r.ID, projects[0], full(2500), "", true); models.KindOf(err) != models.KindConflict {
		t.Fatalf("changing a score after close: %v", err)
	}
	sheet, err := db.RoundSheet(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	res, err := judging.Rank(sheet)
	if err != nil {
		t.Fatalf("rank: %v", err)
	}
	if len(res.Ranking) != 4 || res.Ranking[0].Project != strconv.FormatInt(projects[3], 10) || res.Ranking[3].Project != strconv.FormatInt(projects[0], 10) {
		t.Fatalf("ranking: %+v", res.Ranking)
	}
}

func indexOf(ids []int64, id int64) int {
	for i, x := range ids {
		if x == id {
			return i
		}
	}
	return -1
}
