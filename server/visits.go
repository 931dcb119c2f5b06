package server

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"leitai/models"
)

// SiteVisits is what the site-visit handlers call (storage/visits.go):
// an assigned expert's visit to a project in a round that records them,
// its photos through the upload pipeline, and the panel's reading.
type SiteVisits interface {
	CreateVisitUpload(ctx context.Context, actor models.Actor, expert models.User, roundID, projectID int64, in models.NewUploadInput) (models.Upload, error)
	SaveVisit(ctx context.Context, actor models.Actor, expert models.User, roundID, projectID int64, in models.VisitInput) (models.SiteVisit, error)
	ProjectVisits(ctx context.Context, user models.User, roundID, projectID int64) (models.Round, []models.SiteVisit, map[int64]models.Media, error)
	MediaLinks(ctx context.Context, m models.Media) (models.MediaLinks, error)
}

// EditionFigures is the office's overview of an edition
// (storage/edition_figures.go).
type EditionFigures interface {
	EditionFigures(ctx context.Context, editionID int64) (models.EditionFigures, error)
}

type siteVisitJSON struct {
	ID         int64       `json:"id"`
	RoundID    int64       `json:"round_id"`
	ProjectID  int64       `json:"project_id"`
	ExpertID   int64       `json:"expert_id"`
	ExpertName string      `json:"expert_name"`
	VisitedOn  string      `json:"visited_on"`
	Notes      string      `json:"notes"`
	Photos     []mediaJSON `json:"photos"`
	// Mine is the caller's own visit (the one they may edit).
	Mine      bool      `json:"mine"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

func (s *handlers) visits() (SiteVisits, error) {
	if s.deps.Visits == nil {
		return nil, errNoMedia()
	}
	return s.deps.Visits, nil
}

// roundProject reads the :id (round) and :pid (project) of a route.
func roundProject(c *fiber.Ctx) (int64, int64, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return 0, 0, err
	}
	pid, err := pathID(c, "pid")
	if err != nil {
		return 0, 0, err
	}
	return id, pid, nil
}

func (s *handlers) visitOut(c *fiber.Ctx, lib SiteVisits, v models.SiteVisit, media map[int64]models.Media, me int64) (siteVisitJSON, error) {
	out := siteVisitJSON{ID: v.ID, RoundID: v.RoundID, ProjectID: v.ProjectID, ExpertID: v.ExpertID, ExpertName: v.ExpertName,
		VisitedOn: v.VisitedOn, Notes: v.Notes, Photos: []mediaJSON{}, Mine: v.ExpertID == me, CreatedAt: v.CreatedAt, UpdatedAt: v.UpdatedAt}
	for _, id := range v.MediaIDs {
		m, ok := media[id]
		if !ok {
			continue
		}
		l, err := lib.MediaLinks(c.UserContext(), m)
		if err != nil {
			return out, err
		}
		out.Photos = append(out.Photos, mediaOut(m, l))
	}
	return out, nil
}

// projectVisits lists the round's site visits to a project for the panel:
// its assigned experts (review route) or the admins (round route). In a
// round that records them, "editable" says whether the caller may record
// or change their own visit now.
func (s *handlers) projectVisits(expert bool) fiber.Handler {
	return func(c *fiber.Ctx) error { return s.listVisits(c, expert) }
}

func (s *handlers) listVisits(c *fiber.Ctx, expert bool) error {
	lib, err := s.visits()
	if err != nil {
		return err
	}
	id, pid, err := roundProject(c)
	if err != nil {
		return err
	}
	sess, _ := sessionOf(c)
	round, list, media, err := lib.ProjectVisits(c.UserContext(), sess.User, id, pid)
	if err != nil {
		return err
	}
	out := make([]siteVisitJSON, len(list))
	for i, v := range list {
		if out[i], err = s.visitOut(c, lib, v, media, sess.User.ID); err != nil {
			return err
		}
	}
	editable := expert && round.AcceptsVisits(s.deps.Clock()) == nil
	return c.JSON(fiber.Map{"site_visits": round.SiteVisits, "editable": editable, "round_status": round.Status,
		"closes_at": round.ClosesAt, "visits": out})
}

type visitRequest struct {
	VisitedOn string  `json:"visited_on"`
	Notes     string  `json:"notes"`
	MediaIDs  []int64 `json:"media_ids"`
}

// saveVisit records or changes the caller's own visit.
func (s *handlers) saveVisit(c *fiber.Ctx) error {
	lib, err := s.visits()
	if err != nil {
		return err
	}
	id, pid, err := roundProject(c)
	if err != nil {
		return err
	}
	var req visitRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if n := len([]rune(req.Notes)); n > 2*models.MaxVisitNotes {
		return models.Invalid("the notes are too long", map[string]string{"notes": fmt.Sprintf("at most %d characters (now %d)", models.MaxVisitNotes, n)})
	}
	sess, _ := sessionOf(c)
	v, err := lib.SaveVisit(c.UserContext(), actorOf(c), sess.User, id, pid, models.VisitInput{VisitedOn: req.VisitedOn, Notes: req.Notes, MediaIDs: req.MediaIDs})
	if err != nil {
		return err
	}
	_, _, media, err := lib.ProjectVisits(c.UserContext(), sess.User, id, pid)
	if err != nil {
		return err
	}
	out, err := s.visitOut(c, lib, v, media, sess.User.ID)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

// createVisitUpload starts the upload of a site-visit photo; its parts
// and completion go through the upload routes like any other upload.
func (s *handlers) createVisitUpload(c *fiber.Ctx) error {
	lib, err := s.visits()
	if err != nil {
		return err
	}
	id, pid, err := roundProject(c)
	if err != nil {
		return err
	}
	var req newUploadRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	sess, _ := sessionOf(c)
	up, err := lib.CreateVisitUpload(c.UserContext(), actorOf(c), sess.User, id, pid, models.NewUploadInput{
		Filename: req.Filename, Size: req.Size, ContentType: req.ContentType, Mode: req.Mode})
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(toUploadJSON(up))
}

type figureJSON struct {
	Key   string `json:"key"`
	Label string `json:"label"`
	N     int    `json:"n"`
}

type roundFiguresJSON struct {
	RoundID     int64              `json:"round_id"`
	Name        string             `json:"name"`
	Order       int                `json:"order"`
	Status      models.RoundStatus `json:"status"`
	Projects    int                `json:"projects"`
	Assignments int                `json:"assignments"`
	Submitted   int                `json:"submitted"`
	Drafts      int                `json:"drafts"`
}

type expertFiguresJSON struct {
	RoundID   int64  `json:"round_id"`
	ExpertID  int64  `json:"expert_id"`
	Name      string `json:"name"`
	Assigned  int    `json:"assigned"`
	Submitted int    `json:"submitted"`
	Drafts    int    `json:"drafts"`
}

func toFigures(list []models.FigureCount) []figureJSON {
	out := make([]figureJSON, len(list))
	for i, f := range list {
		out[i] = figureJSON{Key: f.Key, Label: f.Label, N: f.N}
	}
	return out
}

func (s *handlers) figures(c *fiber.Ctx) (models.EditionFigures, error) {
	if s.deps.EditionFigures == nil {
		return models.EditionFigures{}, models.Errorf(models.KindUnavailable, "figures are not available on this server")
	}
	id, err := pathID(c, "id")
	if err != nil {
		return models.EditionFigures{}, err
	}
	return s.deps.EditionFigures.EditionFigures(c.UserContext(), id)
}

// editionFigures returns every figure of the office's overview at once.
func (s *handlers) editionFigures(c *fiber.Ctx) error {
	f, err := s.figures(c)
	if err != nil {
		return err
	}
	rounds := make([]roundFiguresJSON, len(f.Rounds))
	for i, r := range f.Rounds {
		rounds[i] = roundFiguresJSON(r)
	}
	experts := make([]expertFiguresJSON, len(f.Experts))
	for i, e := range f.Experts {
		experts[i] = expertFiguresJSON(e)
	}
	return c.JSON(fiber.Map{"edition_id": f.EditionID, "submissions": f.Submissions, "by_county": toFigures(f.ByCounty),
		"by_category": toFigures(f.ByCategory), "eligibility": toFigures(f.Eligibility), "rounds": rounds, "experts": experts})
}

// Bilingual words of the figures' exports.
var (
	statusWords = map[string]string{"submitted": "待审查 submitted", "eligible": "通过 eligible", "ineligible": "未通过 ineligible",
		"returned": "退回 returned", "withdrawn": "撤回 withdrawn"}
	roundStatusWords = map[models.RoundStatus]string{models.RoundDraft: "草稿 draft", models.RoundOpen: "进行中 open",
		models.RoundClosed: "已截止 closed", models.RoundPublished: "已公示 published"}
)

// exportFigures writes one figure's table (what=county, category,
// eligibility, rounds or experts) as .xlsx or CSV.
func (s *handlers) exportFigures(c *fiber.Ctx) error {
	format, what := c.Query("format", "xlsx"), c.Query("what")
	if format != "csv" && format != "xlsx" {
		return models.Invalid("bad query parameter", map[string]string{"format": "csv or xlsx"})
	}
	titles := map[string]string{"county": "按县区 By county", "category": "按类别 By category", "eligibility": "资格审查 Eligibility",
		"rounds": "评审进度 By round", "experts": "专家进度 By expert"}
	if titles[what] == "" {
		return models.Invalid("bad query parameter", map[string]string{"what": "county, category, eligibility, rounds or experts"})
	}
	f, err := s.figures(c)
	if err != nil {
		return err
	}
	itoa := strconv.Itoa
	var rows [][]string
	counts := func(head string, list []models.FigureCount, words map[string]string) {
		rows = append(rows, []string{head, "项目数 Projects"})
		for _, x := range list {
			label := x.Label
			if w := words[x.Key]; w != "" {
				label = w
			}
			rows = append(rows, []string{label, itoa(x.N)})
		}
	}
	switch what {
	case "county":
		counts("县区 County", f.ByCounty, nil)
	case "category":
		counts("类别 Category", f.ByCategory, nil)
	case "eligibility":
		counts("结果 Result", f.Eligibility, statusWords)
	case "rounds":
		rows = append(rows, []string{"轮次 Round", "状态 Status", "项目数 Projects", "评审任务 Assignments", "已提交 Submitted", "草稿 Drafts"})
		for _, r := range f.Rounds {
			rows = append(rows, []string{r.Name, roundStatusWords[r.Status], itoa(r.Projects), itoa(r.Assignments), itoa(r.Submitted), itoa(r.Drafts)})
		}
	case "experts":
		names := map[int64]string{}
		for _, r := range f.Rounds {
			names[r.RoundID] = r.Name
		}
		rows = append(rows, []string{"轮次 Round", "专家 Expert", "分配 Assigned", "已提交 Submitted", "草稿 Drafts"})
		for _, e := range f.Experts {
			rows = append(rows, []string{names[e.RoundID], e.Name, itoa(e.Assigned), itoa(e.Submitted), itoa(e.Drafts)})
		}
	}
	return sendTable(c, fmt.Sprintf("edition-%d-%s", f.EditionID, what), sheetName(what), rows, format)
}

// sheetName is a worksheet's name (Excel allows at most 31 characters).
func sheetName(what string) string {
	return map[string]string{"county": "按县区", "category": "按类别", "eligibility": "资格审查", "rounds": "评审进度", "experts": "专家进度"}[what]
}
