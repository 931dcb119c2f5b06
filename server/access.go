package server

import (
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"leitai/models"
)

// Access rules live here and only here: every API route is registered with
// one, and a request is denied unless its rule allows it.

// access is who may call a route.
type access struct {
	// public routes need no session.
	public bool
	// roles, when set, are the roles any one of which is enough; an empty
	// list on a non-public rule means "any signed-in user".
	roles []models.Role
	// noCSRF exempts a mutating route that opens a session (login, setup,
	// link redemption): there is no token yet.
	noCSRF bool
	// tablet lets a judge's tablet-link session in; with liveEvent, only
	// for the live final in the :id parameter it was issued for.
	tablet, liveEvent bool
}

var (
	publicAccess  = access{public: true}
	sessionOpener = access{public: true, noCSRF: true}
	signedIn      = access{}
	// anySession is signed-in routes a tablet session needs too (who am I,
	// sign out).
	anySession = access{tablet: true}
	// judgeTablet is a live final's judge routes: experts, including the
	// tablet sessions issued for that final.
	judgeTablet = access{roles: []models.Role{models.RoleExpert}, tablet: true, liveEvent: true}
	adminsOnly  = access{roles: []models.Role{models.RoleAdmin}}
	unitsOnly   = access{roles: []models.Role{models.RoleUnit}}
	expertsOnly = access{roles: []models.Role{models.RoleExpert}}
	// hostsAndAdmins run the live final.
	hostsAndAdmins = access{roles: []models.Role{models.RoleHost, models.RoleAdmin}}
	// unitsAndAdmins may reach project routes; storage then narrows a unit
	// to its own projects (others are not found).
	unitsAndAdmins = access{roles: []models.Role{models.RoleUnit, models.RoleAdmin}}
	// uploaders may follow an upload they started: units and admins for
	// projects, experts for their site-visit photos (storage narrows
	// each to their own).
	uploaders = access{roles: []models.Role{models.RoleUnit, models.RoleAdmin, models.RoleExpert}}
)

// rule is one row of the route table, kept for the access test and docs.
type rule struct {
	method, path string
	access       access
}

// router registers API routes with their access rule in front.
type router struct {
	app   *fiber.App
	s     *handlers
	rules []rule
}

func (r *router) handle(method, path string, a access, h fiber.Handler) {
	r.rules = append(r.rules, rule{method: method, path: path, access: a})
	r.app.Add(method, path, r.s.authorize(a), h)
}

func (r *router) get(path string, a access, h fiber.Handler)  { r.handle(fiber.MethodGet, path, a, h) }
func (r *router) post(path string, a access, h fiber.Handler) { r.handle(fiber.MethodPost, path, a, h) }
func (r *router) put(path string, a access, h fiber.Handler)  { r.handle(fiber.MethodPut, path, a, h) }
func (r *router) patch(path string, a access, h fiber.Handler) {
	r.handle(fiber.MethodPatch, path, a, h)
}
func (r *router) delete(path string, a access, h fiber.Handler) {
	r.handle(fiber.MethodDelete, path, a, h)
}

const (
	sessionCookie = "leitai_session"
	sessionKey    = "session"
	csrfHeader    = "X-CSRF-Token"
)

// authorize loads the session from the cookie and applies the rule: no
// session → 401, wrong role or missing CSRF token → 403.
func (s *handlers) authorize(a access) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if isMutating(c.Method()) && s.crossSite(c) {
			return models.Errorf(models.KindForbidden, "a request from another site cannot change anything here: open Leitai itself")
		}
		token := c.Cookies(sessionCookie)
		if token != "" {
			sess, err := s.deps.Accounts.SessionByToken(c.UserContext(), token)
			switch {
			case err == nil:
				c.Locals(sessionKey, sess)
			case models.KindOf(err) == models.KindUnauthenticated:
				s.clearSessionCookie(c)
				if !a.public {
					return err
				}
			default:
				return err
			}
		}
		if a.public {
			return c.Next()
		}
		sess, ok := sessionOf(c)
		if !ok {
			return models.Errorf(models.KindUnauthenticated, "please sign in")
		}
		if len(a.roles) > 0 && !slices.ContainsFunc(a.roles, sess.User.HasRole) {
			return models.Errorf(models.KindForbidden, "this needs the role %s", joinRoles(a.roles))
		}
		if t := sess.Tablet; t != nil {
			if !a.tablet || (a.liveEvent && c.Params("id") != strconv.FormatInt(t.LiveShowID, 10)) {
				return models.Errorf(models.KindForbidden, "a tablet link reaches only its live final's scoring: sign in with a password for anything else")
			}
		}
		if isMutating(c.Method()) && !a.noCSRF && !sess.CheckCSRF(c.Get(csrfHeader)) {
			return models.Errorf(models.KindForbidden, "missing or wrong %s header: reload the page", csrfHeader)
		}
		return c.Next()
	}
}

func joinRoles(roles []models.Role) string {
	s := make([]string, len(roles))
	for i, r := range roles {
		s[i] = string(r)
	}
	return strings.Join(s, " or ")
}

func isMutating(method string) bool {
	switch method {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
		return false
	}
	return true
}

// sessionOf returns the request's session, if signed in.
func sessionOf(c *fiber.Ctx) (models.Session, bool) {
	sess, ok := c.Locals(sessionKey).(models.Session)
	return sess, ok
}

// actorOf names the caller for the audit log.
func actorOf(c *fiber.Ctx) models.Actor {
	a := models.Actor{IP: c.IP()}
	if sess, ok := sessionOf(c); ok {
		id := sess.User.ID
		a.UserID, a.Name = &id, sess.User.Username
		if t := sess.Tablet; t != nil {
			a.Name += " via tablet link issued by " + t.IssuedBy
		}
	}
	return a
}

// crossSite reports a state-changing request that a browser says comes from
// another site (login CSRF and CSRF before a session exists). Browsers send
// Sec-Fetch-Site and Origin on every such request; a client that sends
// neither is not a browser, and the CSRF token still guards its sessions.
func (s *handlers) crossSite(c *fiber.Ctx) bool {
	switch c.Get("Sec-Fetch-Site") {
	case "same-origin", "none":
		return false
	case "cross-site":
		return true
	}
	origin := c.Get(fiber.HeaderOrigin)
	if origin == "" {
		return c.Get("Sec-Fetch-Site") == "same-site" // same-site without an origin: refuse
	}
	return !s.ownOrigin(c, origin)
}

// ownOrigin is whether origin is this server as the browser reached it or
// as the public URL names it.
func (s *handlers) ownOrigin(c *fiber.Ctx, origin string) bool {
	if strings.EqualFold(origin, c.Protocol()+"://"+string(c.Request().Host())) {
		return true
	}
	if pub := s.deps.Config.PublicURL; pub != "" {
		if u, err := url.Parse(pub); err == nil && strings.EqualFold(origin, u.Scheme+"://"+u.Host) {
			return true
		}
	}
	return false
}
