package judging

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"leitai/models"
)

// Method is how a project's judge totals are aggregated into its panel
// score.
type Method string

// The aggregation methods of the score-sheet contract.
const (
	// MethodMean is the plain mean of the judges' totals.
	MethodMean Method = "mean"
	// MethodMedian is the median; with an even count, the mean of the two
	// middle totals.
	MethodMedian Method = "median"
	// MethodTrimmedMean drops the Trim highest and Trim lowest totals when
	// at least 2·Trim+3 judges scored, and is the plain mean otherwise.
	MethodTrimmedMean Method = "trimmed_mean"
	// MethodZScore standardises each judge's totals and rescales them to
	// the sheet's overall mean and spread (see Rank).
	MethodZScore Method = "zscore"
)

// Valid reports whether m is one of the four methods.
func (m Method) Valid() bool {
	switch m {
	case MethodMean, MethodMedian, MethodTrimmedMean, MethodZScore:
		return true
	}
	return false
}

// Sheet is a score sheet, the JSON document published with every result and
// read by `leitai rank`. Its fields mirror the contract in ARCHITECTURE.md
// ("Score sheet") one to one; every number is held exactly in Points.
type Sheet struct {
	// Method is the aggregation method.
	Method Method `json:"method"`
	// Trim is how many highest and lowest totals trimmed_mean drops. It is
	// always written; ParseSheet requires it for trimmed_mean and refuses a
	// non-zero Trim with any other method.
	Trim int `json:"trim"`
	// KeyCriterion is the criterion whose points break ties first; empty
	// when the round has none.
	KeyCriterion string `json:"key_criterion,omitempty"`
	// Criteria are the rubric's criteria; a criterion's Max is its weight.
	// Empty when every score is a plain total.
	Criteria []Criterion `json:"criteria,omitempty"`
	// Scores are the judges' scores, one per judge and project.
	Scores []SheetScore `json:"scores"`
	// Previous holds the previous round's published score per project, to
	// 2 decimals: the second tie-break and, with Weights, a component
	// (then 0–100). Without Weights an entry for a project that has no
	// scores is ignored.
	Previous map[string]Points `json:"previous,omitempty"`
	// Audience holds the audience points per project (0–100, to 2 decimals:
	// see AudiencePoints); only a composite uses them.
	Audience map[string]Points `json:"audience,omitempty"`
	// AudienceDerivation, on a live final's sheet, shows how Audience came
	// about (the counted votes, the floor, the host's voids); a sheet
	// carrying it must agree with it.
	AudienceDerivation *AudienceDerivation `json:"audience_derivation,omitempty"`
	// Weights, when present, make the ranking score a composite of the
	// panel score, Previous and Audience.
	Weights *Weights `json:"weights,omitempty"`
	// Decisions are the organiser's orders for groups the tie chain left
	// tied.
	Decisions []Decision `json:"decisions,omitempty"`
}

// Criterion is one criterion of a rubric.
type Criterion struct {
	// Key names the criterion, e.g. "innovative".
	Key string `json:"key"`
	// Max is the most points a judge may give; it is the criterion's weight.
	Max Points `json:"max"`
}

// SheetScore is one judge's score for one project: either points per
// criterion or a plain total, never both.
type SheetScore struct {
	// Judge identifies the judge (anonymised ids such as "J1" are fine).
	Judge string `json:"judge"`
	// Project identifies the project.
	Project string `json:"project"`
	// Criteria holds the points per criterion; every criterion of the sheet
	// must be present, once. nil when the score is a plain Total.
	Criteria CriterionPoints `json:"criteria,omitempty"`
	// Total is the judge's total when no criterion points are given.
	Total *Points `json:"total,omitempty"`
}

// Weights are the composite's weights in points out of 100; a missing one
// is 0. They must sum to exactly 100: the contract divides by 100, so any
// other sum would silently change the composite's scale.
type Weights struct {
	// Panel weighs the panel score, rescaled to 0–100.
	Panel Points `json:"panel"`
	// Previous weighs the previous round's score.
	Previous Points `json:"previous"`
	// Audience weighs the audience points.
	Audience Points `json:"audience"`
}

// Decision is the organiser's order for one group of projects that the tie
// chain left tied, with the reason recorded for the publication.
type Decision struct {
	// Order lists the whole tied group, best first.
	Order []string `json:"order"`
	// Reason says why; it is required.
	Reason string `json:"reason"`
}

// TotalPoints returns the judge's total: Total when given, else the sum of
// the criterion points.
func (s SheetScore) TotalPoints() Points {
	if s.Total != nil {
		return *s.Total
	}
	var sum Points
	for _, c := range s.Criteria {
		sum += c.Points
	}
	return sum
}

// CriterionPoints is one judge's points per criterion. In JSON it is the
// contract's object, {"innovative": 22.5, "exploratory": 18}, written in the
// order held; in Go it is a list, which keeps that order and lets a sheet of
// 50,000 scores be checked against its rubric without a hash lookup per
// criterion.
type CriterionPoints []CriterionPoint

// CriterionPoint is the points given on one criterion.
type CriterionPoint struct {
	// Key is the criterion's key.
	Key string
	// Points are the points given.
	Points Points
}

// Get returns the points given on the criterion key.
func (c CriterionPoints) Get(key string) (Points, bool) {
	for _, p := range c {
		if p.Key == key {
			return p.Points, true
		}
	}
	return 0, false
}

// MarshalJSON writes the points as a JSON object in the order held.
func (c CriterionPoints) MarshalJSON() ([]byte, error) {
	if c == nil {
		return []byte("null"), nil
	}
	var b bytes.Buffer
	b.WriteByte('{')
	for i, p := range c {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := json.Marshal(p.Key)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.WriteString(p.Points.Text())
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// UnmarshalJSON reads a JSON object of numbers exactly (see ParsePoints),
// refusing a key given twice. ParseSheet does not need it; it is there for
// code that decodes a Sheet with encoding/json.
func (c *CriterionPoints) UnmarshalJSON(data []byte) error {
	p := &sheetParser{data: data}
	if null, err := p.null(); null || err != nil {
		*c = nil
		return err
	}
	list, err := p.pointsList(fixed("criteria"))
	if err != nil {
		return err
	}
	if p.space(); p.pos != len(p.data) {
		return p.malformed("unexpected data after the criteria")
	}
	*c = list
	return nil
}

// sheetError returns an invalid-input error whose message is one line and
// names the problem; field is the JSON path of the offending value.
func sheetError(field, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	msg = strings.NewReplacer("\n", " ", "\r", " ").Replace(msg)
	var fields map[string]string
	if field != "" {
		fields = map[string]string{field: msg}
	}
	return models.Invalid(msg, fields)
}

// pointsError rewords a ParsePoints error for the value at field.
func pointsError(field, where string, err error) error {
	var e *models.Error
	if errors.As(err, &e) {
		return sheetError(field, "%s: %s", where, e.Message)
	}
	return sheetError(field, "%s: %v", where, err)
}

// Validate checks everything about the sheet that needs no ranking: a known
// method; trim ≥ 0 and non-zero only for trimmed_mean; criteria with unique
// non-empty keys and maxima above 0; key_criterion among the criteria;
// weights ≥ 0 summing to exactly 100; per score a judge and a project, either
// points for every criterion (each within 0…max, no unknown key) or a total
// (≥ 0 and, with criteria, at most their sum), never both; no judge twice
// on a project; previous and audience ≥ 0 (and ≤ 100 when weights are
// present, as the contract says these components are 0–100); decisions
// ordering at least two ranked projects, with a reason, naming no project
// twice. Rank calls it too, so a sheet built in code is held to the same
// rules.
func (s Sheet) Validate() error {
	_, err := prepare(&s)
	return err
}
