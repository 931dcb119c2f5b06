package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"gorm.io/gorm"

	"leitai/models"
)

// Tracker is the public tracker: the funded projects the filter selects
// (of every edition, newest first) with their approved plan's progress,
// funds released, KPIs target vs the latest accepted actual, adoptions and
// the photos of accepted reports, and the filters' choices from every
// funded project. Nothing sealed or unaccepted appears.
func (s *FollowService) Tracker(ctx context.Context, f models.TrackerFilter) (models.TrackerList, error) {
	now := s.now()
	var all []models.TrackerProject
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var rows []awardRow
		if err := tx.Order("edition_id DESC, rank, id").Find(&rows).Error; err != nil {
			return err
		}
		var err error
		all, err = s.trackerViews(tx, rows, now, false)
		return err
	})
	if err != nil {
		return models.TrackerList{}, fmt.Errorf("tracker: %w", mapError(err))
	}
	return models.NewTrackerList(all, f), nil
}

// TrackerProject is one funded project's public page, with its accepted
// reports.
func (s *FollowService) TrackerProject(ctx context.Context, awardID int64) (models.TrackerProject, error) {
	now := s.now()
	var out models.TrackerProject
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var a awardRow
		if err := tx.Take(&a, awardID).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return models.Errorf(models.KindNotFound, "no funded project %d", awardID)
			}
			return err
		}
		views, err := s.trackerViews(tx, []awardRow{a}, now, true)
		if err != nil {
			return err
		}
		out = views[0]
		return nil
	})
	if err != nil {
		return out, fmt.Errorf("tracker project %d: %w", awardID, mapError(err))
	}
	return out, nil
}

func (s *FollowService) trackerViews(tx *gorm.DB, rows []awardRow, now time.Time, withReports bool) ([]models.TrackerProject, error) {
	d, err := loadFollowData(tx, rows, false)
	if err != nil {
		return nil, err
	}
	// Only approved plans are public: drop proposals and returned versions.
	for id, plans := range d.plans {
		d.plans[id] = slices.DeleteFunc(slices.Clone(plans), func(p models.Plan) bool { return p.Status != models.PlanApproved })
	}
	editions := map[int64]string{}
	var eds []editionRow
	if err := tx.Find(&eds).Error; err != nil {
		return nil, err
	}
	for _, e := range eds {
		editions[e.ID] = e.Title
	}
	// The photos of accepted reports: images whose derivative (made afresh,
	// without metadata) exists.
	var mediaIDs []int64
	for _, reps := range d.reports {
		for _, r := range reps {
			if r.Status == models.ReportAccepted {
				mediaIDs = append(mediaIDs, r.MediaIDs...)
			}
		}
	}
	photos := map[int64]mediaRow{}
	if len(mediaIDs) > 0 {
		var ms []mediaRow
		if err := tx.Where("id IN ? AND kind = ? AND thumb_key <> ''", mediaIDs, string(models.MediaImage)).Find(&ms).Error; err != nil {
			return nil, err
		}
		for _, m := range ms {
			photos[m.ID] = m
		}
	}
	out := make([]models.TrackerProject, 0, len(rows))
	for _, a := range rows {
		v := d.view(a, now, s.loc)
		tier := d.tier(a.EditionID, a.Tier)
		countyID, _ := countyOf(d.tree, a.UnitID)
		p := models.TrackerProject{AwardID: a.ID, EditionID: a.EditionID, EditionName: editions[a.EditionID], Title: v.ProjectTitle,
			UnitName: v.UnitName, CountyID: countyID, CountyName: v.CountyName, Tier: tier, Status: v.Status, Done: v.Done,
			Total: v.Total, Next: v.Next, FundingFen: v.FundingFen, PaidFen: v.PaidFen, Adoptions: v.Adoptions,
			Photos: []models.TrackerPhoto{}, Reports: []models.TrackerReport{}}
		if p.Adoptions == nil {
			p.Adoptions = []models.Adoption{}
		}
		var kpis []models.TrackerKPI
		for _, m := range v.Milestones {
			// Public milestones carry no report drafts, comments or checks'
			// notes: only whether they are done.
			pub := models.MilestoneView{Milestone: m.Milestone, Flag: m.Flag, Tranche: models.Tranche{Seq: m.Seq,
				AmountFen: m.Tranche.AmountFen, State: publicTrancheState(m.Tranche.State), GateMissing: []string{}}}
			p.Milestones = append(p.Milestones, pub)
			for _, k := range m.KPIs {
				i := slices.IndexFunc(kpis, func(x models.TrackerKPI) bool { return x.Name == k.Name })
				if i < 0 {
					kpis = append(kpis, models.TrackerKPI{KPI: k})
					i = len(kpis) - 1
				} else {
					kpis[i].Unit, kpis[i].Target = k.Unit, k.Target
				}
				if m.Report != nil && m.Report.Status == models.ReportAccepted {
					if val := m.Report.KPIActuals[k.Name]; val != "" {
						kpis[i].Actual = &val
					}
				}
			}
			if m.Report != nil && m.Report.Status == models.ReportAccepted {
				rep := models.TrackerReport{Seq: m.Seq, Title: m.Title, Photos: []models.TrackerPhoto{}}
				if m.Report.DecidedAt != nil {
					rep.AcceptedAt = *m.Report.DecidedAt
				}
				if withReports {
					rep.Text = m.Report.Text
				}
				for _, id := range m.Report.MediaIDs {
					if _, ok := photos[id]; ok {
						ph := models.TrackerPhoto{MediaID: id, Alt: v.ProjectTitle + " · " + m.Title}
						rep.Photos = append(rep.Photos, ph)
						p.Photos = append([]models.TrackerPhoto{ph}, p.Photos...)
					}
				}
				if withReports {
					p.Reports = append(p.Reports, rep)
				}
			}
		}
		if len(p.Photos) > 6 && !withReports {
			p.Photos = p.Photos[:6]
		}
		if kpis == nil {
			kpis = []models.TrackerKPI{}
		}
		p.KPIs = kpis
		out = append(out, p)
	}
	return out, nil
}

// publicTrancheState hides the internal steps: the public sees released
// (paid) or not.
func publicTrancheState(st models.TrancheState) models.TrancheState {
	if st == models.TranchePaid || st == models.TrancheWithheld {
		return st
	}
	return models.TranchePending
}

// TrackerPhoto is the object key of a public photo's derivative: only a
// photo of an accepted report of a funded project, and only its thumbnail
// (made afresh, so it carries no metadata).
func (s *FollowService) TrackerPhoto(ctx context.Context, mediaID int64) (string, error) {
	var key string
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var m mediaRow
		if err := tx.Take(&m, mediaID).Error; err != nil {
			return models.Errorf(models.KindNotFound, "no public photo %d", mediaID)
		}
		if m.Kind != string(models.MediaImage) || m.ThumbKey == "" || m.Purpose != MediaPurposeFollow {
			return models.Errorf(models.KindNotFound, "no public photo %d", mediaID)
		}
		var a awardRow
		if err := tx.Where("project_id = ?", m.ProjectID).Take(&a).Error; err != nil {
			return models.Errorf(models.KindNotFound, "no public photo %d", mediaID)
		}
		var reps []reportRow
		if err := tx.Where("award_id = ? AND status = ?", a.ID, string(models.ReportAccepted)).Find(&reps).Error; err != nil {
			return err
		}
		for _, r := range reps {
			rep, err := r.model()
			if err != nil {
				return err
			}
			if slices.Contains(rep.MediaIDs, mediaID) {
				key = m.ThumbKey
				return nil
			}
		}
		return models.Errorf(models.KindNotFound, "no public photo %d", mediaID)
	})
	if err != nil {
		return "", fmt.Errorf("tracker photo: %w", mapError(err))
	}
	return key, nil
}

// maxPublicPhoto caps a public derivative read into memory (thumbnails are
// a few hundred KB).
const maxPublicPhoto = 8 << 20

// OpenObject reads a public photo's derivative from the store (the
// tracker's stable photo addresses).
func (s *MediaService) OpenObject(ctx context.Context, key string) ([]byte, string, error) {
	r, info, err := s.store.Get(ctx, key, nil)
	if err != nil {
		return nil, "", storageDown(err)
	}
	defer r.Close()
	if info.Size > maxPublicPhoto {
		return nil, "", models.Errorf(models.KindTooLarge, "the photo is too large to serve")
	}
	body, err := io.ReadAll(io.LimitReader(r, maxPublicPhoto))
	if err != nil {
		return nil, "", storageDown(err)
	}
	return body, models.TypeJPEG, nil
}

// TrackerSnapshot is the tracker channel's state: how many funded projects
// and how many milestones are done, so a page can tell it missed a change;
// pages read the tracker itself from GET /api/v1/tracker.
func (s *FollowService) TrackerSnapshot(ctx context.Context) (json.RawMessage, error) {
	var n struct {
		Awards  int64
		Reports int64
	}
	g := s.db.gorm.WithContext(ctx)
	if err := g.Model(&awardRow{}).Count(&n.Awards).Error; err != nil {
		return nil, mapError(err)
	}
	if err := g.Model(&reportRow{}).Where("status = ?", string(models.ReportAccepted)).Count(&n.Reports).Error; err != nil {
		return nil, mapError(err)
	}
	return json.Marshal(map[string]any{"tracker": true, "funded": n.Awards, "accepted_reports": n.Reports})
}
