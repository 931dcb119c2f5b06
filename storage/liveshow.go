package storage

import (
	"context"
	"crypto/rand"
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
	return &LiveService{db: db, broker: broker, secret: secret, now: db.now}
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
		Seed: row.Seed, Started: row.Started, TalliesPublic: row.TalliesPublic}
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
func saveShow(tx *gorm.DB, s models.LiveShow, ranks map[string]int, now time.Time) error {
	state, err := json.Marshal(s.Show)
	if err != nil {
		return err
	}
	slots, err := json.Marshal(s.Slots)
	if err != nil {
		return err
	}
	upd := map[string]any{"state": string(state), "slots": string(slots), "seed": s.Seed, "started": s.Started,
		"updated_at": now}
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
	err := l.change(ctx, 0, "setup", func(tx *gorm.DB, _ *models.LiveShow, now time.Time) error {
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
	err := l.change(ctx, id, "setup", func(tx *gorm.DB, s *models.LiveShow, now time.Time) error {
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
		if err := saveShow(tx, *s, nil, now); err != nil {
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
	err := l.change(ctx, id, "draw", func(tx *gorm.DB, s *models.LiveShow, now time.Time) error {
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
		if err := saveShow(tx, *s, map[string]int{}, now); err != nil {
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
