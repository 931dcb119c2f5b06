package server

import (
	"context"

	"github.com/gofiber/fiber/v2"

	"leitai/models"
)

// UnitStore is what the unit handlers call: the organisation tree and its
// changes. The unit names other responses show come from ListUnits too
// (unitTree).
type UnitStore interface {
	ListUnits(ctx context.Context) ([]models.Unit, error)
	CreateUnit(ctx context.Context, actor models.Actor, in models.UnitInput) (models.Unit, error)
	UpdateUnit(ctx context.Context, actor models.Actor, id int64, in models.UnitInput) (models.Unit, error)
	DeleteUnit(ctx context.Context, actor models.Actor, id int64) error
	ImportUnits(ctx context.Context, actor models.Actor, rows []models.UnitImportRow) (int, error)
}

// unitJSON is a unit as the API shows it.
type unitJSON struct {
	ID           int64           `json:"id"`
	ParentID     *int64          `json:"parent_id"`
	Kind         models.UnitKind `json:"kind"`
	Name         string          `json:"name"`
	ContactName  string          `json:"contact_name"`
	ContactPhone string          `json:"contact_phone"`
	Path         []string        `json:"path"`
}

// viewerIsAdmin reports whether the caller may see personal data unmasked.
func viewerIsAdmin(c *fiber.Ctx) bool {
	sess, ok := sessionOf(c)
	return ok && sess.User.HasRole(models.RoleAdmin)
}

func maskFor(c *fiber.Ctx, phone string) string {
	if phone == "" || viewerIsAdmin(c) {
		return phone
	}
	return models.MaskPhone(phone)
}

func toUnitJSON(c *fiber.Ctx, tree *models.UnitTree, u models.Unit) unitJSON {
	path := []string{u.Name}
	if tree != nil {
		path = tree.Path(u.ID)
	}
	return unitJSON{ID: u.ID, ParentID: u.ParentID, Kind: u.Kind, Name: u.Name, ContactName: u.ContactName,
		ContactPhone: maskFor(c, u.ContactPhone), Path: path}
}

func (s *handlers) listUnits(c *fiber.Ctx) error {
	units, err := s.deps.Units.ListUnits(c.UserContext())
	if err != nil {
		return err
	}
	tree := models.NewUnitTree(units)
	out := make([]unitJSON, len(units))
	for i, u := range units {
		out[i] = toUnitJSON(c, tree, u)
	}
	return c.JSON(fiber.Map{"units": out})
}

type unitRequest struct {
	ParentID     *int64          `json:"parent_id"`
	Kind         models.UnitKind `json:"kind"`
	Name         string          `json:"name"`
	ContactName  string          `json:"contact_name"`
	ContactPhone string          `json:"contact_phone"`
}

func (r unitRequest) input() models.UnitInput {
	return models.UnitInput{ParentID: r.ParentID, Kind: r.Kind, Name: r.Name, ContactName: r.ContactName, ContactPhone: r.ContactPhone}
}

// unitResponse answers with the unit and its path in the current tree.
func (s *handlers) unitResponse(c *fiber.Ctx, status int, u models.Unit) error {
	units, err := s.deps.Units.ListUnits(c.UserContext())
	if err != nil {
		return err
	}
	return c.Status(status).JSON(toUnitJSON(c, models.NewUnitTree(units), u))
}

func (s *handlers) createUnit(c *fiber.Ctx) error {
	var req unitRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	u, err := s.deps.Units.CreateUnit(c.UserContext(), actorOf(c), req.input())
	if err != nil {
		return err
	}
	return s.unitResponse(c, fiber.StatusCreated, u)
}

func (s *handlers) updateUnit(c *fiber.Ctx) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req unitRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	u, err := s.deps.Units.UpdateUnit(c.UserContext(), actorOf(c), id, req.input())
	if err != nil {
		return err
	}
	return s.unitResponse(c, fiber.StatusOK, u)
}

func (s *handlers) deleteUnit(c *fiber.Ctx) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if err := s.deps.Units.DeleteUnit(c.UserContext(), actorOf(c), id); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *handlers) importUnits(c *fiber.Ctx) error {
	table, err := readUploadedTable(c)
	if err != nil {
		return err
	}
	rows, err := unitRows(table)
	if err != nil {
		return err
	}
	n, err := s.deps.Units.ImportUnits(c.UserContext(), actorOf(c), rows)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"imported": n})
}
