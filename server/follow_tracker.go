// The public tracker: every funded project's progress, without an account.

package server

import (
	"leitai/models"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
)

type trackerPhotoJSON struct {
	URL string `json:"url"`
	Alt string `json:"alt"`
}

type trackerKPIJSON struct {
	models.KPI
	Actual *string `json:"actual"`
}

type trackerReportJSON struct {
	Seq        int                `json:"seq"`
	Title      string             `json:"title"`
	AcceptedAt time.Time          `json:"accepted_at"`
	Text       string             `json:"text"`
	Photos     []trackerPhotoJSON `json:"photos"`
}

type trackerMilestoneJSON struct {
	Seq          int            `json:"seq"`
	Title        string         `json:"title"`
	DueOn        string         `json:"due_on"`
	Deliverables string         `json:"deliverables"`
	Share        int            `json:"share"`
	Flag         models.DueFlag `json:"flag"`
	Released     bool           `json:"released"`
}

type trackerProjectJSON struct {
	ID          int64                  `json:"id"`
	EditionID   int64                  `json:"edition_id"`
	EditionName string                 `json:"edition_name"`
	Title       string                 `json:"project_title"`
	UnitName    string                 `json:"unit_name"`
	CountyID    *int64                 `json:"county_id"`
	CountyName  string                 `json:"county_name"`
	Tier        string                 `json:"tier"`
	TierNameZh  string                 `json:"tier_name_zh"`
	TierNameEn  string                 `json:"tier_name_en"`
	Status      models.AwardStatus     `json:"status"`
	Progress    map[string]int         `json:"progress"`
	Next        *nextDueJSON           `json:"next"`
	FundingFen  int64                  `json:"funding_fen"`
	PaidFen     int64                  `json:"paid_fen"`
	Milestones  []trackerMilestoneJSON `json:"milestones"`
	KPIs        []trackerKPIJSON       `json:"kpis"`
	Adoptions   []adoptionJSON         `json:"adoptions"`
	Photos      []trackerPhotoJSON     `json:"photos"`
	Reports     []trackerReportJSON    `json:"reports,omitempty"`
}

func toTrackerPhotos(ps []models.TrackerPhoto) []trackerPhotoJSON {
	out := make([]trackerPhotoJSON, 0, len(ps))
	for _, p := range ps {
		out = append(out, trackerPhotoJSON{URL: "/api/v1/tracker/photos/" + strconv.FormatInt(p.MediaID, 10), Alt: p.Alt})
	}
	return out
}

func toTrackerJSON(p models.TrackerProject, withReports bool) trackerProjectJSON {
	out := trackerProjectJSON{ID: p.AwardID, EditionID: p.EditionID, EditionName: p.EditionName, Title: p.Title, UnitName: p.UnitName,
		CountyName: p.CountyName, Tier: p.Tier.Code, TierNameZh: p.Tier.NameZh, TierNameEn: p.Tier.NameEn, Status: p.Status,
		Progress: map[string]int{"done": p.Done, "total": p.Total}, FundingFen: p.FundingFen, PaidFen: p.PaidFen,
		Milestones: []trackerMilestoneJSON{}, KPIs: []trackerKPIJSON{}, Adoptions: toAdoptionsJSON(p.Adoptions), Photos: toTrackerPhotos(p.Photos)}
	if p.CountyID != 0 {
		id := p.CountyID
		out.CountyID = &id
	}
	if p.Next != nil {
		out.Next = &nextDueJSON{Seq: p.Next.Seq, Title: p.Next.Title, DueOn: p.Next.DueOn, Flag: p.Next.Flag}
	}
	for _, m := range p.Milestones {
		out.Milestones = append(out.Milestones, trackerMilestoneJSON{Seq: m.Seq, Title: m.Title, DueOn: m.DueOn, Deliverables: m.Deliverables,
			Share: m.Share, Flag: m.Flag, Released: m.Tranche.State == models.TranchePaid})
	}
	for _, k := range p.KPIs {
		out.KPIs = append(out.KPIs, trackerKPIJSON{KPI: k.KPI, Actual: k.Actual})
	}
	if withReports {
		out.Reports = []trackerReportJSON{}
		for _, r := range p.Reports {
			out.Reports = append(out.Reports, trackerReportJSON{Seq: r.Seq, Title: r.Title, AcceptedAt: r.AcceptedAt, Text: r.Text, Photos: toTrackerPhotos(r.Photos)})
		}
	}
	return out
}

func queryOptID(c *fiber.Ctx, name string) (int64, error) {
	id, err := queryID(c, name)
	if err != nil || id == nil {
		return 0, err
	}
	return *id, nil
}

// tracker is the public tracker (contract path GET /api/v1/tracker).
func (s *handlers) tracker(c *fiber.Ctx) error {
	f, err := s.follow()
	if err != nil {
		return err
	}
	var filter models.TrackerFilter
	if filter.EditionID, err = queryOptID(c, "edition"); err != nil {
		return err
	}
	if filter.CountyID, err = queryOptID(c, "county"); err != nil {
		return err
	}
	filter.Tier = c.Query("tier")
	if len(filter.Tier) > 32 {
		return models.Invalid("unknown tier", map[string]string{"tier": "not a tier"})
	}
	list, err := f.Tracker(c.UserContext(), filter)
	if err != nil {
		return err
	}
	if filter.Tier != "" {
		if _, ok := models.TierByCode(list.Tiers, filter.Tier); !ok {
			return models.Invalid("unknown tier", map[string]string{"tier": "not a tier of any funded project"})
		}
	}
	type choice struct {
		ID   int64  `json:"id"`
		Name string `json:"name"`
	}
	choices := func(cs []models.Choice) []choice {
		out := make([]choice, len(cs))
		for i, c := range cs {
			out[i] = choice{c.ID, c.Name}
		}
		return out
	}
	out := make([]trackerProjectJSON, len(list.Projects))
	for i, p := range list.Projects {
		out[i] = toTrackerJSON(p, false)
	}
	c.Set(fiber.HeaderCacheControl, "no-cache") // pages refetch when the live channel says it changed
	return c.JSON(fiber.Map{"editions": choices(list.Editions), "counties": choices(list.Counties), "tiers": list.Tiers, "projects": out})
}

func (s *handlers) trackerProject(c *fiber.Ctx) error {
	f, err := s.follow()
	if err != nil {
		return err
	}
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	p, err := f.TrackerProject(c.UserContext(), id)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-cache") // pages refetch when the live channel says it changed
	return c.JSON(toTrackerJSON(p, true))
}

// trackerPhoto serves a public photo's derivative from a stable address:
// the bytes themselves (never a redirect to an expiring link), cacheable
// for good since a medium's derivative never changes.
func (s *handlers) trackerPhoto(c *fiber.Ctx) error {
	f, err := s.follow()
	if err != nil {
		return err
	}
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	key, err := f.TrackerPhoto(c.UserContext(), id)
	if err != nil {
		return err
	}
	if s.deps.Photos == nil {
		return models.Errorf(models.KindUnavailable, "the object store is not configured")
	}
	body, ct, err := s.deps.Photos.OpenObject(c.UserContext(), key)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, ct)
	c.Set(fiber.HeaderCacheControl, "public, max-age=31536000, immutable")
	c.Set("X-Content-Type-Options", "nosniff")
	return c.Send(body)
}
