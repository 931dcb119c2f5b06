package livebench

import (
	"testing"
	"time"
)

func TestPercentiles(t *testing.T) {
	var xs []float64
	for i := 100; i >= 1; i-- {
		xs = append(xs, float64(i))
	}
	s := summarise(xs, 2)
	if s.Samples != 100 || s.P50MS != 50 || s.P99MS != 99 || s.MaxMS != 100 || s.Missing != 2 {
		t.Fatalf("summary of 1…100: %+v", s)
	}
	if got := percentile([]float64{7}, 99); got != 7 {
		t.Fatalf("p99 of one value: %v", got)
	}
	if got := percentile([]float64{1, 2, 3, 4}, 50); got != 2 {
		t.Fatalf("nearest-rank p50 of 1…4: %v", got)
	}
	if got := percentile(nil, 50); got != 0 {
		t.Fatalf("percentile of nothing: %v", got)
	}
	if got := median([]float64{3, 1, 2, 10}); got != 2.5 {
		t.Fatalf("median: %v", got)
	}
	if got := median([]float64{3, 1, 2}); got != 2 {
		t.Fatalf("median: %v", got)
	}
	if ratio(3, 0) != 0 || ratio(1, 3) != 0.33 {
		t.Fatal("ratio")
	}
}

func TestRates(t *testing.T) {
	t0 := time.Unix(0, 0)
	var ts []time.Time
	for _, ms := range []int{0, 250, 500, 750, 1000, 1100, 3000} {
		ts = append(ts, t0.Add(time.Duration(ms)*time.Millisecond))
	}
	if got := maxInWindow(ts, time.Second); got != 5 { // 250…1100 ms
		t.Fatalf("max per second: %d", got)
	}
	if got := minGap(ts); got != 100*time.Millisecond {
		t.Fatalf("min gap: %v", got)
	}
	if maxInWindow(nil, time.Second) != 0 || minGap(ts[:1]) != 0 {
		t.Fatal("empty")
	}
}

func TestParseBoardFrame(t *testing.T) {
	cases := []struct {
		in   string
		want boardFrame
	}{
		{`{"type":"event","epoch":"e1","offset":42,"event":{"kind":"score","state":{"type":"nested","offset":7}}}`,
			boardFrame{Type: "event", Epoch: "e1", Offset: 42, HasOffset: true}},
		// A snapshot's keys come sorted: the state, with nested "type" and
		// "offset" members and tricky strings, precedes the type.
		{`{"epoch":"e\"2","offset":3,"state":{"title":"a \"}\" b","list":[1,{"offset":9}],"type":"x"},"type":"snapshot"}`,
			boardFrame{Type: "snapshot", Epoch: `e"2`, Offset: 3, HasOffset: true}},
		{` { "type" : "tally", "tally" : {"12":41}, "voters" : 72 } `, boardFrame{Type: "tally"}},
		{`{"epoch":"e","offset":0,"type":"recovered"}`, boardFrame{Type: "recovered", Epoch: "e", HasOffset: true}},
	}
	for _, c := range cases {
		got, err := parseBoardFrame([]byte(c.in))
		if err != nil || got != c.want {
			t.Errorf("parse %s: %+v, %v; want %+v", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{``, `[]`, `{"type":`, `{"type":"event"`, `{"offset":-1}`, `{"offset":"x"}`, `{"a":{"b":1}`, `{"a" 1}`} {
		if _, err := parseBoardFrame([]byte(bad)); err == nil {
			t.Errorf("parse %q: no error", bad)
		}
	}
}

func TestParseCentrifugo(t *testing.T) {
	msg := []byte("{\"id\":1,\"connect\":{\"client\":\"c\",\"version\":\"6.9.1\",\"ping\":25,\"pong\":true}}\n{\"id\":2,\"subscribe\":{}}\n")
	lines := splitCentrifugo(msg)
	if len(lines) != 2 {
		t.Fatalf("lines: %q", lines)
	}
	for i, l := range lines {
		r, err := parseCentrifugo(l)
		if err != nil || r.ID != uint64(i+1) || r.Push || r.Ping || r.Error {
			t.Fatalf("reply %d: %+v %v", i, r, err)
		}
	}
	r, err := parseCentrifugo([]byte(`{"push":{"channel":"board","pub":{"data":{"seq":17,"pad":"xx"},"offset":3}}}`))
	if err != nil || !r.Push || r.Seq != 17 {
		t.Fatalf("push: %+v %v", r, err)
	}
	if r, err := parseCentrifugo([]byte(`{}`)); err != nil || !r.Ping {
		t.Fatalf("ping: %+v %v", r, err)
	}
	if r, err := parseCentrifugo([]byte(`{"id":2,"error":{"code":103,"message":"permission denied"}}`)); err != nil || r.ID != 2 || !r.Error {
		t.Fatalf("error reply: %+v %v", r, err)
	}
	for _, bad := range []string{`{"push":{"pub":{"data":{}}}}`, `{"id":x}`, `hello`} {
		if _, err := parseCentrifugo([]byte(bad)); err == nil {
			t.Errorf("parse %q: no error", bad)
		}
	}
	if got := splitCentrifugo([]byte("{}")); len(got) != 1 {
		t.Fatalf("single ping: %q", got)
	}
}
