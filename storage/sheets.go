package storage

import (
	"context"

	"gorm.io/gorm"

	"leitai/judging"
	"leitai/models"
)

// A round's score sheet: what judging ranks and `leitai rank` reproduces.

// RoundSheet builds the round's score sheet from its submitted scores:
// projects as their ids, experts as E<id> (the published sheet is
// anonymised later, at publication).
func (db *DB) RoundSheet(ctx context.Context, roundID int64) (judging.Sheet, error) {
	return roundSheet(db.gorm.WithContext(ctx), roundID)
}

func roundSheet(g *gorm.DB, roundID int64) (judging.Sheet, error) {
	// A live final's sheet carries the previous round, the audience and
	// the composite's weights.
	ls, err := liveRoundSheet(g, roundID)
	if err != nil {
		return judging.Sheet{}, mapError(err)
	}
	var sheet judging.Sheet
	if ls != nil {
		sheet = *ls
	} else if sheet, err = panelSheet(g, roundID); err != nil {
		return judging.Sheet{}, err
	}
	decisions, err := tieDecisions(g, roundID)
	if err != nil {
		return judging.Sheet{}, mapError(err)
	}
	for _, d := range decisions {
		m := d.model()
		sheet.Decisions = append(sheet.Decisions, judging.Decision{Order: m.Order, Reason: m.Reason})
	}
	return sheet, nil
}

// panelSheet is an online round's sheet: its submitted scores, the experts
// as E<id>.
func panelSheet(g *gorm.DB, roundID int64) (judging.Sheet, error) {
	var row roundRow
	if err := g.Take(&row, roundID).Error; err != nil {
		return judging.Sheet{}, mapError(err)
	}
	r := row.model()
	sheet := judging.Sheet{Method: judging.Method(r.Method), Trim: r.Trim, KeyCriterion: r.KeyCriterion, Scores: []judging.SheetScore{}}
	for _, c := range r.Rubric {
		sheet.Criteria = append(sheet.Criteria, judging.Criterion{Key: c.Key, Max: judging.Points(c.Max)})
	}
	var scores []scoreRow
	if err := g.Where("round_id = ? AND status = ?", roundID, string(models.ScoreSubmitted)).Order("project_id, expert_id").Find(&scores).Error; err != nil {
		return judging.Sheet{}, mapError(err)
	}
	for _, s := range scores {
		m := s.model()
		var cps judging.CriterionPoints
		for _, c := range r.Rubric {
			cps = append(cps, judging.CriterionPoint{Key: c.Key, Points: judging.Points(m.Points[c.Key])})
		}
		sheet.Scores = append(sheet.Scores, judging.SheetScore{Judge: models.JudgeOfExpert(s.ExpertID), Project: idString(s.ProjectID), Criteria: cps})
	}
	return sheet, nil
}
