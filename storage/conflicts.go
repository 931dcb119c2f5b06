package storage

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"leitai/judging"
	"leitai/models"
)

// Conflicts of interest: the ones experts declare and the checks that
// keep an expert away from a unit in their own chain.

type conflictRow struct {
	ExpertID  int64 `gorm:"primaryKey"`
	UnitID    int64 `gorm:"primaryKey"`
	Reason    string
	CreatedBy *int64
	CreatedAt time.Time
}

func (conflictRow) TableName() string { return "declared_conflicts" }

// DeclareConflict records that an expert must not review the unit (and its
// subtree); an expert declares their own, an admin anyone's.
func (db *DB) DeclareConflict(ctx context.Context, actor models.Actor, expertID, unitID int64, reason string) error {
	err := db.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Take(&unitRow{}, unitID).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return models.Invalid("no such unit", map[string]string{"unit_id": "no such unit"})
			}
			return err
		}
		row := conflictRow{ExpertID: expertID, UnitID: unitID, Reason: strings.TrimSpace(reason), CreatedBy: actor.UserID, CreatedAt: db.now()}
		if err := tx.Create(&row).Error; err != nil {
			if models.KindOf(mapError(err)) == models.KindConflict {
				return nil // declared already
			}
			return err
		}
		return db.appendAudit(tx, models.AuditRecord{Actor: actor, Action: "conflict.declare", Entity: "user",
			EntityID: idString(expertID), After: map[string]any{"unit_id": unitID, "reason": row.Reason}})
	})
	if err != nil {
		return fmt.Errorf("declare conflict: %w", err)
	}
	return nil
}

// DeclaredConflicts lists the units an expert declared.
func (db *DB) DeclaredConflicts(ctx context.Context, expertID int64) ([]int64, error) {
	var ids []int64
	if err := db.gorm.WithContext(ctx).Model(&conflictRow{}).Where("expert_id = ?", expertID).Order("unit_id").Pluck("unit_id", &ids).Error; err != nil {
		return nil, mapError(err)
	}
	return ids, nil
}

// conflictsOf builds each expert's conflict set from the unit tree, their
// affiliation and their declarations.
func conflictsOf(tx *gorm.DB, experts []userRow) (map[int64]judging.ConflictSet, error) {
	units, err := listUnits(tx)
	if err != nil {
		return nil, err
	}
	tree := models.NewUnitTree(units)
	ids := make([]int64, len(experts))
	for i, e := range experts {
		ids[i] = e.ID
	}
	// Only these experts' declarations: scoring checks one expert per save.
	var rows []conflictRow
	if err := tx.Where("expert_id IN ?", ids).Find(&rows).Error; err != nil {
		return nil, err
	}
	declared := map[int64][]int64{}
	for _, r := range rows {
		declared[r.ExpertID] = append(declared[r.ExpertID], r.UnitID)
	}
	out := map[int64]judging.ConflictSet{}
	for _, e := range experts {
		out[e.ID] = judging.Conflicts(tree, e.UnitID, declared[e.ID])
	}
	return out, nil
}

// reviewerConflicted reports whether the expert has a conflict of interest
// with a unit's projects. It gives conflictsOf's answer without reading the
// whole unit tree: whether the unit lies under one of the expert's conflict
// roots depends only on the unit's ancestors and the affiliation's (its
// kind and county), so a tree of those two chains and the expert's
// declarations decides it.
func reviewerConflicted(tx *gorm.DB, expert models.User, unitID int64) (bool, error) {
	seeds := []int64{unitID}
	if expert.UnitID != nil {
		seeds = append(seeds, *expert.UnitID)
	}
	// One round trip: the chains' units, then the declared unit ids
	// (declared = 1).
	type chainRow struct {
		ID       int64
		ParentID *int64
		Kind     string
		Name     string
		Declared int
	}
	var rows []chainRow
	if err := tx.Raw(`WITH RECURSIVE chain(id) AS (
			SELECT id FROM units WHERE id IN ?
			UNION
			SELECT u.parent_id FROM units u JOIN chain c ON u.id = c.id WHERE u.parent_id IS NOT NULL)
		SELECT id, parent_id, kind, name, 0 AS declared FROM units WHERE id IN (SELECT id FROM chain)
		UNION ALL
		SELECT unit_id, NULL, '', '', 1 FROM declared_conflicts WHERE expert_id = ?`, seeds, expert.ID).Scan(&rows).Error; err != nil {
		return false, err
	}
	var units []models.Unit
	var declared []int64
	for _, r := range rows {
		if r.Declared == 1 {
			declared = append(declared, r.ID)
		} else {
			units = append(units, models.Unit{ID: r.ID, ParentID: r.ParentID, Kind: models.UnitKind(r.Kind), Name: r.Name})
		}
	}
	return judging.Conflicts(models.NewUnitTree(units), expert.UnitID, declared).Has(unitID), nil
}

// expertRow loads an enabled or disabled user who is an expert.
func expertRow(tx *gorm.DB, id int64) (userRow, error) {
	var u userRow
	if err := tx.Take(&u, id).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return userRow{}, models.Invalid("no such expert", map[string]string{"expert_id": "no such expert"})
		}
		return userRow{}, err
	}
	if !u.model().HasRole(models.RoleExpert) {
		return userRow{}, models.Invalid("not an expert", map[string]string{"expert_id": fmt.Sprintf("user %s is not an expert", u.Username)})
	}
	return u, nil
}

func expertName(u userRow) string {
	if u.DisplayName != "" {
		return u.DisplayName
	}
	return u.Username
}

func needReason(reason string) (string, error) {
	r := strings.TrimSpace(reason)
	if r == "" {
		return "", models.Invalid("a reason is required", map[string]string{"reason": "required"})
	}
	if n := len([]rune(r)); n > 500 {
		return "", models.Invalid("the reason is too long", map[string]string{"reason": fmt.Sprintf("at most 500 characters (now %d)", n)})
	}
	return r, nil
}

// AddConflict is an admin's declaration of a conflict between an expert
// and a unit (with its subtree), with a required reason; audited as
// conflict.declare with who and why. Declaring one already declared is a
// conflict (409).
func (db *DB) AddConflict(ctx context.Context, actor models.Actor, expertID, unitID int64, reason string) error {
	why, err := needReason(reason)
	if err != nil {
		return err
	}
	err = db.tx(ctx, func(tx *gorm.DB) error {
		u, err := expertRow(tx, expertID)
		if err != nil {
			return err
		}
		var unit unitRow
		if err := tx.Take(&unit, unitID).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return models.Invalid("no such unit", map[string]string{"unit_id": "no such unit"})
			}
			return err
		}
		var n int64
		if err := tx.Model(&conflictRow{}).Where("expert_id = ? AND unit_id = ?", expertID, unitID).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return models.Errorf(models.KindConflict, "a conflict between %s and %s is already declared", expertName(u), unit.Name)
		}
		row := conflictRow{ExpertID: expertID, UnitID: unitID, Reason: why, CreatedBy: actor.UserID, CreatedAt: db.now()}
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		return db.appendAudit(tx, models.AuditRecord{Actor: actor, Action: "conflict.declare", Entity: "user",
			EntityID: idString(expertID), After: map[string]any{"unit_id": unitID, "unit": unit.Name, "reason": why, "by_admin": true}})
	})
	if err != nil {
		return fmt.Errorf("add conflict: %w", err)
	}
	return nil
}

// RemoveConflict removes a declared conflict, with a required reason;
// audited as conflict.remove with the declaration it removes. An automatic
// conflict (from the unit chain) cannot be removed: 409 explaining it.
func (db *DB) RemoveConflict(ctx context.Context, actor models.Actor, expertID, unitID int64, reason string) error {
	why, err := needReason(reason)
	if err != nil {
		return err
	}
	err = db.tx(ctx, func(tx *gorm.DB) error {
		u, err := expertRow(tx, expertID)
		if err != nil {
			return err
		}
		var row conflictRow
		if err := tx.Where("expert_id = ? AND unit_id = ?", expertID, unitID).Limit(1).Find(&row).Error; err != nil {
			return err
		}
		if row.ExpertID == 0 {
			units, err := listUnits(tx)
			if err != nil {
				return err
			}
			tree := models.NewUnitTree(units)
			unit, _ := tree.Unit(unitID)
			if judging.Conflicts(tree, u.UnitID, nil).Has(unitID) {
				return models.Errorf(models.KindConflict, "the conflict between %s and %s is automatic — it comes from the expert's own unit in the unit tree — and cannot be removed: change the expert's unit if it is wrong", expertName(u), unit.Name)
			}
			return models.Errorf(models.KindNotFound, "no conflict between %s and unit %d is declared", expertName(u), unitID)
		}
		if err := tx.Where("expert_id = ? AND unit_id = ?", expertID, unitID).Delete(&conflictRow{}).Error; err != nil {
			return err
		}
		var unit unitRow
		_ = tx.Select("id", "name").Limit(1).Find(&unit, unitID).Error
		return db.appendAudit(tx, models.AuditRecord{Actor: actor, Action: "conflict.remove", Entity: "user", EntityID: idString(expertID),
			Before: map[string]any{"unit_id": unitID, "unit": unit.Name, "reason": row.Reason, "declared_by": row.CreatedBy},
			After:  map[string]any{"reason": why}})
	})
	if err != nil {
		return fmt.Errorf("remove conflict: %w", err)
	}
	return nil
}

// ExpertConflicts lists every expert (enabled or not) with the roots of
// their automatic conflicts and their declared ones, by expert id.
func (db *DB) ExpertConflicts(ctx context.Context) ([]models.ExpertConflicts, error) {
	var out []models.ExpertConflicts
	err := db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var experts []userRow
		if err := tx.Where("(',' || roles || ',') LIKE ?", "%,expert,%").Order("id").Find(&experts).Error; err != nil {
			return err
		}
		units, err := listUnits(tx)
		if err != nil {
			return err
		}
		tree := models.NewUnitTree(units)
		var rows []conflictRow
		if err := tx.Order("expert_id, unit_id").Find(&rows).Error; err != nil {
			return err
		}
		declared := map[int64][]conflictRow{}
		by := map[int64]bool{}
		for _, r := range rows {
			declared[r.ExpertID] = append(declared[r.ExpertID], r)
			if r.CreatedBy != nil {
				by[*r.CreatedBy] = true
			}
		}
		names := map[int64]string{}
		if len(by) > 0 {
			ids := make([]int64, 0, len(by))
			for id := range by {
				ids = append(ids, id)
			}
			var us []userRow
			if err := tx.Select("id", "username", "display_name").Where("id IN ?", ids).Find(&us).Error; err != nil {
				return err
			}
			for _, u := range us {
				names[u.ID] = expertName(u)
			}
		}
		unitName := func(id int64) string {
			u, _ := tree.Unit(id)
			return u.Name
		}
		out = make([]models.ExpertConflicts, 0, len(experts))
		for _, e := range experts {
			ec := models.ExpertConflicts{ExpertID: e.ID, Username: e.Username, DisplayName: e.DisplayName, UnitID: e.UnitID,
				Automatic: []models.ConflictRoot{}, Declared: []models.DeclaredConflict{}}
			if e.UnitID != nil {
				ec.UnitName = unitName(*e.UnitID)
			}
			auto := judging.Conflicts(tree, e.UnitID, nil)
			ec.AutomaticUnits = auto.Len()
			for _, id := range auto.Units() {
				u, known := tree.Unit(id)
				if known && u.ParentID != nil && auto.Has(*u.ParentID) {
					continue // inside another root's subtree
				}
				why := "county"
				if e.UnitID != nil && *e.UnitID == id {
					why = "affiliation"
				} else if e.UnitID != nil && slices.Contains(tree.Ancestors(*e.UnitID), id) && u.Kind != models.UnitCounty {
					why = "affiliation"
				}
				ec.Automatic = append(ec.Automatic, models.ConflictRoot{UnitID: id, Name: u.Name, Why: why})
			}
			for _, r := range declared[e.ID] {
				d := models.DeclaredConflict{UnitID: r.UnitID, UnitName: unitName(r.UnitID), Reason: r.Reason, ByID: r.CreatedBy, At: r.CreatedAt.UTC()}
				if r.CreatedBy != nil {
					d.By, d.ByExpert = names[*r.CreatedBy], *r.CreatedBy == e.ID
				}
				ec.Declared = append(ec.Declared, d)
			}
			out = append(out, ec)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("expert conflicts: %w", mapError(err))
	}
	return out, nil
}

// conflictNamed explains why an expert conflicts with a unit, for an
// error: the declared unit it falls under (with the reason) or the
// automatic root; "" when there is no conflict.
func conflictNamed(tx *gorm.DB, expert userRow, unitID int64) (string, error) {
	units, err := listUnits(tx)
	if err != nil {
		return "", err
	}
	tree := models.NewUnitTree(units)
	var rows []conflictRow
	if err := tx.Where("expert_id = ?", expert.ID).Order("unit_id").Find(&rows).Error; err != nil {
		return "", err
	}
	name := func(id int64) string {
		u, _ := tree.Unit(id)
		return u.Name
	}
	for _, r := range rows {
		if judging.Conflicts(tree, nil, []int64{r.UnitID}).Has(unitID) {
			return fmt.Sprintf("a declared conflict with %s (%s)", name(r.UnitID), r.Reason), nil
		}
	}
	if judging.Conflicts(tree, expert.UnitID, nil).Has(unitID) {
		return fmt.Sprintf("an automatic conflict: the expert's unit %s and %s are in the same chain or county", name(*expert.UnitID), name(unitID)), nil
	}
	return "", nil
}
