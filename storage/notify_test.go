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
	"leitai/storage/storagetest"
)

func noteKinds(p models.NotificationPage) []models.NotificationKind {
	out := make([]models.NotificationKind, len(p.Items))
	for i, n := range p.Items {
		out[i] = n.Kind
	}
	return out
}

func mustNotes(t *testing.T, s *NotificationService, u models.User) models.NotificationPage {
	t.Helper()
	p, err := s.List(context.Background(), u, 0, 50, false)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func kindIs(err error, k models.Kind) bool {
	var me *models.Error
	return errors.As(err, &me) && me.Kind == k
}

// testNotifications: the changes that concern a unit or an expert write
// their notifications in the same transaction (submitted, returned with
// the reason, eligibility, assigned, reminders before the round closes,
// published, objection answered); each user sees only their own, in
// their language; e-mails go once each over a real SMTP server (Mailpit)
// with two instances racing, a refused one is tried again, a claim whose
// instance died is not sent twice, and opt-outs hold.
func testNotifications(t *testing.T, db *DB) {
	ctx := context.Background()
	city := mustUnit(t, db, nil, models.UnitCity, "惠州市")
	unitA := mustUnit(t, db, &city, models.UnitCounty, "惠城区")
	unitB := mustUnit(t, db, &city, models.UnitCounty, "惠阳区")
	now := time.Now().UTC()
	clock := now
	a := NewNotificationService(db, shanghai).WithClock(func() time.Time { return clock }).WithPublicURL("https://leitai.example.org/")
	b := NewNotificationService(db, shanghai).WithClock(func() time.Time { return clock }).WithPublicURL("https://leitai.example.org")
	e := mustEdition(t, db, now.Add(-time.Hour), now.Add(time.Hour), 0, 0)
	u0 := mustUser(t, db, "na0", []models.Role{models.RoleUnit}, &unitA)
	u0en := mustUser(t, db, "na0en", []models.Role{models.RoleUnit}, &unitA)
	u1 := mustUser(t, db, "nb1", []models.Role{models.RoleUnit}, &unitB)
	ex0 := mustUser(t, db, "nex0", []models.Role{models.RoleExpert}, nil)
	ex1 := mustUser(t, db, "nex1", []models.Role{models.RoleExpert}, nil)

	// Settings: bad input names the field; each user sets their own.
	for in, field := range map[*models.UserSettings]string{
		{Email: "not an address"}: "email", {Language: "fr"}: "language", {EmailOff: []models.NotificationKind{"nope"}}: "email_off",
	} {
		if _, err := a.SaveSettings(ctx, cli, u0, *in); fieldsOf(err)[field] == "" {
			t.Errorf("settings %+v: %v, want field %s", *in, err, field)
		}
	}
	set := func(u models.User, in models.UserSettings) {
		t.Helper()
		if _, err := a.SaveSettings(ctx, caller(u).Actor, u, in); err != nil {
			t.Fatal(err)
		}
	}
	set(u0, models.UserSettings{Email: " li@unit-a.example.org ", Language: "zh-CN"})
	set(u0en, models.UserSettings{Email: "en@unit-a.example.org", Language: "en", EmailOff: []models.NotificationKind{models.NoteSubmitted, models.NoteSubmitted}})
	set(ex0, models.UserSettings{Email: "ex0@example.org", Language: "en"})
	set(ex1, models.UserSettings{Email: "ex1@example.org"})
	if got, err := a.Settings(ctx, u0en); err != nil || got.Email != "en@unit-a.example.org" || got.Language != "en" ||
		len(got.EmailOff) != 1 || got.EmailOff[0] != models.NoteSubmitted {
		t.Fatalf("settings read back: %+v %v", got, err)
	}
	if got, _ := a.Settings(ctx, u0); got.Email != "li@unit-a.example.org" || got.Language != "zh-CN" {
		t.Fatalf("trimmed e-mail: %+v", got)
	}
	// The admin sets an e-mail in the user editor; absent keeps it.
	profile := models.UserProfile{DisplayName: "nb1", Roles: []models.Role{models.RoleUnit}, UnitID: &unitB}
	bad := "not an address"
	profile.Email = &bad
	if _, err := db.UpdateUser(ctx, cli, u1.ID, profile); fieldsOf(err)["email"] == "" {
		t.Fatalf("a bad e-mail from the admin: %v", err)
	}
	addr := "b1@unit-b.example.org"
	profile.Email = &addr
	if u, err := db.UpdateUser(ctx, cli, u1.ID, profile); err != nil || u.Email != addr {
		t.Fatalf("the admin sets the e-mail: %+v %v", u, err)
	}
	profile.Email = nil
	if u, err := db.UpdateUser(ctx, cli, u1.ID, profile); err != nil || u.Email != addr {
		t.Fatalf("an absent e-mail keeps it: %+v %v", u, err)
	}
	none := ""
	profile.Email = &none
	if u, err := db.UpdateUser(ctx, cli, u1.ID, profile); err != nil || u.Email != "" {
		t.Fatalf("an empty e-mail removes it: %+v %v", u, err)
	}
	if u, err := db.CreateUser(ctx, cli, models.NewUser{Username: "nmail", Password: "a-good-password-1", Roles: []models.Role{models.RoleHost},
		Email: "new@example.org"}); err != nil || u.Email != "new@example.org" || u.Language != "zh-CN" {
		t.Fatalf("create with an e-mail: %+v %v", u, err)
	}

	// Submitted, returned with the reason, submitted again.
	newProject := func(u models.User, title string) int64 {
		t.Helper()
		p, err := db.CreateProject(ctx, cli, u, e.ID, completeFields(title), shanghai)
		if err != nil {
			t.Fatal(err)
		}
		attachMedia(t, db, p.ID)
		if _, err := db.SubmitProject(ctx, cli, u, p.ID, shanghai); err != nil {
			t.Fatal(err)
		}
		return p.ID
	}
	p0 := newProject(u0, "社区议事厅")
	if _, err := db.ReturnProject(ctx, cli, p0, "  "); fieldsOf(err)["reason"] == "" {
		t.Fatalf("return without a reason: %v", err)
	}
	returned, err := db.ReturnProject(ctx, cli, p0, "请补充成效数据")
	if err != nil || returned.Status != models.ProjectReturned || returned.EligibilityReason != "请补充成效数据" {
		t.Fatalf("return: %+v %v", returned, err)
	}
	if _, err := db.ReturnProject(ctx, cli, p0, "again"); !kindIs(err, models.KindConflict) {
		t.Fatalf("returning a returned project: %v", err)
	}
	if _, err := db.SetEligibility(ctx, cli, []int64{p0}, true, ""); !kindIs(err, models.KindConflict) {
		t.Fatalf("judging a returned project: %v", err)
	}
	page := mustNotes(t, a, u0)
	if page.Unread != 2 || len(page.Items) != 2 || page.Items[0].Kind != models.NoteReturned || page.Items[1].Kind != models.NoteSubmitted ||
		!strings.Contains(page.Items[0].Body, "请补充成效数据") || page.Items[0].Link != "/portal/projects/"+idString(p0) ||
		!strings.Contains(page.Items[0].Title, "社区议事厅") {
		t.Fatalf("the unit's notifications: %+v", page)
	}
	if en := mustNotes(t, a, u0en); len(en.Items) != 2 || !strings.Contains(en.Items[0].Body, "Reason: 请补充成效数据") ||
		!strings.HasPrefix(en.Items[0].Title, "Returned for changes") {
		t.Fatalf("in English: %+v", en)
	}
	if again, err := db.SubmitProject(ctx, cli, u0, p0, shanghai); err != nil || again.Status != models.ProjectSubmitted || again.EligibilityReason != "" || again.Version != 2 {
		t.Fatalf("submitted again: %+v %v", again, err)
	}
	p1 := newProject(u1, "智慧网格")
	p2 := newProject(u1, "材料不全的项目")
	if _, err := db.SetEligibility(ctx, cli, []int64{p2}, false, "缺少盖章的申报书"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SetEligibility(ctx, cli, []int64{p0, p1}, true, ""); err != nil {
		t.Fatal(err)
	}
	p1notes := mustNotes(t, a, u1)
	if len(p1notes.Items) != 4 || p1notes.Items[1].Kind != models.NoteEligibility || !strings.Contains(p1notes.Items[1].Body, "不符合") ||
		!strings.Contains(p1notes.Items[1].Body, "缺少盖章的申报书") || !strings.Contains(p1notes.Items[0].Body, "进入评审") {
		t.Fatalf("eligibility notifications: %+v", p1notes)
	}

	// Assigned: both experts, with the count and the deadline in Shanghai.
	closes := now.Add(30 * time.Hour).Truncate(time.Minute)
	r, err := db.CreateRound(ctx, cli, e.ID, models.Round{Name: "初审", Kind: models.RoundOnline, OpensAt: now.Add(-time.Hour), ClosesAt: closes,
		Rubric: models.DefaultRubric(), ReviewersPerProject: 2, Method: "mean", KeyCriterion: "innovative"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.AssignRound(ctx, cli, r.ID, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := db.MoveRound(ctx, cli, r.ID, models.RoundOpen, time.UTC); err != nil {
		t.Fatal(err)
	}
	for _, ex := range []models.User{ex0, ex1} {
		n := mustNotes(t, a, ex)
		if len(n.Items) != 1 || n.Items[0].Kind != models.NoteAssigned || !strings.Contains(n.Items[0].Body, closes.In(shanghai).Format("2006-01-02 15:04")) {
			t.Fatalf("expert %s: %+v", ex.Username, n)
		}
	}
	score := func(ex models.User) {
		t.Helper()
		for i, p := range []int64{p0, p1} {
			pts := map[string]int64{"innovative": int64(2400 - 400*i), "exploratory": 1500, "demonstrative": 1500, "replicable": 1500, "sustainable": 1000}
			if _, err := db.SaveScore(ctx, cli, ex, r.ID, p, pts, "", true); err != nil {
				t.Fatal(err)
			}
		}
	}
	score(ex0)

	// Reminders before the round closes: only the expert with unfinished
	// scores, once per lead time, with two instances racing.
	race := func() int {
		var wg sync.WaitGroup
		counts := make([]int, 2)
		for i, s := range []*NotificationService{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				n, err := s.RemindClosingRounds(ctx)
				if err != nil {
					t.Error(err)
				}
				counts[i] = n
			}()
		}
		wg.Wait()
		return counts[0] + counts[1]
	}
	if n := race(); n != 1 {
		t.Fatalf("48 h reminders: %d, want 1", n)
	}
	if n := race(); n != 0 {
		t.Fatalf("48 h reminders again: %d", n)
	}
	clock = now.Add(10 * time.Hour) // 20 h left
	if n := race(); n != 1 {
		t.Fatalf("24 h reminders: %d, want 1", n)
	}
	if n := race(); n != 0 {
		t.Fatalf("24 h reminders again: %d", n)
	}
	if n := mustNotes(t, a, ex0); len(n.Items) != 1 {
		t.Fatalf("the expert who finished was reminded: %+v", n)
	}
	rem := mustNotes(t, a, ex1)
	if len(rem.Items) != 3 || rem.Items[0].Kind != models.NoteRoundClosing || !strings.Contains(rem.Items[0].Body, "2 个项目未提交") ||
		!strings.Contains(rem.Items[0].Body, "约 20 小时") || !strings.Contains(rem.Items[1].Body, "约 30 小时") {
		t.Fatalf("reminders: %+v", rem)
	}
	clock = now

	// Published: the units of the ranked projects; the objection's
	// signed-in sender hears the answer.
	score(ex1)
	if _, err := db.MoveRound(ctx, cli, r.ID, models.RoundClosed, time.UTC); err != nil {
		t.Fatal(err)
	}
	if _, err := db.MoveRound(ctx, cli, r.ID, models.RoundPublished, shanghai); err != nil {
		t.Fatal(err)
	}
	uid := u1.ID
	obj, err := db.SubmitObjection(ctx, cli, models.ObjectionInput{RoundID: r.ID, ProjectID: &p0, Name: "王", Contact: "13812345678",
		Body: "对该项目的评分有异议，请复核。", UserID: &uid, IP: "203.0.113.5"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.AnswerObjection(ctx, cli, obj.ID, "经复核，评分无误。"); err != nil {
		t.Fatal(err)
	}
	p1notes = mustNotes(t, a, u1)
	if k := noteKinds(p1notes); len(k) != 6 || k[0] != models.NoteObjectionDone || k[1] != models.NotePublished ||
		!strings.Contains(p1notes.Items[0].Body, "经复核，评分无误。") || !strings.Contains(p1notes.Items[1].Title, "初审") {
		t.Fatalf("published and answered: %v %+v", k, p1notes.Items[:2])
	}
	if k := noteKinds(mustNotes(t, a, u0)); len(k) != 5 || k[0] != models.NotePublished {
		t.Fatalf("unit A: %v", k)
	}

	// Reading: only one's own; 404 for someone else's.
	if _, err := a.MarkRead(ctx, u0, p1notes.Items[0].ID); !kindIs(err, models.KindNotFound) {
		t.Fatalf("reading another user's notification: %v", err)
	}
	if left, err := a.MarkRead(ctx, u1, p1notes.Items[0].ID); err != nil || left != 5 {
		t.Fatalf("mark read: %d %v", left, err)
	}
	if left, err := a.MarkRead(ctx, u1, p1notes.Items[0].ID); err != nil || left != 5 {
		t.Fatalf("mark read twice: %d %v", left, err)
	}
	if unread, err := a.List(ctx, u1, 0, 2, true); err != nil || unread.Total != 5 || unread.Unread != 5 || len(unread.Items) != 2 {
		t.Fatalf("unread page: %+v %v", unread, err)
	}
	if n, err := a.MarkAllRead(ctx, u1); err != nil || n != 5 {
		t.Fatalf("mark all read: %d %v", n, err)
	}
	if p := mustNotes(t, a, u1); p.Unread != 0 || p.Total != 6 || p.Items[0].ReadAt == nil {
		t.Fatalf("after mark all read: %+v", p)
	}
	if p := mustNotes(t, a, u0); p.Unread != 5 {
		t.Fatalf("marking u1's read touched u0's: %+v", p)
	}

	// E-mail. What is pending: unit A's zh user (5), the English one
	// without "submitted" (5-2=3), both experts (ex0 1, ex1 3); unit B has
	// no address.
	var pending int64
	if err := db.gorm.Model(&notificationRow{}).Where("email_state = ?", emailPending).Count(&pending).Error; err != nil {
		t.Fatal(err)
	}
	if pending != 12 {
		t.Fatalf("%d e-mails pending, want 12", pending)
	}
	if n, err := a.SendEmails(ctx, failingSender{}, "a", nil); err != nil || n != 0 {
		t.Fatalf("failing sender: %d %v", n, err)
	}
	// An instance died after claiming one: it is not sent again.
	var dead notificationRow
	if err := db.gorm.Where("user_id = ? AND kind = ?", ex0.ID, string(models.NoteAssigned)).Take(&dead).Error; err != nil {
		t.Fatal(err)
	}
	if err := db.gorm.Model(&dead).Updates(map[string]any{"email_state": emailSending, "email_claimed_by": "dead", "email_claimed_at": now}).Error; err != nil {
		t.Fatal(err)
	}
	mp := storagetest.StartMailpit(t)
	sender, err := mail.Parse("smtp://"+mp.SMTPAddr, "leitai@example.org")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	counts := make([]int, 2)
	for i, s := range []*NotificationService{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, err := s.SendEmails(ctx, sender, []string{"a", "b"}[i], nil)
			if err != nil {
				t.Error(err)
			}
			counts[i] = n
		}()
	}
	wg.Wait()
	got := mp.Messages()
	if counts[0]+counts[1] != 11 || len(got) != 11 {
		t.Fatalf("sent %v, %d arrived; want 11", counts, len(got))
	}
	byTo := map[string][]storagetest.Mail{}
	for _, m := range got {
		if len(m.To) != 1 {
			t.Fatalf("recipients: %+v", m)
		}
		byTo[m.To[0]] = append(byTo[m.To[0]], m)
	}
	if len(byTo["li@unit-a.example.org"]) != 5 || len(byTo["en@unit-a.example.org"]) != 3 || len(byTo["ex0@example.org"]) != 0 || len(byTo["ex1@example.org"]) != 3 {
		t.Fatalf("by recipient: %d %d %d %d", len(byTo["li@unit-a.example.org"]), len(byTo["en@unit-a.example.org"]), len(byTo["ex0@example.org"]), len(byTo["ex1@example.org"]))
	}
	var zhReturn, enReturn *storagetest.Mail
	for i, m := range byTo["li@unit-a.example.org"] {
		if strings.Contains(m.Subject, "退回修改") {
			zhReturn = &byTo["li@unit-a.example.org"][i]
		}
	}
	for i, m := range byTo["en@unit-a.example.org"] {
		if strings.Contains(m.Subject, "Returned for changes") {
			enReturn = &byTo["en@unit-a.example.org"][i]
		}
		if strings.Contains(m.Subject, "Submission received") {
			t.Fatalf("an opted-out kind was sent: %+v", m)
		}
	}
	if zhReturn == nil || !strings.Contains(zhReturn.Text, "请补充成效数据") || !strings.Contains(zhReturn.Text, "https://leitai.example.org/portal/projects/"+idString(p0)) ||
		zhReturn.From != "leitai@example.org" {
		t.Fatalf("the zh return mail: %+v", zhReturn)
	}
	if enReturn == nil || !strings.Contains(enReturn.Text, "Reason: 请补充成效数据") || !strings.Contains(enReturn.Text, "Sign in") {
		t.Fatalf("the en return mail: %+v", enReturn)
	}
	if n, err := b.SendEmails(ctx, sender, "b", nil); err != nil || n != 0 || len(mp.Messages()) != 11 {
		t.Fatalf("a second round sent %d (%v)", n, err)
	}

	// Turning a kind off, or the address, stops what is still pending.
	if _, err := db.ReturnProject(ctx, cli, p2, "x"); !kindIs(err, models.KindConflict) {
		t.Fatalf("returning an ineligible project: %v", err)
	}
	p3 := newProject(u0, "第三个项目")
	set(u0, models.UserSettings{Email: "li@unit-a.example.org", EmailOff: []models.NotificationKind{models.NoteSubmitted}})
	if _, err := db.ReturnProject(ctx, cli, p3, "再改改"); err != nil {
		t.Fatal(err)
	}
	set(u0en, models.UserSettings{Language: "en"})
	if n, err := a.SendEmails(ctx, sender, "a", nil); err != nil || n != 1 {
		t.Fatalf("after the opt-outs: %d %v", n, err)
	}
	last := mp.Messages()[11]
	if last.To[0] != "li@unit-a.example.org" || !strings.Contains(last.Text, "再改改") {
		t.Fatalf("the one mail left: %+v", last)
	}
	if v, err := db.VerifyAudit(ctx); err != nil || v.FirstBroken != nil {
		t.Fatalf("audit chain: %+v %v", v, err)
	}
}
