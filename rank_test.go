package main

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// TestRankCommand runs `leitai rank` on score sheets: the ranking JSON on
// stdout and exit 0, or exit 2 and a one-line error naming the problem.
func TestRankCommand(t *testing.T) {
	cases := []struct {
		name, stdin string
		code        int
		stdout      string
		stderr      string
	}{
		{"the contract's example",
			`{"method": "trimmed_mean", "trim": 1, "key_criterion": "innovative",
			 "criteria": [{"key": "innovative", "max": 25}, {"key": "exploratory", "max": 20}],
			 "scores": [{"judge": "J1", "project": "P1", "criteria": {"innovative": 22.5, "exploratory": 18}},
			            {"judge": "J2", "project": "P1", "total": 41}],
			 "previous": {"P1": 83.2},
			 "audience": {"P1": 87.5},
			 "weights": {"panel": 60, "previous": 30, "audience": 10}}`,
			// panel (40.5 + 41)/2 = 40.75 (2 judges < 5: mean) → 40.75/45·100 = 90.55…
			// composite 0.6·90.55… + 0.3·83.2 + 0.1·87.5 = 88.0433…
			0, `{"ranking":[{"project":"P1","score":88.04333333333334,"rank":1,"judges":2,"method_applied":"mean","tied":false}]}` + "\n", ""},
		{"trimmed mean, a tie and the next rank skipping",
			`{"method":"trimmed_mean","trim":1,"scores":[
			  {"judge":"J1","project":"A","total":70},{"judge":"J2","project":"A","total":80},{"judge":"J3","project":"A","total":90},{"judge":"J4","project":"A","total":85},{"judge":"J5","project":"A","total":60},
			  {"judge":"J1","project":"B","total":75},{"judge":"J2","project":"B","total":80},
			  {"judge":"J1","project":"C","total":77.5},{"judge":"J2","project":"C","total":77.5},
			  {"judge":"J1","project":"D","total":10}]}`,
			// A: drop 60 and 90 → (70+80+85)/3 = 78.33…; B: mean 77.5; C: mean 77.5 (tied with B); D 10
			0, `{"ranking":[{"project":"A","score":78.33333333333333,"rank":1,"judges":5,"method_applied":"trimmed_mean","tied":false},` +
				`{"project":"B","score":77.5,"rank":2,"judges":2,"method_applied":"mean","tied":true},` +
				`{"project":"C","score":77.5,"rank":2,"judges":2,"method_applied":"mean","tied":true},` +
				`{"project":"D","score":10,"rank":4,"judges":1,"method_applied":"mean","tied":false}]}` + "\n", ""},
		{"a decision settles the tie",
			`{"method":"mean","scores":[{"judge":"J1","project":"B","total":77.5},{"judge":"J1","project":"C","total":77.5}],
			  "decisions":[{"order":["C","B"],"reason":"committee vote 5:2"}]}`,
			0, `{"ranking":[{"project":"C","score":77.5,"rank":1,"judges":1,"method_applied":"mean","tied":false},` +
				`{"project":"B","score":77.5,"rank":2,"judges":1,"method_applied":"mean","tied":false}]}` + "\n", ""},
		{"empty sheet", `{"method":"median","scores":[]}`, 0, `{"ranking":[]}` + "\n", ""},
		{"a live final's sheet with its audience derivation and a void",
			`{"method":"mean","scores":[{"judge":"J1","project":"P1","total":80},{"judge":"J1","project":"P2","total":82}],
			  "audience":{"P1":40,"P2":10},"weights":{"panel":90,"previous":0,"audience":10},
			  "audience_derivation":{"rule":"r","floor":50,"votes":{"P1":20,"P2":5},
			    "voids":[{"slot":0,"address":"h","masked":"10.0.0.*","votes":300,"reason":"one script","by":"host","at":"2026-12-03T10:00:00Z"}]}}`,
			// P1 0.9·80 + 0.1·(100·20/50) = 76; P2 0.9·82 + 0.1·(100·5/50) = 74.8
			0, `{"ranking":[{"project":"P1","score":76,"rank":1,"judges":1,"method_applied":"mean","tied":false},` +
				`{"project":"P2","score":74.8,"rank":2,"judges":1,"method_applied":"mean","tied":false}]}` + "\n", ""},
		{"audience points that do not follow from the derivation's votes",
			`{"method":"mean","scores":[{"judge":"J1","project":"P1","total":80}],"audience":{"P1":100},
			  "weights":{"panel":90,"previous":0,"audience":10},"audience_derivation":{"rule":"r","floor":50,"votes":{"P1":20},"voids":[]}}`,
			2, "", "leitai rank: audience \"P1\" is 100 but its 20 votes (most 20, floor 50) give 40\n"},

		{"malformed JSON", `{"method":"mean",`, 2, "", "leitai rank: malformed JSON at byte 17: unexpected end of input\n"},
		{"nothing on stdin", ``, 2, "", "leitai rank: the score sheet is empty\n"},
		{"unknown method", `{"method":"best","scores":[]}`, 2, "", "leitai rank: unknown method \"best\" (want mean, median, trimmed_mean or zscore)\n"},
		{"unknown criterion", `{"method":"mean","criteria":[{"key":"a","max":10}],"scores":[{"judge":"J1","project":"P1","criteria":{"b":5}}]}`,
			2, "", "leitai rank: scores[0] (judge \"J1\", project \"P1\"): unknown criterion \"b\"\n"},
		{"points above max", `{"method":"mean","criteria":[{"key":"a","max":10}],"scores":[{"judge":"J1","project":"P1","criteria":{"a":10.5}}]}`,
			2, "", "leitai rank: scores[0] (judge \"J1\", project \"P1\"): criterion \"a\": 10.5 is outside 0…10\n"},
		{"negative total", `{"method":"mean","scores":[{"judge":"J1","project":"P1","total":-1}]}`,
			2, "", "leitai rank: scores[0] (judge \"J1\", project \"P1\"): total -1 is negative\n"},
		{"same judge twice", `{"method":"mean","scores":[{"judge":"J1","project":"P1","total":1},{"judge":"J1","project":"P1","total":2}]}`,
			2, "", "leitai rank: scores[1]: judge \"J1\" scored project \"P1\" twice (also scores[0])\n"},
		{"a decision for projects that are not tied", `{"method":"mean","scores":[{"judge":"J1","project":"B","total":1},{"judge":"J1","project":"C","total":2}],
			  "decisions":[{"order":["C","B"],"reason":"r"}]}`,
			2, "", "leitai rank: decisions[0]: project \"C\" is not tied (it is ranked 1 alone); a decision orders a tied group\n"},
		{"a raw newline in an id is malformed JSON", "{\"method\":\"mean\",\"scores\":[{\"judge\":\"J\n1\",\"project\":\"P\",\"total\":-1}]}",
			2, "", "leitai rank: malformed JSON at byte 38: control character in a string\n"},
		{"an escaped newline in an id stays escaped in the message", `{"method":"mean","scores":[{"judge":"J\n1","project":"P","total":-1}]}`,
			2, "", "leitai rank: scores[0] (judge \"J\\n1\", project \"P\"): total -1 is negative\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := cmdRank(strings.NewReader(c.stdin), &stdout, &stderr)
			if code != c.code || stdout.String() != c.stdout || stderr.String() != c.stderr {
				t.Errorf("exit %d\nstdout %q\nstderr %q\nwant exit %d\nstdout %q\nstderr %q", code, stdout.String(), stderr.String(), c.code, c.stdout, c.stderr)
			}
			if strings.Count(stderr.String(), "\n") > 1 {
				t.Errorf("stderr is more than one line: %q", stderr.String())
			}
		})
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("broken pipe") }

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("stdin closed") }

// TestRankCommandIOErrors: failing to read or write is exit 1, not a
// complaint about the sheet.
func TestRankCommandIOErrors(t *testing.T) {
	var stderr bytes.Buffer
	if code := cmdRank(strings.NewReader(`{"method":"mean","scores":[]}`), failingWriter{}, &stderr); code != 1 || !strings.Contains(stderr.String(), "broken pipe") {
		t.Errorf("write failure: exit %d, %q", code, stderr.String())
	}
	stderr.Reset()
	if code := cmdRank(failingReader{}, &bytes.Buffer{}, &stderr); code != 1 || !strings.Contains(stderr.String(), "could not read the score sheet") {
		t.Errorf("read failure: exit %d, %q", code, stderr.String())
	}
}
