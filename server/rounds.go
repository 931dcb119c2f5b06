package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"leitai/judging"
	"leitai/models"
)

// Rounds holds the review rounds, assignments and scores.
type Rounds interface {
	CreateRound(ctx context.Context, actor models.Actor, editionID int64, in models.Round) (models.Round, error)
	RoundByID(ctx context.Context, id int64) (models.Round, error)
	ListRounds(ctx context.Context, editionID int64) ([]models.Round, error)
	UpdateRound(ctx context.Context, actor models.Actor, id int64, in models.Round) (models.Round, error)
	MoveRound(ctx context.Context, actor models.Actor, id int64, to models.RoundStatus, loc *time.Location) (models.RoundChange, error)
	Publications(ctx context.Context) ([]models.Round, []models.Publication, error)
	PublicationOf(ctx context.Context, roundID int64) (models.Publication, error)
	AssignRound(ctx context.Context, actor models.Actor, roundID int64, seed uint64) (judging.Assignment, error)
	RoundProgress(ctx context.Context, roundID int64) ([]models.ExpertProgress, error)
	RoundSheet(ctx context.Context, roundID int64) (judging.Sheet, error)
	PublishedObjections(ctx context.Context, roundIDs []int64) (map[int64][]models.Objection, error)
	ScoreHistory(ctx context.Context, roundID, projectID int64) ([]models.ScoreChange, error)
}

// criterionJSON is a rubric line; points are decimal numbers (25, 0.5).
type criterionJSON struct {
	Key         string         `json:"key"`
	NameZh      string         `json:"name_zh"`
	NameEn      string         `json:"name_en"`
	Description string         `json:"description"`
	Max         judging.Points `json:"max"`
	Step        judging.Points `json:"step"`
}

type roundJSON struct {
	ID                  int64              `json:"id"`
	EditionID           int64              `json:"edition_id"`
	Name                string             `json:"name"`
	Order               int                `json:"order"`
	Kind                models.RoundKind   `json:"kind"`
	OpensAt             time.Time          `json:"opens_at"`
	ClosesAt            time.Time          `json:"closes_at"`
	Rubric              []criterionJSON    `json:"rubric"`
	RubricTotal         judging.Points     `json:"rubric_total"`
	ReviewersPerProject int                `json:"reviewers_per_project"`
	Method              string             `json:"method"`
	Trim                int                `json:"trim"`
	KeyCriterion        string             `json:"key_criterion"`
	Blind               bool               `json:"blind"`
	SiteVisits          bool               `json:"site_visits"`
	Status              models.RoundStatus `json:"status"`
}

func toRubricJSON(r models.Rubric) []criterionJSON {
	out := make([]criterionJSON, len(r))
	for i, c := range r {
		out[i] = criterionJSON{Key: c.Key, NameZh: c.NameZh, NameEn: c.NameEn, Description: c.Description,
			Max: judging.Points(c.Max), Step: judging.Points(c.Step)}
	}
	return out
}

func toRoundJSON(r models.Round) roundJSON {
	return roundJSON{ID: r.ID, EditionID: r.EditionID, Name: r.Name, Order: r.Order, Kind: r.Kind, OpensAt: r.OpensAt,
		ClosesAt: r.ClosesAt, Rubric: toRubricJSON(r.Rubric), RubricTotal: judging.Points(r.Rubric.Total()),
		ReviewersPerProject: r.ReviewersPerProject, Method: r.Method, Trim: r.Trim, KeyCriterion: r.KeyCriterion,
		Blind: r.Blind, SiteVisits: r.SiteVisits, Status: r.Status}
}

// roundRequest creates or changes a round; without a rubric the default
// (online) or final (live) rubric applies.
type roundRequest struct {
	Name                string           `json:"name"`
	Kind                models.RoundKind `json:"kind"`
	OpensAt             time.Time        `json:"opens_at"`
	ClosesAt            time.Time        `json:"closes_at"`
	Rubric              []criterionJSON  `json:"rubric"`
	ReviewersPerProject int              `json:"reviewers_per_project"`
	Method              string           `json:"method"`
	Trim                int              `json:"trim"`
	KeyCriterion        string           `json:"key_criterion"`
	Blind               bool             `json:"blind"`
	SiteVisits          bool             `json:"site_visits"`
}

func (r roundRequest) round() models.Round {
	rubric := models.DefaultRubric()
	if r.Kind == models.RoundLive {
		rubric = models.FinalRubric()
	}
	if len(r.Rubric) > 0 {
		rubric = make(models.Rubric, len(r.Rubric))
		for i, c := range r.Rubric {
			rubric[i] = models.Criterion{Key: c.Key, NameZh: c.NameZh, NameEn: c.NameEn, Description: c.Description, Max: int64(c.Max), Step: int64(c.Step)}
		}
	}
	key := r.KeyCriterion
	if key == "" && len(rubric) > 0 {
		key = rubric[0].Key
	}
	return models.Round{Name: r.Name, Kind: r.Kind, OpensAt: r.OpensAt, ClosesAt: r.ClosesAt, Rubric: rubric,
		ReviewersPerProject: r.ReviewersPerProject, Method: r.Method, Trim: r.Trim, KeyCriterion: key, Blind: r.Blind, SiteVisits: r.SiteVisits}
}

func (s *handlers) listRounds(c *fiber.Ctx) error {
	editionID, err := pathID(c, "id")
	if err != nil {
		return err
	}
	rounds, err := s.deps.Rounds.ListRounds(c.UserContext(), editionID)
	if err != nil {
		return err
	}
	out := make([]roundJSON, len(rounds))
	for i, r := range rounds {
		out[i] = toRoundJSON(r)
	}
	return c.JSON(fiber.Map{"rounds": out})
}

func (s *handlers) createRound(c *fiber.Ctx) error {
	editionID, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req roundRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	r, err := s.deps.Rounds.CreateRound(c.UserContext(), actorOf(c), editionID, req.round())
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(toRoundJSON(r))
}

func (s *handlers) getRound(c *fiber.Ctx) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	r, err := s.deps.Rounds.RoundByID(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(toRoundJSON(r))
}

func (s *handlers) updateRound(c *fiber.Ctx) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req roundRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	r, err := s.deps.Rounds.UpdateRound(c.UserContext(), actorOf(c), id, req.round())
	if err != nil {
		return err
	}
	return c.JSON(toRoundJSON(r))
}

type roundStatusRequest struct {
	Status models.RoundStatus `json:"status"`
	// ObjectionFrom and ObjectionUntil set the publication window when
	// publishing (both or neither; neither: now → 5 working days).
	ObjectionFrom  *time.Time `json:"objection_from,omitempty"`
	ObjectionUntil *time.Time `json:"objection_until,omitempty"`
	// ConfirmUnredacted opens a blind round although projects still name
	// their unit (checkBlindBeforeOpening).
	ConfirmUnredacted bool `json:"confirm_unredacted"`
}

type scoreJSON struct {
	RoundID     int64                     `json:"round_id"`
	ProjectID   int64                     `json:"project_id"`
	ExpertID    int64                     `json:"expert_id"`
	Points      map[string]judging.Points `json:"points"`
	Total       judging.Points            `json:"total"`
	Comment     string                    `json:"comment"`
	Status      models.ScoreStatus        `json:"status"`
	SubmittedAt *time.Time                `json:"submitted_at"`
	UpdatedAt   time.Time                 `json:"updated_at"`
}

func toScoreJSON(sc models.Score) scoreJSON {
	pts := map[string]judging.Points{}
	for k, v := range sc.Points {
		pts[k] = judging.Points(v)
	}
	return scoreJSON{RoundID: sc.RoundID, ProjectID: sc.ProjectID, ExpertID: sc.ExpertID, Points: pts, Total: judging.Points(sc.Total()),
		Comment: sc.Comment, Status: sc.Status, SubmittedAt: sc.SubmittedAt, UpdatedAt: sc.UpdatedAt}
}

func (s *handlers) moveRound(c *fiber.Ctx) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req roundStatusRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.Status == models.RoundOpen {
		if err := s.checkBlindBeforeOpening(c, id, req.ConfirmUnredacted); err != nil {
			return err
		}
	}
	window, err := req.window()
	if err != nil {
		return err
	}
	var change models.RoundChange
	if window != nil {
		change, err = s.deps.Gaps.PublishRound(c.UserContext(), actorOf(c), id, s.deps.Config.Location, window)
	} else {
		change, err = s.deps.Rounds.MoveRound(c.UserContext(), actorOf(c), id, req.Status, s.deps.Config.Location)
	}
	if err != nil {
		return err
	}
	drafts := make([]scoreJSON, len(change.UncountedDrafts))
	for i, d := range change.UncountedDrafts {
		drafts[i] = toScoreJSON(d)
	}
	return c.JSON(fiber.Map{"round": toRoundJSON(change.Round), "uncounted_drafts": drafts})
}

type assignRequest struct {
	Seed *uint64 `json:"seed"`
}

func (s *handlers) assignRound(c *fiber.Ctx) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req assignRequest
	if len(c.Body()) > 0 {
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
	}
	seed := uint64(time.Now().UnixNano())
	if req.Seed != nil {
		seed = *req.Seed
	}
	a, err := s.deps.Rounds.AssignRound(c.UserContext(), actorOf(c), id, seed)
	var inf *judging.InfeasibleError
	if errors.As(err, &inf) {
		fields := map[string]string{}
		for _, p := range inf.Starved {
			fields[fmt.Sprintf("project %d", p.Project)] = fmt.Sprintf("only %d eligible expert(s), %d conflicted", p.Eligible, p.Conflicted)
		}
		if len(fields) == 0 {
			fields["experts"] = inf.Error()
		}
		return models.Invalid("no complete assignment exists: "+inf.Error(), fields)
	}
	if err != nil {
		return err
	}
	projects := make([]assignedProjectJSON, len(a.Projects))
	for i, p := range a.Projects {
		projects[i] = assignedProjectJSON{Project: p.Project, Experts: nonNil(p.Experts)}
	}
	experts := make([]expertQueueJSON, len(a.Experts))
	for i, q := range a.Experts {
		experts[i] = expertQueueJSON{Expert: q.Expert, Projects: nonNil(q.Projects)}
	}
	return c.JSON(fiber.Map{"seed": strconv.FormatUint(seed, 10), "min_load": a.MinLoad, "max_load": a.MaxLoad,
		"balanced": a.Balanced, "note": a.Note, "projects": projects, "experts": experts})
}

// assignedProjectJSON is one project's experts in an assignment.
type assignedProjectJSON struct {
	Project int64   `json:"project"`
	Experts []int64 `json:"experts"`
}

// expertQueueJSON is one expert's projects in review order.
type expertQueueJSON struct {
	Expert   int64   `json:"expert"`
	Projects []int64 `json:"projects"`
}

// nonNil turns a nil list into an empty one, so JSON shows [] not null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

type progressJSON struct {
	ExpertID    int64  `json:"expert_id"`
	Username    string `json:"username"`
	DisplayName string `json:"display_name"`
	Assigned    int    `json:"assigned"`
	Submitted   int    `json:"submitted"`
	Drafts      int    `json:"drafts"`
}

func (s *handlers) roundProgress(c *fiber.Ctx) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	progress, err := s.deps.Rounds.RoundProgress(c.UserContext(), id)
	if err != nil {
		return err
	}
	out := make([]progressJSON, len(progress))
	for i, p := range progress {
		out[i] = progressJSON(p)
	}
	return c.JSON(fiber.Map{"experts": out})
}

// roundResults ranks the submitted scores with the round's method and
// reports the ties the chain could not break, for the organiser.
func (s *handlers) roundResults(c *fiber.Ctx) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	sheet, err := s.deps.Rounds.RoundSheet(c.UserContext(), id)
	if err != nil {
		return err
	}
	res, err := judging.Rank(sheet)
	if err != nil {
		return err
	}
	type entry struct {
		judging.Entry
		Display  string           `json:"display"`
		Tiebreak judging.Tiebreak `json:"tiebreak"`
	}
	type tie struct {
		Rank     int      `json:"rank"`
		Projects []string `json:"projects"`
	}
	ranking := make([]entry, len(res.Ranking))
	for i, e := range res.Ranking {
		ranking[i] = entry{Entry: e, Display: e.Value.String(), Tiebreak: e.Tiebreak}
	}
	ties := make([]tie, len(res.Ties))
	for i, t := range res.Ties {
		ties[i] = tie{Rank: t.Rank, Projects: t.Projects}
	}
	return c.JSON(fiber.Map{"ranking": ranking, "ties": ties, "scores": len(sheet.Scores)})
}

// roundSheet downloads the round's score sheet (the input of leitai rank).
func (s *handlers) roundSheet(c *fiber.Ctx) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	sheet, err := s.deps.Rounds.RoundSheet(c.UserContext(), id)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(sheet); err != nil {
		return fmt.Errorf("encode sheet: %w", err)
	}
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="round-%d-score-sheet.json"`, id))
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	return c.Send(buf.Bytes())
}

// roundStatistics is the judge-statistics dashboard's data: per expert the
// mean, spread and leniency, the outlier scores, and the panel's agreement
// (Kendall's W over the projects every expert scored, when there are any).
func (s *handlers) roundStatistics(c *fiber.Ctx) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	sheet, err := s.deps.Rounds.RoundSheet(c.UserContext(), id)
	if err != nil {
		return err
	}
	type judgeJSON struct {
		Judge    string  `json:"judge"`
		ExpertID int64   `json:"expert_id"`
		Scores   int     `json:"scores"`
		Mean     float64 `json:"mean"`
		SD       float64 `json:"sd"`
		Leniency float64 `json:"leniency"`
		// Totals are the judge's totals, for the distribution (box plot).
		Totals []float64 `json:"totals"`
	}
	type outlierJSON struct {
		Judge       string  `json:"judge"`
		ExpertID    int64   `json:"expert_id"`
		Project     string  `json:"project"`
		Total       float64 `json:"total"`
		ProjectMean float64 `json:"project_mean"`
		ProjectSD   float64 `json:"project_sd"`
		Z           float64 `json:"z"`
	}
	judges, outliers := []judgeJSON{}, []outlierJSON{}
	if len(sheet.Scores) == 0 {
		return c.JSON(fiber.Map{"judges": judges, "outliers": outliers, "kendall_w": nil})
	}
	rep, err := judging.JudgeStatistics(sheet)
	if err != nil {
		return err
	}
	expertOf := func(j string) int64 { n, _ := models.ExpertOfJudge(j); return n }
	totals := map[string][]float64{}
	for _, sc := range sheet.Scores {
		totals[sc.Judge] = append(totals[sc.Judge], sc.TotalPoints().Float64())
	}
	for _, j := range rep.Judges {
		t := totals[j.Judge]
		sort.Float64s(t)
		judges = append(judges, judgeJSON{Judge: j.Judge, ExpertID: expertOf(j.Judge), Scores: j.Scores, Mean: j.Mean, SD: j.SD, Leniency: j.Leniency, Totals: nonNil(t)})
	}
	for _, o := range rep.Outliers {
		outliers = append(outliers, outlierJSON{Judge: o.Judge, ExpertID: expertOf(o.Judge), Project: o.Project, Total: o.Total,
			ProjectMean: o.ProjectMean, ProjectSD: o.ProjectSD, Z: o.Z})
	}
	w, blockProjects := judging.KendallComplete(sheet)
	return c.JSON(fiber.Map{"judges": judges, "outliers": outliers, "kendall_w": w, "kendall_projects": blockProjects})
}

// exportRound writes the round's results (what=results) or every
// submitted score per criterion (what=scores) as .xlsx or CSV.
func (s *handlers) exportRound(c *fiber.Ctx) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	format, what := c.Query("format", "xlsx"), c.Query("what", "results")
	if format != "csv" && format != "xlsx" {
		return models.Invalid("bad query parameter", map[string]string{"format": "csv or xlsx"})
	}
	if what != "results" && what != "scores" {
		return models.Invalid("bad query parameter", map[string]string{"what": "results or scores"})
	}
	round, err := s.deps.Rounds.RoundByID(c.UserContext(), id)
	if err != nil {
		return err
	}
	sheet, err := s.deps.Rounds.RoundSheet(c.UserContext(), id)
	if err != nil {
		return err
	}
	titles := map[string]string{}
	sess, _ := sessionOf(c)
	projects, err := s.deps.Projects.ListProjects(c.UserContext(), sess.User, models.ProjectFilter{EditionID: round.EditionID})
	if err != nil {
		return err
	}
	for _, p := range projects {
		titles[strconv.FormatInt(p.ID, 10)] = p.Title
	}
	var rows [][]string
	if what == "scores" {
		header := []string{"项目编号 Project", "项目名称 Title", "评审专家 Expert"}
		for _, cr := range round.Rubric {
			header = append(header, cr.NameZh+" "+cr.Key)
		}
		rows = append(rows, append(header, "总分 Total"))
		for _, sc := range sheet.Scores {
			row := []string{sc.Project, titles[sc.Project], sc.Judge}
			for _, cr := range round.Rubric {
				p, _ := sc.Criteria.Get(cr.Key)
				row = append(row, p.Text())
			}
			rows = append(rows, append(row, sc.TotalPoints().Text()))
		}
	} else {
		res, err := judging.Rank(sheet)
		if err != nil {
			return err
		}
		rows = append(rows, []string{"名次 Rank", "项目编号 Project", "项目名称 Title", "得分 Score", "评委数 Judges", "计分方法 Method", "并列 Tied"})
		for _, e := range res.Ranking {
			tied := ""
			if e.Tied {
				tied = "并列 tied"
			}
			rows = append(rows, []string{strconv.Itoa(e.Rank), e.Project, titles[e.Project], e.Value.String(), strconv.Itoa(e.Judges), string(e.MethodApplied), tied})
		}
	}
	return sendTable(c, fmt.Sprintf("round-%d-%s", id, what), round.Name, rows, format)
}

// publicResults lists the published rounds (公示) with their rankings,
// publication windows and score-sheet links: public, no login.
func (s *handlers) publicResults(c *fiber.Ctx) error {
	rounds, pubs, err := s.deps.Rounds.Publications(c.UserContext())
	if err != nil {
		return err
	}
	type item struct {
		Round          roundJSON       `json:"round"`
		PublishedAt    time.Time       `json:"published_at"`
		ObjectionFrom  time.Time       `json:"objection_from"`
		ObjectionUntil time.Time       `json:"objection_until"`
		ObjectionsOpen bool            `json:"objections_open"`
		Ranking        json.RawMessage `json:"ranking"`
		SheetURL       string          `json:"sheet_url"`
		ObjectionURL   string          `json:"objection_url"`
		// Objections counts every objection received; Answered lists the
		// answered ones without their senders.
		Objections int                   `json:"objections"`
		Answered   []publicObjectionJSON `json:"answered"`
		// AuditAnchor is the audit chain's head when the round was
		// published: anyone who keeps it can later ask whether the log
		// still holds it.
		AuditAnchor *auditAnchorJSON `json:"audit_anchor,omitempty"`
	}
	ids := make([]int64, len(pubs))
	for i, p := range pubs {
		ids[i] = p.RoundID
	}
	objections, err := s.deps.Rounds.PublishedObjections(c.UserContext(), ids)
	if err != nil {
		return err
	}
	now := s.deps.Clock()
	out := make([]item, len(pubs))
	for i, p := range pubs {
		out[i] = item{Round: toRoundJSON(rounds[i]), PublishedAt: p.PublishedAt, ObjectionFrom: p.ObjectionFrom, ObjectionUntil: p.ObjectionUntil,
			ObjectionsOpen: p.AcceptsObjections(now) == nil, Ranking: json.RawMessage(p.Results),
			SheetURL:     fmt.Sprintf("/api/v1/rounds/%d/published-sheet", p.RoundID),
			ObjectionURL: fmt.Sprintf("/api/v1/results/%d/objections", p.RoundID),
			Objections:   len(objections[p.RoundID]), Answered: []publicObjectionJSON{}}
		if p.AuditHeadID > 0 {
			out[i].AuditAnchor = &auditAnchorJSON{ID: p.AuditHeadID, Hash: p.AuditHeadHash}
		}
		for _, o := range objections[p.RoundID] {
			if o.AnsweredAt != nil {
				out[i].Answered = append(out[i].Answered, publicObjectionJSON{ID: o.ID, ProjectID: o.ProjectID, Body: o.Body,
					CreatedAt: o.CreatedAt, Answer: o.Answer, AnsweredAt: o.AnsweredAt})
			}
		}
	}
	return c.JSON(fiber.Map{"results": out})
}

// publishedSheet downloads a published round's anonymised score sheet.
func (s *handlers) publishedSheet(c *fiber.Ctx) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	p, err := s.deps.Rounds.PublicationOf(c.UserContext(), id)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="round-%d-published-score-sheet.json"`, id))
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	return c.SendString(p.Sheet)
}

type auditAnchorJSON struct {
	ID   int64  `json:"id"`
	Hash string `json:"hash"`
}

// scoreChangeJSON is one change of an expert's score in the admin's score
// history. Totals are in points with two decimals.
type scoreChangeJSON struct {
	ExpertID int64                     `json:"expert_id"`
	Expert   string                    `json:"expert"`
	At       time.Time                 `json:"at"`
	Status   models.ScoreStatus        `json:"status"`
	Points   map[string]judging.Points `json:"points"`
	Total    judging.Points            `json:"total"`
	Previous *judging.Points           `json:"previous"`
	Comment  string                    `json:"comment"`
	By       string                    `json:"by"`
	Action   string                    `json:"action"`
	Reason   string                    `json:"reason"`
}

// scoreHistory lists every change of one project's scores in a round:
// who, when, from which total to which, with the reason where one was
// required (admins only).
func (s *handlers) scoreHistory(c *fiber.Ctx) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	pid, err := pathID(c, "pid")
	if err != nil {
		return err
	}
	changes, err := s.deps.Rounds.ScoreHistory(c.UserContext(), id, pid)
	if err != nil {
		return err
	}
	out := make([]scoreChangeJSON, len(changes))
	for i, ch := range changes {
		pts := make(map[string]judging.Points, len(ch.Points))
		for k, v := range ch.Points {
			pts[k] = judging.Points(v)
		}
		out[i] = scoreChangeJSON{ExpertID: ch.ExpertID, Expert: ch.Expert, At: ch.At, Status: ch.Status, Points: pts,
			Total: judging.Points(ch.Total), Comment: ch.Comment, By: ch.By, Action: ch.Action, Reason: ch.Reason}
		if ch.Previous != nil {
			p := judging.Points(*ch.Previous)
			out[i].Previous = &p
		}
	}
	return c.JSON(fiber.Map{"changes": out})
}
