package storage

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"leitai/models"
	"leitai/storage/mail"
)

type followReminderRow struct {
	AwardID   int64  `gorm:"primaryKey"`
	Seq       int    `gorm:"primaryKey"`
	Kind      string `gorm:"primaryKey"`
	Recipient string
	ClaimedBy string
	ClaimedAt time.Time
	SentAt    *time.Time
	Error     string
}

func (followReminderRow) TableName() string { return "follow_reminders" }

// Reminder is one reminder due now.
type reminder struct {
	award     models.AwardDetail
	milestone models.MilestoneView
	kind      models.ReminderKind
	to        string
}

// SendReminders sends the reminders due now: for every milestone of an
// award in implementation whose report is neither submitted nor accepted,
// the latest applicable one (7 days before, on the day, the day after, 15
// days after), to the plan's contact e-mail. Each is claimed in the
// database first (one row per award, milestone and kind), so it is sent
// at most once across instances and restarts: a claim that never finished
// sending (the instance died mid-send) is not sent again; one the SMTP
// server refused is released and tried at the next round.
func (s *FollowService) SendReminders(ctx context.Context, sender mail.Sender, instance string, log *slog.Logger) (int, error) {
	if sender == nil {
		return 0, nil
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	now := s.now().UTC()
	var due []reminder
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var rows []awardRow
		if err := tx.Where("status = ?", string(models.AwardActive)).Order("id").Find(&rows).Error; err != nil {
			return err
		}
		d, err := loadFollowData(tx, rows, false)
		if err != nil {
			return err
		}
		for _, r := range rows {
			v := d.view(r, now, s.loc)
			plan, ok := approvedOf(d.plans[r.ID])
			if !ok || plan.ContactEmail == "" {
				continue
			}
			for _, m := range v.Milestones {
				if !m.Gate.NeedsReport() || (m.Report != nil && (m.Report.Status == models.ReportSubmitted || m.Report.Status == models.ReportAccepted)) {
					continue
				}
				if k := models.ReminderFor(m.DueOn, now, s.loc); k != "" {
					due = append(due, reminder{award: v, milestone: m, kind: k, to: plan.ContactEmail})
				}
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("reminders: %w", mapError(err))
	}
	sent := 0
	for _, r := range due {
		claim := followReminderRow{AwardID: r.award.ID, Seq: r.milestone.Seq, Kind: string(r.kind), Recipient: r.to, ClaimedBy: instance, ClaimedAt: now}
		res := s.db.gorm.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&claim)
		if res.Error != nil {
			return sent, fmt.Errorf("claim reminder: %w", mapError(res.Error))
		}
		if res.RowsAffected != 1 {
			continue // sent, or being sent, by someone else
		}
		g := s.db.gorm.WithContext(context.WithoutCancel(ctx))
		where := g.Model(&followReminderRow{}).Where("award_id = ? AND seq = ? AND kind = ?", claim.AwardID, claim.Seq, claim.Kind)
		if err := sender.Send(ctx, reminderMessage(r)); err != nil {
			// The server refused or could not be reached: the claim goes, so
			// the next round tries again.
			log.Warn("reminder not sent", slog.Int64("award", r.award.ID), slog.Int("milestone", r.milestone.Seq), slog.Any("error", err))
			if err := where.Delete(&followReminderRow{}).Error; err != nil {
				return sent, fmt.Errorf("release reminder: %w", mapError(err))
			}
			continue
		}
		if err := where.Update("sent_at", s.now().UTC()).Error; err != nil {
			return sent, fmt.Errorf("record reminder: %w", mapError(err))
		}
		sent++
	}
	return sent, nil
}

// reminderMessage is the reminder's text: Chinese first, then English.
func reminderMessage(r reminder) mail.Message {
	m := r.milestone
	title := r.award.ProjectTitle
	zh := map[models.ReminderKind]string{
		models.RemindBefore:   "将于 %s 到期，请按时提交进展报告。",
		models.RemindDue:      "今天（%s）到期，请今天提交进展报告。",
		models.RemindLate:     "已于 %s 到期，进展报告尚未提交，请尽快提交。",
		models.RemindVeryLate: "已于 %s 到期超过 14 天，进展报告仍未提交，资金拨付将暂缓，请立即提交。",
	}[r.kind]
	en := map[models.ReminderKind]string{
		models.RemindBefore:   "is due on %s: please file the progress report in time.",
		models.RemindDue:      "is due today (%s): please file the progress report today.",
		models.RemindLate:     "was due on %s and its progress report has not been filed: please file it now.",
		models.RemindVeryLate: "was due on %s, more than 14 days ago, and its report is still missing: the tranche waits until it is filed.",
	}[r.kind]
	subject := map[models.ReminderKind]string{
		models.RemindBefore: "【擂台】进展报告即将到期", models.RemindDue: "【擂台】进展报告今日到期",
		models.RemindLate: "【擂台】进展报告已逾期", models.RemindVeryLate: "【擂台】进展报告严重逾期",
	}[r.kind]
	body := fmt.Sprintf("您好：\n\n项目「%s」的节点「%s」"+zh+"\n请登录申报门户，在「实施跟踪」中填写。\n\n——\nThe milestone “%s” of “%s” "+en+"\nSign in to the portal and open 实施跟踪 (Follow-through).\n",
		title, m.Title, m.DueOn, m.Title, title, m.DueOn)
	return mail.Message{To: []string{r.to}, Subject: subject + " · " + title, Body: body}
}
