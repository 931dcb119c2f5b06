package storage

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"leitai/models"
)

type liveDeviceRow struct {
	ShowID   int64  `gorm:"primaryKey"`
	DeviceID string `gorm:"primaryKey"`
	IP       string
	At       time.Time
}

func (liveDeviceRow) TableName() string { return "live_devices" }

// DevicesPerAddress caps the device tokens one address gets per minute:
// loose enough for a whole venue behind one address, tight enough that a
// script cannot mint votes.
const DevicesPerAddress = 1500

// DeviceToken issues a signed audience device token for an event. Tokens
// are counted per address in the database, so every instance agrees.
//
// While the event takes open votes and has an active screen link, a token
// is issued only against the big screen's proof-of-presence code of the
// current or the previous window (presence).
func (l *LiveService) DeviceToken(ctx context.Context, id int64, ip, presence string) (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand: " + err.Error())
	}
	did := base64.RawURLEncoding.EncodeToString(b)
	err := l.db.tx(ctx, func(tx *gorm.DB) error {
		var row liveShowRow
		if err := tx.Select("id", "audience_mode").Take(&row, id).Error; err != nil {
			return err
		}
		if err := l.checkPresence(tx, id, models.AudienceMode(row.AudienceMode), presence); err != nil {
			return err
		}
		now := l.now().UTC()
		var n int64
		if err := tx.Model(&liveDeviceRow{}).Where("show_id = ? AND ip = ? AND at > ?", id, ip, now.Add(-time.Minute)).Count(&n).Error; err != nil {
			return err
		}
		if n >= DevicesPerAddress {
			return &models.Error{Kind: models.KindRateLimited, Message: "too many phones from this address: try again in a minute", RetryAfterSeconds: 60}
		}
		return tx.Create(&liveDeviceRow{ShowID: id, DeviceID: did, IP: ip, At: now}).Error
	})
	if err != nil {
		return "", fmt.Errorf("device token: %w", err)
	}
	return did + "." + l.sign(did), nil
}

func (l *LiveService) sign(id string) string {
	m := hmac.New(sha256.New, l.secret)
	m.Write([]byte("live-device:" + id))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:18])
}

// deviceID checks a device token and returns its id.
func (l *LiveService) deviceID(token string) (string, bool) {
	id, sig, ok := strings.Cut(token, ".")
	if !ok || len(id) != 22 || !hmac.Equal([]byte(sig), []byte(l.sign(id))) {
		return "", false
	}
	return id, true
}

// NormaliseTicket upper-cases a ticket code and drops spaces and dashes.
func NormaliseTicket(code string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(code) {
		if r != ' ' && r != '-' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Vote records an audience vote for a project of the current slot: with a
// ticket code (binding) or a device token (best effort), one per voter per
// slot. It returns the slot. A vote reads only the show's own row (not its
// panel or round) so that a venue's burst stays cheap.
// Vote counts one audience vote. Wrong ticket codes are throttled per
// address and event (the login throttle's table and address curve), so
// codes cannot be guessed by the thousand; a venue's shared Wi-Fi address
// gets 30 free mistakes per quarter hour before the delays start.
func (l *LiveService) Vote(ctx context.Context, id, projectID int64, ticket, device, ip string) (int, error) {
	var keys []string
	now := l.now().UTC()
	if strings.TrimSpace(ticket) != "" {
		keys = []string{"ip:ticket/" + idString(id) + "/" + ip} // "ip:" keys take the address curve
		if err := l.db.checkThrottle(ctx, keys, now); err != nil {
			return 0, err
		}
	}
	slot, err := l.vote(ctx, id, projectID, ticket, device, ip)
	if me := (*models.Error)(nil); errors.As(err, &me) && me == errUnknownTicket {
		if ferr := l.db.recordFailure(ctx, keys, now); ferr != nil {
			return 0, ferr
		}
	}
	return slot, err
}

// errAlreadyVoted is a second vote of a ticket or phone in one slot.
var errAlreadyVoted = models.Errorf(models.KindConflict, "already voted in this slot")

// errUnknownTicket is a ticket code the event never issued.
var errUnknownTicket = models.Invalid("unknown ticket code", map[string]string{"ticket": "no such ticket code for this event"})

func (l *LiveService) vote(ctx context.Context, id, projectID int64, ticket, device, ip string) (int, error) {
	var slot int
	err := l.db.tx(ctx, func(tx *gorm.DB) error {
		var row liveShowRow
		if err := tx.Select("id", "audience_mode", "state", "slots", "votes_per_address").Take(&row, id).Error; err != nil {
			return err
		}
		s := models.LiveShow{ID: row.ID, LiveShowSettings: models.LiveShowSettings{AudienceMode: models.AudienceMode(row.AudienceMode),
			VotesPerAddress: row.VotesPerAddress}}
		if err := json.Unmarshal([]byte(row.State), &s.Show); err != nil {
			return fmt.Errorf("live show %d state: %w", id, err)
		}
		var voter string
		switch {
		case strings.TrimSpace(ticket) != "":
			if s.AudienceMode != models.AudienceTickets && s.AudienceMode != models.AudienceBoth {
				return models.Invalid("this event takes no ticket votes", map[string]string{"ticket": "not used at this event"})
			}
			code := NormaliseTicket(ticket)
			var n int64
			if err := tx.Model(&liveTicketRow{}).Where("show_id = ? AND code = ?", id, code).Count(&n).Error; err != nil {
				return err
			}
			if n == 0 {
				return errUnknownTicket
			}
			voter = "ticket:" + code
		case device != "":
			if s.AudienceMode != models.AudienceOpen && s.AudienceMode != models.AudienceBoth {
				return models.Invalid("this event takes votes with ticket codes only", map[string]string{"ticket": "required"})
			}
			did, ok := l.deviceID(device)
			if !ok {
				return models.Invalid("the device token is not valid", map[string]string{"device_token": "reload the page"})
			}
			// The token must have been issued for this event: a token of
			// another event (one without a screen link, or a ticket-only
			// one) would carry no proof of presence here.
			var issued int64
			if err := tx.Model(&liveDeviceRow{}).Where("show_id = ? AND device_id = ?", id, did).Count(&issued).Error; err != nil {
				return err
			}
			if issued == 0 {
				return models.Invalid("the device token was not issued for this event", map[string]string{"device_token": "reload the page"})
			}
			voter = "device:" + did
		default:
			return models.Invalid("a ticket code or a device token is required", map[string]string{"ticket": "required"})
		}
		if !s.VotingOpen() {
			return models.Errorf(models.KindConflict, "voting is closed")
		}
		if !s.InCurrentSlot(projectID) {
			return models.Errorf(models.KindConflict, "project %d is not in the current slot", projectID)
		}
		slot = s.Show.Slot
		if strings.HasPrefix(voter, "device:") {
			// A phone that already voted hears so (a retry after a lost
			// answer), whatever the address's count.
			var voted int64
			if err := tx.Model(&liveVoteRow{}).Where("show_id = ? AND slot = ? AND voter = ?", id, slot, voter).Count(&voted).Error; err != nil {
				return err
			}
			if voted > 0 {
				return errAlreadyVoted
			}
			// The venue's cap: open votes counted from one address in one
			// slot (a ticket is one person and is never capped).
			var n int64
			if err := tx.Model(&liveVoteRow{}).Where("show_id = ? AND slot = ? AND ip = ? AND voter LIKE ?", id, slot, ip, "device:%").Count(&n).Error; err != nil {
				return err
			}
			if n >= int64(s.VoteCap()) {
				return &models.Error{Kind: models.KindRateLimited, RetryAfterSeconds: 60,
					Message: fmt.Sprintf("this network address has reached the venue's limit of %d votes in this slot: vote with a ticket code, or from mobile data", s.VoteCap())}
			}
		}
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&liveVoteRow{ShowID: id, Slot: slot, Voter: voter, ProjectID: projectID, At: l.now().UTC(), IP: ip})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return errAlreadyVoted
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("vote: %w", err)
	}
	return slot, nil
}

// Tally counts the votes per project and the distinct voters of the
// current slot (the big screen's "已有 N 人投票") and of the whole event.
func (l *LiveService) Tally(ctx context.Context, id int64) (models.VoteCount, error) {
	var out models.VoteCount
	err := l.db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var row liveShowRow
		if err := tx.Select("id", "state").Take(&row, id).Error; err != nil {
			return err
		}
		var sh models.Show
		if row.State != "" {
			if err := json.Unmarshal([]byte(row.State), &sh); err != nil {
				return fmt.Errorf("live show %d state: %w", id, err)
			}
		}
		var err error
		out, err = tally(tx, id, sh.Slot)
		return err
	})
	return out, mapError(err)
}

// tally counts an event's votes: per project (a project sits in one slot),
// the distinct voters of the given slot and of the event.
func tally(tx *gorm.DB, id int64, slot int) (models.VoteCount, error) {
	var rows []struct {
		ProjectID int64
		N         int
	}
	if err := tx.Model(&liveVoteRow{}).Select("project_id, COUNT(*) AS n").Where("show_id = ? AND void_reason = ''", id).Group("project_id").Scan(&rows).Error; err != nil {
		return models.VoteCount{}, err
	}
	out := models.VoteCount{Tally: map[string]int{}, Slot: slot}
	for _, r := range rows {
		out.Tally[idString(r.ProjectID)] = r.N
	}
	var n int64
	if err := tx.Model(&liveVoteRow{}).Where("show_id = ? AND slot = ? AND void_reason = ''", id, slot).Count(&n).Error; err != nil {
		return models.VoteCount{}, err
	}
	out.SlotVoters = int(n) // one vote per voter per slot
	if err := tx.Model(&liveVoteRow{}).Where("show_id = ? AND void_reason = ''", id).Distinct("voter").Count(&n).Error; err != nil {
		return models.VoteCount{}, err
	}
	out.EventVoters = int(n)
	return out, nil
}

// ticketAlphabet avoids look-alikes (0/O, 1/I/L).
const ticketAlphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"

// AddTickets generates count new ticket codes (XXXX-XXXX).
func (l *LiveService) AddTickets(ctx context.Context, actor models.Actor, id int64, count int) ([]string, error) {
	if count < 1 || count > 5000 {
		return nil, models.Invalid("1 to 5000 tickets at a time", map[string]string{"count": "1–5000"})
	}
	var codes []string
	err := l.db.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Take(&liveShowRow{}, id).Error; err != nil {
			return err
		}
		now := l.now().UTC()
		for len(codes) < count {
			b := make([]byte, 8)
			if _, err := rand.Read(b); err != nil {
				return err
			}
			c := make([]byte, 8)
			for i := range b {
				c[i] = ticketAlphabet[int(b[i])%len(ticketAlphabet)]
			}
			res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&liveTicketRow{ShowID: id, Code: string(c), CreatedAt: now})
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected == 1 {
				codes = append(codes, string(c[:4])+"-"+string(c[4:]))
			}
		}
		return l.db.appendAudit(tx, models.AuditRecord{Actor: actor, Action: "live.tickets", Entity: "live_show", EntityID: idString(id), After: map[string]any{"count": count}})
	})
	if err != nil {
		return nil, fmt.Errorf("tickets: %w", err)
	}
	return codes, nil
}

// Tickets lists an event's ticket codes.
func (l *LiveService) Tickets(ctx context.Context, id int64) ([]models.Ticket, error) {
	g := l.db.gorm.WithContext(ctx)
	if err := g.Take(&liveShowRow{}, id).Error; err != nil {
		return nil, mapError(err)
	}
	var rows []liveTicketRow
	if err := g.Where("show_id = ?", id).Order("created_at, code").Find(&rows).Error; err != nil {
		return nil, mapError(err)
	}
	var used []struct {
		Voter string
		N     int
	}
	if err := g.Model(&liveVoteRow{}).Select("voter, COUNT(*) AS n").Where("show_id = ? AND voter LIKE ?", id, "ticket:%").Group("voter").Scan(&used).Error; err != nil {
		return nil, mapError(err)
	}
	n := map[string]int{}
	for _, u := range used {
		n[strings.TrimPrefix(u.Voter, "ticket:")] = u.N
	}
	out := make([]models.Ticket, len(rows))
	for i, r := range rows {
		out[i] = models.Ticket{Code: r.Code[:4] + "-" + r.Code[4:], UsedSlots: n[r.Code]}
	}
	return out, nil
}
