package models

import "time"

// Board is the public state of a live final's board: what the big screen,
// the phones and the websocket carry (docs/live.md). Nothing sealed is ever
// in it: a slot's results appear once revealed and vanish while a
// correction re-seals them. It is the wire form, hence the JSON tags.
type Board struct {
	EventID      int64        `json:"event_id"`
	Title        string       `json:"title"`
	EditionTitle string       `json:"edition_title"`
	Rehearsal    bool         `json:"rehearsal"`
	AudienceMode AudienceMode `json:"audience_mode"`
	Weights      BoardWeights `json:"weights"`
	Seed         string       `json:"seed"`
	ServerTime   time.Time    `json:"server_time"`
	Phase        ShowPhase    `json:"phase"`
	// RevealedAt is when the current slot was revealed (null outside the
	// revealed phase): screens play the reveal's stages from it.
	RevealedAt   *time.Time              `json:"revealed_at"`
	Paused       bool                    `json:"paused"`
	PauseMessage string                  `json:"pause_message"`
	Slot         int                     `json:"slot"`
	SlotCount    int                     `json:"slot_count"`
	Presenting   int                     `json:"presenting"`
	Timer        *BoardTimer             `json:"timer"`
	Slots        []BoardSlot             `json:"slots"`
	Projects     map[string]BoardProject `json:"projects"`
	Judges       int                     `json:"judges"`
	Submitted    map[string]int          `json:"submitted"`
	VotingOpen   bool                    `json:"voting_open"`
	Tally        map[string]int          `json:"tally"`
	// TalliesPublic is the host's choice that phones show the tallies
	// while voting is open; PresenceRequired that a phone needs the big
	// screen's current code to get a device token.
	TalliesPublic    bool `json:"tallies_public"`
	PresenceRequired bool `json:"presence_required"`
	// Voters counts the current slot's voters (the screen's "已有 N 人投票");
	// EventVoters the event's, shown only where labelled so.
	Voters      int                    `json:"voters"`
	EventVoters int                    `json:"event_voters"`
	Results     map[string]BoardResult `json:"results"`
	Leaderboard []BoardRank            `json:"leaderboard"`
	Winners     map[string]int64       `json:"winners"`
	Podium      []int64                `json:"podium,omitempty"`
}

// BoardWeights are the composite's weights on the board.
type BoardWeights struct {
	Panel    int `json:"panel"`
	Previous int `json:"previous"`
	Audience int `json:"audience"`
}

// BoardTimer is a server-authoritative timer: clients count down from
// StartedAt + DurationMS; RemainingMS is set while paused (frozen).
type BoardTimer struct {
	StartedAt   time.Time `json:"started_at"`
	DurationMS  int64     `json:"duration_ms"`
	RemainingMS *int64    `json:"remaining_ms"`
}

// BoardSlot is one slot of the programme.
type BoardSlot struct {
	Index    int     `json:"index"`
	Projects []int64 `json:"projects"`
	// Status is done, current or next.
	Status string `json:"status"`
}

// BoardProject is a finalist as the board shows it.
type BoardProject struct {
	ID       int64   `json:"id"`
	Title    string  `json:"title"`
	UnitName string  `json:"unit_name"`
	PhotoURL *string `json:"photo_url"`
}

// BoardResult is a revealed project's scores.
type BoardResult struct {
	Scores         []BoardJudgeScore `json:"scores"`
	Panel          string            `json:"panel"`
	PanelValue     float64           `json:"panel_value"`
	Previous       *string           `json:"previous"`
	Audience       string            `json:"audience"`
	Composite      string            `json:"composite"`
	CompositeValue float64           `json:"composite_value"`
}

// BoardJudgeScore is one anonymised judge's total (评委<Seat>); Struck is
// "high" or "low" for the totals trimmed_mean drops.
type BoardJudgeScore struct {
	Seat   int     `json:"seat"`
	Total  string  `json:"total"`
	Struck *string `json:"struck"`
}

// BoardRank is a leaderboard row; Movement compares the rank with the one
// before the latest reveal (positive = up).
type BoardRank struct {
	ProjectID int64  `json:"project_id"`
	Rank      int    `json:"rank"`
	Composite string `json:"composite"`
	Movement  int    `json:"movement"`
	Tied      bool   `json:"tied"`
}
