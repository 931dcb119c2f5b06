package storage

import (
	"context"
	"errors"
	"fmt"
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
		row := conflictRow{ExpertID: expertID, UnitID: unitID, Reason: strings.TrimSpace(reason), CreatedBy: actor.UserID, CreatedAt: time.Now().UTC()}
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
