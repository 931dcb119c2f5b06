package models

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// AudienceMode is how the audience votes in a live final.
type AudienceMode string

// The audience modes: printed single-use ticket codes for the public jury
// (binding), open phone votes (one per server-issued device token, best
// effort), both, or no audience vote.
const (
	AudienceTickets AudienceMode = "tickets"
	AudienceOpen    AudienceMode = "open"
	AudienceBoth    AudienceMode = "both"
	AudienceNone    AudienceMode = "none"
)

// Pairing is how the drawn finalists form slots.
type Pairing string

// PK pairs or one project per slot.
const (
	PairingPK     Pairing = "pk"
	PairingSingle Pairing = "single"
)

// LiveWeights are the composite's weights out of 100 (PRODUCT.md's default
// is 60 panel / 30 previous round / 10 audience).
type LiveWeights struct {
	Panel    int
	Previous int
	Audience int
}

// DefaultLiveWeights are PRODUCT.md's 30 / 60 / 10.
var DefaultLiveWeights = LiveWeights{Panel: 60, Previous: 30, Audience: 10}

// LiveShowSettings are what an organiser sets on a live event.
type LiveShowSettings struct {
	Title           string
	AudienceMode    AudienceMode
	Weights         LiveWeights
	Timings         ShowTimings
	Pairing         Pairing
	PreviousRoundID *int64
	Rehearsal       bool
	// JudgeIDs are the panel's users, seated 1…N in this order.
	JudgeIDs []int64
	// VotesPerAddress caps the open (device) votes counted from one network
	// address in one slot: the admin sets it for the venue (how many phones
	// share its Wi-Fi address); 0 means DefaultVotesPerAddress. Ticket
	// votes are never capped: a ticket is one person.
	VotesPerAddress int
	// AudienceFloor is the minimum turnout the audience points divide by
	// (see judging.AudiencePoints); 0 means DefaultAudienceFloor.
	AudienceFloor int
}

// DefaultVotesPerAddress is the per-address cap per slot when the admin
// sets none: a mid-sized hall behind one Wi-Fi address.
const DefaultVotesPerAddress = 200

// DefaultAudienceFloor is the minimum turnout when the admin sets none: with
// fewer votes than this in the best-voted slot's lead, audience points
// shrink in proportion, so a handful of votes cannot swing the ranking.
const DefaultAudienceFloor = 50

// VoteCap is the per-address cap in force.
func (s LiveShowSettings) VoteCap() int {
	if s.VotesPerAddress > 0 {
		return s.VotesPerAddress
	}
	return DefaultVotesPerAddress
}

// Floor is the minimum turnout in force.
func (s LiveShowSettings) Floor() int {
	if s.AudienceFloor > 0 {
		return s.AudienceFloor
	}
	return DefaultAudienceFloor
}

// LiveJudge is a seated judge: 评委<Seat> on the board.
type LiveJudge struct {
	Seat        int
	UserID      int64
	Username    string
	DisplayName string
}

// LiveShow is a live final: an event on a live round.
type LiveShow struct {
	ID        int64
	RoundID   int64
	EditionID int64
	LiveShowSettings
	// Seed is the published lot-drawing seed; Slots the drawn programme.
	Seed    string
	Slots   [][]int64
	Judges  []LiveJudge
	Show    Show
	Started bool
	// TalliesPublic is the host's choice that the phones show the live
	// tallies while voting is open (the host console always sees them).
	TalliesPublic bool
}

// Topic is the live board's topic in the event log.
func (s LiveShow) Topic() string { return LiveTopic(s.ID) }

// LiveTopic names a live event's topic.
func LiveTopic(id int64) string { return "live:" + strconv.FormatInt(id, 10) }

// TrackerTopic is the live channel of the public tracker: an event each
// time what it shows changed (a report accepted, a tranche paid …).
const TrackerTopic = "tracker"

// Validate checks the settings.
func (s LiveShowSettings) Validate() error {
	f := map[string]string{}
	if n := utf8.RuneCountInString(strings.TrimSpace(s.Title)); n == 0 || n > 80 {
		f["title"] = "1–80 characters"
	}
	switch s.AudienceMode {
	case AudienceTickets, AudienceOpen, AudienceBoth, AudienceNone:
	default:
		f["audience_mode"] = "tickets, open, both or none"
	}
	w := s.Weights
	if w.Panel < 0 || w.Previous < 0 || w.Audience < 0 || w.Panel+w.Previous+w.Audience != 100 {
		f["weights"] = "non-negative and summing to 100"
	}
	if s.AudienceMode == AudienceNone && w.Audience != 0 {
		f["weights"] = "no audience vote: the audience weight must be 0"
	}
	if s.Timings.Presentation < 30*time.Second || s.Timings.Presentation > time.Hour {
		f["presentation_secs"] = "30 to 3600 seconds"
	}
	if s.Timings.QA < 0 || s.Timings.QA > time.Hour {
		f["qa_secs"] = "0 to 3600 seconds"
	}
	if s.Pairing != PairingPK && s.Pairing != PairingSingle {
		f["pairing"] = "pk or single"
	}
	if s.VotesPerAddress < 0 || s.VotesPerAddress > 100000 {
		f["votes_per_address"] = "0 (the default) to 100000"
	}
	if s.AudienceFloor < 0 || s.AudienceFloor > 100000 {
		f["audience_floor"] = "0 (the default) to 100000"
	}
	if len(s.JudgeIDs) < 1 || len(s.JudgeIDs) > 30 {
		f["judge_ids"] = "1 to 30 judges"
	} else {
		seen := map[int64]bool{}
		for _, id := range s.JudgeIDs {
			if seen[id] {
				f["judge_ids"] = "a judge is listed twice"
			}
			seen[id] = true
		}
	}
	if len(f) > 0 {
		return Invalid("the live event is not valid", f)
	}
	return nil
}

// PairSlots cuts a drawn order into slots: consecutive pairs for PK (a
// last odd finalist presents alone) or one project each.
func PairSlots(order []int64, p Pairing) [][]int64 {
	size := 1
	if p == PairingPK {
		size = 2
	}
	var out [][]int64
	for i := 0; i < len(order); i += size {
		out = append(out, append([]int64(nil), order[i:min(i+size, len(order))]...))
	}
	return out
}

// CanChangeSetup reports whether the settings, judges and draw may change:
// only before the show starts.
func (s LiveShow) CanChangeSetup() error {
	if s.Started {
		return Errorf(KindConflict, "the show has started: its settings, judges and programme are fixed (wipe the rehearsal to change them)")
	}
	return nil
}

// VotingOpen reports whether the audience may vote now: from the slot's
// first presentation until it is sealed, not while paused.
func (s LiveShow) VotingOpen() bool {
	if s.AudienceMode == AudienceNone || s.Show.Paused {
		return false
	}
	switch s.Show.Phase {
	case PhasePresenting, PhaseQA, PhaseScoring:
		return true
	}
	return false
}

// SeatOf returns the seat of a user on the panel.
func (s LiveShow) SeatOf(userID int64) (int, bool) {
	for _, j := range s.Judges {
		if j.UserID == userID {
			return j.Seat, true
		}
	}
	return 0, false
}

// InCurrentSlot reports whether a project is in the current slot.
func (s LiveShow) InCurrentSlot(projectID int64) bool {
	for _, p := range s.Show.CurrentProjects() {
		if p == projectID {
			return true
		}
	}
	return false
}

// SlotOf returns the index of the slot a project is in.
func (s LiveShow) SlotOf(projectID int64) (int, bool) {
	for i, sl := range s.Slots {
		for _, p := range sl {
			if p == projectID {
				return i, true
			}
		}
	}
	return 0, false
}

// LiveScore is a judge's stored live score.
type LiveScore struct {
	ProjectID    int64
	Points       map[string]int64
	Total        int64
	SubmittedAt  time.Time
	SubmissionID string
}

// Ticket is a ticket code and how many slots it has voted in.
type Ticket struct {
	Code      string
	UsedSlots int
}

// HostSeat is a judge's score as the host sees it (sealed included).
type HostSeat struct {
	Seat        int
	Submitted   bool
	Points      map[string]int64
	Total       int64
	SubmittedAt *time.Time
	OnBehalf    bool
}

// HostProject is one project of the current slot for the host.
type HostProject struct {
	ProjectID int64
	Seats     []HostSeat
	Panel     string
}

// HostView is what the host console shows: the event, its round's rubric,
// the current slot's scores (sealed included), the tally and the public
// board for the preview.
type HostView struct {
	Show    LiveShow
	Round   Round
	Current []HostProject
	Tally   map[string]int
	// Voters counts the current slot's voters; EventVoters the event's.
	Voters      int
	EventVoters int
	Board       Board
}

// VoteCount is an event's audience count: votes per project, distinct
// voters in the current slot (Slot) and in the whole event.
type VoteCount struct {
	Tally       map[string]int
	Slot        int
	SlotVoters  int
	EventVoters int
}

// JudgeView is the tablet's state for one judge.
type JudgeView struct {
	Show     LiveShow
	Round    Round
	Seat     int
	Projects []Project
	Scores   map[int64]Score
}

// The audience's defences on the host console (docs/live.md): an address
// is flagged when it cast more than BurstVotes open votes within
// BurstWindow, or more than ShareFlagPercent of the slot's open votes
// once it cast at least ShareFlagMinVotes. A flag is for the host to look
// at, never an automatic void: a whole venue may share one address.
const (
	BurstVotes        = 20
	BurstWindow       = 10 * time.Second
	ShareFlagPercent  = 50
	ShareFlagMinVotes = 20
	// TopAddresses is how many addresses the breakdown lists.
	TopAddresses = 10
	// PresenceWindow is how long one proof-of-presence code is shown; a
	// phone's device token is issued against the current or the previous
	// window's code.
	PresenceWindow = 60 * time.Second
)

// AddressVotes is one network address's open votes in a slot.
type AddressVotes struct {
	// Address is the address's keyed hash (what the host voids by),
	// Masked the address with its host part hidden.
	Address, Masked string
	// Votes are counted, Voided voided by the host.
	Votes, Voided int
	// SharePercent is Votes as a share of the slot's counted open votes.
	SharePercent int
	// Burst is the most counted votes within BurstWindow.
	Burst int
	// Flags: "burst", "share".
	Flags []string
}

// AudienceVoid is one host's void of an address's open votes in a slot.
type AudienceVoid struct {
	Slot            int
	Address, Masked string
	Votes           int
	Reason, By      string
	At              time.Time
}

// AudienceBreakdown is the host console's view of a slot's open votes.
type AudienceBreakdown struct {
	Slot int
	// OpenVotes and TicketVotes are the slot's counted votes; Addresses
	// how many addresses cast open votes.
	OpenVotes, TicketVotes, Addresses int
	Top                               []AddressVotes
	Voids                             []AudienceVoid
	// TalliesPublic: the phones show the tallies; Presence the state of
	// the proof-of-presence code.
	TalliesPublic bool
	Presence      ScreenLinkState
}

// ScreenLinkState is an event's big-screen link: while one is active, the
// screen fetches the rotating proof-of-presence code with it and phones
// get device tokens only against that code.
type ScreenLinkState struct {
	Active   bool
	IssuedBy string
	IssuedAt time.Time
}

// Presence is the proof-of-presence code the big screen shows now.
type Presence struct {
	Code string
	// Until is when the code is replaced by the next one.
	Until time.Time
}
