package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"leitai/models"
)

// AwardTiers is an edition's tier list, in order of rank: its own, or the
// default list (models.DefaultAwardTiers) while it sets none.
func (s *FollowService) AwardTiers(ctx context.Context, editionID int64) ([]models.AwardTier, error) {
	tiers, err := tiersOf(s.db.gorm.WithContext(ctx), editionID)
	if err != nil {
		return nil, fmt.Errorf("edition %d: %w", editionID, mapError(err))
	}
	return tiers, nil
}

// decodeTiers reads an edition's award_tiers column.
func decodeTiers(raw string) []models.AwardTier {
	var list []models.AwardTier
	if raw == "" || json.Unmarshal([]byte(raw), &list) != nil || len(list) == 0 {
		return models.DefaultAwardTiers
	}
	return list
}

// tiersOf loads an edition's tier list inside tx.
func tiersOf(tx *gorm.DB, editionID int64) ([]models.AwardTier, error) {
	var e editionRow
	if err := tx.Select("id", "award_tiers").Take(&e, editionID).Error; err != nil {
		return nil, err
	}
	return decodeTiers(e.AwardTiers), nil
}

// lockTiers loads an edition's tier list inside tx, holding the edition's
// row on PostgreSQL until tx ends (SQLite has one writer at a time), so a
// tier is never removed while an award takes it.
func (s *FollowService) lockTiers(tx *gorm.DB, editionID int64) ([]models.AwardTier, error) {
	if s.db.dialect == Postgres {
		if err := tx.Exec("SELECT id FROM editions WHERE id = ? FOR UPDATE", editionID).Error; err != nil {
			return nil, err
		}
	}
	return tiersOf(tx, editionID)
}

// SetAwardTiers replaces an edition's tier list (add, rename, reorder,
// remove). A tier that awards of the edition use cannot be removed (409,
// naming it); its code stays while its names may change. Audited with the
// lists before and after.
func (s *FollowService) SetAwardTiers(ctx context.Context, who models.Caller, editionID int64, list []models.AwardTier) ([]models.AwardTier, error) {
	clean := make([]models.AwardTier, len(list))
	for i, t := range list {
		clean[i] = models.AwardTier{Code: strings.TrimSpace(t.Code), NameZh: strings.TrimSpace(t.NameZh), NameEn: strings.TrimSpace(t.NameEn)}
	}
	if fields := models.ValidateAwardTiers(clean); len(fields) > 0 {
		return nil, models.Invalid("the tier list has problems", fields)
	}
	err := s.tx(ctx, func(tx *gorm.DB) error {
		before, err := s.lockTiers(tx, editionID)
		if err != nil {
			return err
		}
		var used []string
		if err := tx.Model(&awardRow{}).Where("edition_id = ?", editionID).Distinct().Order("tier").Pluck("tier", &used).Error; err != nil {
			return err
		}
		for _, code := range used {
			if _, ok := models.TierByCode(clean, code); !ok {
				name := code
				if t, ok := models.TierByCode(before, code); ok {
					name = t.NameZh
				}
				return models.Errorf(models.KindConflict, "the tier %q (%s) is used by awards of this edition and cannot be removed", code, name)
			}
		}
		b, err := json.Marshal(clean)
		if err != nil {
			return err
		}
		if err := tx.Model(&editionRow{}).Where("id = ?", editionID).Update("award_tiers", string(b)).Error; err != nil {
			return err
		}
		return s.db.appendAudit(tx, models.AuditRecord{Actor: who.Actor, Action: "edition.award_tiers", Entity: "edition",
			EntityID: idString(editionID), Before: map[string]any{"tiers": before}, After: map[string]any{"tiers": clean}})
	})
	if err != nil {
		return nil, fmt.Errorf("award tiers of edition %d: %w", editionID, mapError(err))
	}
	return clean, nil
}

// CreateAwards turns projects of a published round's ranking into awards:
// each with a tier of the edition's list and funding in fen. The round's
// publication is the snapshot an award links to; a project is funded once
// per edition.
func (s *FollowService) CreateAwards(ctx context.Context, who models.Caller, roundID int64, in []models.AwardInput) ([]models.AwardDetail, error) {
	now := s.now().UTC()
	var out []models.AwardDetail
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var round roundRow
		if err := tx.Take(&round, roundID).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return models.Errorf(models.KindNotFound, "no round %d", roundID)
			}
			return err
		}
		if models.RoundStatus(round.Status) != models.RoundPublished {
			return models.Errorf(models.KindConflict, "round %q is not published: awards come from a published ranking", round.Name)
		}
		var pub publicationRow
		if err := tx.Take(&pub, roundID).Error; err != nil {
			return err
		}
		var ranking []publishedEntry
		if err := json.Unmarshal([]byte(pub.Results), &ranking); err != nil {
			return fmt.Errorf("round %d publication: %w", roundID, err)
		}
		tiers, err := s.lockTiers(tx, round.EditionID)
		if err != nil {
			return err
		}
		rankOf := map[int64]int{}
		for _, e := range ranking {
			if id, err := strconv.ParseInt(e.ProjectID, 10, 64); err == nil {
				rankOf[id] = e.Rank
			}
		}
		fields := map[string]string{}
		if len(in) == 0 {
			fields["awards"] = "at least one award is required"
		}
		if len(in) > 500 {
			fields["awards"] = "at most 500 awards at a time"
		}
		seen := map[int64]bool{}
		for i, a := range in {
			at := fmt.Sprintf("awards[%d].", i)
			if _, ok := rankOf[a.ProjectID]; !ok {
				fields[at+"project_id"] = "not in this round's published ranking"
			} else if seen[a.ProjectID] {
				fields[at+"project_id"] = "listed twice"
			}
			seen[a.ProjectID] = true
			if _, ok := models.TierByCode(tiers, a.Tier); !ok {
				fields[at+"tier"] = "not a tier of this edition"
			}
			if msg := models.ValidateFunding(a.FundingFen); msg != "" {
				fields[at+"funding_fen"] = msg
			}
		}
		if len(fields) > 0 {
			return models.Invalid("the awards have problems", fields)
		}
		var taken []int64
		if err := tx.Model(&awardRow{}).Where("project_id IN ?", mapsKeys(seen)).Pluck("project_id", &taken).Error; err != nil {
			return err
		}
		if len(taken) > 0 {
			return models.Errorf(models.KindConflict, "project %d already has an award", taken[0])
		}
		rows := make([]awardRow, 0, len(in))
		for _, a := range in {
			var p projectRow
			if err := tx.Select("id", "edition_id", "unit_id").Take(&p, a.ProjectID).Error; err != nil {
				return err
			}
			r := awardRow{EditionID: round.EditionID, RoundID: roundID, ProjectID: a.ProjectID, UnitID: p.UnitID, Tier: a.Tier,
				Rank: rankOf[a.ProjectID], FundingFen: a.FundingFen, Status: string(models.AwardActive), Version: 1,
				CreatedAt: now, UpdatedAt: now}
			if err := tx.Create(&r).Error; err != nil {
				return err
			}
			if err := tx.Create(&awardVersionRow{AwardID: r.ID, Version: 1, Tier: r.Tier, FundingFen: r.FundingFen,
				Reason: "", ByName: who.Actor.Name, At: now}).Error; err != nil {
				return err
			}
			if err := s.audit(tx, who, "award.create", r.ID, nil, map[string]any{"project_id": r.ProjectID, "round_id": roundID,
				"publication_audit_head": pub.AuditHeadHash, "rank": r.Rank, "tier": r.Tier, "funding_fen": r.FundingFen}); err != nil {
				return err
			}
			rows = append(rows, r)
		}
		d, err := loadFollowData(tx, rows, true)
		if err != nil {
			return err
		}
		for _, r := range rows {
			out = append(out, d.view(r, now, s.loc))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("create awards: %w", mapError(err))
	}
	for _, a := range out {
		s.notify(a.ID)
	}
	return out, nil
}

func mapsKeys(m map[int64]bool) []int64 {
	out := make([]int64, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// Awards lists an edition's awards as the caller may see them: an admin
// all, a unit its own.
func (s *FollowService) Awards(ctx context.Context, who models.User, editionID int64) ([]models.AwardSummary, error) {
	now := s.now()
	var out []models.AwardSummary
	err := s.tx(ctx, func(tx *gorm.DB) error {
		q := tx.Where("edition_id = ?", editionID)
		if !who.HasRole(models.RoleAdmin) {
			if who.UnitID == nil {
				return nil
			}
			q = q.Where("unit_id = ?", *who.UnitID)
		}
		var rows []awardRow
		if err := q.Order("rank, id").Find(&rows).Error; err != nil {
			return err
		}
		d, err := loadFollowData(tx, rows, false)
		if err != nil {
			return err
		}
		for _, r := range rows {
			out = append(out, d.view(r, now, s.loc).AwardSummary)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("awards: %w", mapError(err))
	}
	return out, nil
}

// Award is one award with its plan, milestones, reports, checks, tranches
// and history.
func (s *FollowService) Award(ctx context.Context, who models.User, id int64) (models.AwardDetail, error) {
	now := s.now()
	var out models.AwardDetail
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var err error
		out, err = s.detail(tx, who, id, now)
		return err
	})
	if err != nil {
		return out, fmt.Errorf("award %d: %w", id, mapError(err))
	}
	return out, nil
}

func (s *FollowService) detail(tx *gorm.DB, who models.User, id int64, now time.Time) (models.AwardDetail, error) {
	var a awardRow
	if err := tx.Take(&a, id).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return models.AwardDetail{}, models.Errorf(models.KindNotFound, "no award %d", id)
		}
		return models.AwardDetail{}, err
	}
	if !canSeeAward(who, a) {
		return models.AwardDetail{}, models.Errorf(models.KindNotFound, "no award %d", id)
	}
	d, err := loadFollowData(tx, []awardRow{a}, true)
	if err != nil {
		return models.AwardDetail{}, err
	}
	return d.view(a, now, s.loc), nil
}

// UpdateAward changes an award's tier or funding. After signing, a change
// needs a reason and becomes a new version (the earlier one kept), and the
// funding cannot drop below what is already approved or paid.
func (s *FollowService) UpdateAward(ctx context.Context, who models.Caller, id int64, ch models.AwardChange) (models.AwardDetail, error) {
	now := s.now().UTC()
	var out models.AwardDetail
	err := s.tx(ctx, func(tx *gorm.DB) error {
		a, err := s.lockAward(tx, who.User, id)
		if err != nil {
			return err
		}
		if err := activeForWork(a); err != nil {
			return err
		}
		before := map[string]any{"tier": a.Tier, "funding_fen": a.FundingFen, "version": a.Version}
		fields := map[string]string{}
		ch.Reason = strings.TrimSpace(ch.Reason)
		if ch.Tier != nil {
			tiers, err := s.lockTiers(tx, a.EditionID)
			if err != nil {
				return err
			}
			if _, ok := models.TierByCode(tiers, *ch.Tier); !ok {
				fields["tier"] = "not a tier of this edition"
			}
		}
		if ch.FundingFen != nil {
			if msg := models.ValidateFunding(*ch.FundingFen); msg != "" {
				fields["funding_fen"] = msg
			}
		}
		if a.SignedOn != nil && ch.Reason == "" {
			fields["reason"] = "the agreement is signed: say why the award changes"
		}
		if utf8.RuneCountInString(ch.Reason) > 2000 {
			fields["reason"] = "at most 2,000 characters"
		}
		if len(fields) > 0 {
			return models.Invalid("the change has problems", fields)
		}
		if ch.Tier != nil {
			a.Tier = *ch.Tier
		}
		if ch.FundingFen != nil {
			var committed int64
			if err := tx.Model(&trancheRow{}).Where("award_id = ? AND state IN ?", id, []string{"approved", "paid"}).
				Select("COALESCE(SUM(amount_fen), 0)").Scan(&committed).Error; err != nil {
				return err
			}
			if *ch.FundingFen < committed {
				return models.Invalid("the funding is less than what is already approved or paid",
					map[string]string{"funding_fen": fmt.Sprintf("at least %d fen are approved or paid", committed)})
			}
			a.FundingFen = *ch.FundingFen
		}
		a.Version++
		a.UpdatedAt = now
		if err := tx.Save(&a).Error; err != nil {
			return err
		}
		if err := tx.Create(&awardVersionRow{AwardID: id, Version: a.Version, Tier: a.Tier, FundingFen: a.FundingFen,
			Reason: ch.Reason, ByName: who.Actor.Name, At: now}).Error; err != nil {
			return err
		}
		if err := s.resplit(tx, a); err != nil {
			return err
		}
		if err := s.audit(tx, who, "award.update", id, before, map[string]any{"tier": a.Tier, "funding_fen": a.FundingFen,
			"version": a.Version, "reason": ch.Reason}); err != nil {
			return err
		}
		out, err = s.detail(tx, who.User, id, now)
		return err
	})
	if err != nil {
		return out, fmt.Errorf("update award %d: %w", id, mapError(err))
	}
	s.notify(id)
	return out, nil
}

// SignAward records the agreement (签约): its date and, optionally, the
// signed document (a medium of the project).
func (s *FollowService) SignAward(ctx context.Context, who models.Caller, id int64, signedOn string, documentID *int64) (models.AwardDetail, error) {
	now := s.now().UTC()
	var out models.AwardDetail
	err := s.tx(ctx, func(tx *gorm.DB) error {
		a, err := s.lockAward(tx, who.User, id)
		if err != nil {
			return err
		}
		if err := activeForWork(a); err != nil {
			return err
		}
		if _, err := models.ParseDate(signedOn); err != nil {
			return models.Invalid("the signing date is not a date", map[string]string{"signed_on": "a date (YYYY-MM-DD) is required"})
		}
		if documentID != nil {
			var m mediaRow
			if err := tx.Select("id", "project_id").Take(&m, *documentID).Error; err != nil || m.ProjectID != a.ProjectID {
				return models.Invalid("the agreement document is not a file of this project",
					map[string]string{"agreement_media_id": "not a file of this project"})
			}
		}
		before := map[string]any{"signed_on": a.SignedOn, "agreement_media_id": a.AgreementMediaID}
		a.SignedOn, a.AgreementMediaID, a.UpdatedAt = &signedOn, documentID, now
		if err := tx.Save(&a).Error; err != nil {
			return err
		}
		if err := s.audit(tx, who, "award.sign", id, before, map[string]any{"signed_on": signedOn, "agreement_media_id": documentID}); err != nil {
			return err
		}
		out, err = s.detail(tx, who.User, id, now)
		return err
	})
	if err != nil {
		return out, fmt.Errorf("sign award %d: %w", id, mapError(err))
	}
	s.notify(id)
	return out, nil
}

// SetAwardStatus suspends, resumes or terminates an award. Suspension
// stops further tranches; termination records the reason and the amount to
// recover (追回, at most what was paid) and flags the unit at its next
// eligibility check.
func (s *FollowService) SetAwardStatus(ctx context.Context, who models.Caller, id int64, status models.AwardStatus, reason string, recoverFen int64) (models.AwardDetail, error) {
	now := s.now().UTC()
	var out models.AwardDetail
	reason = strings.TrimSpace(reason)
	err := s.tx(ctx, func(tx *gorm.DB) error {
		a, err := s.lockAward(tx, who.User, id)
		if err != nil {
			return err
		}
		from := models.AwardStatus(a.Status)
		if from == models.AwardTerminated {
			return models.Errorf(models.KindConflict, "the project was terminated: its status no longer changes")
		}
		fields := map[string]string{}
		switch status {
		case models.AwardSuspended:
			if from != models.AwardActive {
				return models.Errorf(models.KindConflict, "only a project in implementation can be suspended")
			}
		case models.AwardActive:
			if from != models.AwardSuspended {
				return models.Errorf(models.KindConflict, "the project is not suspended")
			}
		case models.AwardTerminated:
			var paid int64
			if err := tx.Model(&trancheRow{}).Where("award_id = ? AND state = ?", id, "paid").
				Select("COALESCE(SUM(amount_fen), 0)").Scan(&paid).Error; err != nil {
				return err
			}
			if msg := models.ValidateFunding(recoverFen); msg != "" {
				fields["recover_fen"] = msg
			} else if recoverFen > paid {
				fields["recover_fen"] = fmt.Sprintf("more than the %d fen paid", paid)
			}
		default:
			return models.Invalid("unknown status", map[string]string{"status": "one of active, suspended, terminated"})
		}
		if status != models.AwardActive && reason == "" {
			fields["reason"] = "required"
		}
		if utf8.RuneCountInString(reason) > 2000 {
			fields["reason"] = "at most 2,000 characters"
		}
		if len(fields) > 0 {
			return models.Invalid("the status change has problems", fields)
		}
		before := map[string]any{"status": a.Status, "reason": a.StatusReason}
		a.Status, a.StatusReason, a.UpdatedAt = string(status), reason, now
		if status == models.AwardTerminated {
			a.RecoverFen = recoverFen
			// Nothing more is paid: approved tranches are withheld.
			if err := tx.Model(&trancheRow{}).Where("award_id = ? AND state IN ?", id, []string{"pending", "approved"}).
				Updates(map[string]any{"state": "withheld", "reason": "terminated: " + reason}).Error; err != nil {
				return err
			}
		}
		if err := tx.Save(&a).Error; err != nil {
			return err
		}
		if err := s.audit(tx, who, "award."+map[models.AwardStatus]string{models.AwardSuspended: "suspend",
			models.AwardActive: "resume", models.AwardTerminated: "terminate"}[status], id, before,
			map[string]any{"status": a.Status, "reason": reason, "recover_fen": a.RecoverFen}); err != nil {
			return err
		}
		out, err = s.detail(tx, who.User, id, now)
		return err
	})
	if err != nil {
		return out, fmt.Errorf("award %d status: %w", id, mapError(err))
	}
	s.notify(id)
	return out, nil
}

// TerminatedAwards lists a unit's terminated awards (for the eligibility
// screen of its later submissions: the organiser still decides).
func (s *FollowService) TerminatedAwards(ctx context.Context, unitIDs []int64) (map[int64][]models.Award, error) {
	out := map[int64][]models.Award{}
	if len(unitIDs) == 0 {
		return out, nil
	}
	var rows []awardRow
	if err := s.db.gorm.WithContext(ctx).Where("unit_id IN ? AND status = ?", unitIDs, string(models.AwardTerminated)).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("terminated awards: %w", mapError(err))
	}
	for _, r := range rows {
		out[r.UnitID] = append(out[r.UnitID], r.model())
	}
	return out, nil
}

// AddAdoption records that another unit took the project up (推广): the
// date, the adopting unit (from the unit tree, not the project's own) and
// the evidence. It shows on the public tracker.
func (s *FollowService) AddAdoption(ctx context.Context, who models.Caller, awardID, unitID int64, adoptedOn, evidence string) (models.AwardDetail, error) {
	now := s.now().UTC()
	evidence = strings.TrimSpace(evidence)
	var out models.AwardDetail
	err := s.tx(ctx, func(tx *gorm.DB) error {
		a, err := s.lockAward(tx, who.User, awardID)
		if err != nil {
			return err
		}
		fields := map[string]string{}
		var u unitRow
		if err := tx.Select("id").Take(&u, unitID).Error; err != nil {
			fields["unit_id"] = "not a unit"
		} else if unitID == a.UnitID {
			fields["unit_id"] = "the project's own unit does not adopt it"
		}
		if _, err := models.ParseDate(adoptedOn); err != nil {
			fields["adopted_on"] = "a date (YYYY-MM-DD) is required"
		}
		if evidence == "" || utf8.RuneCountInString(evidence) > 2000 {
			fields["evidence"] = "required, at most 2,000 characters"
		}
		if len(fields) > 0 {
			return models.Invalid("the adoption has problems", fields)
		}
		var n int64
		if err := tx.Model(&adoptionRow{}).Where("award_id = ? AND unit_id = ?", awardID, unitID).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return models.Errorf(models.KindConflict, "this unit's adoption is already recorded")
		}
		if err := tx.Create(&adoptionRow{AwardID: awardID, UnitID: unitID, AdoptedOn: adoptedOn, Evidence: evidence, CreatedAt: now}).Error; err != nil {
			return err
		}
		if err := s.audit(tx, who, "award.adoption", awardID, nil, map[string]any{"unit_id": unitID, "adopted_on": adoptedOn}); err != nil {
			return err
		}
		out, err = s.detail(tx, who.User, awardID, now)
		return err
	})
	if err != nil {
		return out, fmt.Errorf("adoption: %w", mapError(err))
	}
	s.notify(awardID)
	return out, nil
}

// EditionAwards is every award of an edition (of every edition when
// editionID is 0) in full: the organiser's implementation-status export and
// dashboard, in rank order.
func (s *FollowService) EditionAwards(ctx context.Context, editionID int64) ([]models.AwardDetail, error) {
	now := s.now()
	var out []models.AwardDetail
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var rows []awardRow
		q := tx.Order("edition_id, rank, id")
		if editionID != 0 {
			q = q.Where("edition_id = ?", editionID)
		}
		if err := q.Find(&rows).Error; err != nil {
			return err
		}
		d, err := loadFollowData(tx, rows, false)
		if err != nil {
			return err
		}
		for _, r := range rows {
			out = append(out, d.view(r, now, s.loc))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("edition %d awards: %w", editionID, mapError(err))
	}
	return out, nil
}

// Dashboard is the organiser's dashboard over one edition's awards (or
// every edition's when editionID is 0).
func (s *FollowService) Dashboard(ctx context.Context, editionID int64) (models.FollowDashboard, error) {
	now := s.now()
	awards, err := s.EditionAwards(ctx, editionID)
	if err != nil {
		return models.FollowDashboard{}, err
	}
	var eds []editionRow
	if err := s.db.gorm.WithContext(ctx).Select("id", "title").Find(&eds).Error; err != nil {
		return models.FollowDashboard{}, fmt.Errorf("dashboard: %w", mapError(err))
	}
	names := map[int64]string{}
	for _, e := range eds {
		names[e.ID] = e.Title
	}
	return models.Dashboard(awards, names, now, s.loc), nil
}
