package server

import (
	"context"
	"fmt"
	"path"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"leitai/judging"
	"leitai/models"
)

// Reviews is what the expert's review handlers call: the expert's rounds
// and assigned projects, scoring, and declared conflicts of interest.
type Reviews interface {
	ExpertRounds(ctx context.Context, expert models.User) ([]models.Round, map[int64][2]int, error)
	LatestReminders(ctx context.Context, expertID int64) (map[int64]models.Reminder, error)
	ExpertReviews(ctx context.Context, expert models.User, roundID int64) (models.Round, []models.ReviewItem, error)
	ReviewProject(ctx context.Context, expert models.User, roundID, projectID int64) (models.Round, models.Project, *models.Score, error)
	SaveScore(ctx context.Context, actor models.Actor, expert models.User, roundID, projectID int64, points map[string]int64, comment string, submit bool) (models.Score, error)
	DeclareConflict(ctx context.Context, actor models.Actor, expertID, unitID int64, reason string) error
	DeclaredConflicts(ctx context.Context, expertID int64) ([]int64, error)
}

// ReviewFiles is an assigned project's media as its expert sees them: in a
// blind round only the copies without metadata (CleanLinks).
type ReviewFiles interface {
	ReviewMedia(ctx context.Context, expert models.User, roundID, projectID int64) (models.Round, []models.Media, error)
	MediaLinks(ctx context.Context, m models.Media) (models.MediaLinks, error)
	// CleanLinks are the links for a blind round: to the copy without
	// metadata, or none (Withheld says why) — never to the original.
	CleanLinks(ctx context.Context, m models.Media) (models.MediaLinks, error)
}

// reviewItemJSON is one project on an expert's list. In blind rounds the
// unit is not named.
type reviewItemJSON struct {
	ProjectID int64           `json:"project_id"`
	Title     string          `json:"title"`
	Category  string          `json:"category"`
	UnitName  string          `json:"unit_name,omitempty"`
	Position  int             `json:"position"`
	Status    string          `json:"status"`
	Total     *judging.Points `json:"total"`
	Score     *scoreJSON      `json:"score"`
}

func (s *handlers) reviewItems(c *fiber.Ctx, round models.Round, items []models.ReviewItem) ([]reviewItemJSON, error) {
	tree, err := s.unitTree(c)
	if err != nil {
		return nil, err
	}
	out := make([]reviewItemJSON, len(items))
	for i, it := range items {
		j := reviewItemJSON{ProjectID: it.Project.ID, Title: it.Project.Title, Category: it.Project.Category, Position: it.Position, Status: "todo"}
		if !round.Blind {
			if u, ok := tree.Unit(it.Project.UnitID); ok {
				j.UnitName = u.Name
			}
		}
		if it.Score != nil {
			sc := toScoreJSON(*it.Score)
			j.Score, j.Status = &sc, string(it.Score.Status)
			t := judging.Points(it.Score.Total())
			j.Total = &t
		}
		out[i] = j
	}
	return out, nil
}

// reviewRounds lists the expert's rounds with progress ("12 / 15").
func (s *handlers) reviewRounds(c *fiber.Ctx) error {
	sess, _ := sessionOf(c)
	rounds, counts, err := s.deps.Reviews.ExpertRounds(c.UserContext(), sess.User)
	if err != nil {
		return err
	}
	reminders, err := s.deps.Reviews.LatestReminders(c.UserContext(), sess.User.ID)
	if err != nil {
		return err
	}
	type reminder struct {
		Message   string    `json:"message"`
		Remaining int       `json:"remaining"`
		SentAt    time.Time `json:"sent_at"`
	}
	type item struct {
		roundJSON
		Done  int `json:"done"`
		Total int `json:"total"`
		// Reminder is the organisers' latest reminder in this round.
		Reminder *reminder `json:"reminder"`
	}
	out := make([]item, len(rounds))
	for i, r := range rounds {
		out[i] = item{roundJSON: toRoundJSON(r), Done: counts[r.ID][0], Total: counts[r.ID][1]}
		if rm, ok := reminders[r.ID]; ok {
			out[i].Reminder = &reminder{Message: rm.Message, Remaining: rm.Remaining, SentAt: rm.CreatedAt}
		}
	}
	return c.JSON(fiber.Map{"rounds": out})
}

// reviewRound is an expert's list for one round, with progress.
func (s *handlers) reviewRound(c *fiber.Ctx) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	sess, _ := sessionOf(c)
	round, items, err := s.deps.Reviews.ExpertReviews(c.UserContext(), sess.User, id)
	if err != nil {
		return err
	}
	list, err := s.reviewItems(c, round, items)
	if err != nil {
		return err
	}
	done := 0
	for _, it := range list {
		if it.Status == string(models.ScoreSubmitted) {
			done++
		}
	}
	return c.JSON(fiber.Map{"round": toRoundJSON(round), "items": list, "done": done, "total": len(list)})
}

// reviewProject is one assigned project with the rubric and the expert's
// score; blind rounds leave the unit out.
func (s *handlers) reviewProject(c *fiber.Ctx) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	pid, err := pathID(c, "pid")
	if err != nil {
		return err
	}
	sess, _ := sessionOf(c)
	round, p, score, err := s.deps.Reviews.ReviewProject(c.UserContext(), sess.User, id, pid)
	if err != nil {
		return err
	}
	tree, err := s.unitTree(c)
	if err != nil {
		return err
	}
	pj := toProjectJSON(tree, p)
	// Never for experts: the contact (it names the unit's people) and the
	// organisers' eligibility note (it may name the unit).
	pj.ContactName, pj.ContactPhone, pj.EligibilityReason = "", "", ""
	if round.Blind {
		pj.UnitName, pj.UnitPath, pj.UnitID = "", []string{}, 0
	}
	var sc *scoreJSON
	if score != nil {
		v := toScoreJSON(*score)
		sc = &v
	}
	return c.JSON(fiber.Map{"round": toRoundJSON(round), "project": pj, "score": sc})
}

// scoreRequest carries points as decimal numbers per criterion (22.5).
type scoreRequest struct {
	Points  map[string]Decimal `json:"points"`
	Comment string             `json:"comment"`
	Submit  bool               `json:"submit"`
}

func (s *handlers) saveScore(c *fiber.Ctx) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	pid, err := pathID(c, "pid")
	if err != nil {
		return err
	}
	// Decimal fields keep the digits as sent, so points parse exactly.
	var req scoreRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	points, err := parsePoints(req.Points)
	if err != nil {
		return err
	}
	if n := len([]rune(req.Comment)); n > 2000 {
		return models.Invalid("the comment is too long", map[string]string{"comment": fmt.Sprintf("at most 2000 characters (now %d)", n)})
	}
	sess, _ := sessionOf(c)
	score, err := s.deps.Reviews.SaveScore(c.UserContext(), actorOf(c), sess.User, id, pid, points, strings.TrimSpace(req.Comment), req.Submit)
	if err != nil {
		return err
	}
	return c.JSON(toScoreJSON(score))
}

type conflictRequest struct {
	UnitID int64  `json:"unit_id"`
	Reason string `json:"reason"`
}

func (s *handlers) declareConflict(c *fiber.Ctx) error {
	var req conflictRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	sess, _ := sessionOf(c)
	if err := s.deps.Reviews.DeclareConflict(c.UserContext(), actorOf(c), sess.User.ID, req.UnitID, req.Reason); err != nil {
		return err
	}
	return s.myConflicts(c)
}

func (s *handlers) myConflicts(c *fiber.Ctx) error {
	sess, _ := sessionOf(c)
	ids, err := s.deps.Reviews.DeclaredConflicts(c.UserContext(), sess.User.ID)
	if err != nil {
		return err
	}
	if ids == nil {
		ids = []int64{}
	}
	return c.JSON(fiber.Map{"unit_ids": ids})
}

// reviewMedia lists an assigned project's photos, video and documents with
// expiring links, for its assigned, non-conflicted expert (403 otherwise).
// In a blind round the file names become 附件1.pdf, 附件2.jpg… (the
// extension kept), in the JSON and in the links' download names alike, and
// the links lead to the copies without metadata (CleanLinks); a file whose
// copy is not ready, or cannot be made, is listed with its thumbnail but
// without links, and "withheld" says why.
func (s *handlers) reviewMedia(c *fiber.Ctx) error {
	lib := s.deps.ReviewFiles
	if lib == nil {
		return errNoMedia()
	}
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	pid, err := pathID(c, "pid")
	if err != nil {
		return err
	}
	sess, _ := sessionOf(c)
	round, list, err := lib.ReviewMedia(c.UserContext(), sess.User, id, pid)
	if err != nil {
		return err
	}
	out := make([]mediaJSON, len(list))
	for i, m := range list {
		links := lib.MediaLinks
		if round.Blind {
			m.Filename, m.ProcessError = blindName(i+1, m.Filename), ""
			links = lib.CleanLinks
		}
		l, err := links(c.UserContext(), m)
		if err != nil {
			return err
		}
		out[i] = mediaOut(m, l)
	}
	return c.JSON(fiber.Map{"media": out, "blind": round.Blind})
}

// blindName replaces a file name that may name the unit with 附件n and the
// original extension (only letters and digits, at most 8 of them).
func blindName(n int, name string) string {
	ext := strings.ToLower(path.Ext(name))
	if len(ext) > 9 || strings.Trim(ext[min(1, len(ext)):], "abcdefghijklmnopqrstuvwxyz0123456789") != "" {
		ext = ""
	}
	return fmt.Sprintf("附件%d%s", n, ext)
}
