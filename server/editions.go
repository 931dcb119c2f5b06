package server

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"

	"leitai/models"
)

// Editions holds the yearly editions (the edition handlers, and the
// project, export and round handlers that check one).
type Editions interface {
	ListEditions(ctx context.Context, onlyPublic bool) ([]models.Edition, error)
	EditionByID(ctx context.Context, id int64) (models.Edition, error)
	CreateEdition(ctx context.Context, actor models.Actor, in models.EditionInput) (models.Edition, error)
	UpdateEdition(ctx context.Context, actor models.Actor, id int64, in models.EditionInput) (models.Edition, error)
}

// editionJSON is an edition as the API shows it. Times are RFC 3339 UTC;
// `deadline` includes the grace period and `accepting` says whether units
// may change projects right now.
type editionJSON struct {
	ID           int64                `json:"id"`
	Year         int                  `json:"year"`
	Title        string               `json:"title"`
	Categories   []string             `json:"categories"`
	OpensAt      time.Time            `json:"opens_at"`
	ClosesAt     time.Time            `json:"closes_at"`
	GraceMinutes int                  `json:"grace_minutes"`
	Deadline     time.Time            `json:"deadline"`
	QuotaPerUnit int                  `json:"quota_per_unit"`
	Status       models.EditionStatus `json:"status"`
	Accepting    bool                 `json:"accepting"`
	// The recommendation step (县区推荐) and each subtree root's quota.
	RecommendStep   bool                 `json:"recommend_step"`
	RecommendQuotas []recommendQuotaJSON `json:"recommend_quotas"`
}

func (s *handlers) toEditionJSON(e models.Edition) editionJSON {
	cats := e.Categories
	if cats == nil {
		cats = []string{}
	}
	return editionJSON{ID: e.ID, Year: e.Year, Title: e.Title, Categories: cats, OpensAt: e.OpensAt, ClosesAt: e.ClosesAt,
		GraceMinutes: e.GraceMinutes, Deadline: e.Deadline(), QuotaPerUnit: e.QuotaPerUnit, Status: e.Status,
		Accepting:     e.AcceptsChanges(s.deps.Clock(), s.deps.Config.Location) == nil,
		RecommendStep: e.Recommend.Step, RecommendQuotas: toQuotasJSON(e.Recommend.Quotas)}
}

func (s *handlers) listEditions(c *fiber.Ctx) error {
	editions, err := s.deps.Editions.ListEditions(c.UserContext(), !viewerIsAdmin(c))
	if err != nil {
		return err
	}
	out := make([]editionJSON, len(editions))
	for i, e := range editions {
		out[i] = s.toEditionJSON(e)
	}
	return c.JSON(fiber.Map{"editions": out})
}

// currentEdition is the newest active edition: the one the public pages and
// the portal show.
func (s *handlers) currentEdition(c *fiber.Ctx) error {
	editions, err := s.deps.Editions.ListEditions(c.UserContext(), true)
	if err != nil {
		return err
	}
	for _, e := range editions {
		if e.Status == models.EditionActive {
			return c.JSON(s.toEditionJSON(e))
		}
	}
	return models.Errorf(models.KindNotFound, "no edition is running")
}

func (s *handlers) getEdition(c *fiber.Ctx) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	e, err := s.deps.Editions.EditionByID(c.UserContext(), id)
	if err != nil {
		return err
	}
	if e.Status == models.EditionDraft && !viewerIsAdmin(c) {
		return models.Errorf(models.KindNotFound, "no edition %d", id)
	}
	return c.JSON(s.toEditionJSON(e))
}

type editionRequest struct {
	Year         int                  `json:"year"`
	Title        string               `json:"title"`
	Categories   []string             `json:"categories"`
	OpensAt      time.Time            `json:"opens_at"`
	ClosesAt     time.Time            `json:"closes_at"`
	GraceMinutes int                  `json:"grace_minutes"`
	QuotaPerUnit int                  `json:"quota_per_unit"`
	Status       models.EditionStatus `json:"status"`
	// Absent: the edition keeps its recommendation settings.
	RecommendStep   *bool                 `json:"recommend_step"`
	RecommendQuotas *[]recommendQuotaJSON `json:"recommend_quotas"`
}

func (r editionRequest) input(current models.RecommendSettings) models.EditionInput {
	return models.EditionInput{Year: r.Year, Title: r.Title, Categories: r.Categories, OpensAt: r.OpensAt,
		ClosesAt: r.ClosesAt, GraceMinutes: r.GraceMinutes, QuotaPerUnit: r.QuotaPerUnit, Status: r.Status,
		Recommend: recommendInput(r.RecommendStep, r.RecommendQuotas, current)}
}

func (s *handlers) createEdition(c *fiber.Ctx) error {
	var req editionRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	e, err := s.deps.Editions.CreateEdition(c.UserContext(), actorOf(c), req.input(models.RecommendSettings{}))
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(s.toEditionJSON(e))
}

func (s *handlers) updateEdition(c *fiber.Ctx) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req editionRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	current, err := s.deps.Editions.EditionByID(c.UserContext(), id)
	if err != nil {
		return err
	}
	e, err := s.deps.Editions.UpdateEdition(c.UserContext(), actorOf(c), id, req.input(current.Recommend))
	if err != nil {
		return err
	}
	return c.JSON(s.toEditionJSON(e))
}
