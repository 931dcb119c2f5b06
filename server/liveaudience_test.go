package server

import (
	"context"
	"testing"
	"time"

	"leitai/models"
)

// fakeAudience is a LiveAudience whose methods the test sets.
type fakeAudience struct {
	create    func(a models.Actor, id int64) (string, error)
	revoke    func(a models.Actor, id int64) error
	link      func(id int64) (models.ScreenLinkState, error)
	presence  func(id int64, key string) (models.Presence, error)
	void      func(a models.Actor, id int64, slot int, address, reason string) (int, error)
	breakdown func(id int64, slot int) (models.AudienceBreakdown, error)
	tallies   func(a models.Actor, id int64, public bool) error
}

func (f *fakeAudience) CreateScreenLink(_ context.Context, a models.Actor, id int64) (string, error) {
	if f.create == nil {
		return "", errUnexpected
	}
	return f.create(a, id)
}
func (f *fakeAudience) RevokeScreenLink(_ context.Context, a models.Actor, id int64) error {
	if f.revoke == nil {
		return errUnexpected
	}
	return f.revoke(a, id)
}
func (f *fakeAudience) ScreenLink(_ context.Context, id int64) (models.ScreenLinkState, error) {
	if f.link == nil {
		return models.ScreenLinkState{}, errUnexpected
	}
	return f.link(id)
}
func (f *fakeAudience) PresenceCode(_ context.Context, id int64, key string) (models.Presence, error) {
	if f.presence == nil {
		return models.Presence{}, errUnexpected
	}
	return f.presence(id, key)
}
func (f *fakeAudience) VoidAddress(_ context.Context, a models.Actor, id int64, slot int, address, reason string) (int, error) {
	if f.void == nil {
		return 0, errUnexpected
	}
	return f.void(a, id, slot, address, reason)
}
func (f *fakeAudience) AudienceBreakdown(_ context.Context, id int64, slot int) (models.AudienceBreakdown, error) {
	if f.breakdown == nil {
		return models.AudienceBreakdown{}, errUnexpected
	}
	return f.breakdown(id, slot)
}
func (f *fakeAudience) SetTalliesPublic(_ context.Context, a models.Actor, id int64, public bool) error {
	if f.tallies == nil {
		return errUnexpected
	}
	return f.tallies(a, id, public)
}

func TestAudienceHandlers(t *testing.T) {
	at := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	a := &fakeAudience{
		create: func(a models.Actor, id int64) (string, error) {
			if a.Name != "host" {
				return "", models.Errorf(models.KindInvalid, "actor %q", a.Name)
			}
			return "nonce.sig", failByID(id)
		},
		link: func(id int64) (models.ScreenLinkState, error) {
			return models.ScreenLinkState{Active: true, IssuedBy: "host", IssuedAt: at}, nil
		},
		revoke: func(_ models.Actor, id int64) error { return failByID(id) },
		presence: func(id int64, key string) (models.Presence, error) {
			if key != "nonce.sig" {
				return models.Presence{}, models.Errorf(models.KindForbidden, "not this event's screen link")
			}
			return models.Presence{Code: "K7QX2M9P", Until: at.Add(time.Minute)}, nil
		},
		breakdown: func(id int64, slot int) (models.AudienceBreakdown, error) {
			if err := failByID(id); err != nil {
				return models.AudienceBreakdown{}, err
			}
			return models.AudienceBreakdown{Slot: max(slot, 1), OpenVotes: 30, Addresses: 2, Top: []models.AddressVotes{
				{Address: "h1", Masked: "203.0.113.*", Votes: 25, SharePercent: 83, Burst: 25, Flags: []string{"burst", "share"}},
			}, Voids: []models.AudienceVoid{{Slot: 0, Address: "h2", Masked: "198.51.100.*", Votes: 4, Reason: "脚本", By: "host", At: at}},
				Presence: models.ScreenLinkState{Active: true, IssuedBy: "host", IssuedAt: at}}, nil
		},
		void: func(a models.Actor, id int64, slot int, address, reason string) (int, error) {
			if reason == "" {
				return 0, models.Invalid("a reason is required", map[string]string{"reason": "1–500 characters"})
			}
			if err := failByID(id); err != nil {
				return 0, err
			}
			if address != "h1" || slot != 1 {
				return 0, models.Errorf(models.KindNotFound, "no counted open votes from that address")
			}
			return 25, nil
		},
		tallies: func(_ models.Actor, id int64, public bool) error {
			if !public {
				return models.Errorf(models.KindInvalid, "parsed wrongly")
			}
			return failByID(id)
		},
	}
	screen := func(name, key string, status int, want ...string) apiCase {
		c := get(name, "/api/v1/live-events/1/presence", "", status, want...)
		if key != "" {
			c.header = map[string]string{"X-Screen-Key": key}
		}
		return c
	}
	runCases(t, Deps{Audience: a}, []apiCase{
		send("a unit cannot issue a screen link", "POST", "/api/v1/live-events/1/screen-link", "unit", `{}`, 403),
		send("the host issues the screen link", "POST", "/api/v1/live-events/1/screen-link", "host", `{}`, 201,
			`"url":"/display/1#screen=nonce.sig"`, `"active":true`, `"issued_by":"host"`),
		send("a screen link for a finished event", "POST", "/api/v1/live-events/409/screen-link", "host", `{}`, 409),
		send("revoke", "DELETE", "/api/v1/live-events/1/screen-link", "admin", "", 204),
		send("revoke without a link", "DELETE", "/api/v1/live-events/409/screen-link", "host", "", 409),
		screen("the screen without a key", "", 403, "no screen link"),
		screen("a forged key", "nonce.forged", 403),
		screen("the screen's code", "nonce.sig", 200, `"code":"K7QX2M9P"`, `"window_secs":60`, `"until":"2026-12-03T10:01:00Z"`),
		get("the breakdown is the host's", "/api/v1/live-events/1/audience", "expert", 403),
		get("the breakdown, signed out", "/api/v1/live-events/1/audience", "", 401),
		get("the breakdown", "/api/v1/live-events/1/audience?slot=1", "host", 200, `"masked":"203.0.113.*"`, `"flags":["burst","share"]`,
			`"burst_votes":20`, `"reason":"脚本"`, `"screen_link":{"active":true`),
		get("a slot that is not a number", "/api/v1/live-events/1/audience?slot=first", "host", 422, `"slot"`),
		get("a negative slot", "/api/v1/live-events/1/audience?slot=-1", "host", 422),
		get("the breakdown of no event", "/api/v1/live-events/404/audience", "host", 404),
		send("void", "POST", "/api/v1/live-events/1/audience/voids", "host", `{"slot":1,"address":"h1","reason":"脚本"}`, 201, `"voided":25`),
		send("void without a reason", "POST", "/api/v1/live-events/1/audience/voids", "host", `{"slot":1,"address":"h1"}`, 422, `"reason"`),
		send("void without a slot", "POST", "/api/v1/live-events/1/audience/voids", "host", `{"address":"h1","reason":"r"}`, 422, `"slot":"required"`),
		send("void, the slot as a string", "POST", "/api/v1/live-events/1/audience/voids", "host", `{"slot":"1","address":"h1","reason":"r"}`, 422),
		send("void, an unknown field", "POST", "/api/v1/live-events/1/audience/voids", "host", `{"slot":1,"address":"h1","reason":"r","all":true}`, 400, "unknown field"),
		send("void an unknown address", "POST", "/api/v1/live-events/1/audience/voids", "host", `{"slot":1,"address":"zz","reason":"r"}`, 404),
		send("void in a closed round", "POST", "/api/v1/live-events/409/audience/voids", "host", `{"slot":1,"address":"h1","reason":"r"}`, 409),
		send("a unit cannot void", "POST", "/api/v1/live-events/1/audience/voids", "unit", `{"slot":1,"address":"h1","reason":"r"}`, 403),
		send("tallies on", "PUT", "/api/v1/live-events/1/tallies-public", "host", `{"public":true}`, 200, `"tallies_public":true`),
		send("tallies as a string", "PUT", "/api/v1/live-events/1/tallies-public", "host", `{"public":"true"}`, 422),
		send("tallies null", "PUT", "/api/v1/live-events/1/tallies-public", "host", `{"public":null}`, 422, `"public"`),
		send("tallies, no event", "PUT", "/api/v1/live-events/404/tallies-public", "host", `{"public":true}`, 404),
	})
}
