package judging

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"leitai/models"
)

// FuzzParseSheet: ParseSheet never panics and refuses with one-line
// invalid-input errors; for every sheet it accepts, Rank never panics, ranks
// are consistent competition ranks, and the sheet written back as JSON
// parses and ranks to the same result.
func FuzzParseSheet(f *testing.F) {
	seeds := []string{
		validSheet,
		`{"method":"mean","scores":` + totals("J1:P1:80 J2:P1:90 J3:P1:85.5 J1:P2:70 J2:P2:100") + `}`,
		`{"method":"median","scores":` + totals("J1:A:1 J2:A:2 J1:B:2 J2:B:1") + `,"decisions":[{"order":["B","A"],"reason":"x"}]}`,
		`{"method":"trimmed_mean","trim":1,"scores":` + totals("J1:P1:60 J2:P1:70 J3:P1:80 J4:P1:90 J5:P1:100 J1:P2:60") + `}`,
		`{"method":"zscore","scores":` + totals("J1:A:71 J1:B:77 J1:C:80 J1:D:83 J1:E:89 J2:A:73 J2:B:55 J2:C:64 J2:D:61 J2:E:67 J3:A:92") + `}`,
		keySheet("mean", crit("J1", "P1", "20", "15")+crit("J2", "P1", "20", "15")+crit("J1", "P2", "19", "16")+strings.TrimSuffix(crit("J2", "P2", "21", "14"), ","), `,"previous":{"P1":80,"P2":80}`),
		`{"method":"mean","scores":[],"previous":{"P":1},"audience":{"Q":2},"weights":{"panel":50,"previous":25,"audience":25}}`,
		`{"method":"mean","scores":[{"judge":"\u0000\ud800","project":"\"","total":0}]}`,
		`{"method":"mean",}`, `[]`, `null`, `{"method":"mean","scores":[{"judge":"J","project":"P","total":1e300}]}`,
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseSheet(bytes.NewReader(data))
		if err != nil {
			var e *models.Error
			if !errors.As(err, &e) || e.Kind != models.KindInvalid {
				t.Fatalf("error %v is not invalid input", err)
			}
			if strings.ContainsAny(e.Message, "\n\r") {
				t.Fatalf("message is not one line: %q", e.Message)
			}
			return
		}
		res, err := Rank(s)
		if err != nil {
			if models.KindOf(err) != models.KindInvalid {
				t.Fatalf("Rank error %v is not invalid input", err)
			}
			return
		}
		checkRanks(t, res)

		// The sheet round-trips.
		out, err := json.Marshal(s)
		if err != nil {
			t.Fatalf("marshal: %v", err)
		}
		s2, err := ParseSheet(bytes.NewReader(out))
		if err != nil {
			t.Fatalf("re-parse of %s: %v", out, err)
		}
		res2, err := Rank(s2)
		if err != nil {
			t.Fatalf("re-rank: %v", err)
		}
		a, _ := json.Marshal(res)
		b, _ := json.Marshal(res2)
		if !bytes.Equal(a, b) {
			t.Fatalf("round trip changed the ranking:\n%s\n%s", a, b)
		}
	})
}

// checkRanks checks competition ranks: 1 ≤ rank ≤ n, non-decreasing, the
// first of each rank at its position, tied exactly when shared.
func checkRanks(t *testing.T, res Result) {
	t.Helper()
	n := len(res.Ranking)
	for i, e := range res.Ranking {
		if e.Rank < 1 || e.Rank > n {
			t.Fatalf("rank %d outside 1…%d", e.Rank, n)
		}
		if i > 0 && e.Rank < res.Ranking[i-1].Rank {
			t.Fatalf("ranks decrease at %d: %+v", i, res.Ranking)
		}
		first := i == 0 || res.Ranking[i-1].Rank != e.Rank
		if first && e.Rank != i+1 {
			t.Fatalf("entry %d starts rank %d; competition rank should be %d", i, e.Rank, i+1)
		}
		shared := (i > 0 && res.Ranking[i-1].Rank == e.Rank) || (i+1 < n && res.Ranking[i+1].Rank == e.Rank)
		if shared != e.Tied {
			t.Fatalf("entry %d: tied %v but shared %v", i, e.Tied, shared)
		}
		if i > 0 && res.Ranking[i-1].Value.Cmp(e.Value) < 0 {
			t.Fatalf("score rises at %d", i)
		}
	}
}
