package storage

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"leitai/judging"
	"leitai/models"
)

// liveFixture is a live round with four finalists and five judges.
type liveFixture struct {
	round     models.Round
	finalists []int64
	judges    []models.User
	outsider  models.User
	host      models.User
}

func newLiveFixture(t *testing.T, db *DB) liveFixture {
	t.Helper()
	ctx := context.Background()
	city := mustUnit(t, db, nil, models.UnitCity, "惠州市")
	county := mustUnit(t, db, &city, models.UnitCounty, "惠城区")
	town := mustUnit(t, db, &county, models.UnitTown, "江北街道")
	now := time.Now()
	e := mustEdition(t, db, now.Add(-time.Hour), now.Add(time.Hour), 0, 0)
	var f liveFixture
	for i := range 4 {
		user := mustUser(t, db, "unit"+strconv.Itoa(i), []models.Role{models.RoleUnit}, &town)
		p, err := db.CreateProject(ctx, cli, user, e.ID, completeFields("决赛项目"+strconv.Itoa(i)), shanghai)
		if err != nil {
			t.Fatal(err)
		}
		attachMedia(t, db, p.ID)
		if _, err := db.SubmitProject(ctx, cli, user, p.ID, shanghai); err != nil {
			t.Fatal(err)
		}
		f.finalists = append(f.finalists, p.ID)
	}
	for i := range 5 {
		f.judges = append(f.judges, mustUser(t, db, "judge"+strconv.Itoa(i+1), []models.Role{models.RoleExpert}, nil))
	}
	f.outsider = mustUser(t, db, "outsider", []models.Role{models.RoleExpert}, nil)
	f.host = mustUser(t, db, "host", []models.Role{models.RoleHost}, nil)
	r, err := db.CreateRound(ctx, cli, e.ID, models.Round{Name: "终审", Kind: models.RoundLive, OpensAt: now.Add(-time.Hour),
		ClosesAt: now.Add(time.Hour), Rubric: models.FinalRubric(), ReviewersPerProject: 5, Method: "trimmed_mean", Trim: 1,
		KeyCriterion: "innovative"})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SetRoundProjects(ctx, cli, r.ID, f.finalists, "决赛"); err != nil {
		t.Fatal(err)
	}
	f.round = r
	return f
}

func (f liveFixture) settings() models.LiveShowSettings {
	ids := make([]int64, len(f.judges))
	for i, j := range f.judges {
		ids[i] = j.ID
	}
	return models.LiveShowSettings{Title: "终审PK赛", AudienceMode: models.AudienceBoth, Weights: models.DefaultLiveWeights,
		Timings: models.DefaultShowTimings, Pairing: models.PairingPK, Rehearsal: true, JudgeIDs: ids}
}

// livePoints gives every final-rubric criterion a score around base.
func livePoints(r models.Rubric, base int64) map[string]int64 {
	out := map[string]int64{}
	for _, c := range r {
		out[c.Key] = min(c.Max, c.Max*base/100/c.Step*c.Step)
	}
	return out
}

func testLiveShows(t *testing.T, db *DB) {
	ctx := context.Background()
	f := newLiveFixture(t, db)
	broker := db.NewLiveBroker(LiveBrokerOptions{})
	l := NewLiveService(db, broker, []byte("test secret"))

	// Setup: only enabled experts judge; the programme is drawn at once.
	bad := f.settings()
	bad.JudgeIDs = []int64{f.host.ID}
	if _, err := l.CreateLiveShow(ctx, cli, f.round.ID, bad); models.KindOf(err) != models.KindInvalid {
		t.Fatalf("a host as judge: %v, want invalid", err)
	}
	ev, err := l.CreateLiveShow(ctx, cli, f.round.ID, f.settings())
	if err != nil {
		t.Fatal(err)
	}
	if len(ev.Slots) != 2 || len(ev.Judges) != 5 || ev.Judges[0].Seat != 1 || ev.Seed == "" {
		t.Fatalf("event: %+v", ev)
	}
	// Anyone re-runs the draw from the published seed.
	ev, err = l.DrawLiveShow(ctx, cli, ev.ID, "惠州2026")
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, len(f.finalists))
	for i, p := range f.finalists {
		ids[i] = strconv.FormatInt(p, 10)
	}
	order, _ := judging.DrawLots("惠州2026", ids)
	var got []string
	for _, sl := range ev.Slots {
		for _, p := range sl {
			got = append(got, strconv.FormatInt(p, 10))
		}
	}
	if !slices.Equal(got, order) || ev.Seed != "惠州2026" {
		t.Fatalf("draw: slots %v, want the order %v", ev.Slots, order)
	}
	slot0 := ev.Slots[0]
	rubric := f.round.Rubric

	// Out of order → conflict.
	if _, err := l.LiveAction(ctx, cli, ev.ID, models.ActionReveal, ""); models.KindOf(err) != models.KindConflict {
		t.Fatalf("reveal while idle: %v", err)
	}
	if _, err := l.SubmitLiveScore(ctx, cli, f.judges[0], ev.ID, slot0[0], livePoints(rubric, 80), "early"); models.KindOf(err) != models.KindConflict {
		t.Fatalf("a score before scoring opens: %v, want conflict", err)
	}
	for _, a := range []models.ShowAction{models.ActionPresent, models.ActionQA, models.ActionPresent, models.ActionQA} {
		if _, err := l.LiveAction(ctx, cli, ev.ID, a, ""); err != nil {
			t.Fatalf("%s: %v", a, err)
		}
	}
	// Votes are open while the slot runs: once per device and per ticket.
	dev, err := l.DeviceToken(ctx, ev.ID, "10.0.0.1", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Vote(ctx, ev.ID, slot0[0], "", dev, "10.0.0.1"); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Vote(ctx, ev.ID, slot0[1], "", dev, "10.0.0.1"); models.KindOf(err) != models.KindConflict {
		t.Fatalf("second device vote: %v, want conflict", err)
	}
	if _, err := l.Vote(ctx, ev.ID, slot0[0], "", dev[:len(dev)-2]+"xx", "10.0.0.1"); models.KindOf(err) != models.KindInvalid {
		t.Fatalf("forged device token: %v, want invalid", err)
	}
	codes, err := l.AddTickets(ctx, cli, ev.ID, 3)
	if err != nil || len(codes) != 3 || !strings.Contains(codes[0], "-") {
		t.Fatalf("tickets %v %v", codes, err)
	}
	loose := strings.ToLower(strings.ReplaceAll(codes[0], "-", " "))
	if _, err := l.Vote(ctx, ev.ID, slot0[1], loose, "", "10.0.0.1"); err != nil {
		t.Fatalf("ticket vote typed loosely: %v", err)
	}
	if _, err := l.Vote(ctx, ev.ID, slot0[0], codes[0], "", "10.0.0.1"); models.KindOf(err) != models.KindConflict {
		t.Fatalf("second ticket vote: %v, want conflict", err)
	}
	if _, err := l.Vote(ctx, ev.ID, slot0[0], "ZZZZ-ZZZZ", "", "10.0.0.1"); models.KindOf(err) != models.KindInvalid {
		t.Fatalf("unknown ticket: %v, want invalid", err)
	}
	// Guessing codes is throttled per address: after the free mistakes an
	// address waits (429), even with a real code; another address does not.
	for i := 0; i < 40; i++ {
		if _, err := l.Vote(ctx, ev.ID, slot0[0], "ZZZZ-ZZZZ", "", "10.6.6.6"); models.KindOf(err) == models.KindRateLimited {
			if i < 29 {
				t.Fatalf("guess %d already throttled", i+1)
			}
			break
		} else if i == 39 {
			t.Fatalf("40 wrong ticket codes from one address were never throttled: %v", err)
		}
	}
	if _, err := l.Vote(ctx, ev.ID, slot0[0], codes[2], "", "10.6.6.6"); models.KindOf(err) != models.KindRateLimited {
		t.Fatalf("a guessing address with a real code: %v, want rate limited", err)
	}
	if _, err := l.Vote(ctx, ev.ID, slot0[0], "ZZZZ-ZZZZ", "", "10.0.0.7"); models.KindOf(err) != models.KindInvalid {
		t.Fatalf("another address: %v, want invalid", err)
	}
	if _, err := l.Vote(ctx, ev.ID, ev.Slots[1][0], codes[1], "", "10.0.0.1"); models.KindOf(err) != models.KindConflict {
		t.Fatalf("a vote for another slot's project: %v, want conflict", err)
	}
	vc, err := l.Tally(ctx, ev.ID)
	if err != nil || vc.SlotVoters != 2 || vc.EventVoters != 2 || vc.Slot != 0 || vc.Tally[strconv.FormatInt(slot0[0], 10)] != 1 || vc.Tally[strconv.FormatInt(slot0[1], 10)] != 1 {
		t.Fatalf("tally %+v %v", vc, err)
	}

	if _, err := l.LiveAction(ctx, cli, ev.ID, models.ActionOpenScoring, ""); err != nil {
		t.Fatal(err)
	}
	// Tablets: only the panel, only the current slot, only valid points.
	if _, err := l.SubmitLiveScore(ctx, cli, f.outsider, ev.ID, slot0[0], livePoints(rubric, 80), "x1"); models.KindOf(err) != models.KindForbidden {
		t.Fatalf("an outsider's score: %v, want forbidden", err)
	}
	if _, err := l.SubmitLiveScore(ctx, cli, f.judges[0], ev.ID, ev.Slots[1][0], livePoints(rubric, 80), "x2"); models.KindOf(err) != models.KindConflict {
		t.Fatalf("a score for the next slot: %v, want conflict", err)
	}
	over := livePoints(rubric, 80)
	over["innovative"] = 99_00
	if _, err := l.SubmitLiveScore(ctx, cli, f.judges[0], ev.ID, slot0[0], over, "x3"); models.KindOf(err) != models.KindInvalid {
		t.Fatalf("points over the max: %v, want invalid", err)
	}
	bases := []int64{70, 80, 85, 90, 95}
	for i, j := range f.judges {
		for k, p := range slot0 {
			sub := "s" + strconv.Itoa(i) + "-" + strconv.Itoa(k)
			sc, err := l.SubmitLiveScore(ctx, cli, j, ev.ID, p, livePoints(rubric, bases[i]-int64(k)*10), sub)
			if err != nil {
				t.Fatalf("judge %d project %d: %v", i, p, err)
			}
			if sc.SubmissionID != sub {
				t.Fatalf("score %+v", sc)
			}
		}
	}
	// The same submission again is stored once; a late retry of an older
	// submission does not overwrite a newer one.
	if _, err := l.SubmitLiveScore(ctx, cli, f.judges[0], ev.ID, slot0[0], livePoints(rubric, 60), "newer"); err != nil {
		t.Fatal(err)
	}
	again, err := l.SubmitLiveScore(ctx, cli, f.judges[0], ev.ID, slot0[0], livePoints(rubric, 70), "s0-0")
	if err != nil || again.Total != judgingTotal(livePoints(rubric, 70)) {
		t.Fatalf("retry of s0-0: %+v %v", again, err)
	}
	v, err := l.HostView(ctx, ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := v.Current[0].Seats[0].Total; got != judgingTotal(livePoints(rubric, 60)) {
		t.Fatalf("judge 1's stored total %d, want the newer submission's %d", got, judgingTotal(livePoints(rubric, 60)))
	}
	var history int64
	db.gorm.Model(&scoreHistoryRow{}).Where("round_id = ? AND project_id = ? AND expert_id = ?", f.round.ID, slot0[0], f.judges[0].ID).Count(&history)
	if history != 2 {
		t.Fatalf("history rows for judge 1: %d, want 2 (the retry adds none)", history)
	}
	// While scoring and sealed, the public board has counts, no scores.
	b, err := l.Board(ctx, ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Results) != 0 || b.Submitted[strconv.FormatInt(slot0[0], 10)] != 5 || !b.VotingOpen || b.RevealedAt != nil {
		t.Fatalf("board while scoring: results %v submitted %v voting %v", b.Results, b.Submitted, b.VotingOpen)
	}
	if _, err := l.LiveAction(ctx, cli, ev.ID, models.ActionSeal, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := l.SubmitLiveScore(ctx, cli, f.judges[1], ev.ID, slot0[0], livePoints(rubric, 50), "late"); models.KindOf(err) != models.KindConflict {
		t.Fatalf("a score after seal: %v, want conflict", err)
	}
	if _, err := l.Vote(ctx, ev.ID, slot0[0], codes[2], "", "10.0.0.1"); models.KindOf(err) != models.KindConflict {
		t.Fatalf("a vote after seal: %v, want conflict", err)
	}
	if _, err := l.LiveAction(ctx, cli, ev.ID, models.ActionReveal, ""); err != nil {
		t.Fatal(err)
	}
	b, err = l.Board(ctx, ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	// The board carries the reveal's moment, so every screen plays the
	// same stage of it whenever it connected.
	if b.RevealedAt == nil || b.RevealedAt.IsZero() {
		t.Fatalf("a revealed board without revealed_at: %v", b.RevealedAt)
	}
	first := b.Results[strconv.FormatInt(slot0[0], 10)]
	if len(b.Results) != 2 || len(first.Scores) != 5 || len(b.Leaderboard) != 2 || len(b.Winners) != 1 {
		t.Fatalf("revealed board: %+v", b)
	}
	var struck []string
	for _, s := range first.Scores {
		if s.Struck != nil {
			struck = append(struck, strconv.Itoa(s.Seat)+*s.Struck)
		}
	}
	// Seat 1 (60) is the lowest, seat 5 (95) the highest.
	if !slices.Equal(struck, []string{"1low", "5high"}) {
		t.Fatalf("struck %v", struck)
	}
	// The board's ranking is the published sheet's: judging.Rank agrees.
	sheet, err := db.RoundSheet(ctx, f.round.ID)
	if err != nil {
		t.Fatal(err)
	}
	if sheet.Weights == nil || sheet.Weights.Panel != 60*judging.Scale || len(sheet.Audience) != 2 || len(sheet.Scores) != 10 {
		t.Fatalf("live sheet: %+v", sheet)
	}
	res, err := judging.Rank(sheet)
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range res.Ranking {
		if strconv.FormatInt(b.Leaderboard[i].ProjectID, 10) != e.Project || b.Leaderboard[i].Composite != e.Value.String() {
			t.Fatalf("leaderboard %+v vs sheet ranking %+v", b.Leaderboard, res.Ranking)
		}
	}

	// A correction re-seals the slot (scores vanish from the board) until
	// the host reveals again.
	if _, err := l.HostScore(ctx, cli, ev.ID, slot0[0], 3, livePoints(rubric, 75), ""); models.KindOf(err) != models.KindInvalid {
		t.Fatalf("a correction without reason: %v", err)
	}
	after, err := l.HostScore(ctx, cli, ev.ID, slot0[0], 3, livePoints(rubric, 75), "评委3误触")
	if err != nil || after.Show.Phase != models.PhaseSealed {
		t.Fatalf("correction: %v phase %s", err, after.Show.Phase)
	}
	if b, _ = l.Board(ctx, ev.ID); len(b.Results) != 0 {
		t.Fatalf("a re-sealed slot's results on the board: %v", b.Results)
	}
	if _, err := l.LiveAction(ctx, cli, ev.ID, models.ActionReveal, ""); err != nil {
		t.Fatal(err)
	}

	// The next slot starts with no voters of its own: the screen's count is
	// the slot's (#15 item 3), the event's total is kept apart.
	if _, err := l.LiveAction(ctx, cli, ev.ID, models.ActionPresent, ""); err != nil {
		t.Fatal(err)
	}
	if vc, err = l.Tally(ctx, ev.ID); err != nil || vc.Slot != 1 || vc.SlotVoters != 0 || vc.EventVoters != 2 {
		t.Fatalf("tally in slot 2 before any vote: %+v %v", vc, err)
	}
	if b, err = l.Board(ctx, ev.ID); err != nil || b.Voters != 0 || b.EventVoters != 2 {
		t.Fatalf("board in slot 2: voters %d event %d %v", b.Voters, b.EventVoters, err)
	}
	if _, err := l.Vote(ctx, ev.ID, ev.Slots[1][0], "", dev, "10.0.0.1"); err != nil {
		t.Fatal(err)
	}
	if vc, err = l.Tally(ctx, ev.ID); err != nil || vc.SlotVoters != 1 || vc.EventVoters != 2 {
		t.Fatalf("tally in slot 2 after one vote: %+v %v", vc, err)
	}

	// Every event in the log is the whole public board; none carries a
	// slot's results before its reveal, and offsets have no gaps.
	epoch, head, err := broker.Head(ctx, ev.Topic())
	if err != nil {
		t.Fatal(err)
	}
	events, ok, err := broker.Since(ctx, ev.Topic(), epoch, 0)
	if err != nil || !ok || uint64(len(events)) != head {
		t.Fatalf("history: %d events, head %d, ok %v, %v", len(events), head, ok, err)
	}
	for i, e := range events {
		if e.Offset != uint64(i+1) {
			t.Fatalf("offset %d at %d", e.Offset, i)
		}
		var msg struct {
			Kind  string       `json:"kind"`
			State models.Board `json:"state"`
		}
		if err := json.Unmarshal(e.Payload, &msg); err != nil {
			t.Fatal(err)
		}
		public := msg.State.Phase == models.PhaseRevealed || msg.State.Phase == models.PhaseFinished
		for pid := range msg.State.Results {
			id, _ := strconv.ParseInt(pid, 10, 64)
			slot := slices.IndexFunc(ev.Slots, func(sl []int64) bool { return slices.Contains(sl, id) })
			if slot > msg.State.Slot || slot == msg.State.Slot && !public {
				t.Fatalf("event %d (%s, phase %s) carries slot %d's results before their reveal", e.Offset, msg.Kind, msg.State.Phase, slot)
			}
		}
	}

	// Setup is fixed once the show started; the rehearsal wipes with the title typed.
	if _, err := l.DrawLiveShow(ctx, cli, ev.ID, "again"); models.KindOf(err) != models.KindConflict {
		t.Fatalf("draw after start: %v", err)
	}
	if _, err := l.WipeRehearsal(ctx, cli, ev.ID, "wrong", false); models.KindOf(err) != models.KindInvalid {
		t.Fatalf("wipe with a wrong title: %v", err)
	}
	wiped, err := l.WipeRehearsal(ctx, cli, ev.ID, "终审PK赛", false)
	if err != nil || wiped.Rehearsal || wiped.Started || wiped.Show.Phase != models.PhaseIdle {
		t.Fatalf("wipe: %+v %v", wiped, err)
	}
	if b, _ = l.Board(ctx, ev.ID); len(b.Leaderboard) != 0 || len(b.Tally) != 0 {
		t.Fatalf("board after wipe: %+v", b)
	}
	if _, err := l.WipeRehearsal(ctx, cli, ev.ID, "终审PK赛", false); models.KindOf(err) != models.KindConflict {
		t.Fatalf("wiping a live (non-rehearsal) event: %v", err)
	}
}

func judgingTotal(p map[string]int64) int64 {
	var s int64
	for _, v := range p {
		s += v
	}
	return s
}
