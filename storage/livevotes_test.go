package storage

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

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
		d, err := l.DeviceToken(ctx, ev.ID, ip, "")
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	var first string
	for i := range 2 {
		tok := token("10.9.9.9")
		if i == 0 {
			first = tok
		}
		if _, err := l.Vote(ctx, ev.ID, slot0[0], "", tok, "10.9.9.9"); err != nil {
			t.Fatalf("vote %d within the cap: %v", i+1, err)
		}
	}
	// A phone that voted and sends again (a retry) is told it voted, even
	// from an address at the cap.
	if _, err := l.Vote(ctx, ev.ID, slot0[1], "", first, "10.9.9.9"); models.KindOf(err) != models.KindConflict {
		t.Fatalf("a second vote of a counted phone at the cap: %v, want already voted (409)", err)
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

// testAudienceScreenAndVoids: the big screen's rotating proof-of-presence
// code (device tokens only against the current or previous window's code
// while a screen link is active), the host's per-address breakdown with
// burst and share flags, the host's void (excluded from the tally and
// listed in the score sheet's audience derivation, which `leitai rank`
// reads back), and the phones' tallies toggle (#11 item 3, #15 item 4).
func testAudienceScreenAndVoids(t *testing.T, db *DB) {
	ctx := context.Background()
	f := newLiveFixture(t, db)
	l := NewLiveService(db, db.NewLiveBroker(LiveBrokerOptions{}), []byte("test secret"))
	clock := time.Date(2026, 12, 3, 10, 0, 30, 0, time.UTC)
	l.now = func() time.Time { return clock }
	ev, err := l.CreateLiveShow(ctx, cli, f.round.ID, f.settings())
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []models.ShowAction{models.ActionPresent} {
		if _, err := l.LiveAction(ctx, cli, ev.ID, a, ""); err != nil {
			t.Fatal(err)
		}
	}
	slot0 := ev.Slots[0]
	host := models.Actor{Name: f.host.Username}

	// Without a screen link, phones get tokens without a code.
	if _, err := l.DeviceToken(ctx, ev.ID, "10.0.0.1", ""); err != nil {
		t.Fatalf("no screen link: %v", err)
	}
	if _, err := l.PresenceCode(ctx, ev.ID, "x.y"); models.KindOf(err) != models.KindForbidden {
		t.Fatalf("presence without a screen link: %v, want forbidden", err)
	}
	key, err := l.CreateScreenLink(ctx, host, ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	if b, err := l.Board(ctx, ev.ID); err != nil || !b.PresenceRequired || b.TalliesPublic {
		t.Fatalf("board after the screen link: presence %v tallies %v %v", b.PresenceRequired, b.TalliesPublic, err)
	}
	p, err := l.PresenceCode(ctx, ev.ID, key)
	if err != nil || len(p.Code) != presenceCodeLen || !p.Until.Equal(time.Date(2026, 12, 3, 10, 1, 0, 0, time.UTC)) {
		t.Fatalf("presence %+v %v", p, err)
	}
	for _, bad := range []string{"", "WRONGCOD", key + "x", strings.ToUpper(key)} {
		if _, err := l.PresenceCode(ctx, ev.ID, bad); models.KindOf(err) != models.KindForbidden {
			t.Errorf("presence with key %q: %v, want forbidden", bad, err)
		}
	}
	if _, err := l.DeviceToken(ctx, ev.ID, "10.0.0.1", ""); models.KindOf(err) != models.KindForbidden {
		t.Fatalf("a token without the code: %v, want forbidden", err)
	}
	// A token signed by this server but issued for another event (which
	// needed no code) does not vote here.
	stranger := "AAAAAAAAAAAAAAAAAAAAAA"
	if _, err := l.Vote(ctx, ev.ID, slot0[0], "", stranger+"."+l.sign(stranger), "10.0.0.1"); models.KindOf(err) != models.KindInvalid {
		t.Fatalf("another event's device token: %v, want invalid", err)
	}
	if _, err := l.DeviceToken(ctx, ev.ID, "10.0.0.1", "AAAAAAAA"); models.KindOf(err) != models.KindForbidden {
		t.Fatalf("a token with a wrong code: %v, want forbidden", err)
	}
	// The current code, typed with a dash and in lower case, works; a
	// minute later it still does (the previous window); two minutes later
	// it is too old.
	if _, err := l.DeviceToken(ctx, ev.ID, "10.0.0.1", strings.ToLower(p.Code[:4]+"-"+p.Code[4:])); err != nil {
		t.Fatalf("the current code: %v", err)
	}
	clock = clock.Add(models.PresenceWindow)
	if _, err := l.DeviceToken(ctx, ev.ID, "10.0.0.1", p.Code); err != nil {
		t.Fatalf("the previous window's code: %v", err)
	}
	if next, err := l.PresenceCode(ctx, ev.ID, key); err != nil || next.Code == p.Code {
		t.Fatalf("the code did not rotate: %+v %v", next, err)
	}
	clock = clock.Add(models.PresenceWindow)
	if _, err := l.DeviceToken(ctx, ev.ID, "10.0.0.1", p.Code); models.KindOf(err) != models.KindForbidden {
		t.Fatalf("a code two windows old: %v, want forbidden", err)
	}
	// Another event's code does not work here.
	other := l.presenceCode(ev.ID+1, presenceWindow(clock))
	if _, err := l.DeviceToken(ctx, ev.ID, "10.0.0.1", other); models.KindOf(err) != models.KindForbidden {
		t.Fatalf("another event's code: %v, want forbidden", err)
	}
	// Reissuing replaces the key; revoking ends the requirement.
	key2, err := l.CreateScreenLink(ctx, host, ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.PresenceCode(ctx, ev.ID, key); models.KindOf(err) != models.KindForbidden {
		t.Fatalf("the replaced key: %v, want forbidden", err)
	}
	if _, err := l.PresenceCode(ctx, ev.ID, key2); err != nil {
		t.Fatalf("the new key: %v", err)
	}
	if err := l.RevokeScreenLink(ctx, host, ev.ID); err != nil {
		t.Fatal(err)
	}
	if err := l.RevokeScreenLink(ctx, host, ev.ID); models.KindOf(err) != models.KindConflict {
		t.Fatalf("revoking twice: %v, want conflict", err)
	}
	if _, err := l.PresenceCode(ctx, ev.ID, key2); models.KindOf(err) != models.KindForbidden {
		t.Fatalf("the revoked key: %v, want forbidden", err)
	}
	if _, err := l.DeviceToken(ctx, ev.ID, "10.0.0.1", ""); err != nil {
		t.Fatalf("after the revoke, no code is needed: %v", err)
	}

	// A burst: 25 votes from one address within 5 s, 3 from another, a ticket.
	vote := func(ip string, project int64) {
		t.Helper()
		d, err := l.DeviceToken(ctx, ev.ID, ip, "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := l.Vote(ctx, ev.ID, project, "", d, ip); err != nil {
			t.Fatal(err)
		}
		clock = clock.Add(200 * time.Millisecond)
	}
	for range 25 {
		vote("203.0.113.7", slot0[0])
	}
	for range 3 {
		clock = clock.Add(5 * time.Second)
		vote("198.51.100.2", slot0[1])
	}
	codes, err := l.AddTickets(ctx, cli, ev.ID, 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Vote(ctx, ev.ID, slot0[1], codes[0], "", "203.0.113.7"); err != nil {
		t.Fatal(err)
	}
	br, err := l.AudienceBreakdown(ctx, ev.ID, -1)
	if err != nil {
		t.Fatal(err)
	}
	if br.Slot != 0 || br.OpenVotes != 28 || br.TicketVotes != 1 || br.Addresses != 2 || len(br.Top) != 2 {
		t.Fatalf("breakdown %+v", br)
	}
	busy, calm := br.Top[0], br.Top[1]
	if busy.Masked != "203.0.113.*" || busy.Votes != 25 || busy.Burst != 25 || busy.SharePercent != 89 ||
		!slices.Equal(busy.Flags, []string{"burst", "share"}) {
		t.Fatalf("the busy address %+v", busy)
	}
	if calm.Masked != "198.51.100.*" || calm.Votes != 3 || calm.Burst != 2 || len(calm.Flags) != 0 || calm.Address == busy.Address {
		t.Fatalf("the calm address %+v", calm)
	}
	if _, err := l.AudienceBreakdown(ctx, ev.ID, 9); models.KindOf(err) != models.KindNotFound {
		t.Fatalf("a slot that does not exist: %v", err)
	}

	// The void: a reason is required; the address must have counted votes.
	if _, err := l.VoidAddress(ctx, host, ev.ID, 0, busy.Address, " "); models.KindOf(err) != models.KindInvalid {
		t.Fatalf("a void without a reason: %v, want invalid", err)
	}
	if _, err := l.VoidAddress(ctx, host, ev.ID, 0, "nosuchaddress", "x"); models.KindOf(err) != models.KindNotFound {
		t.Fatalf("an unknown address: %v, want not found", err)
	}
	if _, err := l.VoidAddress(ctx, host, ev.ID, 1, busy.Address, "x"); models.KindOf(err) != models.KindConflict {
		t.Fatalf("a slot not yet started: %v, want conflict", err)
	}
	n, err := l.VoidAddress(ctx, host, ev.ID, 0, busy.Address, "25 votes in 5 s from one script")
	if err != nil || n != 25 {
		t.Fatalf("void: %d %v", n, err)
	}
	if _, err := l.VoidAddress(ctx, host, ev.ID, 0, busy.Address, "again"); models.KindOf(err) != models.KindNotFound {
		t.Fatalf("voiding twice: %v, want not found", err)
	}
	vc, err := l.Tally(ctx, ev.ID)
	if err != nil || vc.Tally[idString(slot0[0])] != 0 || vc.Tally[idString(slot0[1])] != 4 || vc.SlotVoters != 4 {
		t.Fatalf("tally after the void %+v %v", vc, err)
	}
	// The operator's figures count the voided votes apart, never as counted.
	var all int64
	if err := db.gorm.Model(&liveVoteRow{}).Where("show_id = ?", ev.ID).Count(&all).Error; err != nil {
		t.Fatal(err)
	}
	if of, err := db.OperatorFigures(ctx); err != nil || of.VotesVoided[ev.ID] != 25 || of.Votes[ev.ID] != all-25 {
		t.Fatalf("operator figures: counted %d voided %d of %d rows, want %d and 25: %v", of.Votes[ev.ID], of.VotesVoided[ev.ID], all, all-25, err)
	}
	// The voided phones cannot vote again in the slot, and the voided votes
	// still count against the cap.
	br, err = l.AudienceBreakdown(ctx, ev.ID, 0)
	if err != nil || br.OpenVotes != 3 || br.Top[0].Address != calm.Address || br.Top[1].Voided != 25 || br.Top[1].Votes != 0 ||
		len(br.Voids) != 1 || br.Voids[0].By != f.host.Username || br.Voids[0].Votes != 25 || br.Voids[0].Masked != "203.0.113.*" {
		t.Fatalf("breakdown after the void %+v %v", br, err)
	}
	entries, err := db.ListAudit(ctx, models.AuditFilter{Entity: "live_show", EntityID: idString(ev.ID), Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	actions := map[string]int{}
	for _, e := range entries {
		actions[e.Action]++
	}
	if actions["live.void"] != 1 || actions["live.screen_link"] != 2 || actions["live.screen_revoke"] != 1 {
		t.Fatalf("audit %v", actions)
	}

	// The tallies toggle: audited once per change, on the board.
	if err := l.SetTalliesPublic(ctx, host, ev.ID, true); err != nil {
		t.Fatal(err)
	}
	if err := l.SetTalliesPublic(ctx, host, ev.ID, true); err != nil {
		t.Fatal(err)
	}
	if b, err := l.Board(ctx, ev.ID); err != nil || !b.TalliesPublic || b.PresenceRequired {
		t.Fatalf("board: tallies %v presence %v %v", b.TalliesPublic, b.PresenceRequired, err)
	}
	entries, _ = db.ListAudit(ctx, models.AuditFilter{Entity: "live_show", EntityID: idString(ev.ID), Limit: 50})
	toggles := 0
	for _, e := range entries {
		if e.Action == "live.tallies" {
			toggles++
		}
	}
	if toggles != 1 {
		t.Fatalf("tallies toggles audited %d times, want 1", toggles)
	}

	// Score the slot: the published sheet's audience derivation lists the
	// counted votes and the void, and parses back into the same ranking.
	for _, a := range []models.ShowAction{models.ActionQA, models.ActionPresent, models.ActionQA, models.ActionOpenScoring} {
		if _, err := l.LiveAction(ctx, cli, ev.ID, a, ""); err != nil {
			t.Fatal(err)
		}
	}
	for i, j := range f.judges {
		for k, p := range slot0 {
			if _, err := l.SubmitLiveScore(ctx, cli, j, ev.ID, p, livePoints(f.round.Rubric, 80-int64(k+i)), fmt.Sprintf("v%d-%d", i, k)); err != nil {
				t.Fatal(err)
			}
		}
	}
	sheet, err := db.RoundSheet(ctx, f.round.ID)
	if err != nil {
		t.Fatal(err)
	}
	d := sheet.AudienceDerivation
	if d == nil || d.Floor != int64(ev.Floor()) || d.Votes[idString(slot0[0])] != 0 || d.Votes[idString(slot0[1])] != 4 || len(d.Votes) != len(f.finalists) ||
		len(d.Voids) != 1 || d.Voids[0].Votes != 25 || d.Voids[0].Reason != "25 votes in 5 s from one script" || d.Voids[0].By != f.host.Username {
		t.Fatalf("derivation %+v", d)
	}
	if sheet.Audience[idString(slot0[1])] != judging.AudiencePoints(4, 4, int64(ev.Floor())) || sheet.Audience[idString(slot0[0])] != 0 {
		t.Fatalf("audience points %v", sheet.Audience)
	}
	raw, err := json.Marshal(sheet)
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := judging.ParseSheet(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("the sheet does not parse back: %v\n%s", err, raw)
	}
	want, err := judging.Rank(sheet)
	if err != nil {
		t.Fatal(err)
	}
	got, err := judging.Rank(parsed)
	if err != nil {
		t.Fatal(err)
	}
	for i := range want.Ranking {
		if got.Ranking[i].Project != want.Ranking[i].Project || got.Ranking[i].Value.String() != want.Ranking[i].Value.String() {
			t.Fatalf("ranking from the parsed sheet %+v, want %+v", got.Ranking, want.Ranking)
		}
	}
}
