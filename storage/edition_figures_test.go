package storage

import (
	"context"
	"slices"
	"strconv"
	"testing"
	"time"

	"leitai/models"
	"leitai/storage/storagetest"
)

// TestEditionFigures checks the office's overview against a seeded
// edition, on SQLite and PostgreSQL.
func TestEditionFigures(t *testing.T) {
	pg := storagetest.StartPostgres(t)
	open := map[Dialect]func(t *testing.T) *DB{
		SQLite:   func(t *testing.T) *DB { return openMigrated(t, "", t.TempDir()) },
		Postgres: func(t *testing.T) *DB { return openMigrated(t, pg.NewDatabase(), "") },
	}
	for _, d := range []Dialect{SQLite, Postgres} {
		t.Run(string(d), func(t *testing.T) { testEditionFigures(t, open[d](t)) })
	}
}

func testEditionFigures(t *testing.T, db *DB) {
	ctx := context.Background()
	city := mustUnit(t, db, nil, models.UnitCity, "惠州市")
	huicheng := mustUnit(t, db, &city, models.UnitCounty, "惠城区")
	jiangbei := mustUnit(t, db, &huicheng, models.UnitTown, "江北街道")
	boluo := mustUnit(t, db, &city, models.UnitCounty, "博罗县")
	luoyang := mustUnit(t, db, &boluo, models.UnitTown, "罗阳街道")
	minzheng := mustUnit(t, db, &city, models.UnitDepartment, "市民政局")
	now := time.Now()
	e := mustEdition(t, db, now.Add(-time.Hour), now.Add(time.Hour), 0, 0)
	other := mustEdition(t, db, now.Add(-time.Hour), now.Add(time.Hour), 0, 0)
	users := map[int64]models.User{}
	seed := func(edition int64, unit int64, category string, submit bool) int64 {
		t.Helper()
		u, ok := users[unit]
		if !ok {
			u = mustUser(t, db, "fig"+strconv.FormatInt(unit, 10), []models.Role{models.RoleUnit}, &unit)
			users[unit] = u
		}
		fields := completeFields("项目" + strconv.Itoa(len(users)) + category)
		fields.Category = category
		p, err := db.CreateProject(ctx, cli, u, edition, fields, shanghai)
		if err != nil {
			t.Fatal(err)
		}
		if submit {
			attachMedia(t, db, p.ID)
			if _, err := db.SubmitProject(ctx, cli, u, p.ID, shanghai); err != nil {
				t.Fatal(err)
			}
		}
		return p.ID
	}
	p1 := seed(e.ID, jiangbei, "基层治理", true)
	p2 := seed(e.ID, jiangbei, "平安建设", true)
	p3 := seed(e.ID, huicheng, "基层治理", true)
	p4 := seed(e.ID, luoyang, "基层治理", true)
	seed(e.ID, minzheng, "法治建设", true)    // awaits the check
	seed(e.ID, luoyang, "社区服务", false)    // a draft: not a submission
	seed(other.ID, luoyang, "社区服务", true) // another edition
	if _, err := db.SetEligibility(ctx, cli, []int64{p1, p2, p4}, true, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SetEligibility(ctx, cli, []int64{p3}, false, "不符合申报条件"); err != nil {
		t.Fatal(err)
	}
	e1 := mustUser(t, db, "figexpert1", []models.Role{models.RoleExpert}, nil)
	e2 := mustUser(t, db, "figexpert2", []models.Role{models.RoleExpert}, nil)
	r, err := db.CreateRound(ctx, cli, e.ID, models.Round{Name: "初审", Kind: models.RoundOnline, OpensAt: now.Add(-time.Hour), ClosesAt: now.Add(time.Hour),
		Rubric: models.DefaultRubric(), ReviewersPerProject: 2, Method: "mean", KeyCriterion: "innovative"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.SetRoundExperts(ctx, cli, r.ID, []int64{e1.ID, e2.ID}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AssignRound(ctx, cli, r.ID, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := db.MoveRound(ctx, cli, r.ID, models.RoundOpen, time.UTC); err != nil {
		t.Fatal(err)
	}
	full := map[string]int64{}
	for _, c := range models.DefaultRubric() {
		full[c.Key] = c.Max
	}
	if _, err := db.SaveScore(ctx, cli, e1, r.ID, p1, full, "", true); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SaveScore(ctx, cli, e1, r.ID, p2, map[string]int64{"innovative": 2000}, "", false); err != nil {
		t.Fatal(err)
	}

	f, err := db.EditionFigures(ctx, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	counts := func(list []models.FigureCount) []string {
		var out []string
		for _, c := range list {
			out = append(out, c.Label+"="+strconv.Itoa(c.N))
		}
		return out
	}
	if f.Submissions != 5 {
		t.Errorf("submissions %d, want 5", f.Submissions)
	}
	if got, want := counts(f.ByCounty), []string{"惠城区=3", "博罗县=1", "市民政局=1"}; !slices.Equal(got, want) {
		// 博罗县 and 市民政局 tie at 1: ordered by unit id, 博罗县 first.
		t.Errorf("by county %v, want %v", got, want)
	}
	if got := counts(f.ByCategory); len(got) != 3 || got[0] != "基层治理=3" || !slices.Contains(got, "平安建设=1") || !slices.Contains(got, "法治建设=1") {
		t.Errorf("by category %v", got)
	}
	if got, want := counts(f.Eligibility), []string{"submitted=1", "eligible=3", "ineligible=1", "returned=0", "withdrawn=0"}; !slices.Equal(got, want) {
		t.Errorf("eligibility %v, want %v", got, want)
	}
	if len(f.Rounds) != 1 || f.Rounds[0] != (models.RoundFigures{RoundID: r.ID, Name: "初审", Order: 1, Status: models.RoundOpen,
		Projects: 3, Assignments: 6, Submitted: 1, Drafts: 1}) {
		t.Errorf("rounds %+v", f.Rounds)
	}
	if len(f.Experts) != 2 || f.Experts[0] != (models.ExpertFigures{RoundID: r.ID, ExpertID: e1.ID, Name: "figexpert1", Assigned: 3, Submitted: 1, Drafts: 1}) ||
		f.Experts[1] != (models.ExpertFigures{RoundID: r.ID, ExpertID: e2.ID, Name: "figexpert2", Assigned: 3}) {
		t.Errorf("experts %+v", f.Experts)
	}
	if _, err := db.EditionFigures(ctx, 99999); models.KindOf(err) != models.KindNotFound {
		t.Errorf("unknown edition: %v", err)
	}
}
