package judging

import (
	"bytes"
	"encoding/json"
	"slices"
	"time"
)

// AudienceDerivation shows how a live final's audience points came about:
// the counted votes per finalist (voided votes excluded), the minimum
// turnout, and the votes the host voided. It is informational for the
// ranking — Rank uses Audience — but a sheet that carries it must agree
// with it: every project's audience points are AudiencePoints(votes,
// the most votes of any finalist, floor).
type AudienceDerivation struct {
	// Rule names the formula, for a reader of the published sheet.
	Rule string `json:"rule"`
	// Floor is the event's minimum turnout.
	Floor int64 `json:"floor"`
	// Votes are the counted votes per finalist (every finalist, also those
	// without panel scores).
	Votes map[string]int64 `json:"votes"`
	// Voids are the votes the host voided, never counted.
	Voids []AudienceVoid `json:"voids"`
}

// AudienceRule is the formula AudiencePoints applies, as the sheet names it.
const AudienceRule = "100 × votes ÷ max(most votes of any finalist, floor), rounded half up to hundredths"

// AudienceVoid is one host's void of one address's open votes in a slot.
type AudienceVoid struct {
	// Slot is the programme slot (0-based).
	Slot int `json:"slot"`
	// Address is a keyed hash of the network address (the same address
	// has the same hash within one event, and no other).
	Address string `json:"address"`
	// Masked is the address with its host part hidden.
	Masked string `json:"masked"`
	// Votes is how many votes were voided.
	Votes int64 `json:"votes"`
	// Reason is the host's reason.
	Reason string `json:"reason"`
	// By is who voided them, At when.
	By string    `json:"by"`
	At time.Time `json:"at"`
}

// checkAudience checks that the sheet's audience points follow from its
// derivation.
func (s Sheet) checkAudience() error {
	d := s.AudienceDerivation
	if d == nil {
		return nil
	}
	if d.Floor < 0 {
		return sheetError("audience_derivation.floor", "audience_derivation: floor %d is negative", d.Floor)
	}
	var most int64
	keys := make([]string, 0, len(d.Votes))
	for k, v := range d.Votes {
		if v < 0 {
			return sheetError("audience_derivation.votes."+k, "audience_derivation: %q has %d votes", k, v)
		}
		most = max(most, v)
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for k := range s.Audience {
		if _, ok := d.Votes[k]; !ok {
			keys = append(keys, k)
		}
	}
	for _, k := range keys {
		got, listed := s.Audience[k]
		if !listed {
			continue
		}
		if want := AudiencePoints(d.Votes[k], most, d.Floor); got != want {
			return sheetError("audience."+k, "audience %q is %s but its %d votes (most %d, floor %d) give %s",
				k, got.Text(), d.Votes[k], most, d.Floor, want.Text())
		}
	}
	for i, v := range d.Voids {
		if v.Votes < 0 || v.Slot < 0 {
			return sheetError("audience_derivation.voids", "audience_derivation.voids[%d]: slot and votes must not be negative", i)
		}
	}
	return nil
}

// parseAudienceDerivation reads the audience_derivation object: a plain
// record, read strictly (unknown fields refused).
func parseAudienceDerivation(raw []byte) (*AudienceDerivation, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var d AudienceDerivation
	if err := dec.Decode(&d); err != nil {
		return nil, sheetError("audience_derivation", "audience_derivation: %v", err)
	}
	if d.Votes == nil {
		d.Votes = map[string]int64{}
	}
	return &d, nil
}
