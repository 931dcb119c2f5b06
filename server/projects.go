package server

import (
	"context"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"leitai/models"
)

// Projects holds the units' projects.
type Projects interface {
	CreateProject(ctx context.Context, actor models.Actor, user models.User, editionID int64, f models.ProjectFields, loc *time.Location) (models.Project, error)
	ProjectByID(ctx context.Context, user models.User, id int64) (models.Project, error)
	SaveDraft(ctx context.Context, user models.User, id int64, f models.ProjectFields, loc *time.Location) (models.Project, error)
	SubmitProject(ctx context.Context, actor models.Actor, user models.User, id int64, loc *time.Location) (models.Project, error)
	WithdrawProject(ctx context.Context, actor models.Actor, user models.User, id int64, loc *time.Location) (models.Project, error)
	ProjectVersions(ctx context.Context, user models.User, id int64) ([]models.ProjectVersion, error)
	SetEligibility(ctx context.Context, actor models.Actor, ids []int64, eligible bool, reason string) ([]models.Project, error)
	ListProjects(ctx context.Context, user models.User, f models.ProjectFilter) ([]models.Project, error)
}

// projectJSON is a project as its unit and the admins see it. `missing`
// lists the required fields still empty, for the submit checklist.
type projectJSON struct {
	ID        int64    `json:"id"`
	EditionID int64    `json:"edition_id"`
	UnitID    int64    `json:"unit_id"`
	UnitName  string   `json:"unit_name"`
	UnitPath  []string `json:"unit_path"`
	models.ProjectFields
	Status            models.ProjectStatus `json:"status"`
	EligibilityReason string               `json:"eligibility_reason"`
	Version           int                  `json:"version"`
	SubmittedAt       *time.Time           `json:"submitted_at"`
	CreatedAt         time.Time            `json:"created_at"`
	UpdatedAt         time.Time            `json:"updated_at"`
	Missing           []string             `json:"missing"`
	// Recommendation is the recommender's decision or comment (null
	// before any).
	Recommendation *recommendationJSON `json:"recommendation"`
}

func toProjectJSON(tree *models.UnitTree, p models.Project) projectJSON {
	out := projectJSON{ID: p.ID, EditionID: p.EditionID, UnitID: p.UnitID, ProjectFields: p.ProjectFields,
		Status: p.Status, EligibilityReason: p.EligibilityReason, Version: p.Version, SubmittedAt: p.SubmittedAt,
		CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt, Missing: []string{}, UnitPath: []string{},
		Recommendation: toRecommendationJSON(tree, p.Recommendation)}
	if tree != nil {
		if u, ok := tree.Unit(p.UnitID); ok {
			out.UnitName = u.Name
			out.UnitPath = tree.Path(p.UnitID)
		}
	}
	m := p.ProjectFields.Map()
	for _, l := range models.ProjectFieldLimits {
		if strings.TrimSpace(m[l.Name]) == "" {
			out.Missing = append(out.Missing, l.Name)
		}
	}
	return out
}

func (s *handlers) projectResponse(c *fiber.Ctx, status int, p models.Project) error {
	tree, err := s.unitTree(c)
	if err != nil {
		return err
	}
	return c.Status(status).JSON(toProjectJSON(tree, p))
}

func (s *handlers) projectFilter(c *fiber.Ctx) (models.ProjectFilter, error) {
	editionID, err := pathID(c, "id")
	if err != nil {
		return models.ProjectFilter{}, err
	}
	f := models.ProjectFilter{EditionID: editionID, Category: c.Query("category"), Status: models.ProjectStatus(c.Query("status")), Query: c.Query("q")}
	if f.CountyID, err = queryID(c, "county_id"); err != nil {
		return f, err
	}
	if f.UnitID, err = queryID(c, "unit_id"); err != nil {
		return f, err
	}
	return f, nil
}

func (s *handlers) listProjects(c *fiber.Ctx) error {
	f, err := s.projectFilter(c)
	if err != nil {
		return err
	}
	if _, err := s.deps.Editions.EditionByID(c.UserContext(), f.EditionID); err != nil {
		return err
	}
	sess, _ := sessionOf(c)
	projects, err := s.deps.Projects.ListProjects(c.UserContext(), sess.User, f)
	if err != nil {
		return err
	}
	tree, err := s.unitTree(c)
	if err != nil {
		return err
	}
	out := make([]projectJSON, len(projects))
	for i, p := range projects {
		out[i] = toProjectJSON(tree, p)
	}
	return c.JSON(fiber.Map{"projects": out})
}

func (s *handlers) createProject(c *fiber.Ctx) error {
	editionID, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req models.ProjectFields
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	sess, _ := sessionOf(c)
	p, err := s.deps.Projects.CreateProject(c.UserContext(), actorOf(c), sess.User, editionID, req, s.deps.Config.Location)
	if err != nil {
		return err
	}
	return s.projectResponse(c, fiber.StatusCreated, p)
}

func (s *handlers) getProject(c *fiber.Ctx) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	sess, _ := sessionOf(c)
	p, err := s.deps.Projects.ProjectByID(c.UserContext(), sess.User, id)
	if err != nil {
		return err
	}
	return s.projectResponse(c, fiber.StatusOK, p)
}

func (s *handlers) saveProject(c *fiber.Ctx) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req models.ProjectFields
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	sess, _ := sessionOf(c)
	p, err := s.deps.Projects.SaveDraft(c.UserContext(), sess.User, id, req, s.deps.Config.Location)
	if err != nil {
		return err
	}
	return s.projectResponse(c, fiber.StatusOK, p)
}

func (s *handlers) submitProject(c *fiber.Ctx) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	sess, _ := sessionOf(c)
	p, err := s.deps.Projects.SubmitProject(c.UserContext(), actorOf(c), sess.User, id, s.deps.Config.Location)
	if err != nil {
		return err
	}
	return s.projectResponse(c, fiber.StatusOK, p)
}

func (s *handlers) withdrawProject(c *fiber.Ctx) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	sess, _ := sessionOf(c)
	p, err := s.deps.Projects.WithdrawProject(c.UserContext(), actorOf(c), sess.User, id, s.deps.Config.Location)
	if err != nil {
		return err
	}
	return s.projectResponse(c, fiber.StatusOK, p)
}

type versionJSON struct {
	Version     int                  `json:"version"`
	SubmittedAt time.Time            `json:"submitted_at"`
	SubmittedBy string               `json:"submitted_by"`
	Fields      models.ProjectFields `json:"fields"`
}

func (s *handlers) projectVersions(c *fiber.Ctx) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	sess, _ := sessionOf(c)
	versions, err := s.deps.Projects.ProjectVersions(c.UserContext(), sess.User, id)
	if err != nil {
		return err
	}
	out := make([]versionJSON, len(versions))
	for i, v := range versions {
		out[i] = versionJSON{Version: v.Version, SubmittedAt: v.SubmittedAt, SubmittedBy: v.SubmittedBy, Fields: v.Fields}
	}
	return c.JSON(fiber.Map{"versions": out})
}

type eligibilityRequest struct {
	ProjectIDs []int64 `json:"project_ids"`
	Eligible   bool    `json:"eligible"`
	Reason     string  `json:"reason"`
}

func (s *handlers) setEligibility(c *fiber.Ctx) error {
	var req eligibilityRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	projects, err := s.deps.Projects.SetEligibility(c.UserContext(), actorOf(c), req.ProjectIDs, req.Eligible, req.Reason)
	if err != nil {
		return err
	}
	tree, err := s.unitTree(c)
	if err != nil {
		return err
	}
	out := make([]projectJSON, len(projects))
	for i, p := range projects {
		out[i] = toProjectJSON(tree, p)
	}
	return c.JSON(fiber.Map{"projects": out})
}
