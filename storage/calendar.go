package storage

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"leitai/models"
)

// An edition's holiday calendar (days off, 调休 working days) and the
// publication window it gives.

type calendarDayRow struct {
	EditionID int64  `gorm:"primaryKey"`
	Day       string `gorm:"primaryKey"`
	Kind      string
}

func (calendarDayRow) TableName() string { return "edition_calendar_days" }

const (
	calendarOff  = "off"
	calendarWork = "work"
)

func calendarOf(tx *gorm.DB, editionID int64) (models.Calendar, error) {
	var rows []calendarDayRow
	if err := tx.Where("edition_id = ?", editionID).Order("day").Find(&rows).Error; err != nil {
		return models.Calendar{}, err
	}
	cal := models.Calendar{DaysOff: []string{}, WorkingDays: []string{}}
	for _, r := range rows {
		if r.Kind == calendarWork {
			cal.WorkingDays = append(cal.WorkingDays, r.Day)
		} else {
			cal.DaysOff = append(cal.DaysOff, r.Day)
		}
	}
	return cal, nil
}

// EditionCalendar returns an edition's holiday calendar, days sorted.
func (db *DB) EditionCalendar(ctx context.Context, editionID int64) (models.Calendar, error) {
	var cal models.Calendar
	err := db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Take(&editionRow{}, editionID).Error; err != nil {
			return err
		}
		var err error
		cal, err = calendarOf(tx, editionID)
		return err
	})
	if err != nil {
		return models.Calendar{}, fmt.Errorf("calendar of edition %d: %w", editionID, mapError(err))
	}
	return cal, nil
}

// SetEditionCalendar replaces an edition's holiday calendar (checked by
// models.Calendar.Normalize), audited as edition.calendar with the days
// before and after.
func (db *DB) SetEditionCalendar(ctx context.Context, actor models.Actor, editionID int64, in models.Calendar) (models.Calendar, error) {
	cal, err := in.Normalize()
	if err != nil {
		return models.Calendar{}, err
	}
	err = db.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Take(&editionRow{}, editionID).Error; err != nil {
			return err
		}
		before, err := calendarOf(tx, editionID)
		if err != nil {
			return err
		}
		if err := tx.Where("edition_id = ?", editionID).Delete(&calendarDayRow{}).Error; err != nil {
			return err
		}
		for _, d := range cal.DaysOff {
			if err := tx.Create(&calendarDayRow{EditionID: editionID, Day: d, Kind: calendarOff}).Error; err != nil {
				return err
			}
		}
		for _, d := range cal.WorkingDays {
			if err := tx.Create(&calendarDayRow{EditionID: editionID, Day: d, Kind: calendarWork}).Error; err != nil {
				return err
			}
		}
		return db.appendAudit(tx, models.AuditRecord{Actor: actor, Action: "edition.calendar", Entity: "edition", EntityID: idString(editionID),
			Before: map[string]any{"days_off": before.DaysOff, "working_days": before.WorkingDays},
			After:  map[string]any{"days_off": cal.DaysOff, "working_days": cal.WorkingDays}})
	})
	if err != nil {
		return models.Calendar{}, fmt.Errorf("set calendar of edition %d: %w", editionID, err)
	}
	return cal, nil
}

// ProposeWindow computes a round's default publication window from now
// (5 working days by its edition's calendar) and counts the working days
// of the window asked about (zero times: the default).
func (db *DB) ProposeWindow(ctx context.Context, roundID int64, now time.Time, loc *time.Location, asked models.PublicationWindow) (models.WindowProposal, error) {
	var out models.WindowProposal
	err := db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var row roundRow
		if err := tx.Take(&row, roundID).Error; err != nil {
			return err
		}
		cal, err := calendarOf(tx, row.EditionID)
		if err != nil {
			return err
		}
		out.Calendar = cal
		out.Default = models.PublicationWindow{From: now.UTC(), Until: models.AddWorkingDays(now, models.DefaultWindowDays, loc, cal)}
		out.DefaultDays = models.WorkingDaysAfter(out.Default.From, out.Default.Until, loc, cal)
		out.Days = out.DefaultDays
		if !asked.From.IsZero() && !asked.Until.IsZero() {
			if !asked.Until.After(asked.From) {
				out.Days = 0
			} else {
				out.Days = models.WorkingDaysAfter(asked.From, asked.Until, loc, cal)
			}
		}
		return nil
	})
	if err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return models.WindowProposal{}, fmt.Errorf("round %d: %w", roundID, mapError(err))
		}
		return models.WindowProposal{}, fmt.Errorf("window of round %d: %w", roundID, mapError(err))
	}
	return out, nil
}
