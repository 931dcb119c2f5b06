package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"leitai/models"
)

type editionRow struct {
	ID            int64 `gorm:"primaryKey"`
	Year          int
	Title         string
	Categories    string
	OpensAt       time.Time
	ClosesAt      time.Time
	GraceMinutes  int
	QuotaPerUnit  int
	RecommendStep bool
	Status        string
	AwardTiers    string
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

func (editionRow) TableName() string { return "editions" }

func (r editionRow) model() models.Edition {
	var cats []string
	_ = json.Unmarshal([]byte(r.Categories), &cats)
	return models.Edition{ID: r.ID, Year: r.Year, Title: r.Title, Categories: cats, OpensAt: r.OpensAt.UTC(),
		ClosesAt: r.ClosesAt.UTC(), GraceMinutes: r.GraceMinutes, QuotaPerUnit: r.QuotaPerUnit,
		Recommend: models.RecommendSettings{Step: r.RecommendStep},
		Status:    models.EditionStatus(r.Status), CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

type projectRow struct {
	ID        int64 `gorm:"primaryKey"`
	EditionID int64
	UnitID    int64
	models.ProjectFields
	Status            string
	EligibilityReason string
	Version           int
	SubmittedAt       *time.Time
	CreatedAt         time.Time
	UpdatedAt         time.Time
	RecommendRootID   *int64
	RecommendedBy     string
	RecommendedAt     *time.Time
	RecommendComment  string
}

func (projectRow) TableName() string { return "projects" }

func (r projectRow) model() models.Project {
	p := models.Project{ID: r.ID, EditionID: r.EditionID, UnitID: r.UnitID, Status: models.ProjectStatus(r.Status),
		EligibilityReason: r.EligibilityReason, Version: r.Version, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
		ProjectFields: r.ProjectFields,
		Recommendation: models.Recommendation{RecommendRootID: r.RecommendRootID, RecommendedBy: r.RecommendedBy,
			RecommendedAt: utcPtr(r.RecommendedAt), RecommendComment: r.RecommendComment}}
	if r.SubmittedAt != nil {
		t := r.SubmittedAt.UTC()
		p.SubmittedAt = &t
	}
	return p
}

func (r *projectRow) setFields(f models.ProjectFields) {
	f.Title, f.StartDate = strings.TrimSpace(f.Title), strings.TrimSpace(f.StartDate)
	f.ContactName, f.ContactPhone = strings.TrimSpace(f.ContactName), strings.TrimSpace(f.ContactPhone)
	r.ProjectFields = f
}

var projectFieldColumns = []string{"title", "category", "summary", "problem", "approach", "results",
	"replicability", "sustainability", "start_date", "contact_name", "contact_phone", "updated_at"}

type versionRow struct {
	ProjectID   int64 `gorm:"primaryKey"`
	Version     int   `gorm:"primaryKey"`
	Snapshot    string
	SubmittedAt time.Time
	SubmittedBy string
}

func (versionRow) TableName() string { return "project_versions" }

// editionAudit is what the audit log records of an edition.
func editionAudit(e models.Edition) map[string]any {
	return map[string]any{"year": e.Year, "title": e.Title, "categories": e.Categories,
		"opens_at": e.OpensAt.Format(time.RFC3339), "closes_at": e.ClosesAt.Format(time.RFC3339),
		"grace_minutes": e.GraceMinutes, "quota_per_unit": e.QuotaPerUnit, "status": e.Status,
		"recommend_step": e.Recommend.Step, "recommend_quotas": quotasAudit(e.Recommend.Quotas)}
}

func editionRowFrom(in models.EditionInput) editionRow {
	cats := make([]string, len(in.Categories))
	for i, c := range in.Categories {
		cats[i] = strings.TrimSpace(c)
	}
	b, _ := json.Marshal(cats)
	return editionRow{Year: in.Year, Title: strings.TrimSpace(in.Title), Categories: string(b),
		OpensAt: in.OpensAt.UTC(), ClosesAt: in.ClosesAt.UTC(), GraceMinutes: in.GraceMinutes,
		QuotaPerUnit: in.QuotaPerUnit, RecommendStep: in.Recommend != nil && in.Recommend.Step, Status: string(in.Status)}
}

// CreateEdition adds an edition.
func (db *DB) CreateEdition(ctx context.Context, actor models.Actor, in models.EditionInput) (models.Edition, error) {
	if err := in.Validate(); err != nil {
		return models.Edition{}, err
	}
	row := editionRowFrom(in)
	row.CreatedAt = db.now()
	row.UpdatedAt = row.CreatedAt
	var out models.Edition
	err := db.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		if in.Recommend != nil {
			if err := saveRecommendQuotas(tx, row.ID, in.Recommend.Quotas); err != nil {
				return err
			}
		}
		var err error
		if out, err = editionModel(tx, row); err != nil {
			return err
		}
		return db.appendAudit(tx, models.AuditRecord{Actor: actor, Action: "edition.create", Entity: "edition",
			EntityID: idString(row.ID), After: editionAudit(out)})
	})
	if err != nil {
		return models.Edition{}, fmt.Errorf("create edition: %w", err)
	}
	return out, nil
}

// UpdateEdition changes an edition. Categories in use by projects stay.
func (db *DB) UpdateEdition(ctx context.Context, actor models.Actor, id int64, in models.EditionInput) (models.Edition, error) {
	if err := in.Validate(); err != nil {
		return models.Edition{}, err
	}
	var out models.Edition
	err := db.tx(ctx, func(tx *gorm.DB) error {
		var row editionRow
		if err := tx.Take(&row, id).Error; err != nil {
			return err
		}
		before, err := editionModel(tx, row)
		if err != nil {
			return err
		}
		var used []string
		if err := tx.Model(&projectRow{}).Where("edition_id = ? AND category <> ''", id).Distinct().Pluck("category", &used).Error; err != nil {
			return err
		}
		next := editionRowFrom(in)
		nextCats := next.model().Categories
		for _, c := range used {
			if !slices.Contains(nextCats, c) {
				return models.Invalid("a category in use cannot be removed", map[string]string{"categories": fmt.Sprintf("%q is used by projects", c)})
			}
		}
		next.ID, next.CreatedAt, next.UpdatedAt = id, row.CreatedAt, db.now()
		if in.Recommend == nil {
			next.RecommendStep = row.RecommendStep // unchanged
		} else if err := saveRecommendQuotas(tx, id, in.Recommend.Quotas); err != nil {
			return err
		}
		if err := tx.Model(&next).Select("year", "title", "categories", "opens_at", "closes_at", "grace_minutes",
			"quota_per_unit", "recommend_step", "status", "updated_at").Updates(&next).Error; err != nil {
			return err
		}
		if out, err = editionModel(tx, next); err != nil {
			return err
		}
		return db.appendAudit(tx, models.AuditRecord{Actor: actor, Action: "edition.update", Entity: "edition",
			EntityID: idString(id), Before: editionAudit(before), After: editionAudit(out)})
	})
	if err != nil {
		return models.Edition{}, fmt.Errorf("update edition %d: %w", id, err)
	}
	return out, nil
}

// ListEditions returns editions, newest year first; onlyPublic hides drafts.
func (db *DB) ListEditions(ctx context.Context, onlyPublic bool) ([]models.Edition, error) {
	q := db.gorm.WithContext(ctx).Order("year DESC, id DESC")
	if onlyPublic {
		q = q.Where("status <> ?", string(models.EditionDraft))
	}
	var rows []editionRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list editions: %w", mapError(err))
	}
	quotas, err := recommendQuotas(db.gorm.WithContext(ctx), nil)
	if err != nil {
		return nil, fmt.Errorf("list editions: %w", mapError(err))
	}
	out := make([]models.Edition, len(rows))
	for i, r := range rows {
		out[i] = r.model()
		out[i].Recommend.Quotas = quotas[r.ID]
	}
	return out, nil
}

// EditionByID returns one edition.
func (db *DB) EditionByID(ctx context.Context, id int64) (models.Edition, error) {
	var row editionRow
	tx := db.gorm.WithContext(ctx)
	if err := tx.Take(&row, id).Error; err != nil {
		return models.Edition{}, fmt.Errorf("edition %d: %w", id, mapError(err))
	}
	e, err := editionModel(tx, row)
	if err != nil {
		return models.Edition{}, fmt.Errorf("edition %d: %w", id, mapError(err))
	}
	return e, nil
}

// CreateProject starts a draft for the user's unit in an edition that
// accepts changes, within the unit's quota.
func (db *DB) CreateProject(ctx context.Context, actor models.Actor, user models.User, editionID int64, f models.ProjectFields, loc *time.Location) (models.Project, error) {
	if !user.HasRole(models.RoleUnit) || user.UnitID == nil {
		return models.Project{}, models.Errorf(models.KindForbidden, "only a unit account can create projects")
	}
	var out projectRow
	err := db.tx(ctx, func(tx *gorm.DB) error {
		var e editionRow
		if err := tx.Take(&e, editionID).Error; err != nil {
			return err
		}
		ed := e.model()
		now := db.now()
		if err := ed.AcceptsChanges(now, loc); err != nil {
			return err
		}
		if err := f.CheckDraft(ed.Categories); err != nil {
			return err
		}
		if ed.QuotaPerUnit > 0 {
			var n int64
			if err := tx.Model(&projectRow{}).Where("edition_id = ? AND unit_id = ?", editionID, *user.UnitID).Count(&n).Error; err != nil {
				return err
			}
			if int(n) >= ed.QuotaPerUnit {
				return models.Errorf(models.KindConflict, "the unit already has %d project(s) in this edition, its quota is %d", n, ed.QuotaPerUnit)
			}
		}
		out = projectRow{EditionID: editionID, UnitID: *user.UnitID, Status: string(models.ProjectDraft), CreatedAt: now, UpdatedAt: now}
		out.setFields(f)
		if err := tx.Create(&out).Error; err != nil {
			return err
		}
		return db.appendAudit(tx, models.AuditRecord{Actor: actor, Action: "project.create", Entity: "project",
			EntityID: idString(out.ID), After: map[string]any{"edition_id": editionID, "unit_id": out.UnitID, "title": out.Title}})
	})
	if err != nil {
		return models.Project{}, fmt.Errorf("create project: %w", err)
	}
	return out.model(), nil
}

// SaveDraft stores the texts of an editable project (autosave: no audit
// entry per keystroke; submissions are versioned and audited).
func (db *DB) SaveDraft(ctx context.Context, user models.User, id int64, f models.ProjectFields, loc *time.Location) (models.Project, error) {
	var out projectRow
	err := db.tx(ctx, func(tx *gorm.DB) error {
		now := db.now()
		_, ed, err := db.projectForChange(tx, user, id, now, loc)
		if err != nil {
			return err
		}
		if err := f.CheckDraft(ed.Categories); err != nil {
			return err
		}
		if err := tx.Take(&out, id).Error; err != nil {
			return err
		}
		out.setFields(f)
		out.UpdatedAt = now
		return tx.Model(&out).Select(projectFieldColumns).Updates(&out).Error
	})
	if err != nil {
		return models.Project{}, fmt.Errorf("save project %d: %w", id, err)
	}
	return out.model(), nil
}

// ProjectByID returns a project the user may see.
func (db *DB) ProjectByID(ctx context.Context, user models.User, id int64) (models.Project, error) {
	p, _, err := db.projectView(db.gorm.WithContext(ctx), user, id)
	if err != nil {
		return models.Project{}, fmt.Errorf("project %d: %w", id, err)
	}
	return p, nil
}

// SubmitProject checks completeness, snapshots a new version and marks
// the project submitted.
func (db *DB) SubmitProject(ctx context.Context, actor models.Actor, user models.User, id int64, loc *time.Location) (models.Project, error) {
	var out projectRow
	err := db.tx(ctx, func(tx *gorm.DB) error {
		now := db.now()
		p, ed, err := db.projectForChange(tx, user, id, now, loc)
		if err != nil {
			return err
		}
		if err := p.ProjectFields.CheckComplete(ed.Categories); err != nil {
			return err
		}
		var mediaCount int64
		if err := tx.Table("media").Where("project_id = ?", id).Count(&mediaCount).Error; err != nil {
			return err
		}
		if mediaCount == 0 {
			return models.Invalid("the project is incomplete: attach at least one photo, video or document", map[string]string{"media": "at least one file"})
		}
		snap, err := models.CanonicalJSON(p.ProjectFields.Map())
		if err != nil {
			return err
		}
		if err := tx.Take(&out, id).Error; err != nil {
			return err
		}
		out.Version++
		out.Status = string(models.ProjectSubmitted)
		out.SubmittedAt = &now
		out.UpdatedAt = now
		out.EligibilityReason = "" // a return's reason is answered by the new submission
		// A new submission waits for a new recommendation.
		out.RecommendRootID, out.RecommendedBy, out.RecommendedAt, out.RecommendComment = nil, "", nil, ""
		if err := tx.Model(&out).Select("version", "status", "submitted_at", "updated_at", "eligibility_reason",
			"recommend_root_id", "recommended_by", "recommended_at", "recommend_comment").Updates(&out).Error; err != nil {
			return err
		}
		if err := tx.Create(&versionRow{ProjectID: id, Version: out.Version, Snapshot: snap, SubmittedAt: now, SubmittedBy: actor.Name}).Error; err != nil {
			return err
		}
		if err := db.appendAudit(tx, models.AuditRecord{Actor: actor, Action: "project.submit", Entity: "project",
			EntityID: idString(id), After: map[string]any{"version": out.Version, "title": out.Title}}); err != nil {
			return err
		}
		users, err := unitUserIDs(tx, out.UnitID)
		if err != nil {
			return err
		}
		if err := notifyTx(tx, now, note{users: users, kind: models.NoteSubmitted, link: projectLink(id),
			params: map[string]string{"project": out.Title, "version": strconv.Itoa(out.Version)}}); err != nil {
			return err
		}
		if !ed.Recommend.Step {
			return nil
		}
		return notifyRecommenders(tx, now, out)
	})
	if err != nil {
		return models.Project{}, fmt.Errorf("submit project %d: %w", id, err)
	}
	return out.model(), nil
}

// WithdrawProject takes a submission back (before the deadline).
func (db *DB) WithdrawProject(ctx context.Context, actor models.Actor, user models.User, id int64, loc *time.Location) (models.Project, error) {
	var out projectRow
	err := db.tx(ctx, func(tx *gorm.DB) error {
		p, ed, err := db.projectScope(tx, user, id)
		if err != nil {
			return err
		}
		if err := p.CanWithdraw(); err != nil {
			return err
		}
		now := db.now()
		if err := ed.AcceptsChanges(now, loc); err != nil {
			return err
		}
		if err := tx.Take(&out, id).Error; err != nil {
			return err
		}
		out.Status, out.UpdatedAt = string(models.ProjectWithdrawn), now
		if err := tx.Model(&out).Select("status", "updated_at").Updates(&out).Error; err != nil {
			return err
		}
		return db.appendAudit(tx, models.AuditRecord{Actor: actor, Action: "project.withdraw", Entity: "project",
			EntityID: idString(id), After: map[string]any{"version": out.Version}})
	})
	if err != nil {
		return models.Project{}, fmt.Errorf("withdraw project %d: %w", id, err)
	}
	return out.model(), nil
}

// ReturnProject sends a submitted project back to its unit for changes,
// with the reason (required; the unit sees it and is notified). The unit
// edits it and submits again within the edition's window.
func (db *DB) ReturnProject(ctx context.Context, actor models.Actor, id int64, reason string) (models.Project, error) {
	reason = strings.TrimSpace(reason)
	if n := utf8.RuneCountInString(reason); n == 0 || n > 1000 {
		return models.Project{}, models.Invalid("a reason is required", map[string]string{"reason": "tell the unit what to change (1–1000 characters)"})
	}
	var out projectRow
	now := db.now()
	err := db.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Take(&out, id).Error; err != nil {
			return err
		}
		if err := out.model().CanReturn(); err != nil {
			return err
		}
		before := out.Status
		out.Status, out.EligibilityReason, out.UpdatedAt = string(models.ProjectReturned), reason, now
		if err := tx.Model(&out).Select("status", "eligibility_reason", "updated_at").Updates(&out).Error; err != nil {
			return err
		}
		if err := db.appendAudit(tx, models.AuditRecord{Actor: actor, Action: "project.return", Entity: "project",
			EntityID: idString(id), Before: map[string]any{"status": before}, After: map[string]any{"status": out.Status, "reason": reason}}); err != nil {
			return err
		}
		users, err := unitUserIDs(tx, out.UnitID)
		if err != nil {
			return err
		}
		return notifyTx(tx, now, note{users: users, kind: models.NoteReturned, link: projectLink(id),
			params: map[string]string{"project": out.Title, "reason": reason}})
	})
	if err != nil {
		return models.Project{}, fmt.Errorf("return project %d: %w", id, err)
	}
	return out.model(), nil
}

// ProjectVersions returns the submitted snapshots, newest first.
func (db *DB) ProjectVersions(ctx context.Context, user models.User, id int64) ([]models.ProjectVersion, error) {
	if _, err := db.ProjectByID(ctx, user, id); err != nil {
		return nil, err
	}
	var rows []versionRow
	if err := db.gorm.WithContext(ctx).Where("project_id = ?", id).Order("version DESC").Find(&rows).Error; err != nil {
		return nil, mapError(err)
	}
	out := make([]models.ProjectVersion, len(rows))
	for i, r := range rows {
		// The snapshot is the canonical JSON of the fields' map, under the
		// names ProjectFields reads.
		var f models.ProjectFields
		if err := json.Unmarshal([]byte(r.Snapshot), &f); err != nil {
			return nil, fmt.Errorf("project %d version %d: %w", id, r.Version, err)
		}
		out[i] = models.ProjectVersion{Version: r.Version, SubmittedAt: r.SubmittedAt.UTC(), SubmittedBy: r.SubmittedBy, Fields: f}
	}
	return out, nil
}

// SetEligibility records the eligibility check for several projects at
// once: all or none.
func (db *DB) SetEligibility(ctx context.Context, actor models.Actor, ids []int64, eligible bool, reason string) ([]models.Project, error) {
	reason = strings.TrimSpace(reason)
	if !eligible && reason == "" {
		return nil, models.Invalid("a reason is required", map[string]string{"reason": "tell the unit why the project is ineligible"})
	}
	if len(ids) == 0 || len(ids) > 500 {
		return nil, models.Invalid("choose projects", map[string]string{"project_ids": "1 to 500 projects"})
	}
	status := models.ProjectIneligible
	if eligible {
		status = models.ProjectEligible
	}
	var out []models.Project
	now := db.now()
	err := db.tx(ctx, func(tx *gorm.DB) error {
		steps := map[int64]bool{}
		for _, id := range ids {
			var row projectRow
			if err := tx.Take(&row, id).Error; err != nil {
				return fmt.Errorf("project %d: %w", id, mapError(err))
			}
			step, ok := steps[row.EditionID]
			if !ok {
				var e editionRow
				if err := tx.Select("id", "recommend_step").Take(&e, row.EditionID).Error; err != nil {
					return err
				}
				step, steps[row.EditionID] = e.RecommendStep, e.RecommendStep
			}
			if err := row.model().CanJudgeEligibility(step); err != nil {
				return err
			}
			before := row.Status
			row.Status, row.EligibilityReason, row.UpdatedAt = string(status), reason, now
			if err := tx.Model(&row).Select("status", "eligibility_reason", "updated_at").Updates(&row).Error; err != nil {
				return err
			}
			if err := db.appendAudit(tx, models.AuditRecord{Actor: actor, Action: "project.eligibility", Entity: "project",
				EntityID: idString(id), Before: map[string]any{"status": before},
				After: map[string]any{"status": status, "reason": reason}}); err != nil {
				return err
			}
			users, err := unitUserIDs(tx, row.UnitID)
			if err != nil {
				return err
			}
			if err := notifyTx(tx, now, note{users: users, kind: models.NoteEligibility, link: projectLink(id),
				params: models.EligibilityParams(row.Title, eligible, reason)}); err != nil {
				return err
			}
			out = append(out, row.model())
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("eligibility: %w", err)
	}
	return out, nil
}

// ListProjects returns the projects of an edition the user may see,
// filtered: a unit sees only its own, an admin all.
func (db *DB) ListProjects(ctx context.Context, user models.User, f models.ProjectFilter) ([]models.Project, error) {
	q := db.gorm.WithContext(ctx).Where("edition_id = ?", f.EditionID).Order("id")
	switch {
	case user.HasRole(models.RoleAdmin):
		if f.UnitID != nil {
			q = q.Where("unit_id = ?", *f.UnitID)
		}
	case user.HasRole(models.RoleUnit) && user.UnitID != nil:
		q = q.Where("unit_id = ?", *user.UnitID)
	case user.HasRole(models.RoleRecommender) && user.UnitID != nil:
		ids, err := subtreeIDs(db.gorm.WithContext(ctx), *user.UnitID)
		if err != nil {
			return nil, err
		}
		q = q.Where("unit_id IN ?", ids)
		if f.UnitID != nil {
			q = q.Where("unit_id = ?", *f.UnitID)
		}
	default:
		return nil, models.Errorf(models.KindForbidden, "projects are listed for units, recommenders and admins")
	}
	if f.Category != "" {
		q = q.Where("category = ?", f.Category)
	}
	if f.Status != "" {
		q = q.Where("status = ?", string(f.Status))
	}
	if s := strings.TrimSpace(f.Query); s != "" {
		like := "%" + strings.ToLower(escapeLike(s)) + "%"
		q = q.Where("(lower(title) LIKE ? ESCAPE '\\' OR lower(summary) LIKE ? ESCAPE '\\')", like, like)
	}
	if f.CountyID != nil {
		units, err := listUnits(db.gorm.WithContext(ctx))
		if err != nil {
			return nil, err
		}
		ids := append(models.NewUnitTree(units).Descendants(*f.CountyID), *f.CountyID)
		q = q.Where("unit_id IN ?", ids)
	}
	var rows []projectRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list projects: %w", mapError(err))
	}
	out := make([]models.Project, len(rows))
	for i, r := range rows {
		out[i] = r.model()
	}
	return out, nil
}
