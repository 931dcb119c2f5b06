package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"gorm.io/gorm"

	"leitai/judging"
	"leitai/models"
)

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
		v.Board, err = l.board(tx, id, l.now().UTC())
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
		b, err = l.board(tx, id, l.now().UTC())
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
