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

// FollowService is the follow-through of funded projects (实施跟踪): awards,
// plans, progress reports, expert checks, tranches and the public tracker.
// It holds its time zone (due dates are calendar dates there) and its clock;
// every method reads the clock once and uses that instant throughout its
// transaction.
type FollowService struct {
	db  *DB
	loc *time.Location
	now func() time.Time
	// changed is told, after a commit, which award's public view changed
	// (the tracker's live channel); nil when nobody listens.
	changed func(awardID int64)
}

// NewFollowService builds the service; loc is LEITAI_TIMEZONE.
func NewFollowService(db *DB, loc *time.Location) *FollowService {
	if loc == nil {
		loc = time.UTC
	}
	return &FollowService{db: db, loc: loc, now: db.now}
}

// WithClock replaces the clock (tests).
func (s *FollowService) WithClock(now func() time.Time) *FollowService {
	c := *s
	c.now = now
	return &c
}

// OnChange registers fn to be told, after each commit that changes what
// the public tracker shows, the award concerned.
func (s *FollowService) OnChange(fn func(awardID int64)) { s.changed = fn }

func (s *FollowService) notify(awardID int64) {
	if s.changed != nil {
		s.changed(awardID)
	}
}

type awardRow struct {
	ID               int64 `gorm:"primaryKey"`
	EditionID        int64
	RoundID          int64
	ProjectID        int64
	UnitID           int64
	Tier             string
	Rank             int
	FundingFen       int64
	SignedOn         *string
	AgreementMediaID *int64
	Status           string
	StatusReason     string
	RecoverFen       int64
	Version          int
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

func (awardRow) TableName() string { return "awards" }

func (r awardRow) model() models.Award {
	a := models.Award{ID: r.ID, EditionID: r.EditionID, RoundID: r.RoundID, ProjectID: r.ProjectID, UnitID: r.UnitID,
		Tier: r.Tier, Rank: r.Rank, FundingFen: r.FundingFen, AgreementMediaID: r.AgreementMediaID,
		Status: models.AwardStatus(r.Status), StatusReason: r.StatusReason, RecoverFen: r.RecoverFen, Version: r.Version,
		CreatedAt: r.CreatedAt.UTC()}
	if r.SignedOn != nil {
		a.SignedOn = *r.SignedOn
	}
	return a
}

type awardVersionRow struct {
	AwardID    int64 `gorm:"primaryKey"`
	Version    int   `gorm:"primaryKey"`
	Tier       string
	FundingFen int64
	Reason     string
	ByName     string
	At         time.Time
}

func (awardVersionRow) TableName() string { return "award_versions" }

type planRow struct {
	AwardID      int64 `gorm:"primaryKey"`
	Version      int   `gorm:"primaryKey"`
	Status       string
	Milestones   string
	Reason       string
	Comment      string
	ProposedBy   string
	ProposedAt   time.Time
	DecidedBy    string
	DecidedAt    *time.Time
	ContactName  string
	ContactEmail string
}

func (planRow) TableName() string { return "plan_versions" }

func (r planRow) model() (models.Plan, error) {
	p := models.Plan{Version: r.Version, Status: models.PlanStatus(r.Status), Reason: r.Reason, Comment: r.Comment,
		ProposedBy: r.ProposedBy, ProposedAt: r.ProposedAt.UTC(), DecidedBy: r.DecidedBy, DecidedAt: utcPtr(r.DecidedAt),
		ContactName: r.ContactName, ContactEmail: r.ContactEmail}
	if err := json.Unmarshal([]byte(r.Milestones), &p.Milestones); err != nil {
		return p, fmt.Errorf("plan %d v%d: %w", r.AwardID, r.Version, err)
	}
	return p, nil
}

type reportRow struct {
	AwardID     int64 `gorm:"primaryKey"`
	Seq         int   `gorm:"primaryKey"`
	Status      string
	Text        string
	KPIActuals  string `gorm:"column:kpi_actuals"`
	MediaIDs    string `gorm:"column:media_ids"`
	Comment     string
	Revision    int
	SubmittedAt *time.Time
	DecidedBy   string
	DecidedAt   *time.Time
	UpdatedAt   time.Time
}

func (reportRow) TableName() string { return "follow_reports" }

func (r reportRow) model() (models.Report, error) {
	rep := models.Report{AwardID: r.AwardID, Seq: r.Seq, Status: models.ReportStatus(r.Status), Text: r.Text,
		Comment: r.Comment, Revision: r.Revision, SubmittedAt: utcPtr(r.SubmittedAt), DecidedBy: r.DecidedBy,
		DecidedAt: utcPtr(r.DecidedAt), UpdatedAt: r.UpdatedAt.UTC(), KPIActuals: map[string]string{}, MediaIDs: []int64{}}
	if err := json.Unmarshal([]byte(r.KPIActuals), &rep.KPIActuals); err != nil {
		return rep, fmt.Errorf("report %d/%d: %w", r.AwardID, r.Seq, err)
	}
	if err := json.Unmarshal([]byte(r.MediaIDs), &rep.MediaIDs); err != nil {
		return rep, fmt.Errorf("report %d/%d: %w", r.AwardID, r.Seq, err)
	}
	return rep, nil
}

type trancheRow struct {
	AwardID      int64 `gorm:"primaryKey"`
	Seq          int   `gorm:"primaryKey"`
	AmountFen    int64
	State        string
	ApprovedByID *int64
	ApprovedBy   string
	ApprovedAt   *time.Time
	PaidByID     *int64
	PaidBy       string
	PaidAt       *time.Time
	PaidOn       string
	Reference    string
	Reason       string
}

func (trancheRow) TableName() string { return "tranches" }

func (r trancheRow) model() models.Tranche {
	return models.Tranche{Seq: r.Seq, AmountFen: r.AmountFen, State: models.TrancheState(r.State),
		ApprovedByID: r.ApprovedByID, ApprovedBy: r.ApprovedBy, ApprovedAt: utcPtr(r.ApprovedAt), PaidBy: r.PaidBy,
		PaidAt: utcPtr(r.PaidAt), PaidOn: r.PaidOn, Reference: r.Reference, Reason: r.Reason, GateMissing: []string{}}
}

type checkRow struct {
	ID        int64 `gorm:"primaryKey"`
	AwardID   int64
	Seq       int
	Kind      string
	Result    string
	CreatedAt time.Time
}

func (checkRow) TableName() string { return "follow_checks" }

type checkGradeRow struct {
	CheckID     int64 `gorm:"primaryKey"`
	ExpertID    int64 `gorm:"primaryKey"`
	Grade       string
	Notes       string
	SubmittedAt *time.Time
	UpdatedAt   time.Time
}

func (checkGradeRow) TableName() string { return "follow_check_grades" }

type adoptionRow struct {
	ID        int64 `gorm:"primaryKey"`
	AwardID   int64
	UnitID    int64
	AdoptedOn string
	Evidence  string
	CreatedAt time.Time
}

func (adoptionRow) TableName() string { return "adoptions" }

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// lockAward loads an award for a change inside tx: on PostgreSQL its row is
// locked, so changes to one award (a tranche's approval and its payment,
// two plan decisions) happen one after another. A unit user sees only its
// own awards; anyone else who is not an admin sees none.
func (s *FollowService) lockAward(tx *gorm.DB, who models.User, id int64) (awardRow, error) {
	if s.db.dialect == Postgres {
		if err := tx.Exec("SELECT id FROM awards WHERE id = ? FOR UPDATE", id).Error; err != nil {
			return awardRow{}, err
		}
	}
	var a awardRow
	if err := tx.Take(&a, id).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return a, models.Errorf(models.KindNotFound, "no award %d", id)
		}
		return a, err
	}
	if !canSeeAward(who, a) {
		return awardRow{}, models.Errorf(models.KindNotFound, "no award %d", id)
	}
	return a, nil
}

func canSeeAward(who models.User, a awardRow) bool {
	if who.HasRole(models.RoleAdmin) {
		return true
	}
	return who.HasRole(models.RoleUnit) && who.UnitID != nil && *who.UnitID == a.UnitID
}

// approvedPlan is the plan in force, if any.
func approvedPlan(tx *gorm.DB, awardID int64) (models.Plan, bool, error) {
	var r planRow
	err := tx.Where("award_id = ? AND status = ?", awardID, string(models.PlanApproved)).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return models.Plan{}, false, nil
	}
	if err != nil {
		return models.Plan{}, false, err
	}
	p, err := r.model()
	return p, err == nil, err
}

// milestoneOf is milestone seq of the award's approved plan; reports and
// checks wait for an approved plan.
func milestoneOf(tx *gorm.DB, awardID int64, seq int) (models.Milestone, error) {
	p, ok, err := approvedPlan(tx, awardID)
	if err != nil {
		return models.Milestone{}, err
	}
	if !ok {
		return models.Milestone{}, models.Errorf(models.KindConflict, "the award has no approved implementation plan yet")
	}
	for _, m := range p.Milestones {
		if m.Seq == seq {
			return m, nil
		}
	}
	return models.Milestone{}, models.Errorf(models.KindNotFound, "the plan has no milestone %d", seq)
}

// activeForWork refuses work on a terminated or completed award.
func activeForWork(a awardRow) error {
	switch models.AwardStatus(a.Status) {
	case models.AwardTerminated:
		return models.Errorf(models.KindConflict, "the project was terminated: %s", a.StatusReason)
	case models.AwardCompleted:
		return models.Errorf(models.KindConflict, "the project is completed (已结项)")
	}
	return nil
}

func (s *FollowService) audit(tx *gorm.DB, who models.Caller, action string, awardID int64, before, after any) error {
	return s.db.appendAudit(tx, models.AuditRecord{Actor: who.Actor, Action: action, Entity: "award",
		EntityID: idString(awardID), Before: before, After: after})
}

func (s *FollowService) tx(ctx context.Context, fn func(tx *gorm.DB) error) error {
	return s.db.tx(ctx, fn)
}

// countyOf names the county (区/县) a unit belongs to, or "" for the city's
// own departments and bodies outside any county.
func countyOf(tree *models.UnitTree, unitID int64) (int64, string) {
	for _, id := range append([]int64{unitID}, tree.Ancestors(unitID)...) {
		if u, ok := tree.Unit(id); ok && u.Kind == models.UnitCounty {
			return u.ID, u.Name
		}
	}
	return 0, ""
}
