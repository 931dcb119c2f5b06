package storage

import (
	"context"
	"encoding/json"
	"fmt"

	"gorm.io/gorm"

	"leitai/models"
)

// ScoreHistory lists every stored change of the round's scores of one
// project, oldest first per expert, each with the total it replaced: the
// admin's view of who changed what, when and why.
func (db *DB) ScoreHistory(ctx context.Context, roundID, projectID int64) ([]models.ScoreChange, error) {
	var out []models.ScoreChange
	err := db.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Take(&roundRow{}, roundID).Error; err != nil {
			return err
		}
		var rows []scoreHistoryRow
		if err := tx.Where("round_id = ? AND project_id = ?", roundID, projectID).Order("expert_id, at, id").Find(&rows).Error; err != nil {
			return err
		}
		names, err := expertNames(tx, rows)
		if err != nil {
			return err
		}
		out = make([]models.ScoreChange, 0, len(rows))
		var last *int64
		for i, r := range rows {
			if i == 0 || rows[i-1].ExpertID != r.ExpertID {
				last = nil
			}
			pts := map[string]int64{}
			if err := json.Unmarshal([]byte(r.Points), &pts); err != nil {
				return fmt.Errorf("score history %d: %w", r.ID, err)
			}
			var total int64
			for _, p := range pts {
				total += p
			}
			out = append(out, models.ScoreChange{ProjectID: r.ProjectID, ExpertID: r.ExpertID, Expert: names[r.ExpertID],
				At: r.At.UTC(), Status: models.ScoreStatus(r.Status), Points: pts, Total: total, Previous: last,
				Comment: r.Comment, By: r.ByName, Action: r.Action, Reason: r.Reason})
			t := total
			last = &t
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("round %d project %d score history: %w", roundID, projectID, mapError(err))
	}
	return out, nil
}

// expertNames are the display names (or usernames) of the rows' experts.
func expertNames(tx *gorm.DB, rows []scoreHistoryRow) (map[int64]string, error) {
	ids := make([]int64, 0, len(rows))
	for _, r := range rows {
		ids = append(ids, r.ExpertID)
	}
	names := map[int64]string{}
	if len(ids) == 0 {
		return names, nil
	}
	var users []userRow
	if err := tx.Where("id IN ?", ids).Find(&users).Error; err != nil {
		return nil, err
	}
	for _, u := range users {
		names[u.ID] = u.Username
		if u.DisplayName != "" {
			names[u.ID] = u.DisplayName
		}
	}
	return names, nil
}
