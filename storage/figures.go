package storage

import (
	"context"

	"leitai/models"
)

// OperatorFigures counts what an operator watches on the day: audience
// votes and device tokens per live final, and the media worker's backlog.
// One round trip per figure, on indexed tables; /metrics calls it per scrape.
func (db *DB) OperatorFigures(ctx context.Context) (models.OperatorFigures, error) {
	var f models.OperatorFigures
	g := db.gorm.WithContext(ctx)
	type perShow struct {
		ShowID int64
		N      int64
	}
	var votes, voided, devices []perShow
	if err := g.Raw("SELECT show_id, COUNT(*) AS n FROM live_votes WHERE void_reason = '' GROUP BY show_id").Scan(&votes).Error; err != nil {
		return f, mapError(err)
	}
	if err := g.Raw("SELECT show_id, COUNT(*) AS n FROM live_votes WHERE void_reason <> '' GROUP BY show_id").Scan(&voided).Error; err != nil {
		return f, mapError(err)
	}
	if err := g.Raw("SELECT show_id, COUNT(*) AS n FROM live_devices GROUP BY show_id").Scan(&devices).Error; err != nil {
		return f, mapError(err)
	}
	f.Votes, f.VotesVoided, f.DeviceTokens = map[int64]int64{}, map[int64]int64{}, map[int64]int64{}
	for _, v := range votes {
		f.Votes[v.ShowID] = v.N
	}
	for _, v := range voided {
		f.VotesVoided[v.ShowID] = v.N
	}
	for _, d := range devices {
		f.DeviceTokens[d.ShowID] = d.N
	}
	if err := g.Model(&mediaRow{}).Where("processing IN ?", []string{string(models.ProcessingPending), string(models.ProcessingRunning)}).
		Count(&f.MediaBacklog).Error; err != nil {
		return f, mapError(err)
	}
	return f, nil
}
