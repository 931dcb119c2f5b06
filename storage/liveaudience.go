package storage

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"leitai/judging"
	"leitai/models"
)

// The audience's defences beyond the venue's cap (#11 item 3,
// docs/live.md): the big screen's rotating proof-of-presence code, the
// host's per-address breakdown with burst flags, the host's void of an
// address's open votes, and the host's choice whether phones show the
// live tallies (#15 item 4).
//
// The screen link and the voids keep no table of their own: a screen link
// is an HMAC-signed key whose only state is the event's latest
// live.screen_link / live.screen_revoke audit entry (issuing a link
// replaces the earlier one, as a tablet link does), and a void is the
// voided votes (live_votes.void_reason) plus its live.void audit entry,
// which names who and when.

// presenceCodeLen characters of ticketAlphabet: 31⁸ ≈ 8.5·10¹¹ codes, two
// of them valid at a time, so guessing one in its two minutes is hopeless.
const presenceCodeLen = 8

func presenceWindow(t time.Time) int64 { return t.Unix() / int64(models.PresenceWindow/time.Second) }

// presenceCode derives an event's code for one window from the server
// secret: no database write per rotation, the same on every instance.
func (l *LiveService) presenceCode(id, window int64) string {
	m := hmac.New(sha256.New, l.secret)
	fmt.Fprintf(m, "live-presence:%d:%d", id, window)
	sum := m.Sum(nil)
	c := make([]byte, presenceCodeLen)
	for i := range c {
		c[i] = ticketAlphabet[int(sum[i])%len(ticketAlphabet)]
	}
	return string(c)
}

func (l *LiveService) screenSig(id int64, nonce string) string {
	m := hmac.New(sha256.New, l.secret)
	fmt.Fprintf(m, "live-screen:%d:%s", id, nonce)
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:18])
}

// screenKeyID names a screen key in the audit log without revealing it.
func screenKeyID(nonce string) string {
	sum := sha256.Sum256([]byte("live-screen-key:" + nonce))
	return hex.EncodeToString(sum[:8])
}

// screenLink reads the event's screen-link state from its latest
// live.screen_link / live.screen_revoke audit entry, with the active
// key's id.
func screenLink(tx *gorm.DB, id int64) (models.ScreenLinkState, string, error) {
	var rows []auditRow
	if err := tx.Where("entity = ? AND entity_id = ? AND action IN ?", "live_show", idString(id), []string{"live.screen_link", "live.screen_revoke"}).
		Order("id DESC").Limit(1).Find(&rows).Error; err != nil {
		return models.ScreenLinkState{}, "", err
	}
	if len(rows) == 0 || rows[0].Action != "live.screen_link" {
		return models.ScreenLinkState{}, "", nil
	}
	var after struct {
		KeyID string `json:"key_id"`
	}
	if err := json.Unmarshal([]byte(rows[0].AfterJSON), &after); err != nil || after.KeyID == "" {
		return models.ScreenLinkState{}, "", fmt.Errorf("audit entry %d: no screen key id", rows[0].ID)
	}
	return models.ScreenLinkState{Active: true, IssuedBy: rows[0].ActorName, IssuedAt: rows[0].At.UTC()}, after.KeyID, nil
}

// ScreenLink returns the event's screen-link state.
func (l *LiveService) ScreenLink(ctx context.Context, id int64) (models.ScreenLinkState, error) {
	g := l.db.gorm.WithContext(ctx)
	if err := g.Take(&liveShowRow{}, id).Error; err != nil {
		return models.ScreenLinkState{}, mapError(err)
	}
	st, _, err := screenLink(g, id)
	return st, mapError(err)
}

// CreateScreenLink issues the event's big-screen key (returned once; the
// host opens the display with it). It replaces any earlier key: a screen
// still holding that one stops getting codes.
func (l *LiveService) CreateScreenLink(ctx context.Context, actor models.Actor, id int64) (string, error) {
	b := make([]byte, 18)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand: " + err.Error())
	}
	nonce := base64.RawURLEncoding.EncodeToString(b)
	err := l.change(ctx, id, "screen", func(tx *gorm.DB, s *models.LiveShow, now time.Time) error {
		if s.Show.Phase == models.PhaseFinished {
			return models.Errorf(models.KindConflict, "the event has finished")
		}
		return l.db.appendAudit(tx, models.AuditRecord{Actor: actor, Action: "live.screen_link", Entity: "live_show", EntityID: idString(id),
			After: map[string]any{"key_id": screenKeyID(nonce)}})
	}, nil)
	if err != nil {
		return "", fmt.Errorf("screen link for live event %d: %w", id, err)
	}
	return nonce + "." + l.screenSig(id, nonce), nil
}

// RevokeScreenLink ends the event's screen key; phones then get device
// tokens without a code again (docs/live.md).
func (l *LiveService) RevokeScreenLink(ctx context.Context, actor models.Actor, id int64) error {
	err := l.change(ctx, id, "screen", func(tx *gorm.DB, s *models.LiveShow, now time.Time) error {
		st, keyID, err := screenLink(tx, id)
		if err != nil {
			return err
		}
		if !st.Active {
			return models.Errorf(models.KindConflict, "the event has no active screen link")
		}
		return l.db.appendAudit(tx, models.AuditRecord{Actor: actor, Action: "live.screen_revoke", Entity: "live_show", EntityID: idString(id),
			Before: map[string]any{"key_id": keyID}})
	}, nil)
	if err != nil {
		return fmt.Errorf("revoke screen link of live event %d: %w", id, err)
	}
	return nil
}

// PresenceCode returns the current proof-of-presence code to a screen that
// holds the event's active screen key.
func (l *LiveService) PresenceCode(ctx context.Context, id int64, key string) (models.Presence, error) {
	g := l.db.gorm.WithContext(ctx)
	if err := g.Take(&liveShowRow{}, id).Error; err != nil {
		return models.Presence{}, mapError(err)
	}
	st, keyID, err := screenLink(g, id)
	if err != nil {
		return models.Presence{}, mapError(err)
	}
	nonce, sig, _ := strings.Cut(key, ".")
	if !st.Active || nonce == "" || !hmac.Equal([]byte(sig), []byte(l.screenSig(id, nonce))) || screenKeyID(nonce) != keyID {
		return models.Presence{}, models.Errorf(models.KindForbidden, "this screen link is not valid for the event (revoked or replaced): ask the host for a new one")
	}
	now := l.now().UTC()
	w := presenceWindow(now)
	secs := int64(models.PresenceWindow / time.Second)
	return models.Presence{Code: l.presenceCode(id, w), Until: time.Unix((w+1)*secs, 0).UTC()}, nil
}

// errNoPresence is a phone without the big screen's current code.
var errNoPresence = &models.Error{Kind: models.KindForbidden, Message: "the code from the big screen is missing or too old: scan the code on the big screen again",
	Fields: map[string]string{"presence": "scan the code on the big screen again"}}

// checkPresence refuses a device token to a phone without the current or
// the previous window's code, while the event takes open votes and has an
// active screen link.
func (l *LiveService) checkPresence(tx *gorm.DB, id int64, mode models.AudienceMode, code string) error {
	if mode != models.AudienceOpen && mode != models.AudienceBoth {
		return nil
	}
	st, _, err := screenLink(tx, id)
	if err != nil || !st.Active {
		return err
	}
	code = NormaliseTicket(code)
	w := presenceWindow(l.now().UTC())
	for _, win := range []int64{w, w - 1} {
		if hmac.Equal([]byte(code), []byte(l.presenceCode(id, win))) {
			return nil
		}
	}
	return errNoPresence
}

// addressHash is an address's keyed hash within one event.
func (l *LiveService) addressHash(id int64, ip string) string {
	m := hmac.New(sha256.New, l.secret)
	fmt.Fprintf(m, "live-address:%d:%s", id, ip)
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:9])
}

// maskAddress hides an address's host part: 203.0.113.* or the first four
// groups of an IPv6 address.
func maskAddress(ip string) string {
	a := net.ParseIP(ip)
	if a == nil {
		return "*"
	}
	if v4 := a.To4(); v4 != nil {
		return fmt.Sprintf("%d.%d.%d.*", v4[0], v4[1], v4[2])
	}
	a = a.To16()
	return fmt.Sprintf("%x:%x:%x:%x::*", uint16(a[0])<<8|uint16(a[1]), uint16(a[2])<<8|uint16(a[3]),
		uint16(a[4])<<8|uint16(a[5]), uint16(a[6])<<8|uint16(a[7]))
}

// VoidAddress voids an address's counted open votes in a slot, with the
// host's reason: the votes stay (never counted again, still counted
// against the venue's cap) and the void is audited and listed in the
// score sheet's audience derivation. It returns how many were voided.
func (l *LiveService) VoidAddress(ctx context.Context, actor models.Actor, id int64, slot int, address, reason string) (int, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" || len([]rune(reason)) > 500 {
		return 0, models.Invalid("a reason is required", map[string]string{"reason": "1–500 characters"})
	}
	if address == "" || len(address) > 40 {
		return 0, models.Invalid("an address is required", map[string]string{"address": "the address's hash from the breakdown"})
	}
	var n int
	err := l.change(ctx, id, "void", func(tx *gorm.DB, s *models.LiveShow, now time.Time) error {
		if slot < 0 || slot >= len(s.Slots) {
			return models.Invalid("no such slot", map[string]string{"slot": fmt.Sprintf("0–%d", len(s.Slots)-1)})
		}
		if slot > s.Show.Slot {
			return models.Errorf(models.KindConflict, "slot %d has not started", slot)
		}
		var rr roundRow
		if err := tx.Take(&rr, s.RoundID).Error; err != nil {
			return err
		}
		if st := models.RoundStatus(rr.Status); st != models.RoundDraft && st != models.RoundOpen {
			return models.Errorf(models.KindConflict, "round %q is %s: its audience votes can no longer change", rr.Name, st)
		}
		var ips []string
		if err := tx.Model(&liveVoteRow{}).Distinct("ip").Where("show_id = ? AND slot = ? AND voter LIKE ? AND void_reason = ''", id, slot, "device:%").
			Pluck("ip", &ips).Error; err != nil {
			return err
		}
		ip, found := "", false
		for _, a := range ips {
			if hmac.Equal([]byte(l.addressHash(id, a)), []byte(address)) {
				ip, found = a, true
			}
		}
		if !found {
			return models.Errorf(models.KindNotFound, "no counted open votes from that address in slot %d", slot)
		}
		res := tx.Model(&liveVoteRow{}).Where("show_id = ? AND slot = ? AND ip = ? AND voter LIKE ? AND void_reason = ''", id, slot, ip, "device:%").
			Update("void_reason", reason)
		if res.Error != nil {
			return res.Error
		}
		n = int(res.RowsAffected)
		return l.db.appendAudit(tx, models.AuditRecord{Actor: actor, Action: "live.void", Entity: "live_show", EntityID: idString(id),
			After: map[string]any{"slot": slot, "address": address, "masked": maskAddress(ip), "votes": n, "reason": reason}})
	}, nil)
	if err != nil {
		return 0, fmt.Errorf("void votes of live event %d: %w", id, err)
	}
	return n, nil
}

// audienceVoids lists an event's voids from its live.void audit entries
// since its last rehearsal wipe (which deleted the votes they voided).
func audienceVoids(tx *gorm.DB, id int64) ([]models.AudienceVoid, error) {
	var wipes []auditRow
	if err := tx.Select("id").Where("entity = ? AND entity_id = ? AND action = ?", "live_show", idString(id), "live.wipe").
		Order("id DESC").Limit(1).Find(&wipes).Error; err != nil {
		return nil, err
	}
	q := tx.Where("entity = ? AND entity_id = ? AND action = ?", "live_show", idString(id), "live.void")
	if len(wipes) > 0 {
		q = q.Where("id > ?", wipes[0].ID)
	}
	var rows []auditRow
	if err := q.Order("id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := []models.AudienceVoid{}
	for _, r := range rows {
		var v struct {
			Slot    int    `json:"slot"`
			Address string `json:"address"`
			Masked  string `json:"masked"`
			Votes   int    `json:"votes"`
			Reason  string `json:"reason"`
		}
		if err := json.Unmarshal([]byte(r.AfterJSON), &v); err != nil {
			return nil, fmt.Errorf("audit entry %d: %w", r.ID, err)
		}
		out = append(out, models.AudienceVoid{Slot: v.Slot, Address: v.Address, Masked: v.Masked, Votes: v.Votes, Reason: v.Reason,
			By: r.ActorName, At: r.At.UTC()})
	}
	return out, nil
}

// audienceDerivation is the score sheet's account of its audience points.
func audienceDerivation(tx *gorm.DB, id int64, votes map[string]int, finalists []int64, floor int) (*judging.AudienceDerivation, error) {
	voids, err := audienceVoids(tx, id)
	if err != nil {
		return nil, err
	}
	d := &judging.AudienceDerivation{Rule: judging.AudienceRule, Floor: int64(floor), Votes: map[string]int64{}, Voids: []judging.AudienceVoid{}}
	for _, p := range finalists {
		d.Votes[idString(p)] = int64(votes[idString(p)])
	}
	for _, v := range voids {
		d.Voids = append(d.Voids, judging.AudienceVoid{Slot: v.Slot, Address: v.Address, Masked: v.Masked, Votes: int64(v.Votes),
			Reason: v.Reason, By: v.By, At: v.At})
	}
	return d, nil
}

// AudienceBreakdown returns a slot's open votes per address (the current
// slot when slot < 0), the busiest first, with the burst and share flags,
// the event's voids, and the tallies and presence settings.
func (l *LiveService) AudienceBreakdown(ctx context.Context, id int64, slot int) (models.AudienceBreakdown, error) {
	var out models.AudienceBreakdown
	err := l.db.tx(ctx, func(tx *gorm.DB) error {
		var row liveShowRow
		if err := tx.Select("id", "state", "slots", "tallies_public").Take(&row, id).Error; err != nil {
			return err
		}
		var sh models.Show
		if err := json.Unmarshal([]byte(row.State), &sh); err != nil {
			return fmt.Errorf("live show %d state: %w", id, err)
		}
		var slots [][]int64
		if err := json.Unmarshal([]byte(row.Slots), &slots); err != nil {
			return fmt.Errorf("live show %d slots: %w", id, err)
		}
		if slot < 0 {
			slot = sh.Slot
		}
		if slot >= len(slots) {
			return models.Errorf(models.KindNotFound, "slot %d does not exist (the programme has %d)", slot, len(slots))
		}
		out = models.AudienceBreakdown{Slot: slot, TalliesPublic: row.TalliesPublic, Top: []models.AddressVotes{}}
		var votes []liveVoteRow
		if err := tx.Select("voter", "ip", "at", "void_reason").Where("show_id = ? AND slot = ?", id, slot).Order("at").Find(&votes).Error; err != nil {
			return err
		}
		type acc struct {
			ip      string
			counted []time.Time
			voided  int
		}
		byIP := map[string]*acc{}
		for _, v := range votes {
			if strings.HasPrefix(v.Voter, "ticket:") {
				if v.VoidReason == "" {
					out.TicketVotes++
				}
				continue
			}
			a := byIP[v.IP]
			if a == nil {
				a = &acc{ip: v.IP}
				byIP[v.IP] = a
			}
			if v.VoidReason != "" {
				a.voided++
				continue
			}
			a.counted = append(a.counted, v.At)
			out.OpenVotes++
		}
		out.Addresses = len(byIP)
		all := make([]models.AddressVotes, 0, len(byIP))
		for _, a := range byIP {
			av := models.AddressVotes{Address: l.addressHash(id, a.ip), Masked: maskAddress(a.ip), Votes: len(a.counted), Voided: a.voided,
				Burst: burst(a.counted, models.BurstWindow), Flags: []string{}}
			if out.OpenVotes > 0 {
				av.SharePercent = av.Votes * 100 / out.OpenVotes
			}
			if av.Burst > models.BurstVotes {
				av.Flags = append(av.Flags, "burst")
			}
			if av.Votes >= models.ShareFlagMinVotes && av.Votes*100 > models.ShareFlagPercent*out.OpenVotes {
				av.Flags = append(av.Flags, "share")
			}
			all = append(all, av)
		}
		slices.SortFunc(all, func(a, b models.AddressVotes) int {
			if a.Votes != b.Votes {
				return b.Votes - a.Votes
			}
			if a.Voided != b.Voided {
				return b.Voided - a.Voided
			}
			return strings.Compare(a.Address, b.Address)
		})
		out.Top = all[:min(len(all), models.TopAddresses)]
		var err error
		if out.Voids, err = audienceVoids(tx, id); err != nil {
			return err
		}
		out.Presence, _, err = screenLink(tx, id)
		return err
	})
	if err != nil {
		return models.AudienceBreakdown{}, fmt.Errorf("live event %d audience: %w", id, mapError(err))
	}
	return out, nil
}

// burst is the most of the (sorted) times within any window.
func burst(at []time.Time, window time.Duration) int {
	most, lo := 0, 0
	for hi := range at {
		for at[hi].Sub(at[lo]) >= window {
			lo++
		}
		most = max(most, hi-lo+1)
	}
	return most
}

// SetTalliesPublic is the host's choice whether phones show the live
// tallies while voting is open; the phones follow through the board.
func (l *LiveService) SetTalliesPublic(ctx context.Context, actor models.Actor, id int64, public bool) error {
	err := l.change(ctx, id, "tallies", func(tx *gorm.DB, s *models.LiveShow, now time.Time) error {
		if s.TalliesPublic == public {
			return nil
		}
		if err := tx.Model(&liveShowRow{}).Where("id = ?", id).Update("tallies_public", public).Error; err != nil {
			return err
		}
		return l.db.appendAudit(tx, models.AuditRecord{Actor: actor, Action: "live.tallies", Entity: "live_show", EntityID: idString(id),
			Before: map[string]any{"tallies_public": s.TalliesPublic}, After: map[string]any{"tallies_public": public}})
	}, nil)
	if err != nil {
		return fmt.Errorf("live event %d tallies: %w", id, err)
	}
	return nil
}
