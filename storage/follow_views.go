package storage

import (
	"slices"
	"time"

	"gorm.io/gorm"

	"leitai/models"
)

// followData is what the views of a set of awards are computed from,
// loaded in one query per table.
type followData struct {
	tree      *models.UnitTree
	titles    map[int64]string
	plans     map[int64][]models.Plan // newest first
	reports   map[int64]map[int]models.Report
	tranches  map[int64]map[int]models.Tranche
	checks    map[int64]map[int]models.Check
	versions  map[int64][]models.AwardVersion
	adoptions map[int64][]models.Adoption
	mentors   map[int64][]models.Mentor
	visits    map[int64][]models.MentorVisit
	tiers     map[int64][]models.AwardTier // per edition
}

func loadFollowData(tx *gorm.DB, awards []awardRow, withHistory bool) (followData, error) {
	d := followData{titles: map[int64]string{}, plans: map[int64][]models.Plan{}, reports: map[int64]map[int]models.Report{},
		tranches: map[int64]map[int]models.Tranche{}, checks: map[int64]map[int]models.Check{},
		versions: map[int64][]models.AwardVersion{}, adoptions: map[int64][]models.Adoption{},
		mentors: map[int64][]models.Mentor{}, visits: map[int64][]models.MentorVisit{}, tiers: map[int64][]models.AwardTier{}}
	units, err := listUnits(tx)
	if err != nil {
		return d, err
	}
	d.tree = models.NewUnitTree(units)
	if len(awards) == 0 {
		return d, nil
	}
	ids := make([]int64, len(awards))
	pids := make([]int64, len(awards))
	var eids []int64
	for i, a := range awards {
		ids[i], pids[i] = a.ID, a.ProjectID
		if !slices.Contains(eids, a.EditionID) {
			eids = append(eids, a.EditionID)
		}
	}
	var editions []editionRow
	if err := tx.Select("id", "award_tiers").Where("id IN ?", eids).Find(&editions).Error; err != nil {
		return d, err
	}
	for _, e := range editions {
		d.tiers[e.ID] = decodeTiers(e.AwardTiers)
	}
	var projects []struct {
		ID    int64
		Title string
	}
	if err := tx.Model(&projectRow{}).Select("id", "title").Where("id IN ?", pids).Scan(&projects).Error; err != nil {
		return d, err
	}
	for _, p := range projects {
		d.titles[p.ID] = p.Title
	}
	var plans []planRow
	if err := tx.Where("award_id IN ?", ids).Order("award_id, version DESC").Find(&plans).Error; err != nil {
		return d, err
	}
	for _, r := range plans {
		p, err := r.model()
		if err != nil {
			return d, err
		}
		d.plans[r.AwardID] = append(d.plans[r.AwardID], p)
	}
	var reports []reportRow
	if err := tx.Where("award_id IN ?", ids).Find(&reports).Error; err != nil {
		return d, err
	}
	for _, r := range reports {
		rep, err := r.model()
		if err != nil {
			return d, err
		}
		if d.reports[r.AwardID] == nil {
			d.reports[r.AwardID] = map[int]models.Report{}
		}
		d.reports[r.AwardID][r.Seq] = rep
	}
	var tranches []trancheRow
	if err := tx.Where("award_id IN ?", ids).Find(&tranches).Error; err != nil {
		return d, err
	}
	for _, r := range tranches {
		if d.tranches[r.AwardID] == nil {
			d.tranches[r.AwardID] = map[int]models.Tranche{}
		}
		d.tranches[r.AwardID][r.Seq] = r.model()
	}
	var checks []checkRow
	if err := tx.Where("award_id IN ?", ids).Find(&checks).Error; err != nil {
		return d, err
	}
	if len(checks) > 0 {
		cids := make([]int64, len(checks))
		for i, c := range checks {
			cids[i] = c.ID
		}
		var grades []struct {
			CheckID     int64
			ExpertID    int64
			Grade       string
			Notes       string
			SubmittedAt *time.Time
			Username    string
			DisplayName string
		}
		if err := tx.Table("follow_check_grades g").Select("g.check_id, g.expert_id, g.grade, g.notes, g.submitted_at, u.username, u.display_name").
			Joins("JOIN users u ON u.id = g.expert_id").Where("g.check_id IN ?", cids).Order("g.expert_id").Scan(&grades).Error; err != nil {
			return d, err
		}
		byCheck := map[int64][]models.CheckGrade{}
		for _, g := range grades {
			name := g.DisplayName
			if name == "" {
				name = g.Username
			}
			byCheck[g.CheckID] = append(byCheck[g.CheckID], models.CheckGrade{ExpertID: g.ExpertID, Name: name,
				Grade: models.Grade(g.Grade), Notes: g.Notes, Submitted: g.SubmittedAt != nil})
		}
		for _, c := range checks {
			if d.checks[c.AwardID] == nil {
				d.checks[c.AwardID] = map[int]models.Check{}
			}
			d.checks[c.AwardID][c.Seq] = models.Check{ID: c.ID, Kind: models.CheckKind(c.Kind), Result: models.Grade(c.Result),
				Grades: byCheck[c.ID]}
		}
	}
	var adoptions []adoptionRow
	if err := tx.Where("award_id IN ?", ids).Order("adopted_on, id").Find(&adoptions).Error; err != nil {
		return d, err
	}
	for _, r := range adoptions {
		u, _ := d.tree.Unit(r.UnitID)
		d.adoptions[r.AwardID] = append(d.adoptions[r.AwardID], models.Adoption{ID: r.ID, UnitID: r.UnitID, UnitName: u.Name,
			AdoptedOn: r.AdoptedOn, Evidence: r.Evidence})
	}
	if withHistory {
		var mentors []struct {
			AwardID, ExpertID     int64
			Username, DisplayName string
		}
		if err := tx.Table("mentors m").Select("m.award_id, m.expert_id, u.username, u.display_name").Joins("JOIN users u ON u.id = m.expert_id").
			Where("m.award_id IN ?", ids).Order("m.award_id, m.expert_id").Scan(&mentors).Error; err != nil {
			return d, err
		}
		names := map[int64]string{}
		for _, m := range mentors {
			name := m.DisplayName
			if name == "" {
				name = m.Username
			}
			names[m.ExpertID] = name
			d.mentors[m.AwardID] = append(d.mentors[m.AwardID], models.Mentor{ExpertID: m.ExpertID, Name: name})
		}
		var visits []visitRow
		if err := tx.Where("award_id IN ?", ids).Order("visited_on DESC, id DESC").Find(&visits).Error; err != nil {
			return d, err
		}
		for _, v := range visits {
			d.visits[v.AwardID] = append(d.visits[v.AwardID], models.MentorVisit{ID: v.ID, ExpertID: v.ExpertID, Name: names[v.ExpertID],
				VisitedOn: v.VisitedOn, Notes: v.Notes, CreatedAt: v.CreatedAt.UTC()})
		}
		var versions []awardVersionRow
		if err := tx.Where("award_id IN ?", ids).Order("award_id, version").Find(&versions).Error; err != nil {
			return d, err
		}
		for _, v := range versions {
			d.versions[v.AwardID] = append(d.versions[v.AwardID], models.AwardVersion{Version: v.Version, Tier: v.Tier,
				FundingFen: v.FundingFen, Reason: v.Reason, By: v.ByName, At: v.At.UTC()})
		}
	}
	return d, nil
}

// inForce is the approved plan, else the newest version.
func inForce(plans []models.Plan) (models.Plan, bool) {
	for _, p := range plans {
		if p.Status == models.PlanApproved {
			return p, true
		}
	}
	if len(plans) > 0 {
		return plans[0], true
	}
	return models.Plan{}, false
}

// tier is the named tier code of an edition (the code itself as its
// name should the list not have it).
func (d followData) tier(editionID int64, code string) models.AwardTier {
	list, ok := d.tiers[editionID]
	if !ok {
		list = models.DefaultAwardTiers
	}
	if t, ok := models.TierByCode(list, code); ok {
		return t
	}
	return models.AwardTier{Code: code, NameZh: code, NameEn: code}
}

// view computes an award's detail from d at now in loc.
func (d followData) view(a awardRow, now time.Time, loc *time.Location) models.AwardDetail {
	award := a.model()
	award.ProjectTitle = d.titles[a.ProjectID]
	if u, ok := d.tree.Unit(a.UnitID); ok {
		award.UnitName = u.Name
	}
	_, award.CountyName = countyOf(d.tree, a.UnitID)
	tier := d.tier(a.EditionID, a.Tier)
	award.TierNameZh, award.TierNameEn = tier.NameZh, tier.NameEn
	out := models.AwardDetail{AwardSummary: models.AwardSummary{Award: award, PlanStatus: "none"},
		PlanVersions: d.plans[a.ID], History: d.versions[a.ID], Adoptions: d.adoptions[a.ID],
		Mentors: d.mentors[a.ID], Visits: d.visits[a.ID]}
	if out.PlanVersions == nil {
		out.PlanVersions = []models.Plan{}
	}
	if len(d.plans[a.ID]) > 0 {
		latest := d.plans[a.ID][0]
		out.Plan = &latest
		out.PlanStatus = string(latest.Status)
		if _, approved := approvedOf(d.plans[a.ID]); approved && latest.Status != models.PlanApproved {
			// A change waits while the approved version stays in force.
			out.PlanStatus = string(models.PlanApproved) + "+" + string(latest.Status)
		}
	}
	plan, ok := approvedOf(d.plans[a.ID])
	if !ok {
		plan, ok = inForce(d.plans[a.ID])
	}
	if !ok {
		return out
	}
	for _, m := range plan.Milestones {
		mv := models.MilestoneView{Milestone: m}
		if r, ok := d.reports[a.ID][m.Seq]; ok {
			mv.Report = &r
		}
		if c, ok := d.checks[a.ID][m.Seq]; ok {
			mv.Check = &c
		}
		done := mv.Report != nil && mv.Report.Status == models.ReportAccepted
		if !m.Gate.NeedsReport() {
			done = award.SignedOn != ""
		}
		if m.Gate.CheckKind() != "" {
			done = done && mv.Check != nil && mv.Check.Passed()
		}
		mv.Flag = models.FlagOf(m.DueOn, done, now, loc)
		t, ok := d.tranches[a.ID][m.Seq]
		if !ok {
			t = models.Tranche{Seq: m.Seq, State: models.TranchePending, GateMissing: []string{}}
		}
		if t.State == models.TranchePending {
			t.GateMissing = gateMissing(award, m, mv.Report, mv.Check)
			if len(t.GateMissing) == 0 {
				t.State = models.TranchePayable
			}
		}
		mv.Tranche = t
		switch t.State {
		case models.TranchePaid:
			out.PaidFen += t.AmountFen
		case models.TrancheApproved:
			out.ApprovedFen += t.AmountFen
		}
		out.Total++
		if mv.Flag == models.FlagDone {
			out.Done++
		} else if out.Next == nil {
			out.Next = &models.NextDue{Seq: m.Seq, Title: m.Title, DueOn: m.DueOn, Flag: mv.Flag}
		}
		out.Milestones = append(out.Milestones, mv)
	}
	return out
}

func approvedOf(plans []models.Plan) (models.Plan, bool) {
	for _, p := range plans {
		if p.Status == models.PlanApproved {
			return p, true
		}
	}
	return models.Plan{}, false
}

// gateMissing names what a milestone's tranche still waits for: the award
// in force (not suspended or terminated), the signed agreement, the
// accepted report, the passed check.
func gateMissing(a models.Award, m models.Milestone, rep *models.Report, chk *models.Check) []string {
	missing := []string{}
	switch a.Status {
	case models.AwardSuspended:
		missing = append(missing, "suspended")
	case models.AwardTerminated:
		missing = append(missing, "terminated")
	}
	if a.SignedOn == "" {
		missing = append(missing, "signing")
	}
	if m.Gate.NeedsReport() && (rep == nil || rep.Status != models.ReportAccepted) {
		missing = append(missing, "report")
	}
	if k := m.Gate.CheckKind(); k != "" {
		switch {
		case chk == nil || chk.Result == "":
			missing = append(missing, "check")
		case !chk.Passed():
			missing = append(missing, "check_failed")
		}
	}
	return slices.Clip(missing)
}

// gateWords says what is missing in a sentence for a 409.
var gateWords = map[string]string{
	"suspended":    "the project is suspended",
	"terminated":   "the project was terminated",
	"signing":      "the agreement is not signed",
	"report":       "the milestone's progress report is not accepted",
	"check":        "the milestone's expert check has no result yet",
	"check_failed": "the milestone's expert check failed",
}
