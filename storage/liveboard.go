package storage

import (
	"cmp"
	"encoding/json"
	"errors"
	"math/big"
	"slices"
	"strconv"
	"time"

	"gorm.io/gorm"

	"leitai/judging"
	"leitai/models"
)

// board builds the public board state inside tx. Only revealed slots'
// scores are read: the slots before the current one (a slot is always
// revealed before the next starts) and the current one once revealed. The
// composite is judging.Rank on the same sheet the publication exports, so
// the board, the published ranking and `leitai rank` agree.
func (l *LiveService) board(tx *gorm.DB, id int64, now time.Time) (models.Board, error) {
	s, row, rr, err := loadShow(tx, id, false)
	if err != nil {
		return models.Board{}, err
	}
	r := rr.model()
	var ed editionRow
	if err := tx.Take(&ed, rr.EditionID).Error; err != nil {
		return models.Board{}, err
	}
	sh := s.Show
	b := models.Board{
		EventID: s.ID, Title: s.Title, EditionTitle: ed.Title, Rehearsal: s.Rehearsal, AudienceMode: s.AudienceMode,
		Weights: models.BoardWeights{Panel: s.Weights.Panel, Previous: s.Weights.Previous, Audience: s.Weights.Audience},
		Seed:    s.Seed, ServerTime: now, Phase: sh.Phase, Paused: sh.Paused, PauseMessage: sh.PauseMessage,
		Slot: sh.Slot, SlotCount: len(s.Slots), Presenting: sh.Project, Judges: len(s.Judges),
		Projects: map[string]models.BoardProject{}, Submitted: map[string]int{}, Results: map[string]models.BoardResult{},
		Leaderboard: []models.BoardRank{}, Winners: map[string]int64{}, Slots: []models.BoardSlot{},
		VotingOpen: s.VotingOpen(),
	}
	if sh.Phase == models.PhaseRevealed && !sh.RevealedAt.IsZero() {
		at := sh.RevealedAt.UTC()
		b.RevealedAt = &at
	}
	if !sh.TimerStartedAt.IsZero() && sh.Phase != models.PhaseFinished {
		t := &models.BoardTimer{StartedAt: sh.TimerStartedAt.UTC(), DurationMS: sh.TimerDuration.Milliseconds()}
		if sh.TimerFrozen() {
			ms := sh.TimerRemaining.Milliseconds()
			t.RemainingMS = &ms
		}
		if sh.Phase == models.PhasePresenting || sh.Phase == models.PhaseQA {
			b.Timer = t
		}
	}
	var finalists []int64
	for i, sl := range s.Slots {
		status := "next"
		switch {
		case i < sh.Slot || i == sh.Slot && sh.Phase == models.PhaseFinished:
			status = "done"
		case i == sh.Slot:
			status = "current"
		}
		b.Slots = append(b.Slots, models.BoardSlot{Index: i, Projects: sl, Status: status})
		finalists = append(finalists, sl...)
	}
	if err := boardProjects(tx, s.ID, finalists, b.Projects); err != nil {
		return models.Board{}, err
	}

	// Submitted counts of the current slot (counts only, never scores).
	current := sh.CurrentProjects()
	curScores, err := seatScores(tx, s, current)
	if err != nil {
		return models.Board{}, err
	}
	for _, p := range current {
		b.Submitted[idString(p)] = len(curScores[p])
	}

	vc, err := tally(tx, s.ID, sh.Slot)
	if err != nil {
		return models.Board{}, err
	}
	votes := vc.Tally
	b.Tally, b.Voters, b.EventVoters = votes, vc.SlotVoters, vc.EventVoters
	b.TalliesPublic = s.TalliesPublic
	if s.AudienceMode == models.AudienceOpen || s.AudienceMode == models.AudienceBoth {
		st, _, err := screenLink(tx, s.ID)
		if err != nil {
			return models.Board{}, err
		}
		b.PresenceRequired = st.Active
	}

	var revealed []int64
	var revealedSlots []int
	for i, sl := range s.Slots {
		if i < sh.Slot || i == sh.Slot && sh.ScoresPublic() {
			revealed = append(revealed, sl...)
			revealedSlots = append(revealedSlots, i)
		}
	}
	if len(revealed) == 0 {
		return b, nil
	}
	scores, err := seatScores(tx, s, revealed)
	if err != nil {
		return models.Board{}, err
	}
	previous, err := previousScores(tx, s.PreviousRoundID)
	if err != nil {
		return models.Board{}, err
	}
	sheet := liveSheet(s, r, scores, previous, audiencePoints(votes, finalists, s.Floor()), revealed)
	if len(sheet.Scores) == 0 {
		return b, nil
	}
	res, err := judging.Rank(sheet)
	if err != nil {
		return models.Board{}, err
	}
	var oldRanks map[string]int
	_ = json.Unmarshal([]byte(row.Ranks), &oldRanks)
	rankOf := map[string]judging.Entry{}
	for _, e := range res.Ranking {
		rankOf[e.Project] = e
		pid, _ := strconv.ParseInt(e.Project, 10, 64)
		mv := 0
		if old, ok := oldRanks[e.Project]; ok {
			mv = old - e.Rank
		}
		b.Leaderboard = append(b.Leaderboard, models.BoardRank{ProjectID: pid, Rank: e.Rank, Composite: e.Value.String(), Movement: mv, Tied: e.Tied})
		br := models.BoardResult{Panel: e.Panel.String(), PanelValue: e.Panel.Float64(), Composite: e.Value.String(), CompositeValue: e.Value.Float64(),
			Audience: sheet.Audience[e.Project].String(), Scores: judgeScores(s, r, scores[pid])}
		if p, ok := sheet.Previous[e.Project]; ok {
			str := p.String()
			br.Previous = &str
		}
		b.Results[e.Project] = br
	}
	for _, i := range revealedSlots {
		sl := s.Slots[i]
		if len(sl) != 2 {
			continue
		}
		a, okA := rankOf[idString(sl[0])]
		c, okC := rankOf[idString(sl[1])]
		switch {
		case !okA || !okC || a.Rank == c.Rank:
		case a.Rank < c.Rank:
			b.Winners[strconv.Itoa(i)] = sl[0]
		default:
			b.Winners[strconv.Itoa(i)] = sl[1]
		}
	}
	if sh.Phase == models.PhaseFinished {
		for _, e := range b.Leaderboard[:min(3, len(b.Leaderboard))] {
			b.Podium = append(b.Podium, e.ProjectID)
		}
	}
	return b, nil
}

// boardProjects fills the finalists' titles, units and photo links.
func boardProjects(tx *gorm.DB, showID int64, ids []int64, out map[string]models.BoardProject) error {
	if len(ids) == 0 {
		return nil
	}
	var rows []projectRow
	if err := tx.Where("id IN ?", ids).Find(&rows).Error; err != nil {
		return err
	}
	units, err := listUnits(tx)
	if err != nil {
		return err
	}
	tree := models.NewUnitTree(units)
	var withPhoto []int64
	if err := tx.Model(&mediaRow{}).Distinct("project_id").Where("project_id IN ? AND kind = ?", ids, string(models.MediaImage)).Pluck("project_id", &withPhoto).Error; err != nil {
		return err
	}
	for _, p := range rows {
		u, _ := tree.Unit(p.UnitID)
		bp := models.BoardProject{ID: p.ID, Title: p.Title, UnitName: u.Name}
		if slices.Contains(withPhoto, p.ID) {
			url := "/api/v1/live-events/" + idString(showID) + "/projects/" + idString(p.ID) + "/photo"
			bp.PhotoURL = &url
		}
		out[idString(p.ID)] = bp
	}
	return nil
}

// judgeScores lists a revealed project's totals by seat, marking the ones
// trimmed_mean drops as struck (judging.Struck's choice).
func judgeScores(s models.LiveShow, r models.Round, bySeat map[int]scoreRow) []models.BoardJudgeScore {
	seats := make([]int, 0, len(bySeat))
	for st := range bySeat {
		seats = append(seats, st)
	}
	slices.Sort(seats)
	totals := make([]judging.Points, len(seats))
	out := make([]models.BoardJudgeScore, len(seats))
	for i, st := range seats {
		totals[i] = judging.Points(bySeat[st].model().Total())
		out[i] = models.BoardJudgeScore{Seat: st, Total: totals[i].String()}
	}
	if r.Method != "trimmed_mean" {
		return out
	}
	struck := judging.Struck(totals, r.Trim)
	if struck == nil {
		return out
	}
	// Struck orders by (total, position): its first trim are the low ones.
	order := make([]int, len(totals))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		if c := cmp.Compare(totals[a], totals[b]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	low, high := "low", "high"
	for _, p := range order[:r.Trim] {
		out[p].Struck = &low
	}
	for _, p := range order[len(order)-r.Trim:] {
		out[p].Struck = &high
	}
	return out
}

// liveSheet is the live round's score sheet over the given projects: the
// judges as S<seat>, the previous round's published scores, the audience
// points and the event's weights.
func liveSheet(s models.LiveShow, r models.Round, scores map[int64]map[int]scoreRow, previous, audience map[string]judging.Points, projects []int64) judging.Sheet {
	sheet := judging.Sheet{Method: judging.Method(r.Method), Trim: r.Trim, KeyCriterion: r.KeyCriterion, Scores: []judging.SheetScore{},
		Previous: map[string]judging.Points{}, Audience: map[string]judging.Points{},
		Weights: &judging.Weights{Panel: judging.Points(s.Weights.Panel * judging.Scale), Previous: judging.Points(s.Weights.Previous * judging.Scale),
			Audience: judging.Points(s.Weights.Audience * judging.Scale)}}
	for _, c := range r.Rubric {
		sheet.Criteria = append(sheet.Criteria, judging.Criterion{Key: c.Key, Max: judging.Points(c.Max)})
	}
	for _, p := range projects {
		key := idString(p)
		bySeat := scores[p]
		if len(bySeat) == 0 {
			continue
		}
		seats := make([]int, 0, len(bySeat))
		for st := range bySeat {
			seats = append(seats, st)
		}
		slices.Sort(seats)
		for _, st := range seats {
			m := bySeat[st].model()
			var cps judging.CriterionPoints
			for _, c := range r.Rubric {
				cps = append(cps, judging.CriterionPoint{Key: c.Key, Points: judging.Points(m.Points[c.Key])})
			}
			sheet.Scores = append(sheet.Scores, judging.SheetScore{Judge: "S" + strconv.Itoa(st), Project: key, Criteria: cps})
		}
		if v, ok := previous[key]; ok {
			sheet.Previous[key] = v
		}
		sheet.Audience[key] = audience[key]
	}
	if len(sheet.Previous) == 0 {
		sheet.Previous = nil
	}
	return sheet
}

// audiencePoints is PRODUCT.md's 100 × votes ÷ the most votes any finalist
// received, in hundredths rounded half up (0 for everyone without votes).
func audiencePoints(votes map[string]int, finalists []int64, floor int) map[string]judging.Points {
	most := 0
	for _, p := range finalists {
		most = max(most, votes[idString(p)])
	}
	out := map[string]judging.Points{}
	for _, p := range finalists {
		k := idString(p)
		out[k] = judging.AudiencePoints(int64(votes[k]), int64(most), int64(floor))
	}
	return out
}

// previousScores reads the previous round's published scores, rounded as
// published (2 decimals) and rescaled to 0–100 when its rubric is not out
// of 100. An unpublished or missing round gives none.
func previousScores(tx *gorm.DB, roundID *int64) (map[string]judging.Points, error) {
	out := map[string]judging.Points{}
	if roundID == nil {
		return out, nil
	}
	var pub publicationRow
	if err := tx.Take(&pub, *roundID).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return out, nil
		}
		return nil, err
	}
	var rr roundRow
	if err := tx.Take(&rr, *roundID).Error; err != nil {
		return nil, err
	}
	total := rr.model().Rubric.Total()
	var entries []publishedEntry
	if err := json.Unmarshal([]byte(pub.Results), &entries); err != nil {
		return nil, err
	}
	for _, e := range entries {
		p, err := judging.ParsePoints(e.Display)
		if err != nil {
			continue
		}
		if total > 0 && total != 100*judging.Scale {
			p = judging.RoundHalfUp(big.NewRat(int64(p)*100, total))
		}
		out[e.ProjectID] = p
	}
	return out, nil
}

// liveRoundSheet is the score sheet a live round publishes: every scored
// finalist with previous, audience and weights (nil when the round has no
// live event).
func liveRoundSheet(tx *gorm.DB, roundID int64) (*judging.Sheet, error) {
	var row liveShowRow
	if err := tx.Where("round_id = ?", roundID).Take(&row).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, nil
		}
		return nil, err
	}
	s, _, rr, err := loadShow(tx, row.ID, false)
	if err != nil {
		return nil, err
	}
	var finalists []int64
	for _, sl := range s.Slots {
		finalists = append(finalists, sl...)
	}
	scores, err := seatScores(tx, s, finalists)
	if err != nil {
		return nil, err
	}
	previous, err := previousScores(tx, s.PreviousRoundID)
	if err != nil {
		return nil, err
	}
	vc, err := tally(tx, s.ID, s.Show.Slot)
	if err != nil {
		return nil, err
	}
	votes := vc.Tally
	sheet := liveSheet(s, rr.model(), scores, previous, audiencePoints(votes, finalists, s.Floor()), finalists)
	if s.AudienceMode != models.AudienceNone {
		if sheet.AudienceDerivation, err = audienceDerivation(tx, s.ID, votes, finalists, s.Floor()); err != nil {
			return nil, err
		}
	}
	return &sheet, nil
}
