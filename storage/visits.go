package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"

	"leitai/models"
)

// Site visits (实地考察): in a round that records them, each assigned
// expert keeps one visit per project — the date, notes and photos. The
// photos go through the resumable upload pipeline as media of the project
// with purpose "visit": never listed with the application's materials,
// never shown to the project's unit, read by the panel through the visits.
// The panel is the round's experts assigned to the project, and the admins;
// anyone else is told the project is not there (404).

// MediaPurposeVisit marks the photos of a site visit.
const MediaPurposeVisit = "visit"

type siteVisitRow struct {
	ID        int64 `gorm:"primaryKey"`
	RoundID   int64
	ProjectID int64
	ExpertID  int64
	VisitedOn string
	Notes     string
	MediaIDs  string
	CreatedAt time.Time
	UpdatedAt time.Time
}

func (siteVisitRow) TableName() string { return "site_visits" }

func (r siteVisitRow) model(name string) models.SiteVisit {
	ids := []int64{}
	_ = json.Unmarshal([]byte(r.MediaIDs), &ids)
	return models.SiteVisit{ID: r.ID, RoundID: r.RoundID, ProjectID: r.ProjectID, ExpertID: r.ExpertID, ExpertName: name,
		VisitedOn: r.VisitedOn, Notes: r.Notes, MediaIDs: ids, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

func visitAudit(r siteVisitRow) map[string]any {
	ids := []int64{}
	_ = json.Unmarshal([]byte(r.MediaIDs), &ids)
	return map[string]any{"round_id": r.RoundID, "project_id": r.ProjectID, "expert_id": r.ExpertID,
		"visited_on": r.VisitedOn, "notes": r.Notes, "media_ids": ids}
}

// panelMember checks that expert is assigned to the project in the round
// and has no conflict with its unit; otherwise the project is not found.
func panelMember(tx *gorm.DB, expert models.User, roundID, projectID int64) error {
	notFound := models.Errorf(models.KindNotFound, "no project %d in round %d for you", projectID, roundID)
	if !expert.HasRole(models.RoleExpert) {
		return notFound
	}
	var n int64
	if err := tx.Model(&assignmentRow{}).Where("round_id = ? AND project_id = ? AND expert_id = ?", roundID, projectID, expert.ID).Count(&n).Error; err != nil {
		return err
	}
	if n == 0 {
		return notFound
	}
	var p projectRow
	if err := tx.Select("id", "unit_id").Take(&p, projectID).Error; err != nil {
		return err
	}
	conflicted, err := reviewerConflicted(tx, expert, p.UnitID)
	if err != nil {
		return err
	}
	if conflicted {
		return notFound
	}
	return nil
}

// visitRound loads a round, not found as the visits' own error.
func visitRound(tx *gorm.DB, roundID int64) (models.Round, error) {
	var row roundRow
	if err := tx.Take(&row, roundID).Error; err != nil {
		if errors.Is(mapError(err), models.ErrNotFound) {
			return models.Round{}, models.Errorf(models.KindNotFound, "no round %d", roundID)
		}
		return models.Round{}, err
	}
	return row.model(), nil
}

// visitUploadScope is projectForUpload for site-visit photos: the project
// must be assigned to the expert, without a conflict, in some round that
// accepts visits now.
func (db *DB) visitUploadScope(tx *gorm.DB, user models.User, projectID int64, now time.Time) (models.Project, error) {
	notFound := models.Errorf(models.KindNotFound, "no project %d", projectID)
	if !user.HasRole(models.RoleExpert) {
		return models.Project{}, notFound
	}
	var roundIDs []int64
	if err := tx.Model(&assignmentRow{}).Where("project_id = ? AND expert_id = ?", projectID, user.ID).Order("round_id").
		Pluck("round_id", &roundIDs).Error; err != nil {
		return models.Project{}, err
	}
	var last error = notFound
	for _, id := range roundIDs {
		r, err := visitRound(tx, id)
		if err != nil {
			return models.Project{}, err
		}
		if err := r.AcceptsVisits(now); err != nil {
			last = err
			continue
		}
		if err := panelMember(tx, user, id, projectID); err != nil {
			return models.Project{}, err
		}
		var p projectRow
		if err := tx.Take(&p, projectID).Error; err != nil {
			return models.Project{}, err
		}
		return p.model(), nil
	}
	return models.Project{}, last
}

// ownVisitUpload reports whether an upload is the user's own site-visit
// photo (an expert sees only the uploads they started).
func ownVisitUpload(row uploadRow, user models.User) bool {
	return row.Purpose == MediaPurposeVisit && row.CreatedBy != nil && *row.CreatedBy == user.ID && user.HasRole(models.RoleExpert)
}

// CreateVisitUpload starts the upload of a photo for the expert's site
// visit to a project in a round that accepts visits. Only photos: the
// claim must be an image here, and the content decides at the first part.
func (s *MediaService) CreateVisitUpload(ctx context.Context, actor models.Actor, expert models.User, roundID, projectID int64, in models.NewUploadInput) (models.Upload, error) {
	err := s.db.tx(ctx, func(tx *gorm.DB) error {
		r, err := visitRound(tx, roundID)
		if err != nil {
			return err
		}
		if err := panelMember(tx, expert, roundID, projectID); err != nil {
			return err
		}
		return r.AcceptsVisits(s.now())
	})
	if err != nil {
		return models.Upload{}, fmt.Errorf("site visit photo: %w", err)
	}
	if models.ClaimedKind(in.ContentType, in.Filename) != models.MediaImage {
		return models.Upload{}, models.Invalid("a site visit takes photos", map[string]string{"filename": "a photo (JPEG, PNG, WebP, HEIC…)"})
	}
	in.Purpose = ""
	return s.createUpload(ctx, actor, expert, projectID, in, MediaPurposeVisit)
}

// SaveVisit records or changes the expert's site visit to a project, with
// its audit entry (visit.save) in the same transaction. The photos must be
// images the expert uploaded for this project's visits.
func (s *MediaService) SaveVisit(ctx context.Context, actor models.Actor, expert models.User, roundID, projectID int64, in models.VisitInput) (models.SiteVisit, error) {
	now := s.now().UTC()
	loc := s.cfg.Location
	if loc == nil {
		loc = time.UTC
	}
	var out siteVisitRow
	err := s.db.tx(ctx, func(tx *gorm.DB) error {
		r, err := visitRound(tx, roundID)
		if err != nil {
			return err
		}
		if err := panelMember(tx, expert, roundID, projectID); err != nil {
			return err
		}
		if err := r.AcceptsVisits(now); err != nil {
			return err
		}
		if err := in.Validate(now, loc); err != nil {
			return err
		}
		if in.MediaIDs == nil {
			in.MediaIDs = []int64{}
		}
		if len(in.MediaIDs) > 0 {
			var n int64
			if err := tx.Model(&mediaRow{}).Where("id IN ? AND project_id = ? AND purpose = ? AND kind = ? AND created_by = ?",
				in.MediaIDs, projectID, MediaPurposeVisit, string(models.MediaImage), expert.ID).Count(&n).Error; err != nil {
				return err
			}
			if int(n) != len(in.MediaIDs) {
				return models.Invalid("a photo is not yours for this project's visit", map[string]string{"media_ids": "only photos you uploaded for this project's site visit"})
			}
		}
		ids, _ := json.Marshal(in.MediaIDs)
		err = tx.Where("round_id = ? AND project_id = ? AND expert_id = ?", roundID, projectID, expert.ID).Take(&out).Error
		var before map[string]any
		switch {
		case errors.Is(err, gorm.ErrRecordNotFound):
			out = siteVisitRow{RoundID: roundID, ProjectID: projectID, ExpertID: expert.ID, VisitedOn: in.VisitedOn, Notes: in.Notes,
				MediaIDs: string(ids), CreatedAt: now, UpdatedAt: now}
			if err := tx.Create(&out).Error; err != nil {
				return err
			}
		case err != nil:
			return err
		default:
			before = visitAudit(out)
			out.VisitedOn, out.Notes, out.MediaIDs, out.UpdatedAt = in.VisitedOn, in.Notes, string(ids), now
			if err := tx.Model(&out).Select("visited_on", "notes", "media_ids", "updated_at").Updates(&out).Error; err != nil {
				return err
			}
		}
		return s.db.appendAudit(tx, models.AuditRecord{Actor: actor, Action: "visit.save", Entity: "site_visit",
			EntityID: idString(out.ID), Before: before, After: visitAudit(out)})
	})
	if err != nil {
		return models.SiteVisit{}, fmt.Errorf("save site visit: %w", err)
	}
	return out.model(expert.DisplayName), nil
}

// ProjectVisits returns the round's site visits to a project, in the order
// of the experts, with their photos, for the panel: an admin, or an expert
// assigned to the project in that round (anyone else: not found).
func (s *MediaService) ProjectVisits(ctx context.Context, user models.User, roundID, projectID int64) (models.Round, []models.SiteVisit, map[int64]models.Media, error) {
	var round models.Round
	var visits []models.SiteVisit
	media := map[int64]models.Media{}
	err := s.db.tx(ctx, func(tx *gorm.DB) error {
		var err error
		if round, err = visitRound(tx, roundID); err != nil {
			return err
		}
		if !user.HasRole(models.RoleAdmin) {
			if err := panelMember(tx, user, roundID, projectID); err != nil {
				return err
			}
		} else {
			var n int64
			if err := tx.Model(&roundProjectRow{}).Where("round_id = ? AND project_id = ?", roundID, projectID).Count(&n).Error; err != nil {
				return err
			}
			if n == 0 {
				return models.Errorf(models.KindNotFound, "no project %d in round %d", projectID, roundID)
			}
		}
		var rows []siteVisitRow
		if err := tx.Where("round_id = ? AND project_id = ?", roundID, projectID).Order("expert_id").Find(&rows).Error; err != nil {
			return err
		}
		var ids, experts []int64
		for _, r := range rows {
			experts = append(experts, r.ExpertID)
		}
		names := map[int64]string{}
		if len(experts) > 0 {
			var users []userRow
			if err := tx.Select("id", "username", "display_name").Where("id IN ?", experts).Find(&users).Error; err != nil {
				return err
			}
			for _, u := range users {
				names[u.ID] = u.DisplayName
				if names[u.ID] == "" {
					names[u.ID] = u.Username
				}
			}
		}
		for _, r := range rows {
			v := r.model(names[r.ExpertID])
			visits = append(visits, v)
			ids = append(ids, v.MediaIDs...)
		}
		if len(ids) > 0 {
			var ms []mediaRow
			if err := tx.Where("id IN ? AND project_id = ? AND purpose = ?", ids, projectID, MediaPurposeVisit).Find(&ms).Error; err != nil {
				return err
			}
			for _, m := range ms {
				media[m.ID] = m.model()
			}
		}
		return nil
	})
	if err != nil {
		return models.Round{}, nil, nil, fmt.Errorf("site visits of project %d: %w", projectID, err)
	}
	// A photo deleted meanwhile drops out of its visit.
	for i := range visits {
		visits[i].MediaIDs = slices.DeleteFunc(visits[i].MediaIDs, func(id int64) bool { _, ok := media[id]; return !ok })
	}
	return round, visits, media, nil
}
