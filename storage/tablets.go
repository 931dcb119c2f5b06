package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"leitai/models"
)

// JudgeLinkLifetime is how long a judge's tablet link can wait to be
// opened; the session it opens lasts until the final ends.
const JudgeLinkLifetime = 24 * time.Hour

// CreateJudgeLink issues the single-use tablet link of a live final's seat.
// The session it opens reaches only this final's judge routes (see
// models.TabletScope) and is audited as issued by the caller. Issuing a
// seat's link revokes the seat's earlier links and ends the sessions they
// opened, in the same transaction.
func (db *DB) CreateJudgeLink(ctx context.Context, actor models.Actor, showID int64, seat int) (string, time.Time, error) {
	token, id := newToken()
	var expires time.Time
	err := db.tx(ctx, func(tx *gorm.DB) error {
		now := db.now()
		expires = now.Add(JudgeLinkLifetime)
		var show liveShowRow
		if err := tx.Select("id", "state").Take(&show, showID).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return models.Errorf(models.KindNotFound, "no live final %d", showID)
			}
			return err
		}
		var st struct{ Phase models.ShowPhase }
		if show.State != "" {
			if err := json.Unmarshal([]byte(show.State), &st); err != nil {
				return fmt.Errorf("live show %d state: %w", showID, err)
			}
		}
		if st.Phase == models.PhaseFinished {
			return models.Errorf(models.KindConflict, "the final has finished: its tablets no longer sign in")
		}
		var judge liveJudgeRow
		if err := tx.Where("show_id = ? AND seat = ?", showID, seat).Take(&judge).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return models.Errorf(models.KindNotFound, "no judge sits at seat %d", seat)
			}
			return err
		}
		var u userRow
		if err := tx.Take(&u, judge.UserID).Error; err != nil {
			return err
		}
		if u.Disabled {
			return models.Errorf(models.KindConflict, "the judge's account is disabled: enable it first")
		}
		revoked := tx.Model(&loginTokenRow{}).Where("live_show_id = ? AND seat = ? AND used_at IS NULL", showID, seat).Update("used_at", now)
		if revoked.Error != nil {
			return revoked.Error
		}
		ended := tx.Where("live_show_id = ? AND seat = ?", showID, seat).Delete(&sessionRow{})
		if ended.Error != nil {
			return ended.Error
		}
		row := loginTokenRow{ID: id, UserID: u.ID, CreatedBy: actor.UserID, CreatedAt: now, ExpiresAt: expires,
			LiveShowID: &showID, Seat: &seat}
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		return db.appendAudit(tx, models.AuditRecord{Actor: actor, Action: "live.judge_link", Entity: "live_show",
			EntityID: idString(showID), After: map[string]any{"seat": seat, "username": u.Username,
				"expires_at": expires.Format(time.RFC3339), "revoked_links": revoked.RowsAffected, "ended_sessions": ended.RowsAffected}})
	})
	if err != nil {
		return "", time.Time{}, fmt.Errorf("judge link: %w", mapError(err))
	}
	return token, expires, nil
}
