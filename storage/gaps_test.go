package storage

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"leitai/models"
)

// testReviewGaps: admin-declared and removed conflicts beside the
// automatic ones, moving one project after scoring started, the
// edition's holiday calendar and the publication window the admin sets.
func testReviewGaps(t *testing.T, db *DB) {
	ctx := context.Background()
	city := mustUnit(t, db, nil, models.UnitCity, "惠州市")
	huicheng := mustUnit(t, db, &city, models.UnitCounty, "惠城区")
	boluo := mustUnit(t, db, &city, models.UnitCounty, "博罗县")
	jiangbei := mustUnit(t, db, &huicheng, models.UnitTown, "江北街道")
	luoyang := mustUnit(t, db, &boluo, models.UnitTown, "罗阳街道")
	now := time.Now()
	e := mustEdition(t, db, now.Add(-time.Hour), now.Add(time.Hour), 0, 0)
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
	local := mustUser(t, db, "local", []models.Role{models.RoleExpert}, &jiangbei)
	experts := []models.User{local}
	for i := 0; i < 4; i++ {
		experts = append(experts, mustUser(t, db, "ext"+strconv.Itoa(i), []models.Role{models.RoleExpert}, nil))
	}
	unitUser := mustUser(t, db, "notexpert", []models.Role{models.RoleUnit}, &jiangbei)
	admin := mustUser(t, db, "office", []models.Role{models.RoleAdmin}, nil)
	office := models.Actor{UserID: &admin.ID, Name: admin.Username}

	// Conflicts: the admin adds one with a reason, never without.
	ext0 := experts[1]
	if err := db.AddConflict(ctx, office, ext0.ID, luoyang, "  "); fieldsOf(err)["reason"] == "" {
		t.Fatalf("a conflict without a reason: %v", err)
	}
	if err := db.AddConflict(ctx, office, unitUser.ID, luoyang, "亲属"); fieldsOf(err)["expert_id"] == "" {
		t.Fatalf("a conflict for a user who is not an expert: %v", err)
	}
	if err := db.AddConflict(ctx, office, ext0.ID, 99999, "亲属"); fieldsOf(err)["unit_id"] == "" {
		t.Fatalf("a conflict with no unit: %v", err)
	}
	if err := db.AddConflict(ctx, office, ext0.ID, luoyang, "配偶在罗阳街道任职"); err != nil {
		t.Fatal(err)
	}
	if err := db.AddConflict(ctx, office, ext0.ID, luoyang, "again"); models.KindOf(err) != models.KindConflict {
		t.Fatalf("declaring it twice: %v", err)
	}
	list, err := db.ExpertConflicts(ctx)
	if err != nil || len(list) != 5 {
		t.Fatalf("expert conflicts: %+v %v", list, err)
	}
	byID := map[int64]models.ExpertConflicts{}
	for _, c := range list {
		byID[c.ExpertID] = c
	}
	// The 江北街道 expert's automatic conflict is the whole 惠城区 (its
	// county: county, town) — one root, two units.
	if l := byID[local.ID]; len(l.Automatic) != 1 || l.Automatic[0].UnitID != huicheng || l.Automatic[0].Why != "county" || l.AutomaticUnits != 2 || len(l.Declared) != 0 || l.UnitName != "江北街道" {
		t.Fatalf("the local expert's conflicts: %+v", l)
	}
	if c := byID[ext0.ID]; len(c.Automatic) != 0 || len(c.Declared) != 1 || c.Declared[0].UnitID != luoyang || c.Declared[0].UnitName != "罗阳街道" ||
		c.Declared[0].Reason != "配偶在罗阳街道任职" || c.Declared[0].By != "office" || c.Declared[0].ByExpert {
		t.Fatalf("the declared conflict: %+v", c)
	}
	// An expert's own declaration says so.
	ext3 := experts[4]
	if err := db.DeclareConflict(ctx, models.Actor{UserID: &ext3.ID, Name: ext3.Username}, ext3.ID, boluo, "曾任博罗县顾问"); err != nil {
		t.Fatal(err)
	}
	list, _ = db.ExpertConflicts(ctx)
	for _, c := range list {
		if c.ExpertID == ext3.ID && (len(c.Declared) != 1 || !c.Declared[0].ByExpert || c.Declared[0].By != "ext3") {
			t.Fatalf("the expert's own declaration: %+v", c)
		}
	}
	// Removing: an automatic conflict cannot be (409), a declared one with a reason.
	if err := db.RemoveConflict(ctx, office, local.ID, jiangbei, "误判"); models.KindOf(err) != models.KindConflict || !strings.Contains(err.Error(), "automatic") {
		t.Fatalf("removing an automatic conflict: %v", err)
	}
	if err := db.RemoveConflict(ctx, office, ext3.ID, boluo, ""); fieldsOf(err)["reason"] == "" {
		t.Fatalf("removing without a reason: %v", err)
	}
	if err := db.RemoveConflict(ctx, office, ext3.ID, boluo, "顾问关系已于2024年结束"); err != nil {
		t.Fatal(err)
	}
	if err := db.RemoveConflict(ctx, office, ext3.ID, boluo, "again"); models.KindOf(err) != models.KindNotFound {
		t.Fatalf("removing it twice: %v", err)
	}
	entries, err := db.ListAudit(ctx, models.AuditFilter{Entity: "user", EntityID: idString(ext3.ID), Limit: 10})
	if err != nil || len(entries) < 2 || entries[0].Action != "conflict.remove" || !strings.Contains(entries[0].After, "顾问关系已于2024年结束") ||
		!strings.Contains(entries[0].Before, "曾任博罗县顾问") || entries[0].ActorName != "office" {
		t.Fatalf("the removal's audit: %+v %v", entries, err)
	}

	// A round, assigned and open, some scores submitted.
	round := models.Round{Name: "初审", Kind: models.RoundOnline, OpensAt: now.Add(-time.Hour), ClosesAt: now.Add(time.Hour),
		Rubric: models.DefaultRubric(), ReviewersPerProject: 2, Method: "mean", KeyCriterion: "innovative"}
	r, err := db.CreateRound(ctx, cli, e.ID, round)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.AssignRound(ctx, cli, r.ID, 11); err != nil {
		t.Fatal(err)
	}
	if _, err := db.MoveRound(ctx, cli, r.ID, models.RoundOpen, time.UTC); err != nil {
		t.Fatal(err)
	}
	full := map[string]int64{"innovative": 2000, "exploratory": 1500, "demonstrative": 1500, "replicable": 1500, "sustainable": 1000}
	expertByID := map[int64]models.User{}
	for _, x := range experts {
		expertByID[x.ID] = x
	}
	before, err := db.RoundAssignments(ctx, r.ID)
	if err != nil || len(before) != 4 {
		t.Fatalf("assignments: %+v %v", before, err)
	}
	// Project 2 (罗阳街道): its first expert submits, its second keeps a draft.
	p2 := before[2]
	if p2.ProjectID != projects[2] || len(p2.Experts) != 2 || p2.UnitName != "罗阳街道" {
		t.Fatalf("project 2's assignment: %+v", p2)
	}
	submitter, drafter := expertByID[p2.Experts[0].ExpertID], expertByID[p2.Experts[1].ExpertID]
	if _, err := db.SaveScore(ctx, cli, submitter, r.ID, p2.ProjectID, full, "", true); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SaveScore(ctx, cli, drafter, r.ID, p2.ProjectID, full, "", false); err != nil {
		t.Fatal(err)
	}
	mid, _ := db.RoundAssignments(ctx, r.ID)
	if mid[2].Experts[0].Score != models.ScoreSubmitted || mid[2].Experts[1].Score != models.ScoreDraft {
		t.Fatalf("score statuses: %+v", mid[2])
	}
	// The target: an expert who has not got project 2.
	var target models.User
	for _, x := range experts {
		if x.ID != submitter.ID && x.ID != drafter.ID && x.ID != ext0.ID {
			target = x
			break
		}
	}
	move := func(pid, from, to int64, reason string) (models.Reassignment, error) {
		return db.ReassignProject(ctx, office, r.ID, pid, from, to, reason)
	}
	if _, err := move(p2.ProjectID, drafter.ID, target.ID, ""); fieldsOf(err)["reason"] == "" {
		t.Fatalf("a move without a reason: %v", err)
	}
	if _, err := move(p2.ProjectID, submitter.ID, target.ID, "出差"); models.KindOf(err) != models.KindConflict || !strings.Contains(err.Error(), "submitted") {
		t.Fatalf("moving a submitted score: %v", err)
	}
	if _, err := move(p2.ProjectID, drafter.ID, submitter.ID, "出差"); models.KindOf(err) != models.KindConflict || !strings.Contains(err.Error(), "already reviews") {
		t.Fatalf("moving to an expert who has it: %v", err)
	}
	if ext0.ID != drafter.ID && ext0.ID != submitter.ID {
		if _, err := move(p2.ProjectID, drafter.ID, ext0.ID, "出差"); models.KindOf(err) != models.KindConflict || !strings.Contains(err.Error(), "配偶在罗阳街道任职") {
			t.Fatalf("moving to a conflicted expert: %v", err)
		}
	}
	if _, err := move(p2.ProjectID, target.ID, drafter.ID, "出差"); models.KindOf(err) != models.KindConflict || !strings.Contains(err.Error(), "not assigned") {
		t.Fatalf("moving from an expert who has not got it: %v", err)
	}
	if _, err := move(projects[0], before[0].Experts[0].ExpertID, local.ID, "出差"); models.KindOf(err) != models.KindConflict || !strings.Contains(err.Error(), "automatic") {
		if !slices.ContainsFunc(before[0].Experts, func(a models.AssignedExpert) bool { return a.ExpertID == local.ID }) {
			t.Fatalf("moving a 惠城区 project to the 江北街道 expert: %v", err)
		}
	}
	if _, err := db.ReassignProject(ctx, office, r.ID, 99999, drafter.ID, target.ID, "出差"); models.KindOf(err) != models.KindNotFound {
		t.Fatalf("moving a project not in the round: %v", err)
	}
	countNotes := func() (n int64) {
		db.gorm.Model(&notificationRow{}).Where("user_id = ? AND kind = ?", target.ID, string(models.NoteAssigned)).Count(&n)
		return n
	}
	notesBefore := countNotes()
	res, err := move(p2.ProjectID, drafter.ID, target.ID, "该专家出差，无法按期完成")
	if err != nil {
		t.Fatal(err)
	}
	if !res.DiscardedDraft || res.From != drafter.ID || res.To != target.ID || res.Balanced != (res.SpreadAfter <= models.BalanceSpread) || (res.Warning != "") == res.Balanced {
		t.Fatalf("the move's report: %+v", res)
	}
	sumBefore, sumAfter := 0, 0
	for _, l := range res.Loads {
		sumBefore += l.Before
		sumAfter += l.After
		switch l.ExpertID {
		case drafter.ID:
			if l.After != l.Before-1 {
				t.Errorf("the source's load: %+v", l)
			}
		case target.ID:
			if l.After != l.Before+1 {
				t.Errorf("the target's load: %+v", l)
			}
		default:
			if l.After != l.Before {
				t.Errorf("an uninvolved expert's load changed: %+v", l)
			}
		}
	}
	if sumBefore != 8 || sumAfter != 8 || len(res.Loads) != 5 {
		t.Fatalf("loads: %+v", res.Loads)
	}
	after, _ := db.RoundAssignments(ctx, r.ID)
	for i := range before {
		want := mid[i].Experts
		if i == 2 {
			want = []models.AssignedExpert{mid[2].Experts[0], {ExpertID: target.ID, Name: target.Username}}
			slices.SortFunc(want, func(a, b models.AssignedExpert) int { return int(a.ExpertID - b.ExpertID) })
		}
		if !slices.Equal(after[i].Experts, want) {
			t.Fatalf("project %d's experts after the move: %+v, want %+v", after[i].ProjectID, after[i].Experts, want)
		}
	}
	if _, items, _ := db.ExpertReviews(ctx, target, r.ID); !slices.ContainsFunc(items, func(it models.ReviewItem) bool { return it.Project.ID == p2.ProjectID }) {
		t.Fatalf("the new expert does not see the project: %+v", items)
	}
	if _, err := db.SaveScore(ctx, cli, drafter, r.ID, p2.ProjectID, full, "", true); models.KindOf(err) != models.KindForbidden {
		t.Fatalf("the old expert still scores it: %v", err)
	}
	if n := countNotes(); n != notesBefore+1 {
		t.Fatalf("the new expert's notifications: %d, before the move %d", n, notesBefore)
	}
	entries, _ = db.ListAudit(ctx, models.AuditFilter{Entity: "round", EntityID: idString(r.ID), Limit: 1})
	if len(entries) != 1 || entries[0].Action != "round.reassign" || !strings.Contains(entries[0].After, "该专家出差") {
		t.Fatalf("the move's audit: %+v", entries)
	}

	// The holiday calendar: bad days are named, good ones sorted.
	if _, err := db.SetEditionCalendar(ctx, office, e.ID, models.Calendar{DaysOff: []string{"2026-10-01", "2026-10-01"}}); fieldsOf(err)["days_off[1]"] == "" {
		t.Fatalf("a duplicate day: %v", err)
	}
	if _, err := db.SetEditionCalendar(ctx, office, 99999, models.Calendar{}); models.KindOf(err) != models.KindNotFound {
		t.Fatalf("the calendar of no edition: %v", err)
	}
	// Every day from tomorrow for a week off, with the Saturday after a working day.
	loc := shanghai
	today := time.Now().In(loc)
	var off []string
	for i := 1; i <= 7; i++ {
		off = append(off, today.AddDate(0, 0, i).Format(models.DateLayout))
	}
	cal, err := db.SetEditionCalendar(ctx, office, e.ID, models.Calendar{DaysOff: []string{off[3], off[0], off[1], off[2], off[4], off[5], off[6]}})
	if err != nil || !slices.Equal(cal.DaysOff, off) {
		t.Fatalf("set calendar: %+v %v", cal, err)
	}
	if got, _ := db.EditionCalendar(ctx, e.ID); !slices.Equal(got.DaysOff, off) || len(got.WorkingDays) != 0 {
		t.Fatalf("the stored calendar: %+v", got)
	}
	prop, err := db.ProposeWindow(ctx, r.ID, time.Now(), loc, models.PublicationWindow{})
	if err != nil || prop.DefaultDays != 5 || prop.Days != 5 {
		t.Fatalf("the proposed window: %+v %v", prop, err)
	}
	if asked, err := db.ProposeWindow(ctx, r.ID, time.Now(), loc, models.PublicationWindow{From: time.Now(), Until: prop.Default.Until.AddDate(0, 0, 7)}); err != nil || asked.Days <= 5 || asked.DefaultDays != 5 {
		t.Fatalf("the working days of a longer window: %+v %v", asked, err)
	}
	if _, err := db.ProposeWindow(ctx, 99999, time.Now(), loc, models.PublicationWindow{}); models.KindOf(err) != models.KindNotFound {
		t.Fatalf("the window of no round: %v", err)
	}
	// A week off: the 5th working day is after it.
	if firstWork := today.AddDate(0, 0, 8).Format(models.DateLayout); prop.Default.Until.In(loc).Format(models.DateLayout) < firstWork {
		t.Fatalf("the default window ends %s, inside the week off", prop.Default.Until.In(loc))
	}
	if want := models.AddWorkingDays(time.Now(), 5, loc, cal); !prop.Default.Until.Equal(want) {
		t.Fatalf("the default ends %s, want %s", prop.Default.Until, want)
	}

	// Publishing with the admin's window: objections only inside it.
	for _, x := range experts {
		_, items, _ := db.ExpertReviews(ctx, x, r.ID)
		for _, it := range items {
			if it.Score == nil || it.Score.Status != models.ScoreSubmitted {
				if _, err := db.SaveScore(ctx, cli, x, r.ID, it.Project.ID, full, "", true); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	if _, err := db.MoveRound(ctx, cli, r.ID, models.RoundClosed, time.UTC); err != nil {
		t.Fatal(err)
	}
	if _, err := move(p2.ProjectID, target.ID, drafter.ID, "出差"); models.KindOf(err) != models.KindConflict {
		t.Fatalf("moving in a closed round: %v", err)
	}
	start := time.Now().Add(2 * time.Hour).Truncate(time.Second)
	end := start.Add(72 * time.Hour)
	if _, err := db.PublishRound(ctx, office, r.ID, loc, &models.PublicationWindow{From: end, Until: start}); fieldsOf(err)["objection_until"] == "" {
		t.Fatalf("a window ending before it starts: %v", err)
	}
	change, err := db.PublishRound(ctx, office, r.ID, loc, &models.PublicationWindow{From: start, Until: end})
	if err != nil || change.Round.Status != models.RoundPublished {
		t.Fatalf("publish: %+v %v", change, err)
	}
	pub, err := db.PublicationOf(ctx, r.ID)
	if err != nil || !pub.ObjectionFrom.Equal(start) || !pub.ObjectionUntil.Equal(end) {
		t.Fatalf("the publication's window: %+v %v", pub, err)
	}
	in := models.ObjectionInput{RoundID: r.ID, Name: "王先生", Contact: "13800001111", Body: "该项目的成效数据与实际不符，请核实。", IP: "10.0.0.1"}
	if _, err := db.SubmitObjection(ctx, models.Actor{Name: "public"}, in, start.Add(-time.Minute)); models.KindOf(err) != models.KindConflict || !strings.Contains(err.Error(), "not opened") {
		t.Fatalf("an objection before the window: %v", err)
	}
	if _, err := db.SubmitObjection(ctx, models.Actor{Name: "public"}, in, end.Add(time.Minute)); models.KindOf(err) != models.KindConflict {
		t.Fatalf("an objection after the window: %v", err)
	}
	if _, err := db.SubmitObjection(ctx, models.Actor{Name: "public"}, in, start.Add(time.Hour)); err != nil {
		t.Fatalf("an objection inside the window: %v", err)
	}
}
