package server

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"leitai/judging"
	"leitai/models"
)

// LiveJudging is what a judge's tablet calls.
type LiveJudging interface {
	SubmitLiveScore(ctx context.Context, actor models.Actor, judge models.User, id, projectID int64, points map[string]int64, submissionID string) (models.LiveScore, error)
	JudgeView(ctx context.Context, judge models.User, id int64) (models.JudgeView, error)
}

type judgeProjectJSON struct {
	ID       int64           `json:"id"`
	Title    string          `json:"title"`
	UnitName string          `json:"unit_name"`
	Summary  string          `json:"summary"`
	PhotoURL *string         `json:"photo_url"`
	Score    *judgeScoreJSON `json:"score"`
}

type judgeScoreJSON struct {
	ProjectID    int64                  `json:"project_id"`
	Points       map[string]json.Number `json:"points"`
	Total        string                 `json:"total"`
	SubmittedAt  *time.Time             `json:"submitted_at"`
	SubmissionID string                 `json:"submission_id,omitempty"`
}

func (s *handlers) judgeState(c *fiber.Ctx) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	sess, _ := sessionOf(c)
	v, err := s.deps.Live.JudgeView(c.UserContext(), sess.User, id)
	if err != nil {
		return err
	}
	b, err := s.deps.Live.Board(c.UserContext(), id)
	if err != nil {
		return err
	}
	projects := make([]judgeProjectJSON, len(v.Projects))
	for i, p := range v.Projects {
		bp := b.Projects[strconv.FormatInt(p.ID, 10)]
		jp := judgeProjectJSON{ID: p.ID, Title: p.Title, UnitName: bp.UnitName, Summary: p.Summary, PhotoURL: bp.PhotoURL}
		if sc, ok := v.Scores[p.ID]; ok {
			jp.Score = &judgeScoreJSON{ProjectID: p.ID, Points: pointsJSON(sc.Points), Total: judging.Points(sc.Total()).String(), SubmittedAt: sc.SubmittedAt}
		}
		projects[i] = jp
	}
	return c.JSON(fiber.Map{"event_id": v.Show.ID, "title": v.Show.Title, "seat": v.Seat, "rubric": toRubricItems(v.Round.Rubric),
		"phase": v.Show.Show.Phase, "paused": v.Show.Show.Paused, "pause_message": v.Show.Show.PauseMessage, "slot": v.Show.Show.Slot,
		"slot_count": len(v.Show.Slots), "projects": projects})
}

func (s *handlers) judgeScore(c *fiber.Ctx) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	pid, err := pathID(c, "pid")
	if err != nil {
		return err
	}
	var req liveScoreRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	points, err := parsePoints(req.Points)
	if err != nil {
		return err
	}
	sess, _ := sessionOf(c)
	sc, err := s.deps.Live.SubmitLiveScore(c.UserContext(), actorOf(c), sess.User, id, pid, points, req.SubmissionID)
	if err != nil {
		return err
	}
	at := sc.SubmittedAt
	return c.JSON(judgeScoreJSON{ProjectID: sc.ProjectID, Points: pointsJSON(sc.Points), Total: judging.Points(sc.Total).String(), SubmittedAt: &at, SubmissionID: sc.SubmissionID})
}
