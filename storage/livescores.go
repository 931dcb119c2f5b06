package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"leitai/models"
)

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
	err := l.change(ctx, id, "score", func(tx *gorm.DB, s *models.LiveShow, now time.Time) error {
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
	reason, _ := extra["reason"].(string)
	after := map[string]any{"live_show": s.ID}
	for k, v := range extra {
		after[k] = v
	}
	_, err = l.db.writeScore(tx, actor, scoreWrite{RoundID: s.RoundID, ProjectID: projectID, ExpertID: judgeID, Points: canon,
		Status: models.ScoreSubmitted, Action: action, Reason: reason, Extra: after, At: now})
	return canon, err
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
	err := l.change(ctx, id, kind, func(tx *gorm.DB, s *models.LiveShow, now time.Time) error {
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
			if s.Show, err = s.Show.Apply(models.ActionReseal, now, ""); err != nil {
				return err
			}
			if err := saveShow(tx, *s, nil, now); err != nil {
				return err
			}
		default:
			return models.Errorf(models.KindConflict, "scores can be entered for a judge while scoring is open, and corrected once sealed (the show is %s)", s.Show.Phase)
		}
		_, err := l.writeLiveScore(tx, actor, *s, judgeID, projectID, points, action, map[string]any{"seat": seat, "reason": reason}, now)
		return err
	}, nil)
	if err != nil {
		return models.LiveShow{}, fmt.Errorf("live event %d host score: %w", id, err)
	}
	return l.LiveShow(ctx, id)
}
