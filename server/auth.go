package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"leitai/models"
)

// Accounts signs people in and out.
type Accounts interface {
	Login(ctx context.Context, a models.LoginAttempt) (string, models.Session, error)
	SessionByToken(ctx context.Context, token string) (models.Session, error)
	Logout(ctx context.Context, token string) error
	ChangePassword(ctx context.Context, actor models.Actor, userID int64, current, next, userAgent string) (string, models.Session, error)
	RedeemLoginLink(ctx context.Context, token, ip, userAgent string) (string, models.Session, error)
	SetupNeeded(ctx context.Context) (bool, error)
	SetupFirstAdmin(ctx context.Context, n models.NewUser, ip, userAgent string) (string, models.Session, error)
}

// userJSON is the contract's user object.
type userJSON struct {
	ID          int64         `json:"id"`
	Username    string        `json:"username"`
	DisplayName string        `json:"display_name"`
	Roles       []models.Role `json:"roles"`
	UnitID      *int64        `json:"unit_id"`
}

func toUserJSON(u models.User) userJSON {
	roles := u.Roles
	if roles == nil {
		roles = []models.Role{}
	}
	return userJSON{ID: u.ID, Username: u.Username, DisplayName: u.DisplayName, Roles: roles, UnitID: u.UnitID}
}

// sessionJSON answers login, setup and link redemption.
type sessionJSON struct {
	User      userJSON `json:"user"`
	CSRFToken string   `json:"csrf_token"`
}

func (s *handlers) setSessionCookie(c *fiber.Ctx, token string, sess models.Session) {
	c.Cookie(&fiber.Cookie{
		Name: sessionCookie, Value: token, Path: "/", HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode,
		Secure: s.deps.Config.SecureCookies, Expires: sess.ExpiresAt,
	})
}

func (s *handlers) clearSessionCookie(c *fiber.Ctx) {
	c.Cookie(&fiber.Cookie{
		Name: sessionCookie, Value: "", Path: "/", HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode,
		Secure: s.deps.Config.SecureCookies, Expires: time.Unix(0, 0), MaxAge: -1,
	})
}

func (s *handlers) startSession(c *fiber.Ctx, token string, sess models.Session, err error) error {
	if err != nil {
		return err
	}
	s.setSessionCookie(c, token, sess)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(sessionJSON{User: toUserJSON(sess.User), CSRFToken: sess.CSRFToken})
}

type loginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

func (s *handlers) login(c *fiber.Ctx) error {
	var req loginRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if strings.TrimSpace(req.Username) == "" || req.Password == "" {
		return models.Invalid("username and password are required", map[string]string{"username": "required", "password": "required"})
	}
	username := strings.TrimSpace(req.Username)
	now := s.deps.Clock()
	device := models.VerifyDevice(s.deps.Config.Secret, c.Cookies(models.DeviceCookieName(username)), username, now)
	token, sess, err := s.deps.Accounts.Login(c.UserContext(), models.LoginAttempt{Username: username, Password: req.Password,
		IP: c.IP(), UserAgent: c.Get(fiber.HeaderUserAgent), Device: device})
	if err == nil {
		s.setDeviceCookie(c, sess.User.Username, now)
	}
	return s.startSession(c, token, sess, err)
}

// setDeviceCookie marks this browser as one that has signed in as the user
// (a fresh device id each time), sent back only to the login route.
func (s *handlers) setDeviceCookie(c *fiber.Ctx, username string, now time.Time) {
	if len(s.deps.Config.Secret) == 0 {
		return
	}
	expires := now.Add(models.DeviceLifetime)
	c.Cookie(&fiber.Cookie{
		Name: models.DeviceCookieName(username), Value: models.SignDevice(s.deps.Config.Secret, username, newDeviceID(), expires),
		Path: "/api/v1/auth/login", HTTPOnly: true, SameSite: fiber.CookieSameSiteStrictMode,
		Secure: s.deps.Config.SecureCookies, Expires: expires,
	})
}

func newDeviceID() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand: " + err.Error())
	}
	return hex.EncodeToString(b)
}

func (s *handlers) logout(c *fiber.Ctx) error {
	if err := s.deps.Accounts.Logout(c.UserContext(), c.Cookies(sessionCookie)); err != nil {
		return err
	}
	s.clearSessionCookie(c)
	return c.SendStatus(fiber.StatusNoContent)
}

// meJSON is the user object plus the session's CSRF token, so a reloaded
// page can pick it up again.
type meJSON struct {
	userJSON
	CSRFToken string `json:"csrf_token"`
}

func (s *handlers) me(c *fiber.Ctx) error {
	sess, _ := sessionOf(c)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(meJSON{userJSON: toUserJSON(sess.User), CSRFToken: sess.CSRFToken})
}

type passwordChangeRequest struct {
	CurrentPassword string `json:"current_password"`
	NewPassword     string `json:"new_password"`
}

func (s *handlers) changePassword(c *fiber.Ctx) error {
	var req passwordChangeRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	sess, _ := sessionOf(c)
	token, next, err := s.deps.Accounts.ChangePassword(c.UserContext(), actorOf(c), sess.User.ID, req.CurrentPassword, req.NewPassword, c.Get(fiber.HeaderUserAgent))
	if err != nil {
		return err
	}
	s.setSessionCookie(c, token, next)
	return c.JSON(fiber.Map{"csrf_token": next.CSRFToken})
}

type linkRequest struct {
	Token string `json:"token"`
}

func (s *handlers) redeemLink(c *fiber.Ctx) error {
	var req linkRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.Token == "" {
		return models.Invalid("the token is missing", map[string]string{"token": "required"})
	}
	token, sess, err := s.deps.Accounts.RedeemLoginLink(c.UserContext(), req.Token, c.IP(), c.Get(fiber.HeaderUserAgent))
	return s.startSession(c, token, sess, err)
}

func (s *handlers) setupStatus(c *fiber.Ctx) error {
	needed, err := s.deps.Accounts.SetupNeeded(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"needed": needed})
}

type setupRequest struct {
	Username    string `json:"username"`
	DisplayName string `json:"display_name"`
	Password    string `json:"password"`
}

func (s *handlers) setup(c *fiber.Ctx) error {
	var req setupRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	n := models.NewUser{Username: strings.TrimSpace(req.Username), DisplayName: req.DisplayName, Password: req.Password}
	token, sess, err := s.deps.Accounts.SetupFirstAdmin(c.UserContext(), n, c.IP(), c.Get(fiber.HeaderUserAgent))
	return s.startSession(c, token, sess, err)
}
