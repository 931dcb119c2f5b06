package judging

import (
	"encoding/json"
	"strings"
	"testing"
)

// A live final's sheet carries its audience derivation: the parser reads
// it strictly, it survives a round trip, and audience points that do not
// follow from the listed votes are refused (so a citizen can check them).
func TestAudienceDerivation(t *testing.T) {
	const sheet = `{"method":"mean","trim":0,"scores":[{"judge":"S1","project":"1","total":80},{"judge":"S1","project":"2","total":82}],
	 "audience":{"1":40,"2":10},"weights":{"panel":90,"previous":0,"audience":10},
	 "audience_derivation":{"rule":"r","floor":50,"votes":{"1":20,"2":5,"3":0},
	   "voids":[{"slot":0,"address":"abc","masked":"10.0.0.*","votes":300,"reason":"one script","by":"host","at":"2026-12-03T10:00:00Z"}]}}`
	s, err := ParseSheet(strings.NewReader(sheet))
	if err != nil {
		t.Fatal(err)
	}
	d := s.AudienceDerivation
	if d == nil || d.Floor != 50 || d.Votes["1"] != 20 || len(d.Voids) != 1 || d.Voids[0].Votes != 300 || d.Voids[0].By != "host" {
		t.Fatalf("derivation %+v", d)
	}
	res, err := Rank(s)
	if err != nil {
		t.Fatal(err)
	}
	// 0.9×80 + 0.1×40 = 76 against 0.9×82 + 0.1×10 = 74.8.
	if res.Ranking[0].Project != "1" {
		t.Fatalf("ranking %+v", res.Ranking)
	}
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	again, err := ParseSheet(strings.NewReader(string(b)))
	if err != nil || again.AudienceDerivation.Voids[0].Reason != "one script" {
		t.Fatalf("round trip: %v %s", err, b)
	}

	for name, bad := range map[string]string{
		"points that do not follow": strings.Replace(sheet, `"audience":{"1":40`, `"audience":{"1":100`, 1),
		"an unknown field":          strings.Replace(sheet, `"rule":"r"`, `"rule":"r","extra":1`, 1),
		"a negative count":          strings.Replace(sheet, `"3":0`, `"3":-1`, 1),
		"not an object":             strings.Replace(sheet, `"audience_derivation":{`, `"audience_derivation":[{`, 1),
	} {
		if _, err := ParseSheet(strings.NewReader(bad)); err == nil {
			t.Errorf("%s: parsed", name)
		}
	}
	// Without a derivation, nothing changes.
	plain := sheet[:strings.Index(sheet, `,`+"\n\t "+`"audience_derivation"`)] + "}"
	if _, err := ParseSheet(strings.NewReader(plain)); err != nil {
		t.Fatalf("no derivation: %v", err)
	}
}
