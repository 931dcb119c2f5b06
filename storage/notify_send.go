package storage

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"leitai/models"
	"leitai/storage/mail"
)

// emailMaxAge bounds how old a pending e-mail may be and still be sent:
// one written while no SMTP server was configured is not sent days later.
const emailMaxAge = 72 * time.Hour

// emailMaxAttempts is how often a refused e-mail is tried before it is
// given up (state failed).
const emailMaxAttempts = 5

// SendEmails sends the pending notification e-mails: each is claimed in
// the database first (pending → sending, by this instance), so it is sent
// at most once across instances and restarts: a claim that never finished
// (the instance died mid-send) is not sent again; one the SMTP server
// refused goes back to pending and is tried at the next round, up to
// emailMaxAttempts times. The text is in the recipient's language, to
// their address as it is when sent; a kind turned off since is skipped.
func (s *NotificationService) SendEmails(ctx context.Context, sender mail.Sender, instance string, log *slog.Logger) (int, error) {
	if sender == nil {
		return 0, nil
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	now := s.now().UTC()
	g := s.db.gorm.WithContext(ctx)
	var ids []int64
	if err := g.Model(&notificationRow{}).Where("email_state = ? AND created_at > ?", emailPending, now.Add(-emailMaxAge)).
		Order("id").Limit(200).Pluck("id", &ids).Error; err != nil {
		return 0, fmt.Errorf("notification e-mails: %w", mapError(err))
	}
	sent := 0
	for _, id := range ids {
		res := g.Model(&notificationRow{}).Where("id = ? AND email_state = ?", id, emailPending).
			Updates(map[string]any{"email_state": emailSending, "email_claimed_by": instance, "email_claimed_at": now})
		if res.Error != nil {
			return sent, fmt.Errorf("claim notification %d: %w", id, mapError(res.Error))
		}
		if res.RowsAffected != 1 {
			continue // sent, or being sent, by someone else
		}
		// What follows the claim must be recorded even when ctx ends.
		w := s.db.gorm.WithContext(context.WithoutCancel(ctx))
		var row notificationRow
		var u userRow
		if err := w.Take(&row, id).Error; err != nil {
			return sent, fmt.Errorf("notification %d: %w", id, mapError(err))
		}
		if err := w.Take(&u, row.UserID).Error; err != nil {
			return sent, fmt.Errorf("notification %d: %w", id, mapError(err))
		}
		where := w.Model(&notificationRow{}).Where("id = ?", id)
		if u.Email == "" || u.Disabled || slices.Contains(emailOffOf(u.EmailOff), models.NotificationKind(row.Kind)) {
			if err := where.Update("email_state", emailSkipped).Error; err != nil {
				return sent, fmt.Errorf("skip notification %d: %w", id, mapError(err))
			}
			continue
		}
		if err := sender.Send(ctx, s.noteMessage(row, u)); err != nil {
			log.Warn("notification e-mail not sent", slog.Int64("notification", id), slog.Any("error", err))
			state := emailPending
			if row.EmailAttempts+1 >= emailMaxAttempts {
				state = emailFailed
			}
			msg := err.Error()
			if len(msg) > 500 {
				msg = msg[:500]
			}
			if err := where.Updates(map[string]any{"email_state": state, "email_attempts": row.EmailAttempts + 1, "email_error": msg,
				"email_claimed_by": "", "email_claimed_at": nil}).Error; err != nil {
				return sent, fmt.Errorf("release notification %d: %w", id, mapError(err))
			}
			continue
		}
		if err := where.Updates(map[string]any{"email_state": emailSent, "email_sent_at": s.now().UTC(), "email_error": ""}).Error; err != nil {
			return sent, fmt.Errorf("record notification %d: %w", id, mapError(err))
		}
		sent++
	}
	return sent, nil
}

// noteMessage is the e-mail of a notification, in the recipient's
// language, with the link into the app.
func (s *NotificationService) noteMessage(row notificationRow, u userRow) mail.Message {
	lang := languageOr(u.Language)
	title, body := models.RenderNotification(models.NotificationKind(row.Kind), lang, row.params(s.loc))
	footer := "\n\n——\n请登录擂台平台查看"
	sep := "："
	if lang == "en" {
		footer, sep = "\n\n——\nSign in to Leitai to see it", ": "
	}
	if row.Link != "" {
		footer += sep + s.base + row.Link
	}
	footer += "\n"
	return mail.Message{To: []string{u.Email}, Subject: "【擂台】" + title, Body: body + footer}
}

// reminderLeads are the lead times of the reminders before a round
// closes, longest first.
var reminderLeads = []int{48, 24}

type roundReminderRow struct {
	RoundID   int64 `gorm:"primaryKey"`
	ExpertID  int64 `gorm:"primaryKey"`
	Hours     int   `gorm:"primaryKey"`
	ClaimedAt time.Time
}

func (roundReminderRow) TableName() string { return "round_reminders" }

// RemindClosingRounds writes the reminders due now before open rounds
// close: to every expert with scores not yet submitted in a round closing
// within 48 hours, the latest lead time that applies (48 h, then 24 h).
// Each (round, expert, lead time) is claimed in the same transaction as
// its notification, so it is written once whichever instance runs first;
// a lead time already passed when the round was first seen is not sent
// late.
func (s *NotificationService) RemindClosingRounds(ctx context.Context) (int, error) {
	now := s.now().UTC()
	written := 0
	err := s.db.tx(ctx, func(tx *gorm.DB) error {
		var rounds []roundRow
		if err := tx.Where("status = ? AND closes_at > ? AND closes_at <= ?", string(models.RoundOpen), now, now.Add(time.Duration(reminderLeads[0])*time.Hour)).
			Order("id").Find(&rounds).Error; err != nil {
			return err
		}
		for _, r := range rounds {
			left := r.ClosesAt.Sub(now)
			lead := 0
			for _, h := range reminderLeads {
				if left <= time.Duration(h)*time.Hour {
					lead = h
				}
			}
			type agg struct {
				ExpertID int64
				N        int
			}
			var assigned, submitted []agg
			if err := tx.Model(&assignmentRow{}).Select("expert_id, COUNT(*) AS n").Where("round_id = ?", r.ID).Group("expert_id").Order("expert_id").Scan(&assigned).Error; err != nil {
				return err
			}
			if err := tx.Model(&scoreRow{}).Select("expert_id, COUNT(*) AS n").Where("round_id = ? AND status = ?", r.ID, string(models.ScoreSubmitted)).Group("expert_id").Scan(&submitted).Error; err != nil {
				return err
			}
			done := map[int64]int{}
			for _, a := range submitted {
				done[a.ExpertID] = a.N
			}
			for _, a := range assigned {
				unfinished := a.N - done[a.ExpertID]
				if unfinished <= 0 {
					continue
				}
				res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&roundReminderRow{RoundID: r.ID, ExpertID: a.ExpertID, Hours: lead, ClaimedAt: now})
				if res.Error != nil {
					return res.Error
				}
				if res.RowsAffected != 1 {
					continue // written already
				}
				if err := notifyTx(tx, now, note{users: []int64{a.ExpertID}, kind: models.NoteRoundClosing, link: "/review",
					params: map[string]string{"round": r.Name, "closes": r.ClosesAt.UTC().Format(time.RFC3339),
						"hours": strconv.Itoa(int(left.Round(time.Hour) / time.Hour)), "left": strconv.Itoa(unfinished)}}); err != nil {
					return err
				}
				written++
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("round reminders: %w", err)
	}
	return written, nil
}
