package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"leitai/models"
)

// Notifications (#13): rows written in the transaction of the change that
// causes them (see notifyTx), listed and marked read by their user, and
// sent by e-mail once by the sender loop (notify_send.go).

type notificationRow struct {
	ID             int64 `gorm:"primaryKey"`
	UserID         int64
	Kind           string
	Link           string
	Params         string
	CreatedAt      time.Time
	ReadAt         *time.Time
	EmailState     string
	EmailAttempts  int
	EmailClaimedBy string
	EmailClaimedAt *time.Time
	EmailSentAt    *time.Time
	EmailError     string
}

func (notificationRow) TableName() string { return "notifications" }

// The e-mail states of a notification.
const (
	emailNone    = "none"    // no e-mail: no address, or the kind is turned off
	emailPending = "pending" // to send
	emailSending = "sending" // claimed by an instance
	emailSent    = "sent"
	emailSkipped = "skipped" // the address went or the kind was turned off before it was sent
	emailFailed  = "failed"  // refused too many times
)

// noteTimes are the parameters stored as instants (RFC 3339), written in
// the service's time zone.
var noteTimes = []string{"closes", "until"}

func (r notificationRow) params(loc *time.Location) map[string]string {
	p := map[string]string{}
	_ = json.Unmarshal([]byte(r.Params), &p)
	for _, k := range noteTimes {
		if t, err := time.Parse(time.RFC3339, p[k]); err == nil {
			p[k] = t.In(loc).Format("2006-01-02 15:04")
		}
	}
	return p
}

func (r notificationRow) model(lang string, loc *time.Location) models.Notification {
	title, body := models.RenderNotification(models.NotificationKind(r.Kind), lang, r.params(loc))
	return models.Notification{ID: r.ID, Kind: models.NotificationKind(r.Kind), Title: title, Body: body, Link: r.Link,
		CreatedAt: r.CreatedAt.UTC(), ReadAt: utcPtr(r.ReadAt)}
}

// note is one notification to write: to these users, of this kind, with
// its link in the app and the parameters of its text.
type note struct {
	users  []int64
	kind   models.NotificationKind
	link   string
	params map[string]string
}

// notifyTx writes the notifications in tx at now (the instant of the
// change that causes them): one row per user (each user once), with an
// e-mail pending when the user has an address, is enabled and has not
// turned the kind off.
func notifyTx(tx *gorm.DB, now time.Time, n note) error {
	if len(n.users) == 0 {
		return nil
	}
	ids := slices.Clone(n.users)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	var users []userRow
	if err := tx.Select("id", "email", "email_off", "disabled").Where("id IN ?", ids).Order("id").Find(&users).Error; err != nil {
		return err
	}
	params, err := json.Marshal(n.params)
	if err != nil {
		return err
	}
	for _, u := range users {
		state := emailNone
		if u.Email != "" && !u.Disabled && !slices.Contains(emailOffOf(u.EmailOff), n.kind) {
			state = emailPending
		}
		row := notificationRow{UserID: u.ID, Kind: string(n.kind), Link: n.link, Params: string(params), CreatedAt: now.UTC(), EmailState: state}
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
	}
	return nil
}

// unitUserIDs are the enabled accounts of a unit.
func unitUserIDs(tx *gorm.DB, unitID int64) ([]int64, error) {
	var ids []int64
	err := tx.Model(&userRow{}).Where("unit_id = ? AND disabled = ? AND (',' || roles || ',') LIKE ?", unitID, false, "%,unit,%").
		Order("id").Pluck("id", &ids).Error
	return ids, err
}

// projectLink is where a unit opens its project.
func projectLink(id int64) string { return fmt.Sprintf("/portal/projects/%d", id) }

// NotificationService lists a user's notifications, marks them read,
// keeps the user's settings, sends the e-mails and produces the
// reminders before a round closes. It holds its time zone (times in the
// texts are written there) and its clock; every method reads the clock
// once and uses that instant throughout its transaction.
type NotificationService struct {
	db  *DB
	loc *time.Location
	now func() time.Time
	// base is the public address the links in e-mails start with.
	base string
}

// NewNotificationService builds the service; loc is LEITAI_TIMEZONE.
func NewNotificationService(db *DB, loc *time.Location) *NotificationService {
	if loc == nil {
		loc = time.UTC
	}
	return &NotificationService{db: db, loc: loc, now: db.now}
}

// WithClock replaces the clock (tests).
func (s *NotificationService) WithClock(now func() time.Time) *NotificationService {
	c := *s
	c.now = now
	return &c
}

// WithPublicURL sets the address links in e-mails start with
// (LEITAI_PUBLIC_URL).
func (s *NotificationService) WithPublicURL(base string) *NotificationService {
	c := *s
	c.base = strings.TrimRight(base, "/")
	return &c
}

// MaxNotificationPage is the largest page of notifications.
const MaxNotificationPage = 100

// List returns a page of the user's own notifications, newest first, in
// the user's language, with the total and the unread count.
func (s *NotificationService) List(ctx context.Context, user models.User, offset, limit int, unreadOnly bool) (models.NotificationPage, error) {
	if limit <= 0 || limit > MaxNotificationPage {
		limit = 20
	}
	if offset < 0 {
		offset = 0
	}
	var out models.NotificationPage
	err := s.db.tx(ctx, func(tx *gorm.DB) error {
		var u userRow
		if err := tx.Select("id", "language").Take(&u, user.ID).Error; err != nil {
			return err
		}
		q := tx.Model(&notificationRow{}).Where("user_id = ?", user.ID)
		if err := q.Session(&gorm.Session{}).Where("read_at IS NULL").Count(&out.Unread).Error; err != nil {
			return err
		}
		if unreadOnly {
			q = q.Where("read_at IS NULL")
		}
		if err := q.Session(&gorm.Session{}).Count(&out.Total).Error; err != nil {
			return err
		}
		var rows []notificationRow
		if err := q.Order("id DESC").Offset(offset).Limit(limit).Find(&rows).Error; err != nil {
			return err
		}
		out.Items = make([]models.Notification, len(rows))
		for i, r := range rows {
			out.Items[i] = r.model(languageOr(u.Language), s.loc)
		}
		return nil
	})
	if err != nil {
		return models.NotificationPage{}, fmt.Errorf("notifications: %w", err)
	}
	return out, nil
}

// MarkRead marks one of the user's own notifications read (not found for
// anyone else's) and returns the unread count left.
func (s *NotificationService) MarkRead(ctx context.Context, user models.User, id int64) (int64, error) {
	now := s.now().UTC()
	var unread int64
	err := s.db.tx(ctx, func(tx *gorm.DB) error {
		var row notificationRow
		if err := tx.Where("id = ? AND user_id = ?", id, user.ID).Take(&row).Error; err != nil {
			return err
		}
		if row.ReadAt == nil {
			if err := tx.Model(&notificationRow{}).Where("id = ?", id).Update("read_at", now).Error; err != nil {
				return err
			}
		}
		return tx.Model(&notificationRow{}).Where("user_id = ? AND read_at IS NULL", user.ID).Count(&unread).Error
	})
	if err != nil {
		return 0, fmt.Errorf("notification %d: %w", id, err)
	}
	return unread, nil
}

// MarkAllRead marks all the user's notifications read and says how many
// were unread.
func (s *NotificationService) MarkAllRead(ctx context.Context, user models.User) (int64, error) {
	now := s.now().UTC()
	res := s.db.gorm.WithContext(ctx).Model(&notificationRow{}).Where("user_id = ? AND read_at IS NULL", user.ID).Update("read_at", now)
	if res.Error != nil {
		return 0, fmt.Errorf("notifications: %w", mapError(res.Error))
	}
	return res.RowsAffected, nil
}

// Settings returns the user's own settings.
func (s *NotificationService) Settings(ctx context.Context, user models.User) (models.UserSettings, error) {
	var u userRow
	if err := s.db.gorm.WithContext(ctx).Take(&u, user.ID).Error; err != nil {
		return models.UserSettings{}, fmt.Errorf("settings: %w", mapError(err))
	}
	m := u.model()
	return models.UserSettings{Email: m.Email, Language: m.Language, EmailOff: m.EmailOff}, nil
}

// SaveSettings changes the user's own e-mail address, language and the
// kinds not sent by e-mail. Audited. Pending e-mails of a kind turned off
// (or all, when the address goes) are not sent.
func (s *NotificationService) SaveSettings(ctx context.Context, actor models.Actor, user models.User, in models.UserSettings) (models.UserSettings, error) {
	if err := in.Normalize(); err != nil {
		return models.UserSettings{}, err
	}
	now := s.now().UTC()
	err := s.db.tx(ctx, func(tx *gorm.DB) error {
		var u userRow
		if err := tx.Take(&u, user.ID).Error; err != nil {
			return err
		}
		before := map[string]any{"email": u.Email, "language": languageOr(u.Language), "email_off": u.EmailOff}
		u.Email, u.Language, u.EmailOff, u.UpdatedAt = in.Email, in.Language, emailOffText(in.EmailOff), now
		if err := tx.Model(&u).Select("email", "language", "email_off", "updated_at").Updates(&u).Error; err != nil {
			return err
		}
		pending := tx.Model(&notificationRow{}).Where("user_id = ? AND email_state = ?", user.ID, emailPending)
		if in.Email == "" {
			if err := pending.Update("email_state", emailSkipped).Error; err != nil {
				return err
			}
		} else if len(in.EmailOff) > 0 {
			kinds := make([]string, len(in.EmailOff))
			for i, k := range in.EmailOff {
				kinds[i] = string(k)
			}
			if err := tx.Model(&notificationRow{}).Where("user_id = ? AND email_state = ? AND kind IN ?", user.ID, emailPending, kinds).
				Update("email_state", emailSkipped).Error; err != nil {
				return err
			}
		}
		return s.db.appendAudit(tx, models.AuditRecord{Actor: actor, Action: "user.settings", Entity: "user", EntityID: idString(user.ID),
			Before: before, After: map[string]any{"email": in.Email, "language": in.Language, "email_off": u.EmailOff}})
	})
	if err != nil {
		return models.UserSettings{}, fmt.Errorf("settings: %w", err)
	}
	return in, nil
}
