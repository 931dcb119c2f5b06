package server

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"

	"leitai/models"
)

// Objections is what the objection handlers call: objections to a
// published round and the organisers' answers.
type Objections interface {
	SubmitObjection(ctx context.Context, actor models.Actor, in models.ObjectionInput, now time.Time) (models.Objection, error)
	RoundObjections(ctx context.Context, roundID int64) ([]models.Objection, error)
	AnswerObjection(ctx context.Context, actor models.Actor, id int64, answer string) (models.Objection, error)
}

// objectionJSON is an objection as the organisers see it: with the
// sender's name and contact.
type objectionJSON struct {
	ID         int64      `json:"id"`
	RoundID    int64      `json:"round_id"`
	ProjectID  *int64     `json:"project_id"`
	Name       string     `json:"name"`
	Contact    string     `json:"contact"`
	Body       string     `json:"body"`
	CreatedAt  time.Time  `json:"created_at"`
	Answer     string     `json:"answer"`
	AnsweredBy string     `json:"answered_by"`
	AnsweredAt *time.Time `json:"answered_at"`
}

func toObjectionJSON(o models.Objection) objectionJSON {
	return objectionJSON{ID: o.ID, RoundID: o.RoundID, ProjectID: o.ProjectID, Name: o.Name, Contact: o.Contact, Body: o.Body,
		CreatedAt: o.CreatedAt, Answer: o.Answer, AnsweredBy: o.AnsweredBy, AnsweredAt: o.AnsweredAt}
}

// publicObjectionJSON is an answered objection as the public page shows
// it: no name, no contact.
type publicObjectionJSON struct {
	ID         int64      `json:"id"`
	ProjectID  *int64     `json:"project_id"`
	Body       string     `json:"body"`
	CreatedAt  time.Time  `json:"created_at"`
	Answer     string     `json:"answer"`
	AnsweredAt *time.Time `json:"answered_at"`
}

type objectionRequest struct {
	ProjectID *int64 `json:"project_id"`
	Name      string `json:"name"`
	Contact   string `json:"contact"`
	Body      string `json:"body"`
}

// submitObjection receives an objection to a published round while its
// window is open: public, name and contact required (shown to the
// organisers only); 409 once the window has closed.
func (s *handlers) submitObjection(c *fiber.Ctx) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req objectionRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	in := models.ObjectionInput{RoundID: id, ProjectID: req.ProjectID, Name: req.Name, Contact: req.Contact, Body: req.Body, IP: c.IP()}
	if sess, ok := sessionOf(c); ok {
		uid := sess.User.ID
		in.UserID = &uid
	}
	o, err := s.deps.Objections.SubmitObjection(c.UserContext(), actorOf(c), in, s.deps.Clock())
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"id": o.ID, "created_at": o.CreatedAt})
}

// roundObjections lists a round's objections for the organisers.
func (s *handlers) roundObjections(c *fiber.Ctx) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	list, err := s.deps.Objections.RoundObjections(c.UserContext(), id)
	if err != nil {
		return err
	}
	out := make([]objectionJSON, len(list))
	for i, o := range list {
		out[i] = toObjectionJSON(o)
	}
	return c.JSON(fiber.Map{"objections": out})
}

type answerRequest struct {
	Answer string `json:"answer"`
}

// answerObjection records the organisers' (public) answer.
func (s *handlers) answerObjection(c *fiber.Ctx) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req answerRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	o, err := s.deps.Objections.AnswerObjection(c.UserContext(), actorOf(c), id, req.Answer)
	if err != nil {
		return err
	}
	return c.JSON(toObjectionJSON(o))
}
