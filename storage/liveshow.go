package storage

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"leitai/judging"
	"leitai/models"
)

type liveShowRow struct {
	ID               int64 `gorm:"primaryKey"`
	RoundID          int64
	Title            string
	AudienceMode     string
	WeightPanel      int
	WeightPrevious   int
	WeightAudience   int
	PresentationSecs int
	QASecs           int `gorm:"column:qa_secs"`
	Pairing          string
	PreviousRoundID  *int64
	Rehearsal        bool
	Seed             string
	Slots            string
	State            string
	Ranks            string
	Started          bool
	VotesPerAddress  int
	AudienceFloor    int
	TalliesPublic    bool
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

func (liveShowRow) TableName() string { return "live_shows" }

type liveJudgeRow struct {
	ShowID int64 `gorm:"primaryKey"`
	Seat   int   `gorm:"primaryKey"`
	UserID int64
}

func (liveJudgeRow) TableName() string { return "live_judges" }

type liveTicketRow struct {
	ShowID    int64  `gorm:"primaryKey"`
	Code      string `gorm:"primaryKey"`
	CreatedAt time.Time
}

func (liveTicketRow) TableName() string { return "live_tickets" }

type liveVoteRow struct {
	ShowID    int64  `gorm:"primaryKey"`
	Slot      int    `gorm:"primaryKey"`
	Voter     string `gorm:"primaryKey"`
	ProjectID int64
	At        time.Time
	// IP is the address the vote came from; VoidReason, when set, is why
	// the host voided it (kept, never counted).
	IP         string
	VoidReason string
}

func (liveVoteRow) TableName() string { return "live_votes" }

type liveSubmissionRow struct {
	ShowID       int64  `gorm:"primaryKey"`
	SubmissionID string `gorm:"primaryKey"`
	ProjectID    int64
	UserID       int64
	Points       string
	At           time.Time
}

func (liveSubmissionRow) TableName() string { return "live_submissions" }

// LiveService runs live finals: setup, the show's state machine, the
// judges' tablets, corrections, the audience vote and the public board.
// Every change commits together with its board event (the outbox), then
// wakes the local hub through the broker.
type LiveService struct {
	db     *DB
	broker *LiveBroker
	secret []byte
	now    func() time.Time
}

// NewLiveService returns the live-final service; secret signs the audience's
// device tokens.
func NewLiveService(db *DB, broker *LiveBroker, secret []byte) *LiveService {
	return &LiveService{db: db, broker: broker, secret: secret, now: time.Now}
}

func (r liveShowRow) settings() models.LiveShowSettings {
	return models.LiveShowSettings{
		Title:        r.Title,
		AudienceMode: models.AudienceMode(r.AudienceMode),
		Weights:      models.LiveWeights{Panel: r.WeightPanel, Previous: r.WeightPrevious, Audience: r.WeightAudience},
		Timings: models.ShowTimings{Presentation: time.Duration(r.PresentationSecs) * time.Second,
			QA: time.Duration(r.QASecs) * time.Second},
		Pairing:         models.Pairing(r.Pairing),
		PreviousRoundID: r.PreviousRoundID,
		Rehearsal:       r.Rehearsal,
		VotesPerAddress: r.VotesPerAddress,
		AudienceFloor:   r.AudienceFloor,
	}
}

func (r *liveShowRow) setSettings(s models.LiveShowSettings) {
	r.Title = strings.TrimSpace(s.Title)
	r.AudienceMode = string(s.AudienceMode)
	r.WeightPanel, r.WeightPrevious, r.WeightAudience = s.Weights.Panel, s.Weights.Previous, s.Weights.Audience
	r.PresentationSecs, r.QASecs = int(s.Timings.Presentation/time.Second), int(s.Timings.QA/time.Second)
	r.Pairing = string(s.Pairing)
	r.PreviousRoundID = s.PreviousRoundID
	r.Rehearsal = s.Rehearsal
	r.VotesPerAddress, r.AudienceFloor = s.VotesPerAddress, s.AudienceFloor
}

// loadShow reads a show with its round's edition and its seated judges.
func loadShow(tx *gorm.DB, id int64, lock bool) (models.LiveShow, liveShowRow, roundRow, error) {
	var row liveShowRow
	q := tx
	if lock {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	if err := q.Take(&row, id).Error; err != nil {
		return models.LiveShow{}, row, roundRow{}, err
	}
	var rr roundRow
	if err := tx.Take(&rr, row.RoundID).Error; err != nil {
		return models.LiveShow{}, row, rr, err
	}
	s := models.LiveShow{ID: row.ID, RoundID: row.RoundID, EditionID: rr.EditionID, LiveShowSettings: row.settings(),
		Seed: row.Seed, Started: row.Started}
	if err := json.Unmarshal([]byte(row.Slots), &s.Slots); err != nil {
		return s, row, rr, fmt.Errorf("live show %d slots: %w", id, err)
	}
	if row.State != "" {
		if err := json.Unmarshal([]byte(row.State), &s.Show); err != nil {
			return s, row, rr, fmt.Errorf("live show %d state: %w", id, err)
		}
	} else {
		s.Show = models.NewShow(s.Slots, s.Timings)
	}
	var judges []liveJudgeRow
	if err := tx.Where("show_id = ?", id).Order("seat").Find(&judges).Error; err != nil {
		return s, row, rr, err
	}
	for _, j := range judges {
		var u userRow
		if err := tx.Take(&u, j.UserID).Error; err != nil {
			return s, row, rr, err
		}
		s.Judges = append(s.Judges, models.LiveJudge{Seat: j.Seat, UserID: j.UserID, Username: u.Username, DisplayName: u.DisplayName})
		s.JudgeIDs = append(s.JudgeIDs, j.UserID)
	}
	return s, row, rr, nil
}

// saveShow writes the show's state (and the drawn programme).
func saveShow(tx *gorm.DB, s models.LiveShow, ranks map[string]int) error {
	state, err := json.Marshal(s.Show)
	if err != nil {
		return err
	}
	slots, err := json.Marshal(s.Slots)
	if err != nil {
		return err
	}
	upd := map[string]any{"state": string(state), "slots": string(slots), "seed": s.Seed, "started": s.Started,
		"updated_at": time.Now().UTC()}
	if ranks != nil {
		b, err := json.Marshal(ranks)
		if err != nil {
			return err
		}
		upd["ranks"] = string(b)
	}
	return tx.Model(&liveShowRow{}).Where("id = ?", s.ID).Updates(upd).Error
}

func roundProjectIDs(tx *gorm.DB, roundID int64) ([]int64, error) {
	var ids []int64
	err := tx.Model(&roundProjectRow{}).Where("round_id = ?", roundID).Order("project_id").Pluck("project_id", &ids).Error
	return ids, err
}

// seatJudges replaces the panel and gives every judge every finalist, so
// the round's progress, results and exports work as for any round.
func seatJudges(tx *gorm.DB, showID, roundID int64, judgeIDs []int64, finalists []int64) error {
	fields := map[string]string{}
	for _, id := range judgeIDs {
		var u userRow
		if err := tx.Take(&u, id).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				fields["judge_ids"] = fmt.Sprintf("user %d does not exist", id)
				continue
			}
			return err
		}
		if u.Disabled || !u.model().HasRole(models.RoleExpert) {
			fields["judge_ids"] = fmt.Sprintf("%s is not an enabled expert", u.Username)
		}
	}
	if len(fields) > 0 {
		return models.Invalid("the judges are not valid", fields)
	}
	if err := tx.Where("show_id = ?", showID).Delete(&liveJudgeRow{}).Error; err != nil {
		return err
	}
	if err := tx.Where("round_id = ?", roundID).Delete(&assignmentRow{}).Error; err != nil {
		return err
	}
	for i, id := range judgeIDs {
		if err := tx.Create(&liveJudgeRow{ShowID: showID, Seat: i + 1, UserID: id}).Error; err != nil {
			return err
		}
		for pos, p := range finalists {
			if err := tx.Create(&assignmentRow{RoundID: roundID, ProjectID: p, ExpertID: id, Position: pos}).Error; err != nil {
				return err
			}
		}
	}
	return nil
}

// drawProgramme draws the finalists' order from seed (judging.DrawLots on
// the ids in ascending order, as strings) and cuts it into slots.
func drawProgramme(seed string, finalists []int64, p models.Pairing) ([][]int64, error) {
	ids := make([]string, len(finalists))
	for i, f := range finalists {
		ids[i] = idString(f)
	}
	order, err := judging.DrawLots(seed, ids)
	if err != nil {
		return nil, err
	}
	out := make([]int64, len(order))
	for i, o := range order {
		out[i], _ = strconv.ParseInt(o, 10, 64)
	}
	return models.PairSlots(out, p), nil
}

func newSeed() string {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func liveAudit(s models.LiveShow) map[string]any {
	return map[string]any{"title": s.Title, "round_id": s.RoundID, "audience_mode": s.AudienceMode,
		"weights": []int{s.Weights.Panel, s.Weights.Previous, s.Weights.Audience}, "pairing": s.Pairing,
		"presentation_secs": int(s.Timings.Presentation / time.Second), "qa_secs": int(s.Timings.QA / time.Second),
		"judge_ids": s.JudgeIDs, "rehearsal": s.Rehearsal, "seed": s.Seed, "slots": s.Slots}
}

// CreateLiveShow sets up a live final on a live round that is a draft or
// open and has its finalists; the programme is drawn at once from a fresh
// seed (the organiser may draw again before the show starts).
func (l *LiveService) CreateLiveShow(ctx context.Context, actor models.Actor, roundID int64, in models.LiveShowSettings) (models.LiveShow, error) {
	if err := in.Validate(); err != nil {
		return models.LiveShow{}, err
	}
	var id int64
	err := l.change(ctx, 0, "setup", func(tx *gorm.DB, _ *models.LiveShow) error {
		var rr roundRow
		if err := tx.Take(&rr, roundID).Error; err != nil {
			return err
		}
		r := rr.model()
		if r.Kind != models.RoundLive {
			return models.Invalid("a live event needs a live round", map[string]string{"round_id": "the round's kind must be live"})
		}
		if r.Status != models.RoundDraft && r.Status != models.RoundOpen {
			return models.Errorf(models.KindConflict, "round %q is %s: a live event needs a draft or open round", r.Name, r.Status)
		}
		if err := checkPreviousRound(tx, rr, in.PreviousRoundID); err != nil {
			return err
		}
		finalists, err := roundProjectIDs(tx, roundID)
		if err != nil {
			return err
		}
		if len(finalists) == 0 {
			return models.Errorf(models.KindConflict, "round %q has no finalists yet: advance projects into it first", r.Name)
		}
		seed := newSeed()
		slots, err := drawProgramme(seed, finalists, in.Pairing)
		if err != nil {
			return err
		}
		now := time.Now().UTC()
		row := liveShowRow{RoundID: roundID, Seed: seed, Ranks: "{}", CreatedAt: now, UpdatedAt: now}
		row.setSettings(in)
		b, _ := json.Marshal(slots)
		row.Slots = string(b)
		st, _ := json.Marshal(models.NewShow(slots, in.Timings))
		row.State = string(st)
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		id = row.ID
		if err := seatJudges(tx, id, roundID, in.JudgeIDs, finalists); err != nil {
			return err
		}
		s, _, _, err := loadShow(tx, id, false)
		if err != nil {
			return err
		}
		return l.db.appendAudit(tx, models.AuditRecord{Actor: actor, Action: "live.create", Entity: "live_show", EntityID: idString(id), After: liveAudit(s)})
	}, func() int64 { return id })
	if err != nil {
		return models.LiveShow{}, fmt.Errorf("create live event: %w", err)
	}
	return l.LiveShow(ctx, id)
}

func checkPreviousRound(tx *gorm.DB, rr roundRow, prev *int64) error {
	if prev == nil {
		return nil
	}
	var p roundRow
	if err := tx.Take(&p, *prev).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return models.Invalid("unknown previous round", map[string]string{"previous_round_id": "no such round"})
		}
		return err
	}
	if p.EditionID != rr.EditionID || p.Ord >= rr.Ord {
		return models.Invalid("the previous round must be an earlier round of the same edition", map[string]string{"previous_round_id": "an earlier round of this edition"})
	}
	return nil
}

// UpdateLiveShow changes the settings and panel before the show starts.
func (l *LiveService) UpdateLiveShow(ctx context.Context, actor models.Actor, id int64, in models.LiveShowSettings) (models.LiveShow, error) {
	if err := in.Validate(); err != nil {
		return models.LiveShow{}, err
	}
	err := l.change(ctx, id, "setup", func(tx *gorm.DB, s *models.LiveShow) error {
		if err := s.CanChangeSetup(); err != nil {
			return err
		}
		var rr roundRow
		if err := tx.Take(&rr, s.RoundID).Error; err != nil {
			return err
		}
		if err := checkPreviousRound(tx, rr, in.PreviousRoundID); err != nil {
			return err
		}
		before := liveAudit(*s)
		var row liveShowRow
		row.setSettings(in)
		upd := map[string]any{"title": row.Title, "audience_mode": row.AudienceMode, "weight_panel": row.WeightPanel,
			"weight_previous": row.WeightPrevious, "weight_audience": row.WeightAudience, "presentation_secs": row.PresentationSecs,
			"qa_secs": row.QASecs, "pairing": row.Pairing, "previous_round_id": row.PreviousRoundID, "rehearsal": row.Rehearsal,
			"votes_per_address": row.VotesPerAddress, "audience_floor": row.AudienceFloor}
		if err := tx.Model(&liveShowRow{}).Where("id = ?", id).Updates(upd).Error; err != nil {
			return err
		}
		finalists, err := roundProjectIDs(tx, s.RoundID)
		if err != nil {
			return err
		}
		if err := seatJudges(tx, id, s.RoundID, in.JudgeIDs, finalists); err != nil {
			return err
		}
		// A new pairing re-cuts the same drawn order.
		var order []int64
		for _, sl := range s.Slots {
			order = append(order, sl...)
		}
		s.Slots = models.PairSlots(order, in.Pairing)
		s.Show = models.NewShow(s.Slots, in.Timings)
		if err := saveShow(tx, *s, nil); err != nil {
			return err
		}
		after, _, _, err := loadShow(tx, id, false)
		if err != nil {
			return err
		}
		return l.db.appendAudit(tx, models.AuditRecord{Actor: actor, Action: "live.update", Entity: "live_show", EntityID: idString(id), Before: before, After: liveAudit(after)})
	}, nil)
	if err != nil {
		return models.LiveShow{}, fmt.Errorf("update live event %d: %w", id, err)
	}
	return l.LiveShow(ctx, id)
}

// DrawLiveShow draws the programme again from seed (a fresh one when
// empty), before the show starts. The seed is published with the event.
func (l *LiveService) DrawLiveShow(ctx context.Context, actor models.Actor, id int64, seed string) (models.LiveShow, error) {
	seed = strings.TrimSpace(seed)
	if seed == "" {
		seed = newSeed()
	}
	if len(seed) > 200 {
		return models.LiveShow{}, models.Invalid("the seed is too long", map[string]string{"seed": "at most 200 characters"})
	}
	err := l.change(ctx, id, "draw", func(tx *gorm.DB, s *models.LiveShow) error {
		if err := s.CanChangeSetup(); err != nil {
			return err
		}
		finalists, err := roundProjectIDs(tx, s.RoundID)
		if err != nil {
			return err
		}
		if s.Slots, err = drawProgramme(seed, finalists, s.Pairing); err != nil {
			return err
		}
		s.Seed = seed
		s.Show = models.NewShow(s.Slots, s.Timings)
		if err := saveShow(tx, *s, map[string]int{}); err != nil {
			return err
		}
		return l.db.appendAudit(tx, models.AuditRecord{Actor: actor, Action: "live.draw", Entity: "live_show", EntityID: idString(id),
			After: map[string]any{"seed": seed, "finalists": finalists, "slots": s.Slots}})
	}, nil)
	if err != nil {
		return models.LiveShow{}, fmt.Errorf("draw live event %d: %w", id, err)
	}
	return l.LiveShow(ctx, id)
}

// LiveShow returns one live event.
func (l *LiveService) LiveShow(ctx context.Context, id int64) (models.LiveShow, error) {
	s, _, _, err := loadShow(l.db.gorm.WithContext(ctx), id, false)
	if err != nil {
		return models.LiveShow{}, fmt.Errorf("live event %d: %w", id, mapError(err))
	}
	return s, nil
}

// LiveShows lists the live events, newest first.
func (l *LiveService) LiveShows(ctx context.Context) ([]models.LiveShow, error) {
	g := l.db.gorm.WithContext(ctx)
	var ids []int64
	if err := g.Model(&liveShowRow{}).Order("id DESC").Pluck("id", &ids).Error; err != nil {
		return nil, mapError(err)
	}
	out := make([]models.LiveShow, 0, len(ids))
	for _, id := range ids {
		s, _, _, err := loadShow(g, id, false)
		if err != nil {
			return nil, mapError(err)
		}
		out = append(out, s)
	}
	return out, nil
}

// change runs fn on the show (locked) in one transaction and appends the
// board's new state as an event of kind to the show's topic in the same
// transaction. id 0 is a show that fn creates (idOf names it afterwards).
func (l *LiveService) change(ctx context.Context, id int64, kind string, fn func(tx *gorm.DB, s *models.LiveShow) error, idOf func() int64) error {
	err := l.db.tx(ctx, func(tx *gorm.DB) error {
		var s models.LiveShow
		if id != 0 {
			var err error
			if s, _, _, err = loadShow(tx, id, true); err != nil {
				return err
			}
		}
		if err := fn(tx, &s); err != nil {
			return err
		}
		showID := id
		if showID == 0 {
			showID = idOf()
		}
		return l.appendBoard(tx, showID, kind)
	})
	if err != nil {
		return err
	}
	l.broker.wakeLocal()
	return nil
}

// appendBoard writes the board's whole public state as the next event.
func (l *LiveService) appendBoard(tx *gorm.DB, showID int64, kind string) error {
	b, err := l.board(tx, showID)
	if err != nil {
		return err
	}
	payload, err := json.Marshal(struct {
		Kind  string        `json:"kind"`
		State *models.Board `json:"state"`
	}{kind, &b})
	if err != nil {
		return err
	}
	_, err = l.db.appendLiveEvent(tx, models.LiveTopic(showID), payload)
	return err
}

// LiveAction applies a host's transition. The first presentation starts
// the show (its setup is then fixed); a reveal remembers the leaderboard's
// ranks before it, for the rank movement.
func (l *LiveService) LiveAction(ctx context.Context, actor models.Actor, id int64, action models.ShowAction, message string) (models.LiveShow, error) {
	err := l.change(ctx, id, string(action), func(tx *gorm.DB, s *models.LiveShow) error {
		var err error
		before := s.Show
		if s.Show, err = s.Show.Apply(action, l.now().UTC(), message); err != nil {
			return err
		}
		s.Started = true
		var ranks map[string]int
		if action == models.ActionReveal {
			// The ranks before this reveal: the leaderboard without the slot.
			b, err := l.board(tx, id)
			if err != nil {
				return err
			}
			ranks = map[string]int{}
			for _, r := range b.Leaderboard {
				ranks[idString(r.ProjectID)] = r.Rank
			}
		}
		if err := saveShow(tx, *s, ranks); err != nil {
			return err
		}
		return l.db.appendAudit(tx, models.AuditRecord{Actor: actor, Action: "live." + string(action), Entity: "live_show", EntityID: idString(id),
			Before: map[string]any{"phase": before.Phase, "slot": before.Slot, "project": before.Project}, After: map[string]any{"phase": s.Show.Phase, "slot": s.Show.Slot, "project": s.Show.Project, "message": strings.TrimSpace(message)}})
	}, nil)
	if err != nil {
		return models.LiveShow{}, fmt.Errorf("live event %d %s: %w", id, action, err)
	}
	return l.LiveShow(ctx, id)
}

// SubmitLiveScore stores a judge's score from the tablet while the slot's
// scoring is open. A submission id already stored answers with what was
// stored then (a retry counts once, and a late retry of an older
// submission never overwrites a newer one).
func (l *LiveService) SubmitLiveScore(ctx context.Context, actor models.Actor, judge models.User, id, projectID int64, points map[string]int64, submissionID string) (models.LiveScore, error) {
	submissionID = strings.TrimSpace(submissionID)
	if submissionID == "" || len(submissionID) > 100 {
		return models.LiveScore{}, models.Invalid("a submission id is required", map[string]string{"submission_id": "1–100 characters"})
	}
	var out models.LiveScore
	err := l.change(ctx, id, "score", func(tx *gorm.DB, s *models.LiveShow) error {
		seat, ok := s.SeatOf(judge.ID)
		if !ok {
			return models.Errorf(models.KindForbidden, "you are not on this event's panel")
		}
		var prev liveSubmissionRow
		err := tx.Where("show_id = ? AND submission_id = ?", id, submissionID).Take(&prev).Error
		if err == nil {
			if prev.UserID != judge.ID || prev.ProjectID != projectID {
				return models.Errorf(models.KindConflict, "this submission id was used for another score")
			}
			out = models.LiveScore{ProjectID: projectID, SubmittedAt: prev.At.UTC(), SubmissionID: submissionID}
			_ = json.Unmarshal([]byte(prev.Points), &out.Points)
			for _, v := range out.Points {
				out.Total += v
			}
			return errAlreadyStored
		}
		if !errors.Is(err, gorm.ErrRecordNotFound) {
			return err
		}
		if err := s.Show.AcceptsLiveScores(); err != nil {
			return err
		}
		if !s.InCurrentSlot(projectID) {
			return models.Errorf(models.KindConflict, "project %d is not in the slot being scored", projectID)
		}
		now := l.now().UTC()
		canon, err := l.writeLiveScore(tx, actor, *s, judge.ID, projectID, points, "score.live", map[string]any{"seat": seat}, now)
		if err != nil {
			return err
		}
		if err := tx.Create(&liveSubmissionRow{ShowID: id, SubmissionID: submissionID, ProjectID: projectID, UserID: judge.ID, Points: canon, At: now}).Error; err != nil {
			return err
		}
		out = models.LiveScore{ProjectID: projectID, Points: points, SubmittedAt: now, SubmissionID: submissionID}
		for _, v := range points {
			out.Total += v
		}
		return nil
	}, nil)
	if errors.Is(err, errAlreadyStored) {
		return out, nil
	}
	if err != nil {
		return models.LiveScore{}, fmt.Errorf("live score: %w", err)
	}
	return out, nil
}

// errAlreadyStored rolls back a retry's transaction (nothing to write).
var errAlreadyStored = errors.New("already stored")

// writeLiveScore checks points against the round's rubric and stores them
// as the judge's submitted score, with its history and an audit record.
func (l *LiveService) writeLiveScore(tx *gorm.DB, actor models.Actor, s models.LiveShow, judgeID, projectID int64, points map[string]int64, action string, extra map[string]any, now time.Time) (string, error) {
	var rr roundRow
	if err := tx.Take(&rr, s.RoundID).Error; err != nil {
		return "", err
	}
	r := rr.model()
	if r.Status != models.RoundDraft && r.Status != models.RoundOpen {
		return "", models.Errorf(models.KindConflict, "round %q is %s: scores can no longer change", r.Name, r.Status)
	}
	if err := r.Rubric.CheckScore(points, true); err != nil {
		return "", err
	}
	canon, err := models.CanonicalJSON(points)
	if err != nil {
		return "", err
	}
	var prev scoreRow
	err = tx.Where("round_id = ? AND project_id = ? AND expert_id = ?", s.RoundID, projectID, judgeID).Take(&prev).Error
	exists := err == nil
	if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
		return "", err
	}
	if exists {
		err = tx.Model(&scoreRow{}).Where("round_id = ? AND project_id = ? AND expert_id = ?", s.RoundID, projectID, judgeID).
			Updates(map[string]any{"points": canon, "status": string(models.ScoreSubmitted), "submitted_at": now, "updated_at": now}).Error
	} else {
		err = tx.Create(&scoreRow{RoundID: s.RoundID, ProjectID: projectID, ExpertID: judgeID, Points: canon,
			Status: string(models.ScoreSubmitted), SubmittedAt: &now, UpdatedAt: now}).Error
	}
	if err != nil {
		return "", err
	}
	reason, _ := extra["reason"].(string)
	if err := tx.Create(&scoreHistoryRow{RoundID: s.RoundID, ProjectID: projectID, ExpertID: judgeID, Points: canon,
		Comment: reason, Status: string(models.ScoreSubmitted), At: now}).Error; err != nil {
		return "", err
	}
	var before any
	if exists {
		before = map[string]any{"points": json.RawMessage(prev.Points)}
	}
	after := map[string]any{"points": json.RawMessage(canon), "live_show": s.ID}
	for k, v := range extra {
		after[k] = v
	}
	return canon, l.db.appendAudit(tx, models.AuditRecord{Actor: actor, Action: action, Entity: "score",
		EntityID: fmt.Sprintf("%d/%d/%d", s.RoundID, projectID, judgeID), Before: before, After: after})
}

// HostScore enters a judge's score for the host: on the judge's behalf
// while scoring is open (a tablet died), or as a correction of the current
// slot once sealed or revealed — a revealed slot is re-sealed and must be
// revealed again. The reason is required and audited.
func (l *LiveService) HostScore(ctx context.Context, actor models.Actor, id, projectID int64, seat int, points map[string]int64, reason string) (models.LiveShow, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" || len([]rune(reason)) > 500 {
		return models.LiveShow{}, models.Invalid("a reason is required", map[string]string{"reason": "1–500 characters"})
	}
	kind := "correction"
	err := l.change(ctx, id, kind, func(tx *gorm.DB, s *models.LiveShow) error {
		var judgeID int64
		for _, j := range s.Judges {
			if j.Seat == seat {
				judgeID = j.UserID
			}
		}
		if judgeID == 0 {
			return models.Errorf(models.KindNotFound, "no judge sits at seat %d", seat)
		}
		if !s.InCurrentSlot(projectID) {
			return models.Errorf(models.KindConflict, "project %d is not in the current slot: only the current slot's scores can be entered or corrected", projectID)
		}
		if s.Show.Paused {
			return models.Errorf(models.KindConflict, "the show is paused: resume it first")
		}
		action := "score.correct"
		switch s.Show.Phase {
		case models.PhaseScoring:
			action = "score.on_behalf"
		case models.PhaseSealed:
		case models.PhaseRevealed:
			var err error
			if s.Show, err = s.Show.Apply(models.ActionReseal, l.now().UTC(), ""); err != nil {
				return err
			}
			if err := saveShow(tx, *s, nil); err != nil {
				return err
			}
		default:
			return models.Errorf(models.KindConflict, "scores can be entered for a judge while scoring is open, and corrected once sealed (the show is %s)", s.Show.Phase)
		}
		_, err := l.writeLiveScore(tx, actor, *s, judgeID, projectID, points, action, map[string]any{"seat": seat, "reason": reason}, l.now().UTC())
		return err
	}, nil)
	if err != nil {
		return models.LiveShow{}, fmt.Errorf("live event %d host score: %w", id, err)
	}
	return l.LiveShow(ctx, id)
}

type liveDeviceRow struct {
	ShowID   int64  `gorm:"primaryKey"`
	DeviceID string `gorm:"primaryKey"`
	IP       string
	At       time.Time
}

func (liveDeviceRow) TableName() string { return "live_devices" }

// DevicesPerAddress caps the device tokens one address gets per minute:
// loose enough for a whole venue behind one address, tight enough that a
// script cannot mint votes.
const DevicesPerAddress = 1500

// DeviceToken issues a signed audience device token for an event. Tokens
// are counted per address in the database, so every instance agrees.
func (l *LiveService) DeviceToken(ctx context.Context, id int64, ip string) (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand: " + err.Error())
	}
	did := base64.RawURLEncoding.EncodeToString(b)
	err := l.db.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Take(&liveShowRow{}, id).Error; err != nil {
			return err
		}
		now := l.now().UTC()
		var n int64
		if err := tx.Model(&liveDeviceRow{}).Where("show_id = ? AND ip = ? AND at > ?", id, ip, now.Add(-time.Minute)).Count(&n).Error; err != nil {
			return err
		}
		if n >= DevicesPerAddress {
			return &models.Error{Kind: models.KindRateLimited, Message: "too many phones from this address: try again in a minute", RetryAfterSeconds: 60}
		}
		return tx.Create(&liveDeviceRow{ShowID: id, DeviceID: did, IP: ip, At: now}).Error
	})
	if err != nil {
		return "", fmt.Errorf("device token: %w", err)
	}
	return did + "." + l.sign(did), nil
}

func (l *LiveService) sign(id string) string {
	m := hmac.New(sha256.New, l.secret)
	m.Write([]byte("live-device:" + id))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:18])
}

// deviceID checks a device token and returns its id.
func (l *LiveService) deviceID(token string) (string, bool) {
	id, sig, ok := strings.Cut(token, ".")
	if !ok || len(id) != 22 || !hmac.Equal([]byte(sig), []byte(l.sign(id))) {
		return "", false
	}
	return id, true
}

// NormaliseTicket upper-cases a ticket code and drops spaces and dashes.
func NormaliseTicket(code string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(code) {
		if r != ' ' && r != '-' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Vote records an audience vote for a project of the current slot: with a
// ticket code (binding) or a device token (best effort), one per voter per
// slot. It returns the slot. A vote reads only the show's own row (not its
// panel or round) so that a venue's burst stays cheap.
// Vote counts one audience vote. Wrong ticket codes are throttled per
// address and event (the login throttle's table and address curve), so
// codes cannot be guessed by the thousand; a venue's shared Wi-Fi address
// gets 30 free mistakes per quarter hour before the delays start.
func (l *LiveService) Vote(ctx context.Context, id, projectID int64, ticket, device, ip string) (int, error) {
	var keys []string
	now := time.Now().UTC()
	if strings.TrimSpace(ticket) != "" {
		keys = []string{"ip:ticket/" + idString(id) + "/" + ip} // "ip:" keys take the address curve
		if err := l.db.checkThrottle(ctx, keys, now); err != nil {
			return 0, err
		}
	}
	slot, err := l.vote(ctx, id, projectID, ticket, device, ip)
	if me := (*models.Error)(nil); errors.As(err, &me) && me == errUnknownTicket {
		if ferr := l.db.recordFailure(ctx, keys, now); ferr != nil {
			return 0, ferr
		}
	}
	return slot, err
}

// errUnknownTicket is a ticket code the event never issued.
var errUnknownTicket = models.Invalid("unknown ticket code", map[string]string{"ticket": "no such ticket code for this event"})

func (l *LiveService) vote(ctx context.Context, id, projectID int64, ticket, device, ip string) (int, error) {
	var slot int
	err := l.db.tx(ctx, func(tx *gorm.DB) error {
		var row liveShowRow
		if err := tx.Select("id", "audience_mode", "state", "slots", "votes_per_address").Take(&row, id).Error; err != nil {
			return err
		}
		s := models.LiveShow{ID: row.ID, LiveShowSettings: models.LiveShowSettings{AudienceMode: models.AudienceMode(row.AudienceMode),
			VotesPerAddress: row.VotesPerAddress}}
		if err := json.Unmarshal([]byte(row.State), &s.Show); err != nil {
			return fmt.Errorf("live show %d state: %w", id, err)
		}
		var voter string
		switch {
		case strings.TrimSpace(ticket) != "":
			if s.AudienceMode != models.AudienceTickets && s.AudienceMode != models.AudienceBoth {
				return models.Invalid("this event takes no ticket votes", map[string]string{"ticket": "not used at this event"})
			}
			code := NormaliseTicket(ticket)
			var n int64
			if err := tx.Model(&liveTicketRow{}).Where("show_id = ? AND code = ?", id, code).Count(&n).Error; err != nil {
				return err
			}
			if n == 0 {
				return errUnknownTicket
			}
			voter = "ticket:" + code
		case device != "":
			if s.AudienceMode != models.AudienceOpen && s.AudienceMode != models.AudienceBoth {
				return models.Invalid("this event takes votes with ticket codes only", map[string]string{"ticket": "required"})
			}
			did, ok := l.deviceID(device)
			if !ok {
				return models.Invalid("the device token is not valid", map[string]string{"device_token": "reload the page"})
			}
			voter = "device:" + did
		default:
			return models.Invalid("a ticket code or a device token is required", map[string]string{"ticket": "required"})
		}
		if !s.VotingOpen() {
			return models.Errorf(models.KindConflict, "voting is closed")
		}
		if !s.InCurrentSlot(projectID) {
			return models.Errorf(models.KindConflict, "project %d is not in the current slot", projectID)
		}
		slot = s.Show.Slot
		if strings.HasPrefix(voter, "device:") {
			// The venue's cap: open votes counted from one address in one
			// slot (a ticket is one person and is never capped).
			var n int64
			if err := tx.Model(&liveVoteRow{}).Where("show_id = ? AND slot = ? AND ip = ? AND voter LIKE ?", id, slot, ip, "device:%").Count(&n).Error; err != nil {
				return err
			}
			if n >= int64(s.VoteCap()) {
				return &models.Error{Kind: models.KindRateLimited, RetryAfterSeconds: 60,
					Message: fmt.Sprintf("this network address has reached the venue's limit of %d votes in this slot: vote with a ticket code, or from mobile data", s.VoteCap())}
			}
		}
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&liveVoteRow{ShowID: id, Slot: slot, Voter: voter, ProjectID: projectID, At: l.now().UTC(), IP: ip})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return models.Errorf(models.KindConflict, "already voted in this slot")
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("vote: %w", err)
	}
	return slot, nil
}

// Tally counts the votes per project and the distinct voters of the
// current slot (the big screen's "已有 N 人投票") and of the whole event.
func (l *LiveService) Tally(ctx context.Context, id int64) (models.VoteCount, error) {
	var out models.VoteCount
	err := l.db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var row liveShowRow
		if err := tx.Select("id", "state").Take(&row, id).Error; err != nil {
			return err
		}
		var sh models.Show
		if row.State != "" {
			if err := json.Unmarshal([]byte(row.State), &sh); err != nil {
				return fmt.Errorf("live show %d state: %w", id, err)
			}
		}
		var err error
		out, err = tally(tx, id, sh.Slot)
		return err
	})
	return out, mapError(err)
}

// tally counts an event's votes: per project (a project sits in one slot),
// the distinct voters of the given slot and of the event.
func tally(tx *gorm.DB, id int64, slot int) (models.VoteCount, error) {
	var rows []struct {
		ProjectID int64
		N         int
	}
	if err := tx.Model(&liveVoteRow{}).Select("project_id, COUNT(*) AS n").Where("show_id = ? AND void_reason = ''", id).Group("project_id").Scan(&rows).Error; err != nil {
		return models.VoteCount{}, err
	}
	out := models.VoteCount{Tally: map[string]int{}, Slot: slot}
	for _, r := range rows {
		out.Tally[idString(r.ProjectID)] = r.N
	}
	var n int64
	if err := tx.Model(&liveVoteRow{}).Where("show_id = ? AND slot = ? AND void_reason = ''", id, slot).Count(&n).Error; err != nil {
		return models.VoteCount{}, err
	}
	out.SlotVoters = int(n) // one vote per voter per slot
	if err := tx.Model(&liveVoteRow{}).Where("show_id = ? AND void_reason = ''", id).Distinct("voter").Count(&n).Error; err != nil {
		return models.VoteCount{}, err
	}
	out.EventVoters = int(n)
	return out, nil
}

// ticketAlphabet avoids look-alikes (0/O, 1/I/L).
const ticketAlphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"

// AddTickets generates count new ticket codes (XXXX-XXXX).
func (l *LiveService) AddTickets(ctx context.Context, actor models.Actor, id int64, count int) ([]string, error) {
	if count < 1 || count > 5000 {
		return nil, models.Invalid("1 to 5000 tickets at a time", map[string]string{"count": "1–5000"})
	}
	var codes []string
	err := l.db.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Take(&liveShowRow{}, id).Error; err != nil {
			return err
		}
		now := l.now().UTC()
		for len(codes) < count {
			b := make([]byte, 8)
			if _, err := rand.Read(b); err != nil {
				return err
			}
			c := make([]byte, 8)
			for i := range b {
				c[i] = ticketAlphabet[int(b[i])%len(ticketAlphabet)]
			}
			res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&liveTicketRow{ShowID: id, Code: string(c), CreatedAt: now})
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected == 1 {
				codes = append(codes, string(c[:4])+"-"+string(c[4:]))
			}
		}
		return l.db.appendAudit(tx, models.AuditRecord{Actor: actor, Action: "live.tickets", Entity: "live_show", EntityID: idString(id), After: map[string]any{"count": count}})
	})
	if err != nil {
		return nil, fmt.Errorf("tickets: %w", err)
	}
	return codes, nil
}

// Tickets lists an event's ticket codes.
func (l *LiveService) Tickets(ctx context.Context, id int64) ([]models.Ticket, error) {
	g := l.db.gorm.WithContext(ctx)
	if err := g.Take(&liveShowRow{}, id).Error; err != nil {
		return nil, mapError(err)
	}
	var rows []liveTicketRow
	if err := g.Where("show_id = ?", id).Order("created_at, code").Find(&rows).Error; err != nil {
		return nil, mapError(err)
	}
	var used []struct {
		Voter string
		N     int
	}
	if err := g.Model(&liveVoteRow{}).Select("voter, COUNT(*) AS n").Where("show_id = ? AND voter LIKE ?", id, "ticket:%").Group("voter").Scan(&used).Error; err != nil {
		return nil, mapError(err)
	}
	n := map[string]int{}
	for _, u := range used {
		n[strings.TrimPrefix(u.Voter, "ticket:")] = u.N
	}
	out := make([]models.Ticket, len(rows))
	for i, r := range rows {
		out[i] = models.Ticket{Code: r.Code[:4] + "-" + r.Code[4:], UsedSlots: n[r.Code]}
	}
	return out, nil
}

// WipeRehearsal deletes a rehearsal's scores, votes and show state (the
// programme, panel and tickets stay), after the organiser typed the
// event's title; the event then stays in or leaves rehearsal mode.
func (l *LiveService) WipeRehearsal(ctx context.Context, actor models.Actor, id int64, confirm string, stayRehearsal bool) (models.LiveShow, error) {
	err := l.change(ctx, id, "wipe", func(tx *gorm.DB, s *models.LiveShow) error {
		if !s.Rehearsal {
			return models.Errorf(models.KindConflict, "the event is not in rehearsal mode: its data is never wiped")
		}
		var rr roundRow
		if err := tx.Take(&rr, s.RoundID).Error; err != nil {
			return err
		}
		if st := models.RoundStatus(rr.Status); st != models.RoundDraft && st != models.RoundOpen {
			return models.Errorf(models.KindConflict, "round %q is %s: its scores are kept", rr.Name, st)
		}
		if strings.TrimSpace(confirm) != s.Title {
			return models.Invalid("type the event's title to confirm", map[string]string{"confirm": "must equal the event's title"})
		}
		var nScores, nVotes int64
		if err := tx.Model(&scoreRow{}).Where("round_id = ?", s.RoundID).Count(&nScores).Error; err != nil {
			return err
		}
		if err := tx.Model(&liveVoteRow{}).Where("show_id = ?", id).Count(&nVotes).Error; err != nil {
			return err
		}
		for _, q := range []struct {
			model any
			where string
			arg   int64
		}{{&scoreRow{}, "round_id = ?", s.RoundID}, {&scoreHistoryRow{}, "round_id = ?", s.RoundID},
			{&liveVoteRow{}, "show_id = ?", id}, {&liveSubmissionRow{}, "show_id = ?", id}} {
			if err := tx.Where(q.where, q.arg).Delete(q.model).Error; err != nil {
				return err
			}
		}
		s.Show = models.NewShow(s.Slots, s.Timings)
		s.Started = false
		if err := saveShow(tx, *s, map[string]int{}); err != nil {
			return err
		}
		if err := tx.Model(&liveShowRow{}).Where("id = ?", id).Update("rehearsal", stayRehearsal).Error; err != nil {
			return err
		}
		return l.db.appendAudit(tx, models.AuditRecord{Actor: actor, Action: "live.wipe", Entity: "live_show", EntityID: idString(id),
			After: map[string]any{"scores": nScores, "votes": nVotes, "rehearsal": stayRehearsal}})
	}, nil)
	if err != nil {
		return models.LiveShow{}, fmt.Errorf("wipe live event %d: %w", id, err)
	}
	return l.LiveShow(ctx, id)
}

// seatScores reads the submitted scores of the given projects by seat.
func seatScores(tx *gorm.DB, s models.LiveShow, projects []int64) (map[int64]map[int]scoreRow, error) {
	out := map[int64]map[int]scoreRow{}
	if len(projects) == 0 {
		return out, nil
	}
	seat := map[int64]int{}
	for _, j := range s.Judges {
		seat[j.UserID] = j.Seat
	}
	var rows []scoreRow
	if err := tx.Where("round_id = ? AND project_id IN ? AND status = ?", s.RoundID, projects, string(models.ScoreSubmitted)).Find(&rows).Error; err != nil {
		return nil, err
	}
	for _, r := range rows {
		st, ok := seat[r.ExpertID]
		if !ok {
			continue
		}
		if out[r.ProjectID] == nil {
			out[r.ProjectID] = map[int]scoreRow{}
		}
		out[r.ProjectID][st] = r
	}
	return out, nil
}

// models.HostView returns the host console's state.
func (l *LiveService) HostView(ctx context.Context, id int64) (models.HostView, error) {
	var v models.HostView
	err := l.db.tx(ctx, func(tx *gorm.DB) error {
		s, _, rr, err := loadShow(tx, id, false)
		if err != nil {
			return err
		}
		v.Show, v.Round = s, rr.model()
		if v.Current, err = hostProjects(tx, s, v.Round, s.Show.CurrentProjects()); err != nil {
			return err
		}
		vc, err := tally(tx, id, s.Show.Slot)
		if err != nil {
			return err
		}
		v.Tally, v.Voters, v.EventVoters = vc.Tally, vc.SlotVoters, vc.EventVoters
		v.Board, err = l.board(tx, id)
		return err
	})
	if err != nil {
		return models.HostView{}, fmt.Errorf("live event %d host view: %w", id, err)
	}
	return v, nil
}

func hostProjects(tx *gorm.DB, s models.LiveShow, r models.Round, projects []int64) ([]models.HostProject, error) {
	scores, err := seatScores(tx, s, projects)
	if err != nil {
		return nil, err
	}
	var behalf []struct {
		EntityID string
	}
	// Seats whose latest score the host entered: from the audit trail.
	if err := tx.Table("audit_log").Select("entity_id").Where("action = ? AND entity = ?", "score.on_behalf", "score").Scan(&behalf).Error; err != nil {
		return nil, err
	}
	onBehalf := map[string]bool{}
	for _, b := range behalf {
		onBehalf[b.EntityID] = true
	}
	out := make([]models.HostProject, 0, len(projects))
	for _, p := range projects {
		hp := models.HostProject{ProjectID: p}
		var totals []judging.Points
		for _, j := range s.Judges {
			hs := models.HostSeat{Seat: j.Seat}
			if sc, ok := scores[p][j.Seat]; ok {
				m := sc.model()
				hs.Submitted, hs.Points, hs.SubmittedAt = true, m.Points, m.SubmittedAt
				hs.Total = m.Total()
				hs.OnBehalf = onBehalf[fmt.Sprintf("%d/%d/%d", s.RoundID, p, j.UserID)]
				totals = append(totals, judging.Points(hs.Total))
			}
			hp.Seats = append(hp.Seats, hs)
		}
		if len(totals) > 0 {
			if agg, _, err := judging.Aggregate(judging.Method(r.Method), r.Trim, totals); err == nil {
				hp.Panel = judging.RoundHalfUp(agg).String()
			}
		}
		out = append(out, hp)
	}
	return out, nil
}

// SlotSheet returns one slot's scores by seat, for the printed sheet the
// judges sign.
func (l *LiveService) SlotSheet(ctx context.Context, id int64, slot int) (models.LiveShow, models.Round, []models.HostProject, error) {
	var (
		s   models.LiveShow
		r   models.Round
		out []models.HostProject
	)
	err := l.db.tx(ctx, func(tx *gorm.DB) error {
		var rr roundRow
		var err error
		if s, _, rr, err = loadShow(tx, id, false); err != nil {
			return err
		}
		r = rr.model()
		if slot < 0 || slot >= len(s.Slots) {
			return models.Errorf(models.KindNotFound, "slot %d does not exist (the programme has %d)", slot, len(s.Slots))
		}
		out, err = hostProjects(tx, s, r, s.Slots[slot])
		return err
	})
	if err != nil {
		return s, r, nil, fmt.Errorf("live event %d slot sheet: %w", id, err)
	}
	return s, r, out, nil
}

// models.JudgeView returns the current slot's projects and the judge's scores.
func (l *LiveService) JudgeView(ctx context.Context, judge models.User, id int64) (models.JudgeView, error) {
	var v models.JudgeView
	err := l.db.tx(ctx, func(tx *gorm.DB) error {
		s, _, rr, err := loadShow(tx, id, false)
		if err != nil {
			return err
		}
		seat, ok := s.SeatOf(judge.ID)
		if !ok {
			return models.Errorf(models.KindForbidden, "you are not on this event's panel")
		}
		v.Show, v.Round, v.Seat, v.Scores = s, rr.model(), seat, map[int64]models.Score{}
		for _, p := range s.Show.CurrentProjects() {
			var pr projectRow
			if err := tx.Take(&pr, p).Error; err != nil {
				return err
			}
			v.Projects = append(v.Projects, pr.model())
			var sc scoreRow
			err := tx.Where("round_id = ? AND project_id = ? AND expert_id = ? AND status = ?", s.RoundID, p, judge.ID, string(models.ScoreSubmitted)).Take(&sc).Error
			if err == nil {
				v.Scores[p] = sc.model()
			} else if !errors.Is(err, gorm.ErrRecordNotFound) {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return models.JudgeView{}, fmt.Errorf("live event %d judge view: %w", id, err)
	}
	return v, nil
}

// Board returns the public board state (the websocket snapshot).
func (l *LiveService) Board(ctx context.Context, id int64) (models.Board, error) {
	var b models.Board
	err := l.db.tx(ctx, func(tx *gorm.DB) error {
		var err error
		b, err = l.board(tx, id)
		return err
	})
	if err != nil {
		return b, fmt.Errorf("live board %d: %w", id, err)
	}
	return b, nil
}

// Snapshot is the hub's snapshotter: the board of the topic's event.
func (l *LiveService) Snapshot(ctx context.Context, topic string) (json.RawMessage, error) {
	id, err := strconv.ParseInt(strings.TrimPrefix(topic, "live:"), 10, 64)
	if err != nil || !strings.HasPrefix(topic, "live:") {
		return nil, models.Errorf(models.KindNotFound, "no such board %q", topic)
	}
	b, err := l.Board(ctx, id)
	if err != nil {
		return nil, err
	}
	return json.Marshal(b)
}

// FinalistPhoto returns the photo medium the board shows for a finalist:
// the project's first processed photo.
func (l *LiveService) FinalistPhoto(ctx context.Context, id, projectID int64) (models.Media, error) {
	g := l.db.gorm.WithContext(ctx)
	var row liveShowRow
	if err := g.Take(&row, id).Error; err != nil {
		return models.Media{}, mapError(err)
	}
	var n int64
	if err := g.Model(&roundProjectRow{}).Where("round_id = ? AND project_id = ?", row.RoundID, projectID).Count(&n).Error; err != nil {
		return models.Media{}, mapError(err)
	}
	if n == 0 {
		return models.Media{}, models.Errorf(models.KindNotFound, "project %d is not a finalist of this event", projectID)
	}
	var m mediaRow
	if err := g.Where("project_id = ? AND kind = ?", projectID, string(models.MediaImage)).Order("id").Take(&m).Error; err != nil {
		return models.Media{}, mapError(err)
	}
	return m.model(), nil
}
