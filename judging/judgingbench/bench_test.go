package judgingbench

import (
	"bufio"
	"bytes"
	"encoding/json"
	"testing"
)

func TestRun(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the full-size benchmarks")
	}
	var out bytes.Buffer
	if err := Run(&out); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(&out)
	seen := map[string]int{}
	for sc.Scan() {
		var line map[string]any
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("not one JSON object per line: %q", sc.Text())
		}
		b, _ := line["benchmark"].(string)
		seen[b]++
		if ms, ok := line["median_ms"].(float64); !ok || ms <= 0 {
			t.Errorf("no median in %s", sc.Text())
		}
		if b == "assignment" && line["load_spread"].(float64) > 1 {
			t.Errorf("assignment spread: %s", sc.Text())
		}
	}
	if seen["ranking"] != 5 || seen["assignment"] != 1 {
		t.Errorf("scenarios: %v", seen)
	}
}
