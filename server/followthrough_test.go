package server

import (
	"context"
	"encoding/json"
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	"leitai/models"
)

// fakeFollow is a FollowThrough whose methods the test sets; the embedded
// nil interface panics on any other call, which fails the test.
type fakeFollow struct {
	FollowThrough
	createAwards func(models.Caller, int64, []models.AwardInput) ([]models.AwardDetail, error)
	proposePlan  func(models.Caller, int64, models.PlanInput) (models.AwardDetail, error)
	moveTranche  func(models.Caller, int64, int, models.TrancheAction, models.TrancheInput) (models.AwardDetail, error)
	tracker      func(models.TrackerFilter) (models.TrackerList, error)
	trackerPhoto func(int64) (string, error)
	setTiers     func(models.Caller, int64, []models.AwardTier) ([]models.AwardTier, error)
}

func (f *fakeFollow) SetAwardTiers(_ context.Context, who models.Caller, id int64, list []models.AwardTier) ([]models.AwardTier, error) {
	return f.setTiers(who, id, list)
}

func (f *fakeFollow) CreateAwards(_ context.Context, who models.Caller, id int64, in []models.AwardInput) ([]models.AwardDetail, error) {
	return f.createAwards(who, id, in)
}
func (f *fakeFollow) ProposePlan(_ context.Context, who models.Caller, id int64, in models.PlanInput) (models.AwardDetail, error) {
	return f.proposePlan(who, id, in)
}
func (f *fakeFollow) MoveTranche(_ context.Context, who models.Caller, id int64, seq int, a models.TrancheAction, in models.TrancheInput) (models.AwardDetail, error) {
	return f.moveTranche(who, id, seq, a, in)
}
func (f *fakeFollow) Tracker(_ context.Context, filter models.TrackerFilter) (models.TrackerList, error) {
	return f.tracker(filter)
}
func (f *fakeFollow) TrackerPhoto(_ context.Context, id int64) (string, error) {
	return f.trackerPhoto(id)
}

// rolesAccounts signs in whoever's cookie names a role: "admin", "unit".
type rolesAccounts struct{ *fakeAccounts }

func (rolesAccounts) SessionByToken(_ context.Context, token string) (models.Session, error) {
	unit := int64(5)
	switch token {
	case "admin":
		return models.Session{User: models.User{ID: 1, Username: "fin1", Roles: []models.Role{models.RoleAdmin}}, CSRFToken: "t"}, nil
	case "unit":
		return models.Session{User: models.User{ID: 2, Username: "village", Roles: []models.Role{models.RoleUnit}, UnitID: &unit}, CSRFToken: "t"}, nil
	}
	return models.Session{}, models.ErrUnauthenticated
}

type photoBytes map[string][]byte

func (p photoBytes) OpenObject(_ context.Context, key string) ([]byte, string, error) {
	b, ok := p[key]
	if !ok {
		return nil, "", models.ErrNotFound
	}
	return b, models.TypeJPEG, nil
}

func TestFollowThroughHandlers(t *testing.T) {
	detail := models.AwardDetail{AwardSummary: models.AwardSummary{Award: models.Award{ID: 9, Tier: "top10", TierNameZh: "十大项目", TierNameEn: "Top Ten Project", FundingFen: 1000, Status: models.AwardActive}}}
	tests := []struct {
		name, method, path, role, body string
		fake                           fakeFollow
		wantStatus                     int
		wantBody                       []string
	}{
		{name: "awards: the caller and the fen reach storage", method: "POST", path: "/api/v1/rounds/3/awards", role: "admin",
			body: `{"awards":[{"project_id":4,"tier":"top10","funding_fen":500000}]}`,
			fake: fakeFollow{createAwards: func(who models.Caller, round int64, in []models.AwardInput) ([]models.AwardDetail, error) {
				if who.Actor.Name != "fin1" || round != 3 || len(in) != 1 || in[0].FundingFen != 500000 {
					t.Errorf("CreateAwards(%+v, %d, %+v)", who, round, in)
				}
				return []models.AwardDetail{detail}, nil
			}}, wantStatus: 201, wantBody: []string{`"funding_fen":1000`, `"tier_name_zh":"十大项目"`, `"remaining_fen":1000`}},
		{name: "awards: fractional fen is 422 naming the field", method: "POST", path: "/api/v1/rounds/3/awards", role: "admin",
			body: `{"awards":[{"project_id":4,"tier":"top10","funding_fen":12.5}]}`, wantStatus: 422, wantBody: []string{`awards.funding_fen`}},
		{name: "awards: a yuan string is 422", method: "POST", path: "/api/v1/rounds/3/awards", role: "admin",
			body: `{"awards":[{"project_id":4,"tier":"top10","funding_fen":"5000"}]}`, wantStatus: 422},
		{name: "awards: a unit is refused before storage", method: "POST", path: "/api/v1/rounds/3/awards", role: "unit",
			body: `{"awards":[]}`, wantStatus: 403},
		{name: "awards: signed out", method: "POST", path: "/api/v1/rounds/3/awards", body: `{}`, wantStatus: 401},
		{name: "plan: storage's field errors come back as 422", method: "PUT", path: "/api/v1/awards/9/plan", role: "unit",
			body: `{"milestones":[{"title":"a","due_on":"2027-01-01","share":90,"gate":"report","kpis":[]}]}`,
			fake: fakeFollow{proposePlan: func(who models.Caller, id int64, in models.PlanInput) (models.AwardDetail, error) {
				return models.AwardDetail{}, in.Validate()
			}}, wantStatus: 422, wantBody: []string{`"milestones":"the payment shares add up to 90%, not 100%"`}},
		{name: "plan: an admin cannot propose the unit's plan", method: "PUT", path: "/api/v1/awards/9/plan", role: "admin", body: `{}`, wantStatus: 403},
		{name: "tranche: the four-eyes conflict is 409", method: "POST", path: "/api/v1/awards/9/tranches/2/pay", role: "admin",
			body: `{"reference":"HZ-1","paid_on":"2027-03-06"}`,
			fake: fakeFollow{moveTranche: func(_ models.Caller, id int64, seq int, a models.TrancheAction, in models.TrancheInput) (models.AwardDetail, error) {
				if id != 9 || seq != 2 || a != models.TranchePay || in.Reference != "HZ-1" {
					t.Errorf("MoveTranche(%d, %d, %s, %+v)", id, seq, a, in)
				}
				return models.AwardDetail{}, models.Errorf(models.KindConflict, "four eyes: fin1 approved this tranche")
			}}, wantStatus: 409, wantBody: []string{"four eyes"}},
		{name: "tranche: a milestone that is not a number", method: "POST", path: "/api/v1/awards/9/tranches/x/approve", role: "admin", body: `{}`, wantStatus: 422},
		{name: "tracker: public, filters parsed", method: "GET", path: "/api/v1/tracker?edition=2&tier=top10",
			fake: fakeFollow{tracker: func(f models.TrackerFilter) (models.TrackerList, error) {
				if f != (models.TrackerFilter{EditionID: 2, Tier: "top10"}) {
					t.Errorf("Tracker(%+v)", f)
				}
				return models.TrackerList{Projects: []models.TrackerProject{{AwardID: 9, EditionID: 2, Title: "网格", Photos: []models.TrackerPhoto{{MediaID: 44}}}},
					Editions: []models.Choice{{ID: 2, Name: "2026年度"}, {ID: 1, Name: "2025年度"}}, Tiers: []models.AwardTier{{Code: "top10", NameZh: "十大项目"}}}, nil
			}}, wantStatus: 200, wantBody: []string{`"url":"/api/v1/tracker/photos/44"`, `"project_title":"网格"`, `{"id":1,"name":"2025年度"}`, `"counties":[]`,
				`"tiers":[{"code":"top10","name_zh":"十大项目"`}},
		// Tiers are per edition: a tier no funded project has is refused.
		{name: "tracker: an unknown tier", method: "GET", path: "/api/v1/tracker?tier=gold",
			fake: fakeFollow{tracker: func(f models.TrackerFilter) (models.TrackerList, error) {
				return models.TrackerList{Tiers: []models.AwardTier{{Code: "top10", NameZh: "十大项目"}}}, nil
			}}, wantStatus: 422, wantBody: []string{`"tier"`}},
		{name: "tiers: the list reaches storage with the caller", method: "PUT", path: "/api/v1/editions/5/award-tiers", role: "admin",
			body: `{"tiers":[{"code":"gold","name_zh":"金奖","name_en":"Gold"}]}`,
			fake: fakeFollow{setTiers: func(who models.Caller, id int64, list []models.AwardTier) ([]models.AwardTier, error) {
				if who.Actor.Name != "fin1" || id != 5 || len(list) != 1 || list[0].Code != "gold" {
					t.Errorf("SetAwardTiers(%+v, %d, %+v)", who, id, list)
				}
				return list, nil
			}}, wantStatus: 200, wantBody: []string{`"name_zh":"金奖"`}},
		{name: "tiers: removing one in use is 409", method: "PUT", path: "/api/v1/editions/5/award-tiers", role: "admin", body: `{"tiers":[]}`,
			fake: fakeFollow{setTiers: func(models.Caller, int64, []models.AwardTier) ([]models.AwardTier, error) {
				return nil, models.Errorf(models.KindConflict, "the tier \"top10\" is used")
			}}, wantStatus: 409},
		{name: "tiers: a unit is refused", method: "PUT", path: "/api/v1/editions/5/award-tiers", role: "unit", body: `{"tiers":[]}`, wantStatus: 403},
		{name: "tiers: signed out", method: "PUT", path: "/api/v1/editions/5/award-tiers", body: `{"tiers":[]}`, wantStatus: 401},
		{name: "tracker: a bad edition", method: "GET", path: "/api/v1/tracker?edition=-1", wantStatus: 422},
		{name: "tracker photo: the bytes, cached for good", method: "GET", path: "/api/v1/tracker/photos/44",
			fake:       fakeFollow{trackerPhoto: func(id int64) (string, error) { return "thumb/44", nil }},
			wantStatus: 200, wantBody: []string{"JPEGDATA"}},
		{name: "tracker photo: not public is 404", method: "GET", path: "/api/v1/tracker/photos/45",
			fake:       fakeFollow{trackerPhoto: func(id int64) (string, error) { return "", models.Errorf(models.KindNotFound, "no public photo") }},
			wantStatus: 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := tt.fake
			app := New(Deps{Accounts: rolesAccounts{&fakeAccounts{t: t}}, Follow: &fake, Photos: photoBytes{"thumb/44": []byte("JPEGDATA")}})
			var body io.Reader
			if tt.body != "" {
				body = strings.NewReader(tt.body)
			}
			req := httptest.NewRequest(tt.method, tt.path, body)
			req.Header.Set("Content-Type", "application/json")
			if tt.role != "" {
				req.Header.Set("Cookie", sessionCookie+"="+tt.role)
				req.Header.Set(csrfHeader, "t")
			}
			resp, err := app.Test(req, 5000)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("%s %s: %d %s, want %d", tt.method, tt.path, resp.StatusCode, got, tt.wantStatus)
			}
			for _, w := range tt.wantBody {
				if !strings.Contains(string(got), w) {
					t.Errorf("body %s lacks %s", got, w)
				}
			}
			if strings.Contains(tt.path, "/photos/") && resp.StatusCode == 200 {
				if cc := resp.Header.Get("Cache-Control"); !strings.Contains(cc, "immutable") {
					t.Errorf("Cache-Control %q", cc)
				}
			}
			if resp.StatusCode >= 400 {
				var e struct {
					Error struct{ Code string } `json:"error"`
				}
				if json.Unmarshal(got, &e) != nil || e.Error.Code == "" {
					t.Errorf("error body %s is not the contract's shape", got)
				}
			}
		})
	}
}
