package server

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"leitai/models"
)

// The audience's defences (#11 item 3, #15 item 4; docs/live.md): the big
// screen's link and its rotating proof-of-presence code, the host's
// per-address breakdown, voids, and the phones' tallies toggle.

// LiveAudience is what the audience-defence handlers call (the live
// service implements it).
type LiveAudience interface {
	CreateScreenLink(ctx context.Context, actor models.Actor, id int64) (string, error)
	RevokeScreenLink(ctx context.Context, actor models.Actor, id int64) error
	ScreenLink(ctx context.Context, id int64) (models.ScreenLinkState, error)
	PresenceCode(ctx context.Context, id int64, key string) (models.Presence, error)
	VoidAddress(ctx context.Context, actor models.Actor, id int64, slot int, address, reason string) (int, error)
	AudienceBreakdown(ctx context.Context, id int64, slot int) (models.AudienceBreakdown, error)
	SetTalliesPublic(ctx context.Context, actor models.Actor, id int64, public bool) error
}

// screenKeyHeader carries the big screen's key to the presence route.
const screenKeyHeader = "X-Screen-Key"

type screenLinkJSON struct {
	Active   bool       `json:"active"`
	IssuedBy string     `json:"issued_by,omitempty"`
	IssuedAt *time.Time `json:"issued_at,omitempty"`
}

func toScreenLinkJSON(st models.ScreenLinkState) screenLinkJSON {
	out := screenLinkJSON{Active: st.Active, IssuedBy: st.IssuedBy}
	if st.Active {
		at := st.IssuedAt
		out.IssuedAt = &at
	}
	return out
}

// createScreenLink issues the event's big-screen link (replacing any
// earlier one); the key travels in the fragment, so it is in no server log.
func (s *handlers) createScreenLink(c *fiber.Ctx) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	key, err := s.deps.Audience.CreateScreenLink(c.UserContext(), actorOf(c), id)
	if err != nil {
		return err
	}
	st, err := s.deps.Audience.ScreenLink(c.UserContext(), id)
	if err != nil {
		return err
	}
	url := strings.TrimRight(s.deps.Config.PublicURL, "/") + "/display/" + strconv.FormatInt(id, 10) + "#screen=" + key
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"url": url, "screen_link": toScreenLinkJSON(st)})
}

func (s *handlers) revokeScreenLink(c *fiber.Ctx) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if err := s.deps.Audience.RevokeScreenLink(c.UserContext(), actorOf(c), id); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// presence gives the current proof-of-presence code to the screen holding
// the event's key (header X-Screen-Key): public in the session sense, the
// key is the credential.
func (s *handlers) presence(c *fiber.Ctx) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	key := c.Get(screenKeyHeader)
	if key == "" || len(key) > 200 {
		return models.Errorf(models.KindForbidden, "this screen has no screen link: the host issues one on the host console")
	}
	p, err := s.deps.Audience.PresenceCode(c.UserContext(), id, key)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(fiber.Map{"code": p.Code, "until": p.Until, "window_secs": int(models.PresenceWindow / time.Second)})
}

type addressVotesJSON struct {
	Address      string   `json:"address"`
	Masked       string   `json:"masked"`
	Votes        int      `json:"votes"`
	Voided       int      `json:"voided"`
	SharePercent int      `json:"share_percent"`
	Burst        int      `json:"burst"`
	Flags        []string `json:"flags"`
}

type audienceVoidJSON struct {
	Slot    int       `json:"slot"`
	Address string    `json:"address"`
	Masked  string    `json:"masked"`
	Votes   int       `json:"votes"`
	Reason  string    `json:"reason"`
	By      string    `json:"by"`
	At      time.Time `json:"at"`
}

// audienceBreakdown is the host's per-address view of a slot's open votes
// (?slot=N, the current slot without it).
func (s *handlers) audienceBreakdown(c *fiber.Ctx) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	slot := -1
	if q := c.Query("slot"); q != "" {
		if slot, err = strconv.Atoi(q); err != nil || slot < 0 {
			return models.Invalid("bad slot", map[string]string{"slot": "a slot number (0 is the first)"})
		}
	}
	b, err := s.deps.Audience.AudienceBreakdown(c.UserContext(), id, slot)
	if err != nil {
		return err
	}
	top := make([]addressVotesJSON, len(b.Top))
	for i, a := range b.Top {
		top[i] = addressVotesJSON{a.Address, a.Masked, a.Votes, a.Voided, a.SharePercent, a.Burst, a.Flags}
	}
	voids := make([]audienceVoidJSON, len(b.Voids))
	for i, v := range b.Voids {
		voids[i] = audienceVoidJSON{v.Slot, v.Address, v.Masked, v.Votes, v.Reason, v.By, v.At}
	}
	return c.JSON(fiber.Map{
		"slot": b.Slot, "open_votes": b.OpenVotes, "ticket_votes": b.TicketVotes, "addresses": b.Addresses,
		"top": top, "voids": voids, "tallies_public": b.TalliesPublic, "screen_link": toScreenLinkJSON(b.Presence),
		"flags": fiber.Map{"burst_votes": models.BurstVotes, "burst_window_secs": int(models.BurstWindow / time.Second),
			"share_percent": models.ShareFlagPercent, "share_min_votes": models.ShareFlagMinVotes},
	})
}

type voidRequest struct {
	Slot    *int   `json:"slot"`
	Address string `json:"address"`
	Reason  string `json:"reason"`
}

func (s *handlers) voidAddress(c *fiber.Ctx) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req voidRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.Slot == nil {
		return models.Invalid("the slot is required", map[string]string{"slot": "required"})
	}
	n, err := s.deps.Audience.VoidAddress(c.UserContext(), actorOf(c), id, *req.Slot, req.Address, req.Reason)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"voided": n, "slot": *req.Slot})
}

type talliesRequest struct {
	Public *bool `json:"public"`
}

func (s *handlers) setTalliesPublic(c *fiber.Ctx) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req talliesRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.Public == nil {
		return models.Invalid("say whether the phones show the tallies", map[string]string{"public": "true or false"})
	}
	if err := s.deps.Audience.SetTalliesPublic(c.UserContext(), actorOf(c), id, *req.Public); err != nil {
		return err
	}
	return c.JSON(fiber.Map{"tallies_public": *req.Public})
}
