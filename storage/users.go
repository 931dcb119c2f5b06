package storage

import (
	"context"
	"fmt"
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
	Disabled     bool
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
	return models.User{
		ID: r.ID, Username: r.Username, DisplayName: r.DisplayName, Roles: roles,
		UnitID: r.UnitID, Disabled: r.Disabled, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
	}
}

// bcryptCost is bcrypt's work factor for stored passwords.
const bcryptCost = 11

// CreateUser validates and stores a new account with a hashed password.
// A taken username (case-insensitive) is a conflict naming the field.
func (db *DB) CreateUser(ctx context.Context, n models.NewUser) (models.User, error) {
	if err := n.Validate(); err != nil {
		return models.User{}, err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(n.Password), bcryptCost)
	if err != nil {
		return models.User{}, fmt.Errorf("hash password: %w", err)
	}
	roles := make([]string, len(n.Roles))
	for i, r := range n.Roles {
		roles[i] = string(r)
	}
	now := time.Now().UTC()
	row := userRow{
		Username: n.Username, DisplayName: n.DisplayName, PasswordHash: string(hash),
		Roles: strings.Join(roles, ","), UnitID: n.UnitID, CreatedAt: now, UpdatedAt: now,
	}
	err = db.tx(ctx, func(tx *gorm.DB) error {
		return tx.Create(&row).Error
	})
	if models.KindOf(err) == models.KindConflict {
		return models.User{}, &models.Error{Kind: models.KindConflict, Message: "the username is taken",
			Fields: map[string]string{"username": "already taken"}, Err: err}
	}
	if err != nil {
		return models.User{}, fmt.Errorf("create user: %w", err)
	}
	return row.model(), nil
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
