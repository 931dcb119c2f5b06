package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"

	"leitai/models"
)

// userRow is the users table. Rows are not API shapes: see models.User.
type userRow struct {
	ID           int64 `gorm:"primaryKey"`
	Username     string
	DisplayName  string
	PasswordHash string
	Roles        string
	UnitID       *int64
	Phone        string
	Expertise    string
	Bio          string
	Disabled     bool
	Email        string
	Language     string
	EmailOff     string
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

func (userRow) TableName() string { return "users" }

func (r userRow) model() models.User {
	var roles []models.Role
	for _, s := range strings.Split(r.Roles, ",") {
		if s != "" {
			roles = append(roles, models.Role(s))
		}
	}
	var expertise []string
	if r.Expertise != "" {
		_ = json.Unmarshal([]byte(r.Expertise), &expertise)
	}
	return models.User{
		ID: r.ID, Username: r.Username, DisplayName: r.DisplayName, Roles: roles, UnitID: r.UnitID,
		Phone: r.Phone, Expertise: expertise, Bio: r.Bio, Disabled: r.Disabled,
		Email: r.Email, Language: languageOr(r.Language), EmailOff: emailOffOf(r.EmailOff),
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
	}
}

// languageOr is the stored language, or the default one.
func languageOr(l string) string {
	if slices.Contains(models.Languages, l) {
		return l
	}
	return models.Languages[0]
}

func emailOffOf(s string) []models.NotificationKind {
	var out []models.NotificationKind
	for _, k := range strings.Split(s, ",") {
		if k != "" {
			out = append(out, models.NotificationKind(k))
		}
	}
	return out
}

func emailOffText(kinds []models.NotificationKind) string {
	s := make([]string, len(kinds))
	for i, k := range kinds {
		s[i] = string(k)
	}
	return strings.Join(s, ",")
}

func rolesText(roles []models.Role) string {
	s := make([]string, len(roles))
	for i, r := range roles {
		s[i] = string(r)
	}
	return strings.Join(s, ",")
}

func expertiseText(e []string) string {
	if len(e) == 0 {
		return ""
	}
	clean := make([]string, len(e))
	for i, s := range e {
		clean[i] = strings.TrimSpace(s)
	}
	b, _ := json.Marshal(clean)
	return string(b)
}

// userAudit is what the audit log records of an account (never the hash).
func userAudit(u models.User) map[string]any {
	return map[string]any{"username": u.Username, "display_name": u.DisplayName, "roles": u.Roles,
		"unit_id": u.UnitID, "phone": u.Phone, "expertise": u.Expertise, "bio": u.Bio, "disabled": u.Disabled, "email": u.Email}
}

// bcryptCost is bcrypt's work factor for stored passwords.
const bcryptCost = 11

func hashPassword(p string) (string, error) {
	hash, err := bcrypt.GenerateFromPassword([]byte(p), bcryptCost)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return string(hash), nil
}

func usernameConflict(err error) error {
	var me *models.Error
	if errors.As(err, &me) && me.Kind == models.KindConflict && len(me.Fields) == 0 {
		return &models.Error{Kind: models.KindConflict, Message: "the username is taken",
			Fields: map[string]string{"username": "already taken"}, Err: err}
	}
	return err
}

// checkUnitExists refuses a unit id that names no unit.
func checkUnitExists(tx *gorm.DB, unitID *int64) error {
	if unitID == nil {
		return nil
	}
	var n int64
	if err := tx.Model(&unitRow{}).Where("id = ?", *unitID).Count(&n).Error; err != nil {
		return err
	}
	if n == 0 {
		return models.Invalid("the unit does not exist", map[string]string{"unit_id": "no such unit"})
	}
	return nil
}

// checkRecommenderUnit refuses a recommender whose unit cannot root a
// recommendation scope (a county or a department).
func checkRecommenderUnit(tx *gorm.DB, roles []models.Role, unitID *int64) error {
	if !slices.Contains(roles, models.RoleRecommender) || unitID == nil {
		return nil
	}
	var u unitRow
	if err := tx.Take(&u, *unitID).Error; err != nil {
		return mapError(err)
	}
	return models.CheckRecommendRoot(u.model(), "unit_id")
}

// CreateUser validates and stores a new account with a hashed password.
// A taken username (case-insensitive) is a conflict naming the field.
func (db *DB) CreateUser(ctx context.Context, actor models.Actor, n models.NewUser) (models.User, error) {
	var out models.User
	err := db.tx(ctx, func(tx *gorm.DB) error {
		var err error
		out, err = db.createUser(tx, actor, n, "user.create")
		return err
	})
	if err != nil {
		return models.User{}, fmt.Errorf("create user: %w", usernameConflict(err))
	}
	return out, nil
}

func (db *DB) createUser(tx *gorm.DB, actor models.Actor, n models.NewUser, action string) (models.User, error) {
	n.Username = strings.TrimSpace(n.Username)
	n.DisplayName = strings.TrimSpace(n.DisplayName)
	if err := n.Validate(); err != nil {
		return models.User{}, err
	}
	if err := checkUnitExists(tx, n.UnitID); err != nil {
		return models.User{}, err
	}
	if err := checkRecommenderUnit(tx, n.Roles, n.UnitID); err != nil {
		return models.User{}, err
	}
	hash, err := hashPassword(n.Password)
	if err != nil {
		return models.User{}, err
	}
	now := db.now()
	row := userRow{
		Username: n.Username, DisplayName: n.DisplayName, PasswordHash: hash, Roles: rolesText(n.Roles),
		UnitID: n.UnitID, Phone: strings.TrimSpace(n.Phone), Expertise: expertiseText(n.Expertise), Bio: n.Bio,
		Email: strings.TrimSpace(n.Email), Language: models.Languages[0], CreatedAt: now, UpdatedAt: now,
	}
	if err := tx.Create(&row).Error; err != nil {
		return models.User{}, usernameConflict(mapError(err))
	}
	u := row.model()
	if err := db.appendAudit(tx, models.AuditRecord{Actor: actor, Action: action, Entity: "user",
		EntityID: idString(u.ID), After: userAudit(u)}); err != nil {
		return models.User{}, err
	}
	return u, nil
}

// UserByUsername finds an account by its username, case-insensitively.
func (db *DB) UserByUsername(ctx context.Context, username string) (models.User, error) {
	var row userRow
	err := db.gorm.WithContext(ctx).Where("lower(username) = lower(?)", username).Take(&row).Error
	if err != nil {
		return models.User{}, fmt.Errorf("user %q: %w", username, mapError(err))
	}
	return row.model(), nil
}

// UserByID returns one account.
func (db *DB) UserByID(ctx context.Context, id int64) (models.User, error) {
	var row userRow
	if err := db.gorm.WithContext(ctx).Take(&row, id).Error; err != nil {
		return models.User{}, fmt.Errorf("user %d: %w", id, mapError(err))
	}
	return row.model(), nil
}

// ListUsers returns accounts matching f, ordered by id.
func (db *DB) ListUsers(ctx context.Context, f models.UserFilter) ([]models.User, error) {
	q := db.gorm.WithContext(ctx).Order("id")
	if f.Role != "" {
		// roles is a comma-separated list of known words: match whole items.
		q = q.Where("(',' || roles || ',') LIKE ?", "%,"+string(f.Role)+",%")
	}
	if f.UnitID != nil {
		q = q.Where("unit_id = ?", *f.UnitID)
	}
	if s := strings.TrimSpace(f.Query); s != "" {
		like := "%" + strings.ToLower(escapeLike(s)) + "%"
		q = q.Where("(lower(username) LIKE ? ESCAPE '\\' OR lower(display_name) LIKE ? ESCAPE '\\')", like, like)
	}
	if !f.IncludeDisabled {
		q = q.Where("disabled = ?", false)
	}
	var rows []userRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list users: %w", mapError(err))
	}
	out := make([]models.User, len(rows))
	for i, r := range rows {
		out[i] = r.model()
	}
	return out, nil
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// countActiveAdmins counts enabled admins other than exceptID.
func countActiveAdmins(tx *gorm.DB, exceptID int64) (int64, error) {
	var n int64
	err := tx.Model(&userRow{}).Where("disabled = ? AND id <> ? AND (',' || roles || ',') LIKE ?", false, exceptID, "%,admin,%").Count(&n).Error
	return n, err
}

// UpdateUser changes an account's profile. Disabling or demoting the last
// enabled admin is refused; disabling signs the user out everywhere.
func (db *DB) UpdateUser(ctx context.Context, actor models.Actor, id int64, p models.UserProfile) (models.User, error) {
	p.DisplayName = strings.TrimSpace(p.DisplayName)
	if err := p.Validate(); err != nil {
		return models.User{}, err
	}
	var out models.User
	err := db.tx(ctx, func(tx *gorm.DB) error {
		var row userRow
		if err := tx.Take(&row, id).Error; err != nil {
			return err
		}
		before := row.model()
		if err := checkUnitExists(tx, p.UnitID); err != nil {
			return err
		}
		if err := checkRecommenderUnit(tx, p.Roles, p.UnitID); err != nil {
			return err
		}
		if before.HasRole(models.RoleAdmin) && !before.Disabled && (p.Disabled || !slices.Contains(p.Roles, models.RoleAdmin)) {
			others, err := countActiveAdmins(tx, id)
			if err != nil {
				return err
			}
			if others == 0 {
				return models.Errorf(models.KindConflict, "this is the last enabled admin: create or enable another admin first")
			}
		}
		row.DisplayName, row.Roles, row.UnitID = p.DisplayName, rolesText(p.Roles), p.UnitID
		row.Phone, row.Expertise, row.Bio = strings.TrimSpace(p.Phone), expertiseText(p.Expertise), p.Bio
		row.Disabled, row.UpdatedAt = p.Disabled, db.now()
		if p.Email != nil {
			row.Email = strings.TrimSpace(*p.Email)
		}
		if err := tx.Model(&row).Select("display_name", "roles", "unit_id", "phone", "expertise", "bio", "disabled", "email", "updated_at").Updates(&row).Error; err != nil {
			return err
		}
		if p.Disabled {
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

// ResetPassword sets a new password chosen by an admin and signs the user
// out everywhere.
func (db *DB) ResetPassword(ctx context.Context, actor models.Actor, id int64, password string) error {
	if p := models.PasswordProblem(password); p != "" {
		return models.Invalid("the password is not valid", map[string]string{"password": p})
	}
	hash, err := hashPassword(password)
	if err != nil {
		return err
	}
	err = db.tx(ctx, func(tx *gorm.DB) error {
		var row userRow
		if err := tx.Take(&row, id).Error; err != nil {
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

// setPassword stores a new hash and revokes every session of the user.
func setPassword(tx *gorm.DB, id int64, hash string, now time.Time) error {
	if err := tx.Model(&userRow{}).Where("id = ?", id).Updates(map[string]any{"password_hash": hash, "updated_at": now}).Error; err != nil {
		return err
	}
	return tx.Where("user_id = ?", id).Delete(&sessionRow{}).Error
}

// ImportUsers creates every row's account or none. Rows without a password
// get a generated one, returned so the admin can hand it over once.
func (db *DB) ImportUsers(ctx context.Context, actor models.Actor, rows []models.UserImportRow) (map[string]string, error) {
	if len(rows) == 0 {
		return nil, models.Invalid("the file has no rows", map[string]string{"file": "no data rows below the header"})
	}
	generated := map[string]string{}
	err := db.tx(ctx, func(tx *gorm.DB) error {
		units, err := listUnits(tx)
		if err != nil {
			return err
		}
		tree := models.NewUnitTree(units)
		byPath := map[string]int64{}
		for _, u := range units {
			byPath[strings.Join(tree.Path(u.ID), "/")] = u.ID
		}
		problems := map[string]string{}
		seen := map[string]int{}
		var created []string
		for _, r := range rows {
			key := fmt.Sprintf("row %d", r.Line)
			n := r.User
			if path := strings.Trim(r.UnitPath, "/ "); path != "" {
				id, ok := byPath[path]
				if !ok {
					problems[key] = fmt.Sprintf("unit %q not found", path)
					continue
				}
				n.UnitID = &id
			}
			if n.Password == "" {
				n.Password = models.GeneratePassword()
				generated[n.Username] = n.Password
			}
			if err := n.Validate(); err != nil {
				problems[key] = describeFields(err)
				continue
			}
			lower := strings.ToLower(n.Username)
			if first, dup := seen[lower]; dup {
				problems[key] = fmt.Sprintf("username %q repeats row %d", n.Username, first)
				continue
			}
			seen[lower] = r.Line
			var exists int64
			if err := tx.Model(&userRow{}).Where("lower(username) = ?", lower).Count(&exists).Error; err != nil {
				return err
			}
			if exists > 0 {
				problems[key] = fmt.Sprintf("username %q is taken", n.Username)
				continue
			}
			if len(problems) > 0 {
				continue // keep checking, write nothing
			}
			if _, err := db.createUser(tx, actor, n, "user.import"); err != nil {
				return err
			}
			created = append(created, n.Username)
		}
		if len(problems) > 0 {
			return models.Invalid(fmt.Sprintf("%d row(s) have problems; nothing was imported", len(problems)), problems)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("import users: %w", err)
	}
	return generated, nil
}
