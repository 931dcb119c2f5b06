package storage

import (
	"context"
	"errors"
	"testing"

	"leitai/judging"
	"leitai/models"
)

// testAudienceDefences: the venue's per-address cap per slot holds for open
// votes (never for tickets), and audience points divide by the minimum
// turnout, so one vote cannot give a finalist all the audience points
// (#11 item 3).
func testAudienceDefences(t *testing.T, db *DB) {
	ctx := context.Background()
	f := newLiveFixture(t, db)
	l := NewLiveService(db, db.NewLiveBroker(LiveBrokerOptions{}), []byte("test secret"))
	in := f.settings()
	in.VotesPerAddress = -1
	if _, err := l.CreateLiveShow(ctx, cli, f.round.ID, in); models.KindOf(err) != models.KindInvalid {
		t.Fatalf("a negative cap: %v, want invalid", err)
	}
	in.VotesPerAddress, in.AudienceFloor = 2, 40
	ev, err := l.CreateLiveShow(ctx, cli, f.round.ID, in)
	if err != nil {
		t.Fatal(err)
	}
	if ev.VotesPerAddress != 2 || ev.AudienceFloor != 40 || ev.VoteCap() != 2 || ev.Floor() != 40 {
		t.Fatalf("settings not kept: cap %d floor %d", ev.VotesPerAddress, ev.AudienceFloor)
	}
	if _, err := l.LiveAction(ctx, cli, ev.ID, models.ActionPresent, ""); err != nil {
		t.Fatal(err)
	}
	slot0 := ev.Slots[0]
	token := func(ip string) string {
		d, err := l.DeviceToken(ctx, ev.ID, ip)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	for i := range 2 {
		if _, err := l.Vote(ctx, ev.ID, slot0[0], "", token("10.9.9.9"), "10.9.9.9"); err != nil {
			t.Fatalf("vote %d within the cap: %v", i+1, err)
		}
	}
	_, err = l.Vote(ctx, ev.ID, slot0[0], "", token("10.9.9.9"), "10.9.9.9")
	var me *models.Error
	if models.KindOf(err) != models.KindRateLimited || !errors.As(err, &me) || me.RetryAfterSeconds == 0 {
		t.Fatalf("a vote beyond the venue's cap: %v, want rate limited with Retry-After", err)
	}
	// Another address, and a ticket from the capped one, still count.
	if _, err := l.Vote(ctx, ev.ID, slot0[1], "", token("10.1.1.1"), "10.1.1.1"); err != nil {
		t.Fatalf("another address: %v", err)
	}
	codes, err := l.AddTickets(ctx, cli, ev.ID, 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Vote(ctx, ev.ID, slot0[1], codes[0], "", "10.9.9.9"); err != nil {
		t.Fatalf("a ticket from the capped address: %v", err)
	}
	vc, err := l.Tally(ctx, ev.ID)
	if err != nil || vc.SlotVoters != 4 || vc.Tally[idString(slot0[0])] != 2 || vc.Tally[idString(slot0[1])] != 2 {
		t.Fatalf("tally %+v %v", vc, err)
	}

	// Audience points: 2 votes of a floor of 40 are 5 points, not 100.
	pts := audiencePoints(vc.Tally, slot0, ev.Floor())
	if pts[idString(slot0[0])] != 500 || pts[idString(slot0[1])] != 500 {
		t.Fatalf("audience points %v, want 5.00 each", pts)
	}
	if pts := audiencePoints(map[string]int{idString(slot0[0]): 1}, slot0, models.DefaultAudienceFloor); pts[idString(slot0[0])] != judging.AudiencePoints(1, 1, 50) || pts[idString(slot0[0])] != 200 {
		t.Fatalf("one vote in the event: %v, want 2.00", pts)
	}
}
