package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"leitai/models"
)

// change runs fn on the show (locked) in one transaction and appends the
// board's new state as an event of kind to the show's topic in the same
// transaction. id 0 is a show that fn creates (idOf names it afterwards).
func (l *LiveService) change(ctx context.Context, id int64, kind string, fn func(tx *gorm.DB, s *models.LiveShow, now time.Time) error, idOf func() int64) error {
	now := l.now().UTC()
	err := l.db.tx(ctx, func(tx *gorm.DB) error {
		var s models.LiveShow
		if id != 0 {
			var err error
			if s, _, _, err = loadShow(tx, id, true); err != nil {
				return err
			}
		}
		if err := fn(tx, &s, now); err != nil {
			return err
		}
		showID := id
		if showID == 0 {
			showID = idOf()
		}
		return l.appendBoard(tx, showID, kind, now)
	})
	if err != nil {
		return err
	}
	l.broker.wakeLocal()
	return nil
}

// appendBoard writes the board's whole public state as the next event.
func (l *LiveService) appendBoard(tx *gorm.DB, showID int64, kind string, now time.Time) error {
	b, err := l.board(tx, showID, now)
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
	_, err = l.db.appendLiveEvent(tx, models.LiveTopic(showID), payload, now)
	return err
}

// LiveAction applies a host's transition. The first presentation starts
// the show (its setup is then fixed); a reveal remembers the leaderboard's
// ranks before it, for the rank movement.
func (l *LiveService) LiveAction(ctx context.Context, actor models.Actor, id int64, action models.ShowAction, message string) (models.LiveShow, error) {
	err := l.change(ctx, id, string(action), func(tx *gorm.DB, s *models.LiveShow, now time.Time) error {
		var err error
		before := s.Show
		if s.Show, err = s.Show.Apply(action, now, message); err != nil {
			return err
		}
		s.Started = true
		var ranks map[string]int
		if action == models.ActionReveal {
			// The ranks before this reveal: the leaderboard without the slot.
			b, err := l.board(tx, id, now)
			if err != nil {
				return err
			}
			ranks = map[string]int{}
			for _, r := range b.Leaderboard {
				ranks[idString(r.ProjectID)] = r.Rank
			}
		}
		if err := saveShow(tx, *s, ranks, now); err != nil {
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

// WipeRehearsal deletes a rehearsal's scores, votes and show state (the
// programme, panel and tickets stay), after the organiser typed the
// event's title; the event then stays in or leaves rehearsal mode.
func (l *LiveService) WipeRehearsal(ctx context.Context, actor models.Actor, id int64, confirm string, stayRehearsal bool) (models.LiveShow, error) {
	err := l.change(ctx, id, "wipe", func(tx *gorm.DB, s *models.LiveShow, now time.Time) error {
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
		if err := saveShow(tx, *s, map[string]int{}, now); err != nil {
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
