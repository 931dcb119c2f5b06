package storage

import (
	"context"
	"encoding/json"
	"testing"

	"leitai/models"
)

// testTabletLinks: a tablet link opens a session scoped to its final and
// seat, remembered with its issuer; reissuing revokes the earlier link and
// ends its session; the sessions end when the final finishes.
func testTabletLinks(t *testing.T, db *DB) {
	ctx := context.Background()
	f := newLiveFixture(t, db)
	l := NewLiveService(db, db.NewLiveBroker(LiveBrokerOptions{}), []byte("test secret"))
	ev, err := l.CreateLiveShow(ctx, cli, f.round.ID, f.settings())
	if err != nil {
		t.Fatal(err)
	}
	hostID := f.host.ID
	host := models.Actor{UserID: &hostID, Name: f.host.Username}

	if _, _, err := db.CreateJudgeLink(ctx, host, ev.ID, 9); models.KindOf(err) != models.KindNotFound {
		t.Fatalf("an empty seat: %v, want not found", err)
	}
	if _, _, err := db.CreateJudgeLink(ctx, host, ev.ID+100, 1); models.KindOf(err) != models.KindNotFound {
		t.Fatalf("no such final: %v, want not found", err)
	}
	link1, _, err := db.CreateJudgeLink(ctx, host, ev.ID, 1)
	if err != nil {
		t.Fatal(err)
	}
	tok1, s1, err := db.RedeemLoginLink(ctx, link1, "10.0.0.9", "tablet")
	if err != nil {
		t.Fatal(err)
	}
	want := models.TabletScope{LiveShowID: ev.ID, Seat: 1, IssuedBy: "host"}
	if s1.Tablet == nil || *s1.Tablet != want || s1.User.ID != f.judges[0].ID {
		t.Fatalf("tablet session: %+v %+v", s1.Tablet, s1.User)
	}
	if got, err := db.SessionByToken(ctx, tok1); err != nil || got.Tablet == nil || *got.Tablet != want {
		t.Fatalf("the scope is stored with the session: %+v %v", got.Tablet, err)
	}
	// A link for the same judge made by an admin for a password-less
	// account is not scoped.
	plain, _, err := db.CreateLoginLink(ctx, cli, f.outsider.ID, JudgeLinkLifetime)
	if err != nil {
		t.Fatal(err)
	}
	if _, s, err := db.RedeemLoginLink(ctx, plain, "10.0.0.9", "x"); err != nil || s.Tablet != nil {
		t.Fatalf("an admin's login link: %+v %v", s.Tablet, err)
	}

	// Reissuing seat 1 revokes the unopened link and ends the open session;
	// seat 2's session is untouched.
	unopened, _, err := db.CreateJudgeLink(ctx, host, ev.ID, 1)
	if err != nil {
		t.Fatal(err)
	}
	link2, _, err := db.CreateJudgeLink(ctx, host, ev.ID, 2)
	if err != nil {
		t.Fatal(err)
	}
	tok2, _, err := db.RedeemLoginLink(ctx, link2, "10.0.0.9", "tablet")
	if err != nil {
		t.Fatal(err)
	}
	latest, _, err := db.CreateJudgeLink(ctx, host, ev.ID, 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.SessionByToken(ctx, tok1); models.KindOf(err) != models.KindUnauthenticated {
		t.Fatalf("the earlier tablet session survived a reissue: %v", err)
	}
	if _, _, err := db.RedeemLoginLink(ctx, unopened, "10.0.0.9", "tablet"); models.KindOf(err) != models.KindUnauthenticated {
		t.Fatalf("an earlier link still signs in: %v", err)
	}
	if _, err := db.SessionByToken(ctx, tok2); err != nil {
		t.Fatalf("another seat's session ended: %v", err)
	}
	tok3, _, err := db.RedeemLoginLink(ctx, latest, "10.0.0.9", "tablet")
	if err != nil {
		t.Fatal(err)
	}

	// When the final finishes, its tablet sessions end and no new link is
	// issued.
	var row liveShowRow
	if err := db.gorm.Select("state").Take(&row, ev.ID).Error; err != nil {
		t.Fatal(err)
	}
	var st map[string]any
	if err := json.Unmarshal([]byte(row.State), &st); err != nil {
		t.Fatal(err)
	}
	st["Phase"] = string(models.PhaseFinished)
	raw, _ := json.Marshal(st)
	if err := db.gorm.Model(&liveShowRow{}).Where("id = ?", ev.ID).Update("state", string(raw)).Error; err != nil {
		t.Fatal(err)
	}
	for _, tok := range []string{tok2, tok3} {
		if _, err := db.SessionByToken(ctx, tok); models.KindOf(err) != models.KindUnauthenticated {
			t.Fatalf("a tablet session outlived its final: %v", err)
		}
	}
	if _, _, err := db.CreateJudgeLink(ctx, host, ev.ID, 1); models.KindOf(err) != models.KindConflict {
		t.Fatalf("a link for a finished final: %v, want conflict", err)
	}
}
