package storage

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"gorm.io/gorm"

	"leitai/models"
)

// Scoped administration (#13): a recommender manages the units below their
// root and those units' accounts (create, reset passwords, disable), and
// nothing outside their subtree: a unit or account outside it is not
// found, a parent outside it is refused, and only unit accounts can be
// made or changed.

// ScopedUnits lists the recommender's subtree, root first, then by id.
func (db *DB) ScopedUnits(ctx context.Context, user models.User) ([]models.Unit, error) {
	root, err := recommenderRoot(user)
	if err != nil {
		return nil, err
	}
	tx := db.gorm.WithContext(ctx)
	ids, err := subtreeIDs(tx, root)
	if err != nil {
		return nil, err
	}
	units, err := listUnits(tx)
	if err != nil {
		return nil, err
	}
	out := []models.Unit{}
	for _, u := range units {
		if u.ID == root {
			out = append([]models.Unit{u}, out...)
		} else if slices.Contains(ids, u.ID) {
			out = append(out, u)
		}
	}
	return out, nil
}

// checkScopedParent refuses a parent outside the recommender's subtree.
func checkScopedParent(tx *gorm.DB, root int64, parent *int64) error {
	if parent == nil {
		return models.Invalid("the unit needs a parent in your subtree", map[string]string{"parent_id": "choose one of your units"})
	}
	ok, err := inSubtree(tx, root, *parent)
	if err != nil {
		return err
	}
	if !ok {
		return models.Invalid("the parent is not one of your units", map[string]string{"parent_id": "choose one of your units"})
	}
	return nil
}

// ScopedCreateUnit adds a unit under one of the recommender's units.
func (db *DB) ScopedCreateUnit(ctx context.Context, actor models.Actor, user models.User, in models.UnitInput) (models.Unit, error) {
	root, err := recommenderRoot(user)
	if err != nil {
		return models.Unit{}, err
	}
	return db.createUnit(ctx, actor, in, func(tx *gorm.DB) error { return checkScopedParent(tx, root, in.ParentID) })
}

// ScopedUpdateUnit changes a unit strictly below the recommender's root,
// keeping it inside the subtree (their root itself is the organisers').
func (db *DB) ScopedUpdateUnit(ctx context.Context, actor models.Actor, user models.User, id int64, in models.UnitInput) (models.Unit, error) {
	root, err := recommenderRoot(user)
	if err != nil {
		return models.Unit{}, err
	}
	return db.updateUnit(ctx, actor, id, in, func(tx *gorm.DB) error {
		if id == root {
			return models.Errorf(models.KindForbidden, "your own county or department is changed by the organisers")
		}
		ok, err := inSubtree(tx, root, id)
		if err != nil {
			return err
		}
		if !ok {
			return models.Errorf(models.KindNotFound, "no unit %d", id)
		}
		return checkScopedParent(tx, root, in.ParentID)
	})
}

// ScopedUsers lists the unit accounts of the recommender's subtree
// (disabled ones too).
func (db *DB) ScopedUsers(ctx context.Context, user models.User) ([]models.User, error) {
	root, err := recommenderRoot(user)
	if err != nil {
		return nil, err
	}
	tx := db.gorm.WithContext(ctx)
	ids, err := subtreeIDs(tx, root)
	if err != nil {
		return nil, err
	}
	var rows []userRow
	if err := tx.Where("unit_id IN ? AND roles = ?", ids, string(models.RoleUnit)).Order("id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list users: %w", mapError(err))
	}
	out := make([]models.User, len(rows))
	for i, r := range rows {
		out[i] = r.model()
	}
	return out, nil
}

// ScopedCreateUser creates a unit account for a unit of the subtree; any
// other role is refused.
func (db *DB) ScopedCreateUser(ctx context.Context, actor models.Actor, user models.User, n models.NewUser) (models.User, error) {
	root, err := recommenderRoot(user)
	if err != nil {
		return models.User{}, err
	}
	if len(n.Roles) != 1 || n.Roles[0] != models.RoleUnit {
		return models.User{}, &models.Error{Kind: models.KindForbidden, Message: "a recommender creates unit accounts only",
			Fields: map[string]string{"roles": "only unit"}}
	}
	var out models.User
	err = db.tx(ctx, func(tx *gorm.DB) error {
		if n.UnitID == nil {
			return models.Invalid("a unit account needs its unit", map[string]string{"unit_id": "choose one of your units"})
		}
		ok, err := inSubtree(tx, root, *n.UnitID)
		if err != nil {
			return err
		}
		if !ok {
			return models.Invalid("the unit is not one of yours", map[string]string{"unit_id": "choose one of your units"})
		}
		out, err = db.createUser(tx, actor, n, "user.create")
		return err
	})
	if err != nil {
		return models.User{}, fmt.Errorf("create user: %w", usernameConflict(err))
	}
	return out, nil
}

// scopedAccount loads a unit account of the recommender's subtree inside
// tx; any other account is not found.
func scopedAccount(tx *gorm.DB, user models.User, id int64) (userRow, error) {
	root, err := recommenderRoot(user)
	if err != nil {
		return userRow{}, err
	}
	var row userRow
	if err := tx.Take(&row, id).Error; err != nil {
		return row, mapError(err)
	}
	if row.Roles != string(models.RoleUnit) || row.UnitID == nil || row.ID == user.ID {
		return row, models.Errorf(models.KindNotFound, "no account %d among your units' accounts", id)
	}
	ok, err := inSubtree(tx, root, *row.UnitID)
	if err != nil {
		return row, err
	}
	if !ok {
		return row, models.Errorf(models.KindNotFound, "no account %d among your units' accounts", id)
	}
	return row, nil
}

// ScopedUpdateUser renames, disables or enables a unit account of the
// subtree; disabling signs it out everywhere.
func (db *DB) ScopedUpdateUser(ctx context.Context, actor models.Actor, user models.User, id int64, ch models.ScopedAccountChange) (models.User, error) {
	var out models.User
	err := db.tx(ctx, func(tx *gorm.DB) error {
		row, err := scopedAccount(tx, user, id)
		if err != nil {
			return err
		}
		before := row.model()
		if ch.DisplayName != nil {
			row.DisplayName = strings.TrimSpace(*ch.DisplayName)
		}
		if ch.Disabled != nil {
			row.Disabled = *ch.Disabled
		}
		p := models.UserProfile{DisplayName: row.DisplayName, Roles: before.Roles, UnitID: row.UnitID}
		if err := p.Validate(); err != nil {
			return err
		}
		row.UpdatedAt = db.now()
		if err := tx.Model(&row).Select("display_name", "disabled", "updated_at").Updates(&row).Error; err != nil {
			return err
		}
		if row.Disabled {
			if err := tx.Where("user_id = ?", id).Delete(&sessionRow{}).Error; err != nil {
				return err
			}
		}
		out = row.model()
		return db.appendAudit(tx, models.AuditRecord{Actor: actor, Action: "user.update", Entity: "user",
			EntityID: idString(id), Before: userAudit(before), After: userAudit(out)})
	})
	if err != nil {
		return models.User{}, fmt.Errorf("update user %d: %w", id, err)
	}
	return out, nil
}

// ScopedResetPassword sets a new password on a unit account of the
// subtree and signs it out everywhere.
func (db *DB) ScopedResetPassword(ctx context.Context, actor models.Actor, user models.User, id int64, password string) error {
	if p := models.PasswordProblem(password); p != "" {
		return models.Invalid("the password is not valid", map[string]string{"password": p})
	}
	hash, err := hashPassword(password)
	if err != nil {
		return err
	}
	err = db.tx(ctx, func(tx *gorm.DB) error {
		row, err := scopedAccount(tx, user, id)
		if err != nil {
			return err
		}
		if err := setPassword(tx, id, hash, db.now()); err != nil {
			return err
		}
		return db.appendAudit(tx, models.AuditRecord{Actor: actor, Action: "user.password_reset", Entity: "user",
			EntityID: idString(id), After: map[string]any{"username": row.Username}})
	})
	if err != nil {
		return fmt.Errorf("reset password of user %d: %w", id, err)
	}
	return nil
}
