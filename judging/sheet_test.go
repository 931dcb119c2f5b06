package judging

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"leitai/models"
)

const validSheet = `{"method": "trimmed_mean", "trim": 1, "key_criterion": "innovative",
 "criteria": [{"key": "innovative", "max": 25}, {"key": "exploratory", "max": 20}],
 "scores": [{"judge": "J1", "project": "P1", "criteria": {"innovative": 22.5, "exploratory": 18}},
            {"judge": "J2", "project": "P1", "total": 41}],
 "previous": {"P1": 83.2},
 "audience": {"P1": 87.5},
 "weights": {"panel": 60, "previous": 30, "audience": 10},
 "decisions": []}`

func TestParseSheetContractExample(t *testing.T) {
	s, err := ParseSheet(strings.NewReader(validSheet))
	if err != nil {
		t.Fatal(err)
	}
	total := Points(4100)
	want := Sheet{
		Method: MethodTrimmedMean, Trim: 1, KeyCriterion: "innovative",
		Criteria: []Criterion{{"innovative", 2500}, {"exploratory", 2000}},
		Scores: []SheetScore{
			{Judge: "J1", Project: "P1", Criteria: CriterionPoints{{"innovative", 2250}, {"exploratory", 1800}}},
			{Judge: "J2", Project: "P1", Total: &total},
		},
		Previous:  map[string]Points{"P1": 8320},
		Audience:  map[string]Points{"P1": 8750},
		Weights:   &Weights{Panel: 6000, Previous: 3000, Audience: 1000},
		Decisions: []Decision{},
	}
	if !reflect.DeepEqual(s, want) {
		t.Errorf("got  %+v\nwant %+v", s, want)
	}
	// It writes back as a sheet that parses to the same thing.
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	s2, err := ParseSheet(strings.NewReader(string(b)))
	if err != nil {
		t.Fatalf("re-parse of %s: %v", b, err)
	}
	want.Decisions = nil // omitted when empty
	if !reflect.DeepEqual(s2, want) {
		t.Errorf("round trip: got %+v", s2)
	}
	if s.Scores[0].TotalPoints() != 4050 || s.Scores[1].TotalPoints() != 4100 {
		t.Error("TotalPoints")
	}
}

func TestParseSheetNulls(t *testing.T) {
	s, err := ParseSheet(strings.NewReader(`{"method":"mean","trim":null,"key_criterion":null,"criteria":null,"scores":[{"judge":"J","project":"P","criteria":null,"total":5}],"previous":null,"audience":null,"weights":null,"decisions":null}`))
	if err != nil {
		t.Fatal(err)
	}
	if s.Criteria != nil || s.Previous != nil || s.Weights != nil || *s.Scores[0].Total != 500 {
		t.Errorf("nulls: %+v", s)
	}
}

// TestParseSheetRejects lists every refusal with its one-line message.
func TestParseSheetRejects(t *testing.T) {
	// sheet wraps fields into a valid mean sheet unless they replace them.
	crit := `"criteria":[{"key":"a","max":25},{"key":"b","max":20}]`
	cases := []struct{ name, in, msg string }{
		// malformed JSON and shape
		{"empty", ``, `the score sheet is empty`},
		{"truncated", `{"method":"mean"`, `malformed JSON at byte 16: unexpected end of input`},
		{"trailing comma in an object", `{"method":"mean",}`, `malformed JSON at byte 17: invalid character '}' looking for beginning of object key string`},
		{"trailing comma in an array", `{"method":"mean","scores":[{"judge":"J","project":"P","total":1},]}`, `malformed JSON at byte 65: invalid character ']' looking for a value`},
		{"bare word", `{"method":mean}`, `malformed JSON at byte 10: invalid character 'm' looking for a value`},
		{"missing colon", `{"method" "mean"}`, `malformed JSON at byte 10: expected ':' after object key "method"`},
		{"missing comma", `{"method":"mean" "scores":[]}`, `malformed JSON at byte 17: invalid character '"' after object key:value pair`},
		{"bad literal", `{"method":"mean","key_criterion":nul}`, `malformed JSON at byte 33: invalid literal`},
		{"leading zero", `{"method":"mean","scores":[{"judge":"J","project":"P","total":01}]}`, `malformed JSON at byte 62: invalid number 01`},
		{"two points", `{"method":"mean","scores":[{"judge":"J","project":"P","total":1.2.3}]}`, `malformed JSON at byte 62: invalid number 1.2.3`},
		{"control character", "{\"method\":\"me\nan\"}", `malformed JSON at byte 13: control character in a string`},
		{"invalid UTF-8", "{\"method\":\"me\xffan\"}", `malformed JSON at byte 13: invalid UTF-8 in a string`},
		{"bad escape", `{"method":"me\qan"}`, `malformed JSON at byte 14: invalid escape 'q' in a string`},
		{"bad unicode escape", `{"method":"\u12G4"}`, `malformed JSON at byte 13: invalid \u escape in a string`},
		{"unterminated string", `{"method":"mean`, `malformed JSON at byte 15: unexpected end of input in a string`},
		{"non-JSON start", `method=mean`, `malformed JSON at byte 0: invalid character 'm' looking for a value`},
		{"not an object", `[1]`, `the score sheet must be a JSON object, not an array`},
		{"trailing data", `{"method":"mean","scores":[]} {}`, `unexpected data after the score sheet at byte 30`},
		{"unknown field", `{"method":"mean","scores":[],"extra":1}`, `unknown field "extra"`},
		{"field names are exact", `{"Method":"mean","scores":[]}`, `unknown field "Method"`},
		{"field twice", `{"method":"mean","method":"median","scores":[]}`, `the score sheet: "method" is given twice`},
		{"unknown score field", `{"method":"mean","scores":[{"judge":"J","project":"P","totl":5}]}`, `scores[0]: unknown field "totl"`},
		{"unknown criterion field", `{"method":"mean","criteria":[{"key":"a","max":5,"weight":1}],"scores":[]}`, `criteria[0]: unknown field "weight"`},
		{"unknown weights field", `{"method":"mean","scores":[],"weights":{"panel":100,"jury":0}}`, `weights: unknown field "jury"`},
		{"unknown decision field", `{"method":"mean","scores":[],"decisions":[{"order":[],"reason":"x","by":"me"}]}`, `decisions[0]: unknown field "by"`},
		{"number as string", `{"method":"mean","scores":[{"judge":"J","project":"P","total":"5"}]}`, `scores[0].total must be a number, not a string`},
		{"string as number", `{"method":5,"scores":[]}`, `method must be a string, not a number`},
		{"boolean as number", `{"method":"mean","scores":[{"judge":"J","project":"P","total":true}]}`, `scores[0].total must be a number, not a boolean`},
		{"object as string", `{"method":{},"scores":[]}`, `method must be a string, not an object`},
		{"scores not an array", `{"method":"mean","scores":{}}`, `scores must be an array, not an object`},
		{"criterion twice in a score", `{"method":"mean",` + crit + `,"scores":[{"judge":"J","project":"P","criteria":{"a":1,"a":2,"b":3}}]}`, `scores[0].criteria: "a" is given twice`},
		{"project twice in previous", `{"method":"mean","scores":[],"previous":{"P":1,"P":2}}`, `previous: "P" is given twice`},
		{"too many decimals", `{"method":"mean","scores":[{"judge":"J","project":"P","total":22.555}]}`, `scores[0].total: 22.555 has more than 2 decimals`},
		{"too many decimals in a criterion", `{"method":"mean",` + crit + `,"scores":[{"judge":"J","project":"P","criteria":{"a":1.125,"b":3}}]}`, `scores[0].criteria "a": 1.125 has more than 2 decimals`},
		{"huge number", `{"method":"mean","scores":[{"judge":"J","project":"P","total":1e300}]}`, `scores[0].total: 1e300 is above the largest accepted value 1000000`},
		{"null criterion points", `{"method":"mean",` + crit + `,"scores":[{"judge":"J","project":"P","criteria":{"a":null,"b":3}}]}`, `scores[0].criteria "a" must be a number, not null`},
		{"order element not a string", `{"method":"mean","scores":[],"decisions":[{"order":["A",2],"reason":"x"}]}`, `decisions[0].order[1] must be a project id (string), not a number`},
		{"fractional trim", `{"method":"trimmed_mean","trim":1.5,"scores":[]}`, `trim must be a whole number, not 1.5`},

		// method and trim
		{"no method", `{"scores":[]}`, `method is required (mean, median, trimmed_mean or zscore)`},
		{"unknown method", `{"method":"average","scores":[]}`, `unknown method "average" (want mean, median, trimmed_mean or zscore)`},
		{"negative trim", `{"method":"trimmed_mean","trim":-1,"scores":[]}`, `trim -1 is negative; it must be 0 or more`},
		{"trimmed_mean without trim", `{"method":"trimmed_mean","scores":[]}`, `trimmed_mean needs trim (how many highest and lowest totals to drop)`},
		{"trim with another method", `{"method":"mean","trim":1,"scores":[]}`, `trim 1 applies only to trimmed_mean, but the method is mean`},

		// criteria and key criterion
		{"criterion without key", `{"method":"mean","criteria":[{"max":5}],"scores":[]}`, `criteria[0]: key is required`},
		{"criterion twice", `{"method":"mean","criteria":[{"key":"a","max":5},{"key":"a","max":5}],"scores":[]}`, `criteria[1]: criterion "a" appears twice (also criteria[0])`},
		{"criterion max 0", `{"method":"mean","criteria":[{"key":"a","max":0}],"scores":[]}`, `criteria[0] "a": max 0 must be above 0`},
		{"criteria maxima too large", `{"method":"mean","criteria":[{"key":"a","max":600000},{"key":"b","max":600000}],"scores":[]}`, `the criteria's maxima sum to more than 1000000`},
		{"key criterion not among the criteria", `{"method":"mean","key_criterion":"c",` + crit + `,"scores":[]}`, `key_criterion "c" is not among the criteria`},
		{"key criterion without criteria", `{"method":"mean","key_criterion":"c","scores":[]}`, `key_criterion "c" is not among the criteria`},

		// weights
		{"negative weight", `{"method":"mean","scores":[],"weights":{"panel":110,"previous":-10}}`, `weights.panel: 110 is above 100`},
		{"negative weight 2", `{"method":"mean","scores":[],"weights":{"panel":100,"previous":-10,"audience":10}}`, `weights.previous: -10 is negative`},
		{"weights not summing to 100", `{"method":"mean","scores":[],"weights":{"panel":60,"previous":30}}`, `weights sum to 90; they must sum to 100`},

		// scores
		{"score without judge", `{"method":"mean","scores":[{"project":"P","total":5}]}`, `scores[0]: judge is required`},
		{"score without project", `{"method":"mean","scores":[{"judge":"J","project":"","total":5}]}`, `scores[0]: project is required`},
		{"unknown criterion", `{"method":"mean",` + crit + `,"scores":[{"judge":"J","project":"P","criteria":{"a":1,"b":2,"c":3}}]}`, `scores[0] (judge "J", project "P"): unknown criterion "c"`},
		{"misspelt criterion", `{"method":"mean",` + crit + `,"scores":[{"judge":"J","project":"P","criteria":{"a":1,"bb":2}}]}`, `scores[0] (judge "J", project "P"): unknown criterion "bb"`},
		{"missing criterion", `{"method":"mean",` + crit + `,"scores":[{"judge":"J","project":"P","criteria":{"a":1}}]}`, `scores[0] (judge "J", project "P"): criterion "b" is missing`},
		{"points above max", `{"method":"mean",` + crit + `,"scores":[{"judge":"J","project":"P","criteria":{"a":25.5,"b":2}}]}`, `scores[0] (judge "J", project "P"): criterion "a": 25.5 is outside 0…25`},
		{"negative points", `{"method":"mean",` + crit + `,"scores":[{"judge":"J","project":"P","criteria":{"a":1,"b":-0.5}}]}`, `scores[0] (judge "J", project "P"): criterion "b": -0.5 is outside 0…20`},
		{"negative total", `{"method":"mean","scores":[{"judge":"J","project":"P","total":-3}]}`, `scores[0] (judge "J", project "P"): total -3 is negative`},
		{"total above the criteria", `{"method":"mean",` + crit + `,"scores":[{"judge":"J","project":"P","total":45.5}]}`, `scores[0] (judge "J", project "P"): total 45.5 is above the criteria's maximum 45`},
		{"both criteria and total", `{"method":"mean",` + crit + `,"scores":[{"judge":"J","project":"P","criteria":{"a":1,"b":2},"total":3}]}`, `scores[0] (judge "J", project "P"): has both criteria and total; give one`},
		{"neither criteria nor total", `{"method":"mean","scores":[{"judge":"J","project":"P"}]}`, `scores[0] (judge "J", project "P"): has neither criteria nor total`},
		{"criteria without sheet criteria", `{"method":"mean","scores":[{"judge":"J","project":"P","criteria":{"a":1}}]}`, `scores[0] (judge "J", project "P"): gives criterion points, but the sheet defines no criteria`},
		{"same judge twice on a project", `{"method":"mean","scores":` + totals("J1:P1:5 J2:P1:6 J1:P2:5 J1:P1:7") + `}`, `scores[3]: judge "J1" scored project "P1" twice (also scores[0])`},

		// previous and audience
		{"negative previous", `{"method":"mean","scores":[],"previous":{"P":-1}}`, `previous "P": -1 is negative`},
		{"audience above 100 with weights", `{"method":"mean","scores":[],"audience":{"P":100.01},"weights":{"panel":100}}`, `audience "P": 100.01 is above 100 (a composite component is 0–100)`},
		{"empty project id in previous", `{"method":"mean","scores":[],"previous":{"":1}}`, `previous: a project id is empty`},

		// decisions
		{"decision of one project", `{"method":"mean","scores":` + totals("J:A:1") + `,"decisions":[{"order":["A"],"reason":"x"}]}`, `decisions[0]: order needs at least 2 projects`},
		{"decision without reason", `{"method":"mean","scores":` + totals("J:A:1 J:B:1") + `,"decisions":[{"order":["A","B"],"reason":"  "}]}`, `decisions[0]: reason is required`},
		{"decision naming a project twice", `{"method":"mean","scores":` + totals("J:A:1 J:B:1") + `,"decisions":[{"order":["A","B","A"],"reason":"x"}]}`, `decisions[0]: project "A" appears twice`},
		{"decision naming an unknown project", `{"method":"mean","scores":` + totals("J:A:1 J:B:1") + `,"decisions":[{"order":["A","Z"],"reason":"x"}]}`, `decisions[0]: unknown project "Z" (not ranked in this sheet)`},
		{"decision naming a project only in previous (no weights)", `{"method":"mean","scores":` + totals("J:A:1") + `,"previous":{"B":1},"decisions":[{"order":["A","B"],"reason":"x"}]}`, `decisions[0]: unknown project "B" (not ranked in this sheet)`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseSheet(strings.NewReader(c.in))
			if err == nil {
				t.Fatalf("accepted %s", c.in)
			}
			var e *models.Error
			if !errors.As(err, &e) || e.Kind != models.KindInvalid {
				t.Fatalf("error %v is not invalid input", err)
			}
			if e.Message != c.msg {
				t.Errorf("message\n got  %s\n want %s", e.Message, c.msg)
			}
			if strings.ContainsAny(e.Message, "\n\r") {
				t.Errorf("message is not one line: %q", e.Message)
			}
		})
	}
}

// A sheet built in code is held to the same rules by Rank.
func TestRankValidates(t *testing.T) {
	neg := Points(-1)
	_, err := Rank(Sheet{Method: MethodMean, Scores: []SheetScore{{Judge: "J", Project: "P", Total: &neg}}})
	if err == nil || !strings.Contains(err.Error(), "total -0.01 is negative") {
		t.Errorf("Rank accepted a negative total: %v", err)
	}
	if err := (Sheet{Method: "x"}).Validate(); err == nil {
		t.Error("Validate accepted an unknown method")
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("disk on fire") }

func TestParseSheetReadError(t *testing.T) {
	_, err := ParseSheet(errReader{})
	if models.KindOf(err) != models.KindInternal || !errors.Is(err, err) || !strings.Contains(err.Error(), "disk on fire") {
		t.Errorf("read error: %v (%s)", err, models.KindOf(err))
	}
}
