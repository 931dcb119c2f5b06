package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestDrawCommand(t *testing.T) {
	cases := []struct {
		name   string
		args   []string
		code   int
		stdout string
		stderr string
	}{
		// The vectors of judging/lots_vectors_test.go: ids sorted first, whatever order they come in.
		{"pk pairs", []string{"draw", "--seed", "dPO1SIiNeXJiTpBC", "18", "12", "21", "15"}, 0,
			"order: 21 15 12 18\nslot 1: 21 vs 15\nslot 2: 12 vs 18\n", ""},
		{"single, ids with commas", []string{"draw", "--seed", "huizhou-2026-final", "--pairing", "single", "1,2,3,4,5", "6,7,8,9,10"}, 0,
			"order: 4 8 9 2 6 5 10 3 1 7\nslot 1: 4\nslot 2: 8\nslot 3: 9\nslot 4: 2\nslot 5: 6\nslot 6: 5\nslot 7: 10\nslot 8: 3\nslot 9: 1\nslot 10: 7\n", ""},
		{"no seed", []string{"draw", "1", "2"}, 2, "", "seed is required"},
		{"a repeated id", []string{"draw", "--seed", "s", "1", "1"}, 2, "", "listed twice"},
		{"not an id", []string{"draw", "--seed", "s", "1", "x"}, 2, "", `"x" is not a project id`},
		{"no ids", []string{"draw", "--seed", "s"}, 2, "", "want: leitai draw"},
		{"bad pairing", []string{"draw", "--seed", "s", "--pairing", "trio", "1"}, 2, "", "--pairing must be pk or single"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := run(context.Background(), c.args, strings.NewReader(""), &out, &errOut)
			if code != c.code {
				t.Fatalf("exit %d, want %d (stderr %q)", code, c.code, errOut.String())
			}
			if out.String() != c.stdout {
				t.Errorf("stdout %q, want %q", out.String(), c.stdout)
			}
			if !strings.Contains(errOut.String(), c.stderr) {
				t.Errorf("stderr %q, want it to contain %q", errOut.String(), c.stderr)
			}
		})
	}
}
