package storage

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"leitai/judging"
	"leitai/models"
)

// Publication (公示): the immutable snapshot of a round's results, its
// anchor in the audit chain and the objection window.

type publicationRow struct {
	RoundID        int64 `gorm:"primaryKey"`
	PublishedAt    time.Time
	ObjectionFrom  *time.Time
	ObjectionUntil time.Time
	Results        string
	Sheet          string
	PublishedBy    string
	AuditHeadID    int64
	AuditHeadHash  string
}

func (publicationRow) TableName() string { return "round_publications" }

func (r publicationRow) model() models.Publication {
	from := r.PublishedAt.UTC()
	if r.ObjectionFrom != nil {
		from = r.ObjectionFrom.UTC()
	}
	return models.Publication{RoundID: r.RoundID, PublishedAt: r.PublishedAt.UTC(), ObjectionFrom: from, ObjectionUntil: r.ObjectionUntil.UTC(),
		Results: r.Results, Sheet: r.Sheet, PublishedBy: r.PublishedBy, AuditHeadID: r.AuditHeadID, AuditHeadHash: r.AuditHeadHash}
}

// publishedEntry is one line of the published ranking.
type publishedEntry struct {
	Rank      int     `json:"rank"`
	ProjectID string  `json:"project_id"`
	Title     string  `json:"title"`
	UnitName  string  `json:"unit_name"`
	Score     float64 `json:"score"`
	Display   string  `json:"display"`
	Judges    int     `json:"judges"`
	Method    string  `json:"method_applied"`
	Tied      bool    `json:"tied"`
	// Advances is set once the round's advancement is decided; Reason is
	// the organiser's override reason, when an override placed it.
	Advances      *bool  `json:"advances,omitempty"`
	AdvanceReason string `json:"advance_reason,omitempty"`
}

// publish snapshots the round's results immutably inside the status
// change's transaction: the ranking with titles and units, and the score
// sheet with the experts anonymised (J1…Jn by id) — `leitai rank` on it
// reproduces the ranking. The publication window is the admin's (window)
// or by default now → 5 working days in loc by the edition's calendar.
func (db *DB) publish(tx *gorm.DB, actor models.Actor, row roundRow, loc *time.Location, window *models.PublicationWindow) error {
	sheet, err := roundSheet(tx, row.ID)
	if err != nil {
		return err
	}
	if len(sheet.Scores) == 0 {
		return models.Errorf(models.KindConflict, "round %q has no submitted scores to publish", row.Name)
	}
	var judges []string
	seen := map[string]bool{}
	for _, sc := range sheet.Scores {
		if !seen[sc.Judge] {
			seen[sc.Judge] = true
			judges = append(judges, sc.Judge)
		}
	}
	sort.Slice(judges, func(i, j int) bool {
		a, _ := models.ExpertOfJudge(judges[i])
		b, _ := models.ExpertOfJudge(judges[j])
		return a < b
	})
	alias := map[string]string{}
	for i, j := range judges {
		alias[j] = "J" + strconv.Itoa(i+1)
	}
	for i := range sheet.Scores {
		sheet.Scores[i].Judge = alias[sheet.Scores[i].Judge]
	}
	res, err := judging.Rank(sheet)
	if err != nil {
		return err
	}
	units, err := listUnits(tx)
	if err != nil {
		return err
	}
	tree := models.NewUnitTree(units)
	var adv advancementRow
	if err := tx.Where("round_id = ?", row.ID).Limit(1).Find(&adv).Error; err != nil {
		return err
	}
	if err := tieAtCutDecided(tx, res, adv); err != nil {
		return err
	}
	advancing, reasons := map[string]bool{}, map[string]string{}
	if adv.RoundID != 0 {
		m := adv.model()
		for _, p := range m.Advancing {
			advancing[p] = true
		}
		for _, o := range m.Overrides {
			reasons[o.Project] = o.Reason
		}
	}
	entries := make([]publishedEntry, 0, len(res.Ranking))
	for _, e := range res.Ranking {
		id, _ := strconv.ParseInt(e.Project, 10, 64)
		var p projectRow
		if err := tx.Take(&p, id).Error; err != nil {
			return err
		}
		u, _ := tree.Unit(p.UnitID)
		entry := publishedEntry{Rank: e.Rank, ProjectID: e.Project, Title: p.Title, UnitName: u.Name, Score: e.Score,
			Display: e.Value.String(), Judges: e.Judges, Method: string(e.MethodApplied), Tied: e.Tied}
		if adv.RoundID != 0 {
			a := advancing[e.Project]
			entry.Advances, entry.AdvanceReason = &a, reasons[e.Project]
		}
		entries = append(entries, entry)
	}
	resultsJSON, err := json.Marshal(entries)
	if err != nil {
		return err
	}
	sheetJSON, err := json.Marshal(sheet)
	if err != nil {
		return err
	}
	now := db.now()
	if loc == nil {
		loc = time.UTC
	}
	cal, err := calendarOf(tx, row.EditionID)
	if err != nil {
		return err
	}
	w := models.PublicationWindow{From: now, Until: models.AddWorkingDays(now, models.DefaultWindowDays, loc, cal)}
	if window != nil {
		w = models.PublicationWindow{From: window.From.UTC(), Until: window.Until.UTC()}
		if w.From.Before(now) {
			w.From = now // objections cannot precede the results
		}
		if err := w.Check(now); err != nil {
			return err
		}
	}
	head, err := db.auditHead(tx)
	if err != nil {
		return err
	}
	pub := publicationRow{RoundID: row.ID, PublishedAt: now, ObjectionFrom: &w.From, ObjectionUntil: w.Until,
		Results: string(resultsJSON), Sheet: string(sheetJSON), PublishedBy: actor.Name, AuditHeadID: head.ID, AuditHeadHash: head.Hash}
	if err := tx.Create(&pub).Error; err != nil {
		return err
	}
	sum := sha256.Sum256(sheetJSON)
	if err := db.appendAudit(tx, models.AuditRecord{Actor: actor, Action: "round.publish", Entity: "round", EntityID: idString(row.ID),
		After: map[string]any{"sheet_sha256": hex.EncodeToString(sum[:]), "projects": len(entries), "objection_from": w.From.Format(time.RFC3339), "objection_until": pub.ObjectionUntil.Format(time.RFC3339),
			"window_working_days": models.WorkingDaysAfter(w.From, w.Until, loc, cal), "window_set_by_admin": window != nil,
			"audit_head_id": head.ID, "audit_head_hash": head.Hash}}); err != nil {
		return err
	}
	// The units of the ranked projects are told.
	var users []int64
	for _, e := range entries {
		id, _ := strconv.ParseInt(e.ProjectID, 10, 64)
		var p projectRow
		if err := tx.Select("id", "unit_id").Take(&p, id).Error; err != nil {
			return err
		}
		ids, err := unitUserIDs(tx, p.UnitID)
		if err != nil {
			return err
		}
		users = append(users, ids...)
	}
	return notifyTx(tx, now, note{users: users, kind: models.NotePublished, link: "/results",
		params: map[string]string{"round": row.Name, "from": w.From.Format(time.RFC3339), "until": pub.ObjectionUntil.UTC().Format(time.RFC3339)}})
}

// tieAtCutDecided refuses to publish while a tied group straddles the top-N
// advancement line and the organiser has settled it neither with a tie
// decision (which breaks the tie in the ranking) nor with an override for
// one of its projects: the 公示 must not show an undecided cut. Ties that
// change nothing stay shared ranks.
func tieAtCutDecided(tx *gorm.DB, res judging.Result, adv advancementRow) error {
	if adv.RoundID == 0 || adv.TopN <= 0 {
		return nil
	}
	a, err := judging.Advance(res, judging.AdvanceRule{Top: adv.TopN})
	if err != nil || len(a.TieAtCut) == 0 {
		return err
	}
	for _, o := range adv.model().Overrides {
		if slices.Contains(a.TieAtCut, o.Project) {
			return nil
		}
	}
	titles := make([]string, 0, len(a.TieAtCut))
	for _, id := range a.TieAtCut {
		var p projectRow
		if err := tx.Select("id", "title").Take(&p, id).Error; err != nil {
			return err
		}
		titles = append(titles, fmt.Sprintf("「%s」(%s)", p.Title, id))
	}
	return models.Errorf(models.KindConflict, "projects %s are tied across the advancement line (top %d): decide the tie with its reason, or override one of them, before publishing",
		strings.Join(titles, ", "), adv.TopN)
}

// Publications lists the published rounds of editions that are not drafts,
// newest first.
func (db *DB) Publications(ctx context.Context) ([]models.Round, []models.Publication, error) {
	g := db.gorm.WithContext(ctx)
	var pubs []publicationRow
	if err := g.Where("round_id IN (?)", g.Model(&roundRow{}).Select("rounds.id").
		Joins("JOIN editions ON editions.id = rounds.edition_id").Where("editions.status <> ?", string(models.EditionDraft))).
		Order("published_at DESC").Find(&pubs).Error; err != nil {
		return nil, nil, mapError(err)
	}
	rounds := make([]models.Round, len(pubs))
	out := make([]models.Publication, len(pubs))
	for i, p := range pubs {
		var r roundRow
		if err := g.Take(&r, p.RoundID).Error; err != nil {
			return nil, nil, mapError(err)
		}
		rounds[i], out[i] = r.model(), p.model()
	}
	return rounds, out, nil
}

// PublicationOf returns one round's publication.
func (db *DB) PublicationOf(ctx context.Context, roundID int64) (models.Publication, error) {
	var p publicationRow
	if err := db.gorm.WithContext(ctx).Take(&p, roundID).Error; err != nil {
		return models.Publication{}, fmt.Errorf("publication of round %d: %w", roundID, mapError(err))
	}
	return p.model(), nil
}
