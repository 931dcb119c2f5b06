package storage

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"leitai/models"
)

type unitRow struct {
	ID           int64 `gorm:"primaryKey"`
	ParentID     *int64
	Kind         string
	Name         string
	ContactName  string
	ContactPhone string
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

func (unitRow) TableName() string { return "units" }

func (r unitRow) model() models.Unit {
	return models.Unit{ID: r.ID, ParentID: r.ParentID, Kind: models.UnitKind(r.Kind), Name: r.Name,
		ContactName: r.ContactName, ContactPhone: r.ContactPhone}
}

// ListUnits returns every unit, ordered by id (parents before children when
// created top-down; callers build the tree with models.NewUnitTree).
func (db *DB) ListUnits(ctx context.Context) ([]models.Unit, error) {
	return listUnits(db.gorm.WithContext(ctx))
}

func listUnits(tx *gorm.DB) ([]models.Unit, error) {
	var rows []unitRow
	if err := tx.Order("id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list units: %w", mapError(err))
	}
	out := make([]models.Unit, len(rows))
	for i, r := range rows {
		out[i] = r.model()
	}
	return out, nil
}

// UnitByID returns one unit.
func (db *DB) UnitByID(ctx context.Context, id int64) (models.Unit, error) {
	var row unitRow
	if err := db.gorm.WithContext(ctx).Take(&row, id).Error; err != nil {
		return models.Unit{}, fmt.Errorf("unit %d: %w", id, mapError(err))
	}
	return row.model(), nil
}

func normalizeUnit(in models.UnitInput) models.UnitInput {
	in.Name = strings.TrimSpace(in.Name)
	in.ContactName = strings.TrimSpace(in.ContactName)
	in.ContactPhone = strings.TrimSpace(in.ContactPhone)
	return in
}

// checkUnitParent loads the parent inside tx and checks the kind rule.
func checkUnitParent(tx *gorm.DB, in models.UnitInput) error {
	if in.ParentID == nil {
		return in.CheckParent(nil)
	}
	var parent unitRow
	err := tx.Take(&parent, *in.ParentID).Error
	if mapError(err) != nil && models.KindOf(mapError(err)) == models.KindNotFound {
		return models.Invalid("the parent unit does not exist", map[string]string{"parent_id": "no such unit"})
	}
	if err != nil {
		return mapError(err)
	}
	p := parent.model()
	return in.CheckParent(&p)
}

func unitConflict(err error) error {
	if models.KindOf(err) == models.KindConflict {
		return &models.Error{Kind: models.KindConflict, Message: "a unit of that name already exists under the same parent",
			Fields: map[string]string{"name": "already exists under this parent"}, Err: err}
	}
	return err
}

// CreateUnit adds a unit to the tree.
func (db *DB) CreateUnit(ctx context.Context, actor models.Actor, in models.UnitInput) (models.Unit, error) {
	return db.createUnit(ctx, actor, in, nil)
}

// createUnit adds a unit after scope (when set) allowed it inside the
// same transaction.
func (db *DB) createUnit(ctx context.Context, actor models.Actor, in models.UnitInput, scope func(tx *gorm.DB) error) (models.Unit, error) {
	in = normalizeUnit(in)
	if err := in.Validate(); err != nil {
		return models.Unit{}, err
	}
	now := db.now()
	row := unitRow{ParentID: in.ParentID, Kind: string(in.Kind), Name: in.Name, ContactName: in.ContactName,
		ContactPhone: in.ContactPhone, CreatedAt: now, UpdatedAt: now}
	err := db.tx(ctx, func(tx *gorm.DB) error {
		if scope != nil {
			if err := scope(tx); err != nil {
				return err
			}
		}
		if err := checkUnitParent(tx, in); err != nil {
			return err
		}
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		return db.appendAudit(tx, models.AuditRecord{Actor: actor, Action: "unit.create", Entity: "unit",
			EntityID: idString(row.ID), After: unitAudit(row.model())})
	})
	if err != nil {
		return models.Unit{}, fmt.Errorf("create unit: %w", unitConflict(err))
	}
	return row.model(), nil
}

// unitAudit is what the audit log records of a unit.
func unitAudit(u models.Unit) map[string]any {
	return map[string]any{"parent_id": u.ParentID, "kind": u.Kind, "name": u.Name,
		"contact_name": u.ContactName, "contact_phone": u.ContactPhone}
}

// UpdateUnit changes a unit; a unit cannot become its own ancestor.
func (db *DB) UpdateUnit(ctx context.Context, actor models.Actor, id int64, in models.UnitInput) (models.Unit, error) {
	return db.updateUnit(ctx, actor, id, in, nil)
}

// updateUnit changes a unit after scope (when set) allowed it inside the
// same transaction.
func (db *DB) updateUnit(ctx context.Context, actor models.Actor, id int64, in models.UnitInput, scope func(tx *gorm.DB) error) (models.Unit, error) {
	in = normalizeUnit(in)
	if err := in.Validate(); err != nil {
		return models.Unit{}, err
	}
	var out unitRow
	err := db.tx(ctx, func(tx *gorm.DB) error {
		if scope != nil {
			if err := scope(tx); err != nil {
				return err
			}
		}
		var row unitRow
		if err := tx.Take(&row, id).Error; err != nil {
			return err
		}
		before := row.model()
		units, err := listUnits(tx)
		if err != nil {
			return err
		}
		if err := models.NewUnitTree(units).CheckMove(id, in.ParentID); err != nil {
			return err
		}
		if err := checkUnitParent(tx, in); err != nil {
			return err
		}
		row.ParentID, row.Kind, row.Name = in.ParentID, string(in.Kind), in.Name
		row.ContactName, row.ContactPhone, row.UpdatedAt = in.ContactName, in.ContactPhone, db.now()
		// Select every column: Updates(struct) would skip zero values.
		if err := tx.Model(&row).Select("parent_id", "kind", "name", "contact_name", "contact_phone", "updated_at").Updates(&row).Error; err != nil {
			return err
		}
		out = row
		return db.appendAudit(tx, models.AuditRecord{Actor: actor, Action: "unit.update", Entity: "unit",
			EntityID: idString(id), Before: unitAudit(before), After: unitAudit(row.model())})
	})
	if err != nil {
		return models.Unit{}, fmt.Errorf("update unit %d: %w", id, unitConflict(err))
	}
	return out.model(), nil
}

// DeleteUnit removes a unit that has no sub-units and no users.
func (db *DB) DeleteUnit(ctx context.Context, actor models.Actor, id int64) error {
	err := db.tx(ctx, func(tx *gorm.DB) error {
		var row unitRow
		if err := tx.Take(&row, id).Error; err != nil {
			return err
		}
		var children, users int64
		if err := tx.Model(&unitRow{}).Where("parent_id = ?", id).Count(&children).Error; err != nil {
			return err
		}
		if err := tx.Model(&userRow{}).Where("unit_id = ?", id).Count(&users).Error; err != nil {
			return err
		}
		if children > 0 || users > 0 {
			return models.Errorf(models.KindConflict, "the unit still has %d sub-unit(s) and %d user(s): move or delete them first", children, users)
		}
		if err := tx.Delete(&unitRow{}, id).Error; err != nil {
			return err
		}
		return db.appendAudit(tx, models.AuditRecord{Actor: actor, Action: "unit.delete", Entity: "unit",
			EntityID: idString(id), Before: unitAudit(row.model())})
	})
	if err != nil {
		return fmt.Errorf("delete unit %d: %w", id, err)
	}
	return nil
}

// ImportUnits creates every row or none. Rows name their parent by path
// (names from the root, e.g. 惠州市/惠城区), which may be an existing unit or
// a row earlier in the same file. Problems are reported per row.
func (db *DB) ImportUnits(ctx context.Context, actor models.Actor, rows []models.UnitImportRow) (int, error) {
	if len(rows) == 0 {
		return 0, models.Invalid("the file has no rows", map[string]string{"file": "no data rows below the header"})
	}
	err := db.tx(ctx, func(tx *gorm.DB) error {
		units, err := listUnits(tx)
		if err != nil {
			return err
		}
		tree := models.NewUnitTree(units)
		byPath := map[string]models.Unit{}
		for _, u := range units {
			byPath[strings.Join(tree.Path(u.ID), "/")] = u
		}
		problems := map[string]string{}
		now := db.now()
		var created []models.Unit
		for _, r := range rows {
			key := fmt.Sprintf("row %d", r.Line)
			in := normalizeUnit(r.Input)
			var parent *models.Unit
			parentPath := strings.Trim(r.ParentPath, "/ ")
			if parentPath != "" {
				p, ok := byPath[parentPath]
				if !ok {
					problems[key] = fmt.Sprintf("parent %q not found (neither existing nor an earlier row)", parentPath)
					continue
				}
				parent = &p
				in.ParentID = &p.ID
			}
			if err := in.Validate(); err != nil {
				problems[key] = describeFields(err)
				continue
			}
			if err := in.CheckParent(parent); err != nil {
				problems[key] = describeFields(err)
				continue
			}
			path := in.Name
			if parentPath != "" {
				path = parentPath + "/" + in.Name
			}
			if _, dup := byPath[path]; dup {
				problems[key] = fmt.Sprintf("unit %q already exists", path)
				continue
			}
			if len(problems) > 0 {
				// Keep checking the remaining rows, but write nothing.
				byPath[path] = models.Unit{ID: -int64(r.Line), Kind: in.Kind, Name: in.Name}
				continue
			}
			row := unitRow{ParentID: in.ParentID, Kind: string(in.Kind), Name: in.Name, ContactName: in.ContactName,
				ContactPhone: in.ContactPhone, CreatedAt: now, UpdatedAt: now}
			if err := tx.Create(&row).Error; err != nil {
				return err
			}
			byPath[path] = row.model()
			created = append(created, row.model())
		}
		if len(problems) > 0 {
			return models.Invalid(fmt.Sprintf("%d row(s) have problems; nothing was imported", len(problems)), problems)
		}
		names := make([]string, len(created))
		for i, u := range created {
			names[i] = u.Name
		}
		return db.appendAudit(tx, models.AuditRecord{Actor: actor, Action: "unit.import", Entity: "unit", EntityID: "",
			After: map[string]any{"count": len(created), "names": names}})
	})
	if err != nil {
		return 0, fmt.Errorf("import units: %w", err)
	}
	return len(rows), nil
}

// describeFields flattens an invalid error's fields into one line.
func describeFields(err error) string {
	me, ok := err.(*models.Error)
	if !ok || len(me.Fields) == 0 {
		return err.Error()
	}
	var parts []string
	for _, f := range []string{"name", "kind", "parent_id", "contact_name", "contact_phone", "username", "display_name", "password", "roles", "unit_id", "phone", "expertise", "bio"} {
		if p, ok := me.Fields[f]; ok {
			parts = append(parts, f+": "+p)
		}
	}
	return strings.Join(parts, "; ")
}
