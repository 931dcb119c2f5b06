package storage

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"leitai/models"
)

// County and department recommendation (县区推荐, #13). A recommender is a
// user with the recommender role whose unit_id roots a subtree of the unit
// tree; they see only that subtree's projects (others are not found) and,
// when the edition's step is on, recommend each submission to the city's
// eligibility check within the quota the edition sets for their root, or
// return it with a reason.

type recommendQuotaRow struct {
	EditionID int64 `gorm:"primaryKey"`
	UnitID    int64 `gorm:"primaryKey"`
	Quota     int
}

func (recommendQuotaRow) TableName() string { return "recommend_quotas" }

// recommendQuotas reads the quotas of the editions (all when ids is nil),
// by edition, ordered by unit id.
func recommendQuotas(tx *gorm.DB, ids []int64) (map[int64][]models.RecommendQuota, error) {
	q := tx.Order("edition_id, unit_id")
	if ids != nil {
		q = q.Where("edition_id IN ?", ids)
	}
	var rows []recommendQuotaRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, err
	}
	out := map[int64][]models.RecommendQuota{}
	for _, r := range rows {
		out[r.EditionID] = append(out[r.EditionID], models.RecommendQuota{UnitID: r.UnitID, Quota: r.Quota})
	}
	return out, nil
}

// editionModel is the edition with its recommendation quotas.
func editionModel(tx *gorm.DB, row editionRow) (models.Edition, error) {
	e := row.model()
	q, err := recommendQuotas(tx, []int64{row.ID})
	if err != nil {
		return e, err
	}
	e.Recommend.Quotas = q[row.ID]
	return e, nil
}

func quotasAudit(qs []models.RecommendQuota) map[string]int {
	out := map[string]int{}
	for _, q := range qs {
		out[idString(q.UnitID)] = q.Quota
	}
	return out
}

// saveRecommendQuotas replaces an edition's quotas; each names a county or
// department unit.
func saveRecommendQuotas(tx *gorm.DB, editionID int64, qs []models.RecommendQuota) error {
	for _, q := range qs {
		var u unitRow
		if err := tx.Take(&u, q.UnitID).Error; err != nil {
			if models.KindOf(mapError(err)) == models.KindNotFound {
				return models.Invalid("a quota names no unit", map[string]string{"recommend_quotas": fmt.Sprintf("no unit %d", q.UnitID)})
			}
			return err
		}
		if err := models.CheckRecommendRoot(u.model(), "recommend_quotas"); err != nil {
			return err
		}
	}
	if err := tx.Where("edition_id = ?", editionID).Delete(&recommendQuotaRow{}).Error; err != nil {
		return err
	}
	for _, q := range qs {
		if err := tx.Create(&recommendQuotaRow{EditionID: editionID, UnitID: q.UnitID, Quota: q.Quota}).Error; err != nil {
			return err
		}
	}
	return nil
}

// subtreeIDs is the root and every unit below it.
func subtreeIDs(tx *gorm.DB, root int64) ([]int64, error) {
	units, err := listUnits(tx)
	if err != nil {
		return nil, err
	}
	return append(models.NewUnitTree(units).Descendants(root), root), nil
}

// inSubtree reports whether unit lies in the subtree rooted at root.
func inSubtree(tx *gorm.DB, root, unit int64) (bool, error) {
	ids, err := subtreeIDs(tx, root)
	if err != nil {
		return false, err
	}
	return slices.Contains(ids, unit), nil
}

// recommenderRoot is the root of a recommender's scope, or forbidden.
func recommenderRoot(user models.User) (int64, error) {
	if !user.HasRole(models.RoleRecommender) || user.UnitID == nil {
		return 0, models.Errorf(models.KindForbidden, "this needs a recommender account with a county or department")
	}
	return *user.UnitID, nil
}

// projectView loads a project the user may see: as projectScope, and a
// recommender also sees their subtree's projects (others are not found).
func (db *DB) projectView(tx *gorm.DB, user models.User, projectID int64) (models.Project, models.Edition, error) {
	if user.HasRole(models.RoleAdmin) || !user.HasRole(models.RoleRecommender) || user.UnitID == nil {
		return db.projectScope(tx, user, projectID)
	}
	if user.HasRole(models.RoleUnit) {
		if p, e, err := db.projectScope(tx, user, projectID); err == nil {
			return p, e, nil
		}
	}
	p, e, err := db.recommenderProject(tx, user, projectID)
	return p, e, err
}

// recommenderProject loads a project of the recommender's subtree with its
// edition (and the edition's quotas); anything else is not found.
func (db *DB) recommenderProject(tx *gorm.DB, user models.User, projectID int64) (models.Project, models.Edition, error) {
	root, err := recommenderRoot(user)
	if err != nil {
		return models.Project{}, models.Edition{}, err
	}
	var p projectRow
	if err := tx.Take(&p, projectID).Error; err != nil {
		return models.Project{}, models.Edition{}, mapError(err)
	}
	ok, err := inSubtree(tx, root, p.UnitID)
	if err != nil {
		return models.Project{}, models.Edition{}, err
	}
	if !ok {
		return models.Project{}, models.Edition{}, models.Errorf(models.KindNotFound, "no project %d", projectID)
	}
	var e editionRow
	if err := tx.Take(&e, p.EditionID).Error; err != nil {
		return models.Project{}, models.Edition{}, mapError(err)
	}
	ed, err := editionModel(tx, e)
	if err != nil {
		return models.Project{}, models.Edition{}, err
	}
	return p.model(), ed, nil
}

// countsAgainstQuota are the statuses of a recommended project that still
// hold a place in its root's quota (it went on to the city).
var releasedStatuses = []string{string(models.ProjectDraft), string(models.ProjectSubmitted), string(models.ProjectWithdrawn),
	string(models.ProjectReturned), string(models.ProjectRecommenderReturned)}

// quotaUsed counts the projects of an edition recommended against root.
func quotaUsed(tx *gorm.DB, editionID, root int64) (int, error) {
	var n int64
	err := tx.Model(&projectRow{}).Where("edition_id = ? AND recommend_root_id = ? AND status NOT IN ?", editionID, root, releasedStatuses).Count(&n).Error
	return int(n), err
}

// RecommendProject sends a submission of the recommender's subtree on to
// the city's eligibility check, with an optional comment, within the
// quota the edition sets for the recommender's root (409 naming the quota
// beyond it). The unit is told.
func (db *DB) RecommendProject(ctx context.Context, actor models.Actor, user models.User, id int64, comment string) (models.Project, error) {
	comment, err := models.RecommendText(comment, "comment", false)
	if err != nil {
		return models.Project{}, err
	}
	var out projectRow
	now := db.now()
	err = db.tx(ctx, func(tx *gorm.DB) error {
		p, ed, err := db.recommenderProject(tx, user, id)
		if err != nil {
			return err
		}
		if err := p.CanRecommend(ed); err != nil {
			return err
		}
		root := *user.UnitID
		rootName := unitName(tx, root)
		quota, set := ed.Recommend.QuotaOf(root)
		if !set {
			return models.Errorf(models.KindConflict, "the edition sets no recommendation quota for %s: ask the organisers to set one", rootName)
		}
		// Serialise the root's recommendations on PostgreSQL, so that two
		// at once cannot both take the last place (SQLite transactions
		// are serial already).
		var lock recommendQuotaRow
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("edition_id = ? AND unit_id = ?", ed.ID, root).Take(&lock).Error; err != nil {
			return err
		}
		used, err := quotaUsed(tx, ed.ID, root)
		if err != nil {
			return err
		}
		if used >= quota {
			return &models.Error{Kind: models.KindConflict,
				Message: fmt.Sprintf("the recommendation quota of %s is %d project(s) and %d are recommended: return one or ask the organisers for a larger quota", rootName, quota, used),
				Fields:  map[string]string{"quota": fmt.Sprintf("%d of %d used", used, quota)}}
		}
		if err := tx.Take(&out, id).Error; err != nil {
			return err
		}
		out.Status, out.RecommendRootID, out.RecommendedBy, out.RecommendedAt = string(models.ProjectRecommended), &root, actor.Name, &now
		out.RecommendComment, out.UpdatedAt = comment, now
		if err := tx.Model(&out).Select("status", "recommend_root_id", "recommended_by", "recommended_at", "recommend_comment", "updated_at").Updates(&out).Error; err != nil {
			return err
		}
		if err := db.appendAudit(tx, models.AuditRecord{Actor: actor, Action: "project.recommend", Entity: "project",
			EntityID: idString(id), Before: map[string]any{"status": p.Status},
			After: map[string]any{"status": out.Status, "root_id": root, "comment": comment, "quota": quota, "used": used + 1}}); err != nil {
			return err
		}
		users, err := unitUserIDs(tx, out.UnitID)
		if err != nil {
			return err
		}
		params := map[string]string{"project": out.Title, "recommender": rootName, "comment_zh": "", "comment_en": ""}
		if comment != "" {
			params["comment_zh"], params["comment_en"] = "推荐意见："+comment, "Comment: "+comment
		}
		return notifyTx(tx, now, note{users: users, kind: models.NoteRecommended, link: projectLink(id), params: params})
	})
	if err != nil {
		return models.Project{}, fmt.Errorf("recommend project %d: %w", id, err)
	}
	return out.model(), nil
}

// ReturnByRecommender sends a submission back to its unit with the reason
// (required); the unit sees it, edits and submits again.
func (db *DB) ReturnByRecommender(ctx context.Context, actor models.Actor, user models.User, id int64, reason string) (models.Project, error) {
	reason, err := models.RecommendText(reason, "reason", true)
	if err != nil {
		return models.Project{}, err
	}
	var out projectRow
	now := db.now()
	err = db.tx(ctx, func(tx *gorm.DB) error {
		p, ed, err := db.recommenderProject(tx, user, id)
		if err != nil {
			return err
		}
		if err := p.CanRecommend(ed); err != nil {
			return err
		}
		if err := tx.Take(&out, id).Error; err != nil {
			return err
		}
		out.Status, out.EligibilityReason, out.RecommendRootID = string(models.ProjectRecommenderReturned), reason, nil
		out.RecommendedBy, out.RecommendedAt, out.RecommendComment, out.UpdatedAt = actor.Name, &now, reason, now
		if err := tx.Model(&out).Select("status", "eligibility_reason", "recommend_root_id", "recommended_by", "recommended_at", "recommend_comment", "updated_at").Updates(&out).Error; err != nil {
			return err
		}
		if err := db.appendAudit(tx, models.AuditRecord{Actor: actor, Action: "project.recommender_return", Entity: "project",
			EntityID: idString(id), Before: map[string]any{"status": p.Status}, After: map[string]any{"status": out.Status, "reason": reason}}); err != nil {
			return err
		}
		users, err := unitUserIDs(tx, out.UnitID)
		if err != nil {
			return err
		}
		return notifyTx(tx, now, note{users: users, kind: models.NoteRecommenderReturned, link: projectLink(id),
			params: map[string]string{"project": out.Title, "recommender": unitName(tx, *user.UnitID), "reason": reason}})
	})
	if err != nil {
		return models.Project{}, fmt.Errorf("return project %d: %w", id, err)
	}
	return out.model(), nil
}

// CommentProject sets the recommender's comment on a submission of their
// subtree that waits for them or that they recommended (empty clears it).
func (db *DB) CommentProject(ctx context.Context, actor models.Actor, user models.User, id int64, comment string) (models.Project, error) {
	comment, err := models.RecommendText(comment, "comment", false)
	if err != nil {
		return models.Project{}, err
	}
	var out projectRow
	err = db.tx(ctx, func(tx *gorm.DB) error {
		p, _, err := db.recommenderProject(tx, user, id)
		if err != nil {
			return err
		}
		if p.Status != models.ProjectSubmitted && p.Status != models.ProjectRecommended {
			return models.Errorf(models.KindConflict, "only a submission waiting for recommendation or recommended can be commented on (this one is %s)", p.Status)
		}
		if err := tx.Take(&out, id).Error; err != nil {
			return err
		}
		before := out.RecommendComment
		out.RecommendComment, out.UpdatedAt = comment, db.now()
		if out.Status == string(models.ProjectSubmitted) {
			out.RecommendedBy = actor.Name
		}
		if err := tx.Model(&out).Select("recommend_comment", "recommended_by", "updated_at").Updates(&out).Error; err != nil {
			return err
		}
		return db.appendAudit(tx, models.AuditRecord{Actor: actor, Action: "project.recommend_comment", Entity: "project",
			EntityID: idString(id), Before: map[string]any{"comment": before}, After: map[string]any{"comment": comment}})
	})
	if err != nil {
		return models.Project{}, fmt.Errorf("comment on project %d: %w", id, err)
	}
	return out.model(), nil
}

// RecommendQuotaUse is how much of each quota is used in an edition: an
// admin sees every root's, a recommender their own root's.
func (db *DB) RecommendQuotaUse(ctx context.Context, user models.User, editionID int64) ([]models.RecommendQuotaUse, error) {
	tx := db.gorm.WithContext(ctx)
	var row editionRow
	if err := tx.Take(&row, editionID).Error; err != nil {
		return nil, fmt.Errorf("edition %d: %w", editionID, mapError(err))
	}
	ed, err := editionModel(tx, row)
	if err != nil {
		return nil, mapError(err)
	}
	var roots []int64
	switch {
	case user.HasRole(models.RoleAdmin):
		for _, q := range ed.Recommend.Quotas {
			roots = append(roots, q.UnitID)
		}
	default:
		root, err := recommenderRoot(user)
		if err != nil {
			return nil, err
		}
		roots = []int64{root}
	}
	out := make([]models.RecommendQuotaUse, 0, len(roots))
	for _, r := range roots {
		quota, set := ed.Recommend.QuotaOf(r)
		used, err := quotaUsed(tx, editionID, r)
		if err != nil {
			return nil, mapError(err)
		}
		out = append(out, models.RecommendQuotaUse{UnitID: r, UnitName: unitName(tx, r), Quota: quota, Set: set, Used: used})
	}
	return out, nil
}

// unitName is a unit's name ("unit N" when it is gone).
func unitName(tx *gorm.DB, id int64) string {
	var u unitRow
	if err := tx.Select("id", "name").Take(&u, id).Error; err != nil {
		return "unit " + strconv.FormatInt(id, 10)
	}
	return u.Name
}

// notifyRecommenders tells the recommenders whose subtree holds the
// project's unit that its submission waits for them.
func notifyRecommenders(tx *gorm.DB, now time.Time, p projectRow) error {
	units, err := listUnits(tx)
	if err != nil {
		return err
	}
	chain := append(models.NewUnitTree(units).Ancestors(p.UnitID), p.UnitID)
	var ids []int64
	if err := tx.Model(&userRow{}).Where("unit_id IN ? AND disabled = ? AND (',' || roles || ',') LIKE ?", chain, false, "%,recommender,%").
		Order("id").Pluck("id", &ids).Error; err != nil {
		return err
	}
	return notifyTx(tx, now, note{users: ids, kind: models.NoteAwaitingRecommend, link: fmt.Sprintf("/recommend/projects/%d", p.ID),
		params: map[string]string{"project": p.Title, "unit": unitName(tx, p.UnitID), "version": strconv.Itoa(p.Version)}})
}
