package storage

import (
	"context"
	"slices"
	"testing"

	"leitai/models"
)

// testAwardTiers: an edition's tier list starts as the default, is edited
// as a whole (add, rename, reorder, remove an unused tier), names awards
// and the tracker by the edition's own names, and keeps a tier that awards
// use (409). Bad lists are 422 naming the field; every change is audited.
func testAwardTiers(t *testing.T, db *DB) {
	ctx := context.Background()
	round, projects, _, _ := publishedRound(t, db)
	admin := caller(mustUser(t, db, "fin1", []models.Role{models.RoleAdmin}, nil))
	s := NewFollowService(db, shanghai)
	ed := round.EditionID

	if list, err := s.AwardTiers(ctx, ed); err != nil || !slices.Equal(list, models.DefaultAwardTiers) {
		t.Fatalf("a new edition's tiers: %v %v", list, err)
	}
	if _, err := s.AwardTiers(ctx, 999999); models.KindOf(err) != models.KindNotFound {
		t.Fatalf("tiers of no edition: %v", err)
	}
	for name, tc := range map[string]struct {
		list  []models.AwardTier
		field string
	}{
		"empty":          {nil, "tiers"},
		"bad code":       {[]models.AwardTier{{Code: "Top 10", NameZh: "十大", NameEn: "Top"}}, "tiers[0].code"},
		"code twice":     {[]models.AwardTier{{Code: "a", NameZh: "甲", NameEn: "A"}, {Code: "a", NameZh: "乙", NameEn: "B"}}, "tiers[1].code"},
		"name twice":     {[]models.AwardTier{{Code: "a", NameZh: "甲", NameEn: "A"}, {Code: "b", NameZh: "甲", NameEn: "B"}}, "tiers[1].name_zh"},
		"no Chinese":     {[]models.AwardTier{{Code: "a", NameZh: " ", NameEn: "A"}}, "tiers[0].name_zh"},
		"no English":     {[]models.AwardTier{{Code: "a", NameZh: "甲"}}, "tiers[0].name_en"},
		"too many tiers": {make([]models.AwardTier, models.MaxAwardTiers+1), "tiers"},
	} {
		_, err := s.SetAwardTiers(ctx, admin, ed, tc.list)
		if models.KindOf(err) != models.KindInvalid || fieldsOf(err)[tc.field] == "" {
			t.Errorf("%s: %v (fields %v), want 422 naming %s", name, err, fieldsOf(err), tc.field)
		}
	}

	awards, err := s.CreateAwards(ctx, admin, round.ID, []models.AwardInput{{ProjectID: projects[0], Tier: "top10", FundingFen: 100}})
	if err != nil {
		t.Fatal(err)
	}
	// Rename the tier in use, put a new one first, drop the unused 三等奖.
	next := []models.AwardTier{
		{Code: "gold", NameZh: "特等奖", NameEn: "Grand Prize"},
		{Code: "top10", NameZh: "十大创新项目", NameEn: "Top Ten Innovation"},
		{Code: "first", NameZh: "一等奖", NameEn: "First Prize"},
		{Code: "second", NameZh: "二等奖", NameEn: "Second Prize"},
		{Code: "excellence", NameZh: "优秀奖", NameEn: "Excellence Award"},
	}
	if got, err := s.SetAwardTiers(ctx, admin, ed, next); err != nil || !slices.Equal(got, next) {
		t.Fatalf("set tiers: %v %v", got, err)
	}
	if list, err := s.AwardTiers(ctx, ed); err != nil || !slices.Equal(list, next) {
		t.Fatalf("tiers after the change: %v %v", list, err)
	}
	d, err := s.Award(ctx, admin.User, awards[0].ID)
	if err != nil || d.TierNameZh != "十大创新项目" || d.TierNameEn != "Top Ten Innovation" {
		t.Fatalf("the award is named by the edition's list: %q %q %v", d.TierNameZh, d.TierNameEn, err)
	}
	// The removed tier is no longer offered; the new one is.
	if _, err := s.CreateAwards(ctx, admin, round.ID, []models.AwardInput{{ProjectID: projects[1], Tier: "third", FundingFen: 1}}); fieldsOf(err)["awards[0].tier"] == "" {
		t.Fatalf("a removed tier: %v", err)
	}
	third := "third"
	if _, err := s.UpdateAward(ctx, admin, awards[0].ID, models.AwardChange{Tier: &third}); fieldsOf(err)["tier"] == "" {
		t.Fatalf("changing to a removed tier: %v", err)
	}
	if _, err := s.CreateAwards(ctx, admin, round.ID, []models.AwardInput{{ProjectID: projects[1], Tier: "gold", FundingFen: 1}}); err != nil {
		t.Fatalf("an award of the new tier: %v", err)
	}
	// A tier in use stays: removing it is 409 and the list is unchanged.
	for _, code := range []string{"top10", "gold"} {
		var without []models.AwardTier
		for _, tr := range next {
			if tr.Code != code {
				without = append(without, tr)
			}
		}
		if _, err := s.SetAwardTiers(ctx, admin, ed, without); models.KindOf(err) != models.KindConflict {
			t.Errorf("removing %s, which an award uses: %v, want 409", code, err)
		}
	}
	if list, _ := s.AwardTiers(ctx, ed); !slices.Equal(list, next) {
		t.Fatalf("a refused change left %v", list)
	}
	// The public tracker names tiers as the edition does and lists them for its filter.
	tr, err := s.Tracker(ctx, models.TrackerFilter{})
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]string{}
	for _, p := range tr.Projects {
		names[p.Tier.Code] = p.Tier.NameZh
	}
	if names["top10"] != "十大创新项目" || names["gold"] != "特等奖" || len(tr.Tiers) != 2 {
		t.Fatalf("tracker tiers: %v, filter list %v", names, tr.Tiers)
	}
	entries, err := db.ListAudit(ctx, models.AuditFilter{Entity: "edition", EntityID: idString(ed)})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if e.Action == "edition.award_tiers" {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%d edition.award_tiers audit entries, want 1 (refused changes write none)", n)
	}
}
