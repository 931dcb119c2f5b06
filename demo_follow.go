package main

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"leitai/models"
	"leitai/storage"
)

// The responsible person of the demo's late project: its plan gives this
// contact, so the reminder of the late report goes to this address.
const (
	DemoReminderContact = "刘芳"
	DemoReminderEmail   = "liu.fang@example.org"
)

// seedFollow funds the best projects of the demo's published round and
// puts one at every stage of the follow-through: signed and on track, a
// late report, a mid-term check passed and its tranche paid, a report sent
// back for changes, a final acceptance passed (已结项), a termination with
// its reason, an adoption by another county. Payments follow the four-eyes
// rule: "admin" approves, "finance" records them paid.
func seedFollow(ctx context.Context, db *storage.DB, media *storage.MediaService, res *demoResult, loc *time.Location) error {
	admin, err := db.UserByUsername(ctx, "admin")
	if err != nil {
		return err
	}
	finance, err := db.UserByUsername(ctx, "finance")
	if err != nil {
		return err
	}
	as := func(u models.User) models.Caller {
		id := u.ID
		return models.Caller{User: u, Actor: models.Actor{UserID: &id, Name: u.Username}}
	}
	boss, payer := as(admin), as(finance)
	rounds, pubs, err := db.Publications(ctx)
	if err != nil || len(pubs) == 0 {
		return fmt.Errorf("demo follow-through needs a published round: %v", err)
	}
	round := rounds[0]
	var ranking []struct {
		ProjectID string `json:"project_id"`
	}
	if err := json.Unmarshal([]byte(pubs[0].Results), &ranking); err != nil {
		return err
	}
	if len(ranking) < 7 {
		return fmt.Errorf("demo follow-through: only %d ranked projects", len(ranking))
	}
	tiers := []string{"top10", "top10", "top10", "first", "first", "second", "excellence"}
	funding := []int64{30000000, 30000000, 30000000, 20000000, 20000000, 10000000, 5000000} // ¥300,000 … ¥50,000
	var in []models.AwardInput
	for i := range tiers {
		id, _ := strconv.ParseInt(ranking[i].ProjectID, 10, 64)
		in = append(in, models.AwardInput{ProjectID: id, Tier: tiers[i], FundingFen: funding[i]})
	}
	follow := storage.NewFollowService(db, loc)
	awards, err := follow.CreateAwards(ctx, boss, round.ID, in)
	if err != nil {
		return fmt.Errorf("demo awards: %w", err)
	}
	today := time.Now().In(loc)
	day := func(d int) string { return today.AddDate(0, 0, d).Format(time.DateOnly) }
	expert := func(name string) int64 {
		u, _ := db.UserByUsername(ctx, name)
		return u.ID
	}
	checkers := []string{"expert1", "expert3", "expert5"}
	for i, a := range awards {
		var unitUser models.User
		unitID := a.UnitID
		units, err := db.ListUsers(ctx, models.UserFilter{Role: models.RoleUnit, UnitID: &unitID})
		if err != nil {
			return err
		}
		for _, u := range units {
			if u.UnitID != nil && *u.UnitID == a.UnitID && u.HasRole(models.RoleUnit) {
				unitUser = u
			}
		}
		unit := as(unitUser)
		step := func(err error) error {
			if err != nil {
				return fmt.Errorf("demo follow-through of %s: %w", a.ProjectTitle, err)
			}
			return nil
		}
		// Due dates: the later stages have their dates further in the past.
		back := []int{0, 60, 200, 120, 400, 150, 30}[i]
		plan := models.PlanInput{Milestones: []models.Milestone{
			{Title: "签约启动", DueOn: day(-back - 10), Share: 50, Gate: models.GateSigning, Deliverables: "实施方案、项目台账"},
			{Title: "中期检查", DueOn: day(-back + 170), Share: 30, Gate: models.GateMidterm, Deliverables: "阶段成效报告、入户走访记录",
				KPIs: []models.KPI{{Name: "覆盖户数", Unit: "户", Baseline: "0", Target: "1200"}, {Name: "化解矛盾纠纷", Unit: "件", Baseline: "0", Target: "80"}}},
			{Title: "结项验收", DueOn: day(-back + 350), Share: 20, Gate: models.GateFinal, Deliverables: "结项报告、可复制推广的工作指引",
				KPIs: []models.KPI{{Name: "覆盖户数", Unit: "户", Baseline: "0", Target: "2000"}, {Name: "化解矛盾纠纷", Unit: "件", Baseline: "0", Target: "150"}}},
		}}
		if i == 1 {
			plan.Milestones[1].DueOn = day(-10) // the late report
			// Its responsible person is reminded by e-mail when SMTP is
			// configured (the reminder round at start sends it).
			plan.ContactName, plan.ContactEmail = DemoReminderContact, DemoReminderEmail
		}
		if _, err := follow.ProposePlan(ctx, unit, a.ID, plan); err != nil {
			return step(err)
		}
		if i == 6 {
			continue // the plan waits for the organiser
		}
		if _, err := follow.DecidePlan(ctx, boss, a.ID, 1, true, ""); err != nil {
			return step(err)
		}
		if _, err := follow.SignAward(ctx, boss, a.ID, day(-back-15), nil); err != nil {
			return step(err)
		}
		if _, err := follow.MoveTranche(ctx, boss, a.ID, 1, models.TrancheApprove, models.TrancheInput{}); err != nil {
			return step(err)
		}
		if _, err := follow.MoveTranche(ctx, payer, a.ID, 1, models.TranchePay, models.TrancheInput{Reference: fmt.Sprintf("HZCZ-%d-%03d", today.Year(), i*3+1), PaidOn: day(-back - 12)}); err != nil {
			return step(err)
		}
		report := func(seq int, text string, actuals map[string]string, photo int) error {
			ids := []int64{}
			if photo >= 0 {
				id, err := demoEvidence(ctx, media, unit, a.ProjectID, a.ProjectTitle, photo)
				if err != nil {
					return err
				}
				ids = append(ids, id)
			}
			if _, err := follow.SaveReport(ctx, unit, a.ID, seq, models.ReportInput{Text: text, KPIActuals: actuals, MediaIDs: ids}); err != nil {
				return err
			}
			_, err := follow.SubmitReport(ctx, unit, a.ID, seq)
			return err
		}
		check := func(seq int, grades ...models.Grade) error {
			if _, err := follow.CreateCheck(ctx, boss, a.ID, seq, []int64{expert(checkers[0]), expert(checkers[1]), expert(checkers[2])}); err != nil {
				return err
			}
			for j, g := range grades {
				u, _ := db.UserByUsername(ctx, checkers[j])
				if _, err := follow.GradeCheck(ctx, as(u), 0+checkID(ctx, follow, boss, a.ID, seq), g, "现场走访：台账规范，群众知晓率高。", true); err != nil {
					return err
				}
			}
			return nil
		}
		switch i {
		case 2, 4: // mid-term passed and paid; 4 goes on to final acceptance
			if err := step(report(2, "已建立网格员队伍 36 人，覆盖 1,350 户，化解纠纷 92 件。", map[string]string{"覆盖户数": "1350", "化解矛盾纠纷": "92"}, i)); err != nil {
				return err
			}
			if _, err := follow.DecideReport(ctx, boss, a.ID, 2, true, ""); err != nil {
				return step(err)
			}
			if err := step(check(2, models.GradeGood, models.GradeExcellent, models.GradeGood)); err != nil {
				return err
			}
			if _, err := follow.MoveTranche(ctx, boss, a.ID, 2, models.TrancheApprove, models.TrancheInput{}); err != nil {
				return step(err)
			}
			if _, err := follow.MoveTranche(ctx, payer, a.ID, 2, models.TranchePay, models.TrancheInput{Reference: fmt.Sprintf("HZCZ-%d-%03d", today.Year(), i*3+2), PaidOn: day(-back + 180)}); err != nil {
				return step(err)
			}
			if i == 4 {
				if err := step(report(3, "项目全面完成：覆盖 2,160 户，化解纠纷 163 件，形成《村级议事协商工作指引》。", map[string]string{"覆盖户数": "2160", "化解矛盾纠纷": "163"}, i+10)); err != nil {
					return err
				}
				if _, err := follow.DecideReport(ctx, boss, a.ID, 3, true, ""); err != nil {
					return step(err)
				}
				if err := step(check(3, models.GradeExcellent, models.GradeExcellent, models.GradeGood)); err != nil {
					return err
				}
			}
		case 3: // a report sent back for changes
			if err := step(report(2, "已开展入户走访。", map[string]string{"覆盖户数": "640", "化解矛盾纠纷": "31"}, -1)); err != nil {
				return err
			}
			if _, err := follow.DecideReport(ctx, boss, a.ID, 2, false, "请补充入户走访照片和矛盾纠纷化解台账。"); err != nil {
				return step(err)
			}
		case 5: // terminated
			if _, err := follow.SetAwardStatus(ctx, boss, a.ID, models.AwardTerminated, "项目实施主体变更，未按期开展中期建设，经组委会研究终止实施", 2000000); err != nil {
				return step(err)
			}
		}
		if i == 0 {
			if _, err := follow.AddAdoption(ctx, boss, a.ID, awards[5].UnitID, day(-20), "借鉴其网格议事做法，在全区推广"); err != nil {
				return step(err)
			}
		}
	}
	// Thumbnails of the evidence, so the tracker shows them at once.
	for {
		found, err := media.ProcessNext(ctx)
		if err != nil || !found {
			break
		}
	}
	res.TrackerPath = "/tracker"
	res.FundedProjectID = awards[4].ID
	return nil
}

func checkID(ctx context.Context, follow *storage.FollowService, who models.Caller, awardID int64, seq int) int64 {
	d, err := follow.Award(ctx, who.User, awardID)
	if err != nil {
		return 0
	}
	for _, m := range d.Milestones {
		if m.Seq == seq && m.Check != nil {
			return m.Check.ID
		}
	}
	return 0
}

// demoEvidence uploads a generated photo as evidence of progress.
func demoEvidence(ctx context.Context, media *storage.MediaService, who models.Caller, projectID int64, title string, i int) (int64, error) {
	data, err := demoImage(i + 20)
	if err != nil {
		return 0, err
	}
	up, err := media.CreateUpload(ctx, who.Actor, who.User, projectID, models.NewUploadInput{Filename: title + "-进展.png", Size: int64(len(data)),
		ContentType: "image/png", Mode: models.UploadProxy, Purpose: storage.MediaPurposeFollow})
	if err != nil {
		return 0, err
	}
	sum := md5.Sum(data)
	if _, err := media.PutPart(ctx, who.User, up.ID, 1, bytes.NewReader(data), int64(len(data)), sum[:]); err != nil {
		return 0, err
	}
	m, err := media.CompleteUpload(ctx, who.Actor, who.User, up.ID)
	return m.ID, err
}
