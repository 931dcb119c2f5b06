package storage

import (
	"context"
	"encoding/json"
	"log/slog"
	"strconv"
	"testing"
	"time"

	"leitai/models"
)

// BenchmarkTracker500 is the public tracker's work with 500 funded
// projects (approved three-milestone plans, two accepted reports each) on
// the embedded SQLite: `go test -run '^$' -bench Tracker500 ./storage/`.
func BenchmarkTracker500(b *testing.B) {
	ctx := context.Background()
	db, err := Open(ctx, "", b.TempDir(), slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	now := time.Now().UTC()
	g := db.gorm
	city := unitRow{Kind: string(models.UnitCity), Name: "惠州市", CreatedAt: now, UpdatedAt: now}
	must := func(err error) {
		if err != nil {
			b.Fatal(err)
		}
	}
	must(g.Create(&city).Error)
	county := unitRow{ParentID: &city.ID, Kind: string(models.UnitCounty), Name: "惠城区", CreatedAt: now, UpdatedAt: now}
	must(g.Create(&county).Error)
	ed := editionRow{Year: 2025, Title: "2025", Categories: "[]", OpensAt: now, ClosesAt: now, CreatedAt: now, UpdatedAt: now, Status: "closed"}
	must(g.Create(&ed).Error)
	round := roundRow{EditionID: ed.ID, Name: "终审", Kind: "online", OpensAt: now, ClosesAt: now, Rubric: "{}", Method: "mean", Status: "published", CreatedAt: now, UpdatedAt: now}
	must(g.Create(&round).Error)
	ms, _ := json.Marshal([]models.Milestone{
		{Seq: 1, Title: "签约启动", DueOn: "2025-03-01", Share: 50, Gate: models.GateSigning},
		{Seq: 2, Title: "中期检查", DueOn: "2025-09-01", Share: 30, Gate: models.GateReport, KPIs: []models.KPI{{Name: "覆盖户数", Target: "1200"}}},
		{Seq: 3, Title: "结项验收", DueOn: "2026-03-01", Share: 20, Gate: models.GateReport, KPIs: []models.KPI{{Name: "覆盖户数", Target: "2000"}}},
	})
	for i := 0; i < 500; i++ {
		p := projectRow{EditionID: ed.ID, UnitID: county.ID, ProjectFields: models.ProjectFields{Title: "项目" + strconv.Itoa(i)}, Status: "eligible", CreatedAt: now, UpdatedAt: now}
		must(g.Create(&p).Error)
		signed := "2025-02-01"
		a := awardRow{EditionID: ed.ID, RoundID: round.ID, ProjectID: p.ID, UnitID: county.ID, Tier: "top10", Rank: i + 1, FundingFen: 10000000,
			SignedOn: &signed, Status: "active", Version: 1, CreatedAt: now, UpdatedAt: now}
		must(g.Create(&a).Error)
		must(g.Create(&planRow{AwardID: a.ID, Version: 1, Status: "approved", Milestones: string(ms), ProposedAt: now}).Error)
		for seq := 1; seq <= 3; seq++ {
			must(g.Create(&trancheRow{AwardID: a.ID, Seq: seq, AmountFen: 3000000, State: "paid"}).Error)
		}
		for seq := 2; seq <= 3; seq++ {
			must(g.Create(&reportRow{AwardID: a.ID, Seq: seq, Status: "accepted", Text: "进展", KPIActuals: `{"覆盖户数":"1500"}`, MediaIDs: "[]",
				DecidedAt: &now, UpdatedAt: now}).Error)
		}
	}
	s := NewFollowService(db, time.UTC)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		list, err := s.Tracker(ctx, models.TrackerFilter{})
		if err != nil || len(list.Projects) != 500 {
			b.Fatalf("%d projects, %v", len(list.Projects), err)
		}
	}
}
