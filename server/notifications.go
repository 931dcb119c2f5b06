package server

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"

	"leitai/models"
)

// Notifications is what the notification and settings handlers call
// (storage's NotificationService). Every method works on the caller's own
// notifications and settings: another user's notification is not found.
type Notifications interface {
	List(ctx context.Context, user models.User, offset, limit int, unreadOnly bool) (models.NotificationPage, error)
	MarkRead(ctx context.Context, user models.User, id int64) (int64, error)
	MarkAllRead(ctx context.Context, user models.User) (int64, error)
	Settings(ctx context.Context, user models.User) (models.UserSettings, error)
	SaveSettings(ctx context.Context, actor models.Actor, user models.User, in models.UserSettings) (models.UserSettings, error)
}

// ProjectReturner sends a submitted project back to its unit.
type ProjectReturner interface {
	ReturnProject(ctx context.Context, actor models.Actor, id int64, reason string) (models.Project, error)
}

func (s *handlers) notifications() (Notifications, error) {
	if s.deps.Notifications == nil {
		return nil, models.Errorf(models.KindUnavailable, "notifications are not configured")
	}
	return s.deps.Notifications, nil
}

type notificationJSON struct {
	ID        int64      `json:"id"`
	Kind      string     `json:"kind"`
	Title     string     `json:"title"`
	Body      string     `json:"body"`
	Link      string     `json:"link"`
	CreatedAt time.Time  `json:"created_at"`
	ReadAt    *time.Time `json:"read_at"`
}

// maxNotificationPage is the largest page the list returns.
const maxNotificationPage = 100

// listNotifications returns a page of the caller's own notifications,
// newest first, with the unread count (?offset=, ?limit= up to 100,
// ?unread=1 for the unread only).
func (s *handlers) listNotifications(c *fiber.Ctx) error {
	n, err := s.notifications()
	if err != nil {
		return err
	}
	offset, limit := c.QueryInt("offset", 0), c.QueryInt("limit", 20)
	fields := map[string]string{}
	if offset < 0 || offset > 1_000_000 {
		fields["offset"] = "0 or more"
	}
	if limit < 1 || limit > maxNotificationPage {
		fields["limit"] = "between 1 and 100"
	}
	unread := c.Query("unread")
	if unread != "" && unread != "0" && unread != "1" {
		fields["unread"] = "0 or 1"
	}
	if len(fields) > 0 {
		return models.Invalid("bad query parameter", fields)
	}
	sess, _ := sessionOf(c)
	page, err := n.List(c.UserContext(), sess.User, offset, limit, unread == "1")
	if err != nil {
		return err
	}
	items := make([]notificationJSON, len(page.Items))
	for i, it := range page.Items {
		items[i] = notificationJSON{ID: it.ID, Kind: string(it.Kind), Title: it.Title, Body: it.Body, Link: it.Link, CreatedAt: it.CreatedAt, ReadAt: it.ReadAt}
	}
	return c.JSON(fiber.Map{"notifications": items, "total": page.Total, "unread": page.Unread, "offset": offset, "limit": limit})
}

// readNotification marks one of the caller's notifications read (404 for
// anyone else's).
func (s *handlers) readNotification(c *fiber.Ctx) error {
	n, err := s.notifications()
	if err != nil {
		return err
	}
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	sess, _ := sessionOf(c)
	unread, err := n.MarkRead(c.UserContext(), sess.User, id)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"unread": unread})
}

// readAllNotifications marks all the caller's notifications read.
func (s *handlers) readAllNotifications(c *fiber.Ctx) error {
	n, err := s.notifications()
	if err != nil {
		return err
	}
	sess, _ := sessionOf(c)
	marked, err := n.MarkAllRead(c.UserContext(), sess.User)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"marked": marked, "unread": 0})
}

type settingsJSON struct {
	Email    string   `json:"email"`
	Language string   `json:"language"`
	EmailOff []string `json:"email_off"`
	// Kinds lists every kind the user may turn off, in display order.
	Kinds []string `json:"kinds"`
}

func toSettingsJSON(in models.UserSettings) settingsJSON {
	out := settingsJSON{Email: in.Email, Language: in.Language, EmailOff: []string{}, Kinds: make([]string, len(models.NotificationKinds))}
	for _, k := range in.EmailOff {
		out.EmailOff = append(out.EmailOff, string(k))
	}
	for i, k := range models.NotificationKinds {
		out.Kinds[i] = string(k)
	}
	return out
}

// mySettings returns the caller's own e-mail, language and opt-outs.
func (s *handlers) mySettings(c *fiber.Ctx) error {
	n, err := s.notifications()
	if err != nil {
		return err
	}
	sess, _ := sessionOf(c)
	out, err := n.Settings(c.UserContext(), sess.User)
	if err != nil {
		return err
	}
	return c.JSON(toSettingsJSON(out))
}

type settingsRequest struct {
	Email    string   `json:"email"`
	Language string   `json:"language"`
	EmailOff []string `json:"email_off"`
}

// saveMySettings replaces the caller's own settings (422 naming the field).
func (s *handlers) saveMySettings(c *fiber.Ctx) error {
	n, err := s.notifications()
	if err != nil {
		return err
	}
	var req settingsRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	in := models.UserSettings{Email: req.Email, Language: req.Language}
	for _, k := range req.EmailOff {
		in.EmailOff = append(in.EmailOff, models.NotificationKind(k))
	}
	who := callerOf(c)
	out, err := n.SaveSettings(c.UserContext(), who.Actor, who.User, in)
	if err != nil {
		return err
	}
	return c.JSON(toSettingsJSON(out))
}

type returnRequest struct {
	Reason string `json:"reason"`
}

// returnProject sends a submitted project back to its unit for changes,
// with the reason the unit is told.
func (s *handlers) returnProject(c *fiber.Ctx) error {
	if s.deps.Returns == nil {
		return models.Errorf(models.KindUnavailable, "projects are not configured")
	}
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req returnRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	p, err := s.deps.Returns.ReturnProject(c.UserContext(), actorOf(c), id, req.Reason)
	if err != nil {
		return err
	}
	tree, err := s.unitTree(c)
	if err != nil {
		return err
	}
	return c.JSON(toProjectJSON(tree, p))
}
