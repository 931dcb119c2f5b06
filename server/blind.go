package server

import (
	"context"
	"fmt"
	"time"

	"github.com/gofiber/fiber/v2"

	"leitai/models"
)

// Redactions are a blind round's redacted copies of its projects' texts
// (storage/blind.go): the admin reviews the hits that name each unit and
// saves a copy, which the round's experts read instead of the original.
type Redactions interface {
	BlindReview(ctx context.Context, roundID int64) (models.Round, []models.BlindProject, error)
	SaveRedaction(ctx context.Context, actor models.Actor, roundID, projectID int64, texts map[string]string) (models.BlindProject, error)
}

type blindProjectJSON struct {
	ProjectID int64                 `json:"project_id"`
	Version   int                   `json:"version"`
	Original  map[string]string     `json:"original"`
	Hits      models.BlindFieldHits `json:"hits"`
	// Copy is the saved redacted copy (null before one is saved) and
	// CopyHits the hits still in it.
	Copy     map[string]string     `json:"copy"`
	CopyHits models.BlindFieldHits `json:"copy_hits"`
	Terms    []models.BlindTerm    `json:"terms"`
	SavedBy  string                `json:"saved_by"`
	SavedAt  *time.Time            `json:"saved_at"`
	Stale    bool                  `json:"stale"`
	Scored   bool                  `json:"scored"`
	// Editable: the round is a draft or open and no expert has scored
	// the project yet.
	Editable bool `json:"editable"`
	// Unredacted counts the hits in what experts would read now.
	Unredacted int `json:"unredacted"`
}

func toBlindProjectJSON(r models.Round, b models.BlindProject) blindProjectJSON {
	hits, copyHits := b.Hits, b.CopyHits
	if hits == nil {
		hits = models.BlindFieldHits{}
	}
	if copyHits == nil {
		copyHits = models.BlindFieldHits{}
	}
	return blindProjectJSON{ProjectID: b.ProjectID, Version: b.Version, Original: b.Original, Hits: hits, Copy: b.Copy,
		CopyHits: copyHits, Terms: b.Terms, SavedBy: b.SavedBy, SavedAt: b.SavedAt, Stale: b.Stale, Scored: b.Scored,
		Editable: (r.Status == models.RoundDraft || r.Status == models.RoundOpen) && !b.Scored, Unredacted: b.Unredacted()}
}

func (s *handlers) redactions() (Redactions, error) {
	if s.deps.Redactions == nil {
		return nil, models.Errorf(models.KindUnavailable, "blind-round redaction is not available on this server")
	}
	return s.deps.Redactions, nil
}

// blindReview lists a blind round's projects with the hits that name their
// unit and the saved copies (admins only; 409 for a round that is not blind).
func (s *handlers) blindReview(c *fiber.Ctx) error {
	red, err := s.redactions()
	if err != nil {
		return err
	}
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	round, list, err := red.BlindReview(c.UserContext(), id)
	if err != nil {
		return err
	}
	out := make([]blindProjectJSON, len(list))
	left := 0
	for i, b := range list {
		out[i] = toBlindProjectJSON(round, b)
		if out[i].Unredacted > 0 {
			left++
		}
	}
	return c.JSON(fiber.Map{"round": toRoundJSON(round), "projects": out, "unredacted_projects": left,
		"masks": []string{models.MaskBlocks, models.MaskUnit}})
}

type redactionRequest struct {
	Texts map[string]string `json:"texts"`
}

// saveRedaction stores the admin's redacted copy of one project's texts
// for a blind round (admins only).
func (s *handlers) saveRedaction(c *fiber.Ctx) error {
	red, err := s.redactions()
	if err != nil {
		return err
	}
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	pid, err := pathID(c, "pid")
	if err != nil {
		return err
	}
	var req redactionRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.Texts == nil {
		return models.Invalid("the redacted copy is missing", map[string]string{"texts": "required: the redacted texts by field"})
	}
	b, err := red.SaveRedaction(c.UserContext(), actorOf(c), id, pid, req.Texts)
	if err != nil {
		return err
	}
	round, err := s.deps.Rounds.RoundByID(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(toBlindProjectJSON(round, b))
}

// checkBlindBeforeOpening refuses to open a blind round while projects
// that no expert has scored still name their unit in what the experts
// would read (or have a copy older than the project), unless the admin confirmed (409 naming the count; the
// console asks and sends confirm_unredacted).
func (s *handlers) checkBlindBeforeOpening(c *fiber.Ctx, roundID int64, confirmed bool) error {
	if confirmed || s.deps.Redactions == nil {
		return nil
	}
	round, err := s.deps.Rounds.RoundByID(c.UserContext(), roundID)
	if err != nil || !round.Blind || round.Status == models.RoundOpen {
		return err
	}
	_, list, err := s.deps.Redactions.BlindReview(c.UserContext(), roundID)
	if err != nil {
		return err
	}
	// A copy made from an earlier version of the project (returned and
	// submitted again) needs a look too.
	n, hits := 0, 0
	for _, b := range list {
		if u := b.Unredacted(); (u > 0 || b.Stale) && !b.Scored {
			n, hits = n+1, hits+u
		}
	}
	if n == 0 {
		return nil
	}
	return &models.Error{Kind: models.KindConflict,
		Message: fmt.Sprintf("%d project(s) of this blind round still name their unit (%d place(s)) or changed since their redaction: redact them, or confirm to open anyway", n, hits),
		Fields:  map[string]string{"confirm_unredacted": fmt.Sprintf("%d project(s) not redacted; send true to open anyway", n)}}
}
