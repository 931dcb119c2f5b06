package storage

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"leitai/models"
	"leitai/storage/mail"
	"leitai/storage/mail/mailtest"
)

type failingSender struct{}

func (failingSender) Send(context.Context, mail.Message) error {
	return errors.New("connection refused")
}

// testFollowReminders: reminders go to the plan's contact over real SMTP,
// each once, with two instances racing and after an instance died
// mid-send.
func testFollowReminders(t *testing.T, db *DB) {
	ctx := context.Background()
	round, projects, units, _ := publishedRound(t, db)
	admin := caller(mustUser(t, db, "rem-admin", []models.Role{models.RoleAdmin}, nil))
	clock := time.Date(2027, 6, 1, 1, 0, 0, 0, time.UTC) // 09:00 in Shanghai
	now := func() time.Time { return clock }
	a := NewFollowService(db, shanghai).WithClock(now)
	b := NewFollowService(db, shanghai).WithClock(now)
	awards, err := a.CreateAwards(ctx, admin, round.ID, []models.AwardInput{{ProjectID: projects[0], Tier: "top10", FundingFen: 100000}})
	if err != nil {
		t.Fatal(err)
	}
	id := awards[0].ID
	plan := models.PlanInput{ContactName: "李主任", ContactEmail: "li@village.example.org", Milestones: []models.Milestone{
		{Title: "签约", DueOn: "2027-05-01", Share: 50, Gate: models.GateSigning},
		{Title: "中期检查", DueOn: "2027-06-05", Share: 30, Gate: models.GateReport},
		{Title: "结项验收", DueOn: "2027-05-31", Share: 20, Gate: models.GateReport},
	}}
	if _, err := a.ProposePlan(ctx, caller(units[0]), id, models.PlanInput{ContactEmail: "not an address", Milestones: plan.Milestones}); fieldsOf(err)["contact_email"] == "" {
		t.Fatalf("a bad contact e-mail: %v", err)
	}
	if _, err := a.ProposePlan(ctx, caller(units[0]), id, plan); err != nil {
		t.Fatal(err)
	}
	if _, err := a.DecidePlan(ctx, admin, id, 1, true, ""); err != nil {
		t.Fatal(err)
	}

	// A refused send is released and tried again next time.
	if n, err := a.SendReminders(ctx, failingSender{}, "a", nil); err != nil || n != 0 {
		t.Fatalf("failing sender: %d %v", n, err)
	}
	srv := mailtest.Start(t)
	sender, err := mail.Parse("smtp://"+srv.Addr, "leitai@example.org")
	if err != nil {
		t.Fatal(err)
	}
	// Two instances at once: milestone 2 is 4 days ahead (before), milestone
	// 3 was due yesterday (late); each goes once.
	var wg sync.WaitGroup
	counts := make([]int, 2)
	for i, s := range []*FollowService{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, err := s.SendReminders(ctx, sender, []string{"a", "b"}[i], nil)
			if err != nil {
				t.Error(err)
			}
			counts[i] = n
		}()
	}
	wg.Wait()
	got := srv.Messages()
	if len(got) != 2 || counts[0]+counts[1] != 2 {
		t.Fatalf("%d messages (%v), want 2: %+v", len(got), counts, got)
	}
	subjects := got[0].Subject + "|" + got[1].Subject
	if !strings.Contains(subjects, "即将到期") || !strings.Contains(subjects, "已逾期") || got[0].To[0] != "li@village.example.org" ||
		!strings.Contains(got[0].Body+got[1].Body, "2027-06-05") || !strings.Contains(got[0].Body, "Sign in") {
		t.Fatalf("messages: %+v", got)
	}
	if n, _ := b.SendReminders(ctx, sender, "b", nil); n != 0 || len(srv.Messages()) != 2 {
		t.Fatalf("a second round sent %d", n)
	}

	// An instance died after claiming milestone 2's due-day reminder: after
	// the restart it is not sent again.
	clock = time.Date(2027, 6, 5, 1, 0, 0, 0, time.UTC)
	if err := db.gorm.Create(&followReminderRow{AwardID: id, Seq: 2, Kind: string(models.RemindDue), Recipient: "li@village.example.org",
		ClaimedBy: "dead", ClaimedAt: clock}).Error; err != nil {
		t.Fatal(err)
	}
	if n, err := a.SendReminders(ctx, sender, "a", nil); err != nil || n != 0 || len(srv.Messages()) != 2 {
		t.Fatalf("after a death mid-send: %d %v, %d messages", n, err, len(srv.Messages()))
	}
	// A submitted report stops the reminders.
	if _, err := a.SaveReport(ctx, caller(units[0]), id, 3, models.ReportInput{Text: "已完成"}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.SubmitReport(ctx, caller(units[0]), id, 3); err != nil {
		t.Fatal(err)
	}
	clock = time.Date(2027, 6, 20, 1, 0, 0, 0, time.UTC) // milestone 3 very late, but reported; milestone 2 late
	if n, err := a.SendReminders(ctx, sender, "a", nil); err != nil || n != 1 {
		t.Fatalf("after the report: %d %v", n, err)
	}
	if last := srv.Messages()[2]; !strings.Contains(last.Body, "中期检查") {
		t.Fatalf("the late reminder is milestone 2's: %+v", last)
	}
}

func TestReminderFor(t *testing.T) {
	at := time.Date(2027, 6, 1, 1, 0, 0, 0, time.UTC)
	for due, want := range map[string]models.ReminderKind{
		"2027-06-09": "", "2027-06-08": models.RemindBefore, "2027-06-01": models.RemindDue,
		"2027-05-31": models.RemindLate, "2027-05-18": models.RemindLate, "2027-05-17": models.RemindVeryLate,
	} {
		if got := models.ReminderFor(due, at, shanghai); got != want {
			t.Errorf("due %s: %q, want %q", due, got, want)
		}
	}
}
