package models

import (
	"crypto/rand"
	"crypto/subtle"
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
	// RoleRecommender is a county's, development zone's or city
	// department's officer (县区推荐): scoped to the subtree of the unit
	// tree rooted at their unit_id.
	RoleRecommender Role = "recommender"
)

// Roles lists every role in a stable order.
var Roles = []Role{RoleAdmin, RoleUnit, RoleExpert, RoleHost, RoleRecommender}

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
			return nil, Invalid("unknown role", map[string]string{"roles": "unknown role " + string(r) + " (want admin, unit, expert, host or recommender)"})
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
	Phone     string
	Expertise []string
	Bio       string
	Disabled  bool
	// Email is where notifications go by e-mail (empty: none); Language
	// the language the server writes to the user in; EmailOff the kinds
	// they do not want by e-mail.
	Email     string
	Language  string
	EmailOff  []NotificationKind
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
	Phone       string
	Expertise   []string
	Bio         string
	Email       string
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
	if p := PasswordProblem(n.Password); p != "" {
		fields["password"] = p
	}
	UserProfile{DisplayName: n.DisplayName, Roles: n.Roles, UnitID: n.UnitID, Phone: n.Phone, Expertise: n.Expertise, Bio: n.Bio, Email: &n.Email}.check(fields)
	if len(fields) > 0 {
		return Invalid("the user is not valid", fields)
	}
	return nil
}

// UserProfile is the part of an account an admin edits.
type UserProfile struct {
	DisplayName string
	Roles       []Role
	UnitID      *int64
	Phone       string
	Expertise   []string
	Bio         string
	Disabled    bool
	// Email is the address notifications go to; nil keeps the current one.
	Email *string
}

// Validate checks the profile and names every problem.
func (p UserProfile) Validate() error {
	fields := map[string]string{}
	p.check(fields)
	if len(fields) > 0 {
		return Invalid("the user is not valid", fields)
	}
	return nil
}

func (p UserProfile) check(fields map[string]string) {
	if utf8.RuneCountInString(p.DisplayName) > 64 {
		fields["display_name"] = "at most 64 characters"
	}
	if len(p.Roles) == 0 {
		fields["roles"] = "at least one role"
	}
	seen := map[Role]bool{}
	for _, r := range p.Roles {
		if !slices.Contains(Roles, r) {
			fields["roles"] = "unknown role " + string(r)
		} else if seen[r] {
			fields["roles"] = "role " + string(r) + " given twice"
		}
		seen[r] = true
	}
	if slices.Contains(p.Roles, RoleUnit) && p.UnitID == nil {
		fields["unit_id"] = "a unit user must belong to a unit"
	}
	if slices.Contains(p.Roles, RoleRecommender) && p.UnitID == nil {
		fields["unit_id"] = "a recommender must belong to the county or department they recommend for"
	}
	if p.Phone != "" && !ValidPhone(p.Phone) {
		fields["phone"] = "a phone number such as 13812345678 or 0752-2345678"
	}
	if p.Email != nil {
		if e := EmailProblem(strings.TrimSpace(*p.Email)); e != "" {
			fields["email"] = e
		}
	}
	if len(p.Expertise) > 10 {
		fields["expertise"] = "at most 10 fields"
	}
	for _, e := range p.Expertise {
		if n := utf8.RuneCountInString(strings.TrimSpace(e)); n == 0 || n > 30 {
			fields["expertise"] = "each field 1–30 characters"
		}
	}
	if utf8.RuneCountInString(p.Bio) > 500 {
		fields["bio"] = "at most 500 characters"
	}
}

// Session is a signed-in browser: its user and the CSRF token that every
// mutating request must carry.
type Session struct {
	User      User
	CSRFToken string
	ExpiresAt time.Time
	// Tablet is set on a session opened from a judge's tablet link: it
	// reaches only that live final's judge routes and ends with the final.
	Tablet *TabletScope
}

// TabletScope is what a tablet-link session may do, and who issued it.
type TabletScope struct {
	LiveShowID int64
	Seat       int
	// IssuedBy is the username of the host or admin who issued the link.
	IssuedBy string
}

// CheckCSRF compares a presented token with the session's in constant time.
func (s Session) CheckCSRF(presented string) bool {
	return presented != "" && subtle.ConstantTimeCompare([]byte(s.CSRFToken), []byte(presented)) == 1
}

// SessionLifetime is how long a session lasts without use.
const SessionLifetime = 12 * time.Hour

// Login throttling: failures per account and per address earn growing
// delays, capped low enough that nobody can lock a judge out for long (and
// judges' tablets sign in with one-time links, which are not throttled by
// account).
const (
	accountFreeFailures = 5
	accountMaxDelay     = 60 * time.Second
	addressFreeFailures = 30
	addressMaxDelay     = 5 * time.Minute
	// ThrottleForget is how long after the last failure a counter resets.
	ThrottleForget = 15 * time.Minute
)

// ThrottleDelay returns how long to refuse logins after the given number of
// consecutive failures, for an account key or an address key.
func ThrottleDelay(failures int, address bool) time.Duration {
	free, maxDelay := accountFreeFailures, accountMaxDelay
	if address {
		free, maxDelay = addressFreeFailures, addressMaxDelay
	}
	if failures < free {
		return 0
	}
	d := 5 * time.Second
	for i := free; i < failures && d < maxDelay; i++ {
		d *= 2
	}
	return min(d, maxDelay)
}

// UserImportRow is one data row of a user import file.
type UserImportRow struct {
	// Line is the row's line number in the file (the header is line 1).
	Line int
	// UnitPath names the unit by the names from the root, "/"-separated.
	UnitPath string
	User     NewUser
}

// GeneratePassword returns a random password that is easy to read out:
// 12 characters without look-alikes (0/O, 1/l/I).
func GeneratePassword() string {
	const alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand: " + err.Error()) // never fails on supported platforms
	}
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// UserFilter narrows a list of users.
type UserFilter struct {
	Role            Role
	UnitID          *int64
	Query           string
	IncludeDisabled bool
}
