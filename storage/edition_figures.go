package storage

import (
	"context"
	"fmt"
	"sort"
	"strconv"

	"gorm.io/gorm"

	"leitai/models"
)

// EditionFigures reads the office's overview of an edition in one
// transaction, with grouped counts (a handful of queries whatever the
// edition's size). A project counts for the county (the unit just below
// the tree's root: a county, a development zone, a city department) its
// unit belongs to.
func (db *DB) EditionFigures(ctx context.Context, editionID int64) (models.EditionFigures, error) {
	f := models.EditionFigures{EditionID: editionID, ByCounty: []models.FigureCount{}, ByCategory: []models.FigureCount{},
		Eligibility: []models.FigureCount{}, Rounds: []models.RoundFigures{}, Experts: []models.ExpertFigures{}}
	err := db.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Take(&editionRow{}, editionID).Error; err != nil {
			return err
		}
		type group struct {
			UnitID   int64
			Category string
			Status   string
			N        int
		}
		var groups []group
		if err := tx.Raw(`SELECT unit_id, category, status, COUNT(*) AS n FROM projects
			WHERE edition_id = ? AND status <> ? GROUP BY unit_id, category, status`, editionID, string(models.ProjectDraft)).
			Scan(&groups).Error; err != nil {
			return err
		}
		var units []unitRow
		if err := tx.Select("id", "parent_id", "name").Find(&units).Error; err != nil {
			return err
		}
		byID := map[int64]unitRow{}
		for _, u := range units {
			byID[u.ID] = u
		}
		county := func(id int64) unitRow {
			u := byID[id]
			for i := 0; i < len(units) && u.ParentID != nil; i++ {
				parent, ok := byID[*u.ParentID]
				if !ok || parent.ParentID == nil {
					break
				}
				u = parent
			}
			return u
		}
		counties, categories, statuses := map[int64]int{}, map[string]int{}, map[string]int{}
		for _, g := range groups {
			f.Submissions += g.N
			counties[county(g.UnitID).ID] += g.N
			categories[g.Category] += g.N
			statuses[g.Status] += g.N
		}
		for id, n := range counties {
			f.ByCounty = append(f.ByCounty, models.FigureCount{Key: strconv.FormatInt(id, 10), Label: byID[id].Name, N: n})
		}
		for c, n := range categories {
			f.ByCategory = append(f.ByCategory, models.FigureCount{Key: c, Label: c, N: n})
		}
		byCount := func(list []models.FigureCount) {
			sort.Slice(list, func(i, j int) bool {
				if list[i].N != list[j].N {
					return list[i].N > list[j].N
				}
				return list[i].Key < list[j].Key
			})
		}
		byCount(f.ByCounty)
		byCount(f.ByCategory)
		for _, s := range []models.ProjectStatus{models.ProjectSubmitted, models.ProjectEligible, models.ProjectIneligible, models.ProjectReturned, models.ProjectWithdrawn} {
			f.Eligibility = append(f.Eligibility, models.FigureCount{Key: string(s), Label: string(s), N: statuses[string(s)]})
		}

		var rounds []roundRow
		if err := tx.Select("id", "name", "ord", "status").Where("edition_id = ?", editionID).Order("ord").Find(&rounds).Error; err != nil {
			return err
		}
		if len(rounds) == 0 {
			return nil
		}
		ids := make([]int64, len(rounds))
		for i, r := range rounds {
			ids[i] = r.ID
		}
		type perRound struct {
			RoundID int64
			N       int
		}
		var projects []perRound
		if err := tx.Raw("SELECT round_id, COUNT(*) AS n FROM round_projects WHERE round_id IN ? GROUP BY round_id", ids).Scan(&projects).Error; err != nil {
			return err
		}
		type perExpert struct {
			RoundID  int64
			ExpertID int64
			N        int
		}
		var assigned, submitted, drafts []perExpert
		if err := tx.Raw("SELECT round_id, expert_id, COUNT(*) AS n FROM assignments WHERE round_id IN ? GROUP BY round_id, expert_id", ids).Scan(&assigned).Error; err != nil {
			return err
		}
		q := "SELECT round_id, expert_id, COUNT(*) AS n FROM scores WHERE round_id IN ? AND status = ? GROUP BY round_id, expert_id"
		if err := tx.Raw(q, ids, string(models.ScoreSubmitted)).Scan(&submitted).Error; err != nil {
			return err
		}
		if err := tx.Raw(q, ids, string(models.ScoreDraft)).Scan(&drafts).Error; err != nil {
			return err
		}
		type key struct{ round, expert int64 }
		experts := map[key]*models.ExpertFigures{}
		var expertIDs []int64
		for _, a := range assigned {
			experts[key{a.RoundID, a.ExpertID}] = &models.ExpertFigures{RoundID: a.RoundID, ExpertID: a.ExpertID, Assigned: a.N}
			expertIDs = append(expertIDs, a.ExpertID)
		}
		for _, s := range submitted {
			if e := experts[key{s.RoundID, s.ExpertID}]; e != nil {
				e.Submitted = s.N
			}
		}
		for _, d := range drafts {
			if e := experts[key{d.RoundID, d.ExpertID}]; e != nil {
				e.Drafts = d.N
			}
		}
		names := map[int64]string{}
		if len(expertIDs) > 0 {
			var users []userRow
			if err := tx.Select("id", "username", "display_name").Where("id IN ?", expertIDs).Find(&users).Error; err != nil {
				return err
			}
			for _, u := range users {
				names[u.ID] = u.DisplayName
				if names[u.ID] == "" {
					names[u.ID] = u.Username
				}
			}
		}
		projectsOf := map[int64]int{}
		for _, p := range projects {
			projectsOf[p.RoundID] = p.N
		}
		for _, r := range rounds {
			rf := models.RoundFigures{RoundID: r.ID, Name: r.Name, Order: r.Ord, Status: models.RoundStatus(r.Status), Projects: projectsOf[r.ID]}
			var list []models.ExpertFigures
			for k, e := range experts {
				if k.round == r.ID {
					e.Name = names[e.ExpertID]
					list = append(list, *e)
					rf.Assignments += e.Assigned
					rf.Submitted += e.Submitted
					rf.Drafts += e.Drafts
				}
			}
			sort.Slice(list, func(i, j int) bool { return list[i].ExpertID < list[j].ExpertID })
			f.Rounds = append(f.Rounds, rf)
			f.Experts = append(f.Experts, list...)
		}
		return nil
	})
	if err != nil {
		return models.EditionFigures{}, fmt.Errorf("figures of edition %d: %w", editionID, err)
	}
	return f, nil
}
