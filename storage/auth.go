package storage

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"leitai/models"
)

type sessionRow struct {
	ID         string `gorm:"primaryKey"`
	UserID     int64
	CSRFToken  string `gorm:"column:csrf_token"`
	CreatedAt  time.Time
	ExpiresAt  time.Time
	LastSeenAt time.Time
	IP         string `gorm:"column:ip"`
	UserAgent  string
	LiveShowID *int64
	Seat       *int
	IssuedBy   string
}

func (sessionRow) TableName() string { return "sessions" }

type throttleRow struct {
	Key          string `gorm:"primaryKey"`
	Failures     int
	BlockedUntil *time.Time
	UpdatedAt    time.Time
}

func (throttleRow) TableName() string { return "login_throttle" }

type loginTokenRow struct {
	ID        string `gorm:"primaryKey"`
	UserID    int64
	CreatedBy *int64
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    *time.Time
	// LiveShowID and Seat scope a judge's tablet link (see tablets.go).
	LiveShowID *int64
	Seat       *int
}

func (loginTokenRow) TableName() string { return "login_tokens" }

// newToken returns a random URL-safe token and the hash stored for it.
func newToken() (token, id string) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand: " + err.Error())
	}
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, tokenID(token)
}

func tokenID(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// dummyHash is compared against when the username is unknown, so that a
// missing account takes as long as a wrong password. It is made on first
// use, not at start.
func (db *DB) dummyHash() []byte {
	db.dummyOnce.Do(func() {
		db.dummy, _ = bcrypt.GenerateFromPassword([]byte("leitai-timing-equaliser"), bcryptCost)
	})
	return db.dummy
}

// errBadCredentials is the one answer for an unknown user and a wrong
// password alike.
var errBadCredentials = &models.Error{Kind: models.KindUnauthenticated, Message: "wrong username or password"}

// Login checks a username and password and opens a session. It returns
// the session token for the cookie and the session (with its CSRF token).
//
// Failures are throttled where they come from, never on the account alone
// (which would let anyone lock a user out): a sign-in carrying a valid
// device cookie for the account is throttled on that device only; any other
// is throttled per account and address and per address.
func (db *DB) Login(ctx context.Context, a models.LoginAttempt) (string, models.Session, error) {
	now := db.now()
	keys := loginThrottleKeys(a)
	if err := db.checkThrottle(ctx, keys, now); err != nil {
		return "", models.Session{}, err
	}
	var row userRow
	err := db.gorm.WithContext(ctx).Where("lower(username) = lower(?)", a.Username).Take(&row).Error
	if err = mapError(err); err != nil && models.KindOf(err) != models.KindNotFound {
		return "", models.Session{}, err
	}
	hash := []byte(row.PasswordHash)
	if err != nil {
		hash = db.dummyHash()
	}
	if bcrypt.CompareHashAndPassword(hash, []byte(a.Password)) != nil || err != nil || row.Disabled {
		if ferr := db.recordFailure(ctx, keys, now); ferr != nil {
			return "", models.Session{}, ferr
		}
		return "", models.Session{}, errBadCredentials
	}
	token, s, err := db.openSession(ctx, row, a.IP, a.UserAgent, func(tx *gorm.DB) error {
		return tx.Where("key = ?", keys[0]).Delete(&throttleRow{}).Error
	})
	return token, s, err
}

// loginThrottleKeys are the throttle counters a sign-in is checked against
// and charged to; the first is the one a success clears.
func loginThrottleKeys(a models.LoginAttempt) []string {
	if a.Device != "" {
		return []string{"device:" + a.Device}
	}
	return []string{"user-ip:" + lowerASCII(a.Username) + "|" + a.IP, "ip:" + a.IP}
}

func lowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 32
		}
	}
	return string(b)
}

// checkThrottle refuses with rate_limited while any key is blocked.
func (db *DB) checkThrottle(ctx context.Context, keys []string, now time.Time) error {
	var rows []throttleRow
	if err := db.gorm.WithContext(ctx).Where("key IN ?", keys).Find(&rows).Error; err != nil {
		return mapError(err)
	}
	var wait time.Duration
	for _, r := range rows {
		if r.BlockedUntil != nil && r.BlockedUntil.After(now) {
			wait = max(wait, r.BlockedUntil.Sub(now))
		}
	}
	if wait > 0 {
		secs := int(math.Ceil(wait.Seconds()))
		return &models.Error{Kind: models.KindRateLimited, RetryAfterSeconds: secs,
			Message: fmt.Sprintf("too many failed sign-ins: try again in %d seconds", secs)}
	}
	return nil
}

// recordFailure counts a failure against every key and sets its delay.
// The row is created if missing (ON CONFLICT DO NOTHING, so concurrent
// first failures do not abort the transaction) and then locked for update.
func (db *DB) recordFailure(ctx context.Context, keys []string, now time.Time) error {
	return db.tx(ctx, func(tx *gorm.DB) error {
		for _, k := range keys {
			fresh := throttleRow{Key: k, UpdatedAt: now}
			if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&fresh).Error; err != nil {
				return err
			}
			var r throttleRow
			if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("key = ?", k).Take(&r).Error; err != nil {
				return err
			}
			if now.Sub(r.UpdatedAt) > models.ThrottleForget {
				r.Failures = 0
			}
			r.Failures++
			var blocked *time.Time
			if d := models.ThrottleDelay(r.Failures, strings.HasPrefix(k, "ip:")); d > 0 {
				until := now.Add(d)
				blocked = &until
			}
			err := tx.Model(&throttleRow{}).Where("key = ?", k).
				Updates(map[string]any{"failures": r.Failures, "blocked_until": blocked, "updated_at": now}).Error
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// openSession creates a session for the user inside one transaction, with
// extra work (such as clearing a throttle) in the same transaction.
func (db *DB) openSession(ctx context.Context, u userRow, ip, userAgent string, extra func(tx *gorm.DB) error) (string, models.Session, error) {
	token, id := newToken()
	csrf, _ := newToken()
	now := db.now()
	row := sessionRow{ID: id, UserID: u.ID, CSRFToken: csrf, CreatedAt: now, ExpiresAt: now.Add(models.SessionLifetime),
		LastSeenAt: now, IP: ip, UserAgent: truncate(userAgent, 300)}
	err := db.tx(ctx, func(tx *gorm.DB) error {
		if extra != nil {
			if err := extra(tx); err != nil {
				return err
			}
		}
		return tx.Create(&row).Error
	})
	if err != nil {
		return "", models.Session{}, fmt.Errorf("open session: %w", err)
	}
	return token, models.Session{User: u.model(), CSRFToken: csrf, ExpiresAt: row.ExpiresAt}, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// sessionRefresh is how stale last_seen_at may get before a request
// extends the session (so that not every request writes).
const sessionRefresh = 10 * time.Minute

// SessionByToken returns the live session behind a cookie token, extending
// its expiry when it is in use. Expired sessions and disabled users are
// unauthenticated.
func (db *DB) SessionByToken(ctx context.Context, token string) (models.Session, error) {
	if token == "" {
		return models.Session{}, models.ErrUnauthenticated
	}
	id := tokenID(token)
	// One round trip for the session and its user: this runs on every
	// signed-in request.
	var rows []sessionUserRow
	if err := db.gorm.WithContext(ctx).Raw(`SELECT s.csrf_token AS s_csrf_token, s.expires_at AS s_expires_at, s.last_seen_at AS s_last_seen_at,
			s.live_show_id AS s_live_show_id, s.seat AS s_seat, s.issued_by AS s_issued_by, ls.state AS s_show_state,
			u.id, u.username, u.display_name, u.password_hash, u.roles, u.unit_id, u.phone, u.expertise, u.bio, u.disabled, u.created_at, u.updated_at
		FROM sessions s JOIN users u ON u.id = s.user_id LEFT JOIN live_shows ls ON ls.id = s.live_show_id WHERE s.id = ?`, id).Scan(&rows).Error; err != nil {
		return models.Session{}, mapError(err)
	}
	if len(rows) == 0 {
		return models.Session{}, models.Errorf(models.KindUnauthenticated, "the session has ended: please sign in again")
	}
	s := sessionRow{ID: id, CSRFToken: rows[0].SCSRFToken, ExpiresAt: rows[0].SExpiresAt, LastSeenAt: rows[0].SLastSeenAt}
	u := rows[0].user()
	now := db.now()
	if !s.ExpiresAt.After(now) {
		return models.Session{}, models.Errorf(models.KindUnauthenticated, "the session has expired: please sign in again")
	}
	if u.Disabled {
		return models.Session{}, models.Errorf(models.KindUnauthenticated, "the account is disabled")
	}
	scope, err := rows[0].tablet()
	if err != nil {
		return models.Session{}, err
	}
	if now.Sub(s.LastSeenAt) > sessionRefresh {
		s.ExpiresAt = now.Add(models.SessionLifetime)
		if err := db.gorm.WithContext(ctx).Model(&sessionRow{}).Where("id = ?", id).
			Updates(map[string]any{"last_seen_at": now, "expires_at": s.ExpiresAt}).Error; err != nil {
			return models.Session{}, mapError(err)
		}
	}
	return models.Session{User: u.model(), CSRFToken: s.CSRFToken, ExpiresAt: s.ExpiresAt, Tablet: scope}, nil
}

// sessionUserRow is a session joined with its user (and, for a tablet
// session, its live final's state).
type sessionUserRow struct {
	SCSRFToken   string    `gorm:"column:s_csrf_token"`
	SExpiresAt   time.Time `gorm:"column:s_expires_at"`
	SLastSeenAt  time.Time `gorm:"column:s_last_seen_at"`
	SLiveShowID  *int64    `gorm:"column:s_live_show_id"`
	SSeat        *int      `gorm:"column:s_seat"`
	SIssuedBy    string    `gorm:"column:s_issued_by"`
	SShowState   *string   `gorm:"column:s_show_state"`
	ID           int64
	Username     string
	DisplayName  string
	PasswordHash string
	Roles        string
	UnitID       *int64
	Phone        string
	Expertise    string
	Bio          string
	Disabled     bool
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// tablet returns a tablet session's scope, or an error once its final has
// finished or gone: the session ends with the event.
func (r sessionUserRow) tablet() (*models.TabletScope, error) {
	if r.SLiveShowID == nil {
		return nil, nil
	}
	ended := models.Errorf(models.KindUnauthenticated, "the live final has ended: this tablet link no longer signs in")
	if r.SShowState == nil || r.SSeat == nil {
		return nil, ended
	}
	if *r.SShowState != "" {
		var st struct{ Phase models.ShowPhase }
		if err := json.Unmarshal([]byte(*r.SShowState), &st); err != nil {
			return nil, fmt.Errorf("live show %d state: %w", *r.SLiveShowID, err)
		}
		if st.Phase == models.PhaseFinished {
			return nil, ended
		}
	}
	return &models.TabletScope{LiveShowID: *r.SLiveShowID, Seat: *r.SSeat, IssuedBy: r.SIssuedBy}, nil
}

func (r sessionUserRow) user() userRow {
	return userRow{ID: r.ID, Username: r.Username, DisplayName: r.DisplayName, PasswordHash: r.PasswordHash, Roles: r.Roles, UnitID: r.UnitID,
		Phone: r.Phone, Expertise: r.Expertise, Bio: r.Bio, Disabled: r.Disabled, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

// Logout ends the session behind token.
func (db *DB) Logout(ctx context.Context, token string) error {
	if err := db.gorm.WithContext(ctx).Where("id = ?", tokenID(token)).Delete(&sessionRow{}).Error; err != nil {
		return fmt.Errorf("logout: %w", mapError(err))
	}
	return nil
}

// ChangePassword lets a user change their own password. Every session of
// the user ends, and a new one is opened for the caller.
func (db *DB) ChangePassword(ctx context.Context, actor models.Actor, userID int64, current, next, userAgent string) (string, models.Session, error) {
	var row userRow
	if err := db.gorm.WithContext(ctx).Take(&row, userID).Error; err != nil {
		return "", models.Session{}, mapError(err)
	}
	if bcrypt.CompareHashAndPassword([]byte(row.PasswordHash), []byte(current)) != nil {
		return "", models.Session{}, models.Invalid("the current password is wrong", map[string]string{"current_password": "wrong password"})
	}
	if p := models.PasswordProblem(next); p != "" {
		return "", models.Session{}, models.Invalid("the new password is not valid", map[string]string{"new_password": p})
	}
	if next == current {
		return "", models.Session{}, models.Invalid("the new password is the old one", map[string]string{"new_password": "must differ from the current password"})
	}
	hash, err := hashPassword(next)
	if err != nil {
		return "", models.Session{}, err
	}
	return db.openSession(ctx, row, actor.IP, userAgent, func(tx *gorm.DB) error {
		if err := setPassword(tx, userID, hash, db.now()); err != nil {
			return err
		}
		return db.appendAudit(tx, models.AuditRecord{Actor: actor, Action: "user.password_change", Entity: "user",
			EntityID: idString(userID), After: map[string]any{"username": row.Username}})
	})
}

// LoginLinkMaxTTL bounds one-time login links.
const LoginLinkMaxTTL = 3 * 24 * time.Hour

// CreateLoginLink issues a single-use login token for a user's tablet.
func (db *DB) CreateLoginLink(ctx context.Context, actor models.Actor, userID int64, ttl time.Duration) (string, time.Time, error) {
	if ttl <= 0 || ttl > LoginLinkMaxTTL {
		return "", time.Time{}, models.Invalid("the link lifetime is not valid", map[string]string{"ttl_minutes": "between 1 and 4320 minutes"})
	}
	token, id := newToken()
	now := db.now()
	row := loginTokenRow{ID: id, UserID: userID, CreatedBy: actor.UserID, CreatedAt: now, ExpiresAt: now.Add(ttl)}
	err := db.tx(ctx, func(tx *gorm.DB) error {
		var u userRow
		if err := tx.Take(&u, userID).Error; err != nil {
			return err
		}
		if u.Disabled {
			return models.Errorf(models.KindConflict, "the account is disabled: enable it first")
		}
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		return db.appendAudit(tx, models.AuditRecord{Actor: actor, Action: "user.login_link", Entity: "user",
			EntityID: idString(userID), After: map[string]any{"username": u.Username, "expires_at": row.ExpiresAt.Format(time.RFC3339)}})
	})
	if err != nil {
		return "", time.Time{}, fmt.Errorf("create login link: %w", err)
	}
	return token, row.ExpiresAt, nil
}

// RedeemLoginLink consumes a one-time token and opens a session. A token
// works once, before it expires, for an enabled account.
func (db *DB) RedeemLoginLink(ctx context.Context, token, ip, userAgent string) (string, models.Session, error) {
	invalid := models.Errorf(models.KindUnauthenticated, "the login link is invalid, used or expired: ask the organisers for a new one")
	var u userRow
	now := db.now()
	var sessionToken string
	var session models.Session
	err := db.tx(ctx, func(tx *gorm.DB) error {
		// Claim the token with a conditional update: of two requests
		// racing with the same token, exactly one changes the row.
		res := tx.Model(&loginTokenRow{}).Where("id = ? AND used_at IS NULL AND expires_at > ?", tokenID(token), now).Update("used_at", now)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return invalid
		}
		var t loginTokenRow
		if err := tx.Where("id = ?", tokenID(token)).Take(&t).Error; err != nil {
			return err
		}
		if err := tx.Take(&u, t.UserID).Error; err != nil {
			return err
		}
		if u.Disabled {
			return invalid
		}
		csrf, _ := newToken()
		var id string
		sessionToken, id = newToken()
		row := sessionRow{ID: id, UserID: u.ID, CSRFToken: csrf, CreatedAt: now, ExpiresAt: now.Add(models.SessionLifetime),
			LastSeenAt: now, IP: ip, UserAgent: truncate(userAgent, 300), LiveShowID: t.LiveShowID, Seat: t.Seat}
		session = models.Session{User: u.model(), CSRFToken: csrf, ExpiresAt: row.ExpiresAt}
		if t.LiveShowID != nil && t.Seat != nil {
			// A tablet link opens a session scoped to its final and seat,
			// remembered with who issued it for the audit trail.
			var issuer userRow
			if t.CreatedBy != nil {
				if err := tx.Select("username").Take(&issuer, *t.CreatedBy).Error; err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
					return err
				}
			}
			row.IssuedBy = issuer.Username
			session.Tablet = &models.TabletScope{LiveShowID: *t.LiveShowID, Seat: *t.Seat, IssuedBy: issuer.Username}
		}
		return tx.Create(&row).Error
	})
	if err != nil {
		return "", models.Session{}, err
	}
	return sessionToken, session, nil
}

// SetupNeeded reports whether no enabled admin exists yet (first run).
func (db *DB) SetupNeeded(ctx context.Context) (bool, error) {
	n, err := countActiveAdmins(db.gorm.WithContext(ctx), 0)
	if err != nil {
		return false, mapError(err)
	}
	return n == 0, nil
}

// setupLockKey serialises first-run setups on PostgreSQL.
const setupLockKey = 7_411_932_003

// SetupFirstAdmin creates the first admin while none exists and signs them
// in; afterwards it is a conflict.
func (db *DB) SetupFirstAdmin(ctx context.Context, n models.NewUser, ip, userAgent string) (string, models.Session, error) {
	n.Roles = []models.Role{models.RoleAdmin}
	var created models.User
	err := db.tx(ctx, func(tx *gorm.DB) error {
		if db.dialect == Postgres {
			if err := tx.Exec("SELECT pg_advisory_xact_lock(?)", setupLockKey).Error; err != nil {
				return err
			}
		}
		var admins int64
		if err := tx.Model(&userRow{}).Where("(',' || roles || ',') LIKE ?", "%,admin,%").Count(&admins).Error; err != nil {
			return err
		}
		if admins > 0 {
			return models.Errorf(models.KindConflict, "an admin already exists: sign in instead")
		}
		var err error
		created, err = db.createUser(tx, models.Actor{Name: n.Username, IP: ip}, n, "setup.admin")
		return err
	})
	if err != nil {
		return "", models.Session{}, fmt.Errorf("setup: %w", usernameConflict(err))
	}
	var row userRow
	if err := db.gorm.WithContext(ctx).Take(&row, created.ID).Error; err != nil {
		return "", models.Session{}, mapError(err)
	}
	return db.openSession(ctx, row, ip, userAgent, nil)
}
