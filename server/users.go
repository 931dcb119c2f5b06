package server

import (
	"context"
	"sort"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"leitai/models"
)

// UserStore is what the user handlers call: the accounts an admin manages.
// The unit names in their answers come from the UnitStore (unitTree).
type UserStore interface {
	ListUsers(ctx context.Context, f models.UserFilter) ([]models.User, error)
	CreateUser(ctx context.Context, actor models.Actor, n models.NewUser) (models.User, error)
	UpdateUser(ctx context.Context, actor models.Actor, id int64, p models.UserProfile) (models.User, error)
	ResetPassword(ctx context.Context, actor models.Actor, id int64, password string) error
	ImportUsers(ctx context.Context, actor models.Actor, rows []models.UserImportRow) (map[string]string, error)
	CreateLoginLink(ctx context.Context, actor models.Actor, userID int64, ttl time.Duration) (string, time.Time, error)
}

// adminUserJSON is a user as the admin console shows it.
type adminUserJSON struct {
	userJSON
	UnitName  string    `json:"unit_name"`
	Phone     string    `json:"phone"`
	Expertise []string  `json:"expertise"`
	Bio       string    `json:"bio"`
	Email     string    `json:"email"`
	Disabled  bool      `json:"disabled"`
	CreatedAt time.Time `json:"created_at"`
}

func toAdminUserJSON(c *fiber.Ctx, tree *models.UnitTree, u models.User) adminUserJSON {
	out := adminUserJSON{userJSON: toUserJSON(u), Phone: maskFor(c, u.Phone), Expertise: u.Expertise, Bio: u.Bio,
		Email: u.Email, Disabled: u.Disabled, CreatedAt: u.CreatedAt}
	if out.Expertise == nil {
		out.Expertise = []string{}
	}
	if u.UnitID != nil && tree != nil {
		if unit, ok := tree.Unit(*u.UnitID); ok {
			out.UnitName = unit.Name
		}
	}
	return out
}

func (s *handlers) unitTree(c *fiber.Ctx) (*models.UnitTree, error) {
	units, err := s.deps.Units.ListUnits(c.UserContext())
	if err != nil {
		return nil, err
	}
	return models.NewUnitTree(units), nil
}

func (s *handlers) listUsers(c *fiber.Ctx) error {
	unitID, err := queryID(c, "unit_id")
	if err != nil {
		return err
	}
	f := models.UserFilter{Role: models.Role(c.Query("role")), UnitID: unitID, Query: c.Query("q"),
		IncludeDisabled: c.QueryBool("include_disabled")}
	if f.Role != "" {
		if _, err := models.ParseRoles(string(f.Role)); err != nil {
			return err
		}
	}
	users, err := s.deps.Users.ListUsers(c.UserContext(), f)
	if err != nil {
		return err
	}
	tree, err := s.unitTree(c)
	if err != nil {
		return err
	}
	out := make([]adminUserJSON, len(users))
	for i, u := range users {
		out[i] = toAdminUserJSON(c, tree, u)
	}
	return c.JSON(fiber.Map{"users": out})
}

type userCreateRequest struct {
	Username    string        `json:"username"`
	DisplayName string        `json:"display_name"`
	Password    string        `json:"password"`
	Roles       []models.Role `json:"roles"`
	UnitID      *int64        `json:"unit_id"`
	Phone       string        `json:"phone"`
	Expertise   []string      `json:"expertise"`
	Bio         string        `json:"bio"`
	Email       string        `json:"email"`
}

func (s *handlers) userResponse(c *fiber.Ctx, status int, u models.User) error {
	tree, err := s.unitTree(c)
	if err != nil {
		return err
	}
	return c.Status(status).JSON(toAdminUserJSON(c, tree, u))
}

func (s *handlers) createUser(c *fiber.Ctx) error {
	var req userCreateRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	u, err := s.deps.Users.CreateUser(c.UserContext(), actorOf(c), models.NewUser{
		Username: req.Username, DisplayName: req.DisplayName, Password: req.Password, Roles: req.Roles,
		UnitID: req.UnitID, Phone: req.Phone, Expertise: req.Expertise, Bio: req.Bio, Email: req.Email,
	})
	if err != nil {
		return err
	}
	return s.userResponse(c, fiber.StatusCreated, u)
}

type userUpdateRequest struct {
	DisplayName string        `json:"display_name"`
	Roles       []models.Role `json:"roles"`
	UnitID      *int64        `json:"unit_id"`
	Phone       string        `json:"phone"`
	Expertise   []string      `json:"expertise"`
	Bio         string        `json:"bio"`
	Disabled    bool          `json:"disabled"`
	// Email: absent keeps the address, "" removes it.
	Email *string `json:"email"`
}

func (s *handlers) updateUser(c *fiber.Ctx) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req userUpdateRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	u, err := s.deps.Users.UpdateUser(c.UserContext(), actorOf(c), id, models.UserProfile{
		DisplayName: req.DisplayName, Roles: req.Roles, UnitID: req.UnitID, Phone: req.Phone,
		Expertise: req.Expertise, Bio: req.Bio, Disabled: req.Disabled, Email: req.Email,
	})
	if err != nil {
		return err
	}
	return s.userResponse(c, fiber.StatusOK, u)
}

type passwordResetRequest struct {
	Password string `json:"password"`
}

func (s *handlers) resetPassword(c *fiber.Ctx) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req passwordResetRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if err := s.deps.Users.ResetPassword(c.UserContext(), actorOf(c), id, req.Password); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

type loginLinkRequest struct {
	TTLMinutes int `json:"ttl_minutes"`
}

// defaultLinkTTL is how long a tablet login link lasts when not given:
// long enough to hand out the morning before the final.
const defaultLinkTTL = 12 * time.Hour

func (s *handlers) createLoginLink(c *fiber.Ctx) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req loginLinkRequest
	if len(c.Body()) > 0 {
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
	}
	ttl := defaultLinkTTL
	if req.TTLMinutes != 0 {
		ttl = time.Duration(req.TTLMinutes) * time.Minute
	}
	token, expires, err := s.deps.Users.CreateLoginLink(c.UserContext(), actorOf(c), id, ttl)
	if err != nil {
		return err
	}
	// The token rides in the fragment, which browsers never send to servers
	// or put in Referer headers, so it stays out of access logs.
	url := strings.TrimRight(s.deps.Config.PublicURL, "/") + "/login/link#" + token
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"url": url, "expires_at": expires})
}

type generatedPassword struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

func (s *handlers) importUsers(c *fiber.Ctx) error {
	table, err := readUploadedTable(c)
	if err != nil {
		return err
	}
	rows, err := userRows(table)
	if err != nil {
		return err
	}
	generated, err := s.deps.Users.ImportUsers(c.UserContext(), actorOf(c), rows)
	if err != nil {
		return err
	}
	out := make([]generatedPassword, 0, len(generated))
	for u, p := range generated {
		out = append(out, generatedPassword{Username: u, Password: p})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Username < out[j].Username })
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(fiber.Map{"imported": len(rows), "passwords": out})
}
