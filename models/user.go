package models

import (
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Role is what a user may do. A user may hold several.
type Role string

// The roles of the access contract.
const (
	RoleAdmin  Role = "admin"
	RoleUnit   Role = "unit"
	RoleExpert Role = "expert"
	RoleHost   Role = "host"
)

// Roles lists every role in a stable order.
var Roles = []Role{RoleAdmin, RoleUnit, RoleExpert, RoleHost}

// ParseRoles parses a comma-separated role list such as "admin,host",
// rejecting unknown and duplicate roles.
func ParseRoles(s string) ([]Role, error) {
	var out []Role
	for _, part := range strings.Split(s, ",") {
		r := Role(strings.TrimSpace(part))
		if r == "" {
			continue
		}
		if !slices.Contains(Roles, r) {
			return nil, Invalid("unknown role", map[string]string{"roles": "unknown role " + string(r) + " (want admin, unit, expert or host)"})
		}
		if slices.Contains(out, r) {
			return nil, Invalid("duplicate role", map[string]string{"roles": "role " + string(r) + " given twice"})
		}
		out = append(out, r)
	}
	return out, nil
}

// User is an account.
type User struct {
	ID          int64
	Username    string
	DisplayName string
	Roles       []Role
	// UnitID is the unit a `unit` user belongs to, or an expert's
	// affiliation; nil when none.
	UnitID    *int64
	Disabled  bool
	CreatedAt time.Time
	UpdatedAt time.Time
}

// HasRole reports whether u holds r.
func (u User) HasRole(r Role) bool { return slices.Contains(u.Roles, r) }

// NewUser is the input for creating an account.
type NewUser struct {
	Username    string
	DisplayName string
	Password    string
	Roles       []Role
	UnitID      *int64
}

var usernamePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{1,63}$`)

// MinPasswordLength is the shortest accepted password, in characters.
const MinPasswordLength = 8

// Validate checks the input and names every problem.
func (n NewUser) Validate() error {
	fields := map[string]string{}
	if !usernamePattern.MatchString(n.Username) {
		fields["username"] = "2–64 letters, digits, '.', '_' or '-', starting with a letter or digit"
	}
	if utf8.RuneCountInString(n.DisplayName) > 64 {
		fields["display_name"] = "at most 64 characters"
	}
	if utf8.RuneCountInString(n.Password) < MinPasswordLength {
		fields["password"] = "at least 8 characters"
	} else if len(n.Password) > 72 {
		fields["password"] = "at most 72 bytes"
	}
	if len(n.Roles) == 0 {
		fields["roles"] = "at least one role"
	}
	for _, r := range n.Roles {
		if !slices.Contains(Roles, r) {
			fields["roles"] = "unknown role " + string(r)
		}
	}
	if slices.Contains(n.Roles, RoleUnit) && n.UnitID == nil {
		fields["unit_id"] = "a unit user must belong to a unit"
	}
	if len(fields) > 0 {
		return Invalid("the user is not valid", fields)
	}
	return nil
}
