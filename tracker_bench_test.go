package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptrace"
	"path/filepath"
	"slices"
	"testing"
	"time"

	_ "github.com/glebarez/go-sqlite" // the driver under storage's SQLite, for seeding

	"leitai/models"
	"leitai/storage"
)

// BenchmarkTrackerFirstByte500 is the public tracker's first-byte time over
// HTTP with 500 funded projects (approved three-milestone plans with KPIs,
// two accepted reports and three paid tranches each), on the embedded
// SQLite the binary serves by default:
//
//	go test -run '^$' -bench TrackerFirstByte500 -benchtime 50x .
//
// It reports the median and the 95th percentile of the time from sending
// GET /api/v1/tracker to the response's first byte (ttfb-p50-ms,
// ttfb-p95-ms), and the body's size (body-KB). No timing is asserted.
func BenchmarkTrackerFirstByte500(b *testing.B) {
	dir := b.TempDir()
	ctx := context.Background()
	db, err := storage.Open(ctx, "", dir, slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	if _, err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	_ = db.Close()
	if err := seedFunded(filepath.Join(dir, storage.SQLiteFile), 500); err != nil {
		b.Fatal(err)
	}
	env := map[string]string{"LEITAI_DATA_DIR": dir, "LEITAI_DATABASE_URL": "", "LEITAI_S3_ENDPOINT": ""}
	cfg, _, err := parseConfig(flag.NewFlagSet("bench", flag.ContinueOnError), nil, func(k string) string { return env[k] })
	if err != nil {
		b.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	sctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- serve(sctx, cfg, ln, io.Discard, io.Discard) }()
	defer func() {
		cancel()
		<-done
	}()
	base := "http://" + ln.Addr().String()
	for i := 0; ; i++ {
		if r, err := http.Get(base + "/readyz"); err == nil && r.StatusCode == 200 {
			r.Body.Close()
			break
		}
		if i > 400 {
			b.Fatal("the server never became ready")
		}
		time.Sleep(50 * time.Millisecond)
	}
	client := &http.Client{}
	fetch := func() (time.Duration, int) {
		var start, first time.Time
		trace := &httptrace.ClientTrace{
			WroteRequest:         func(httptrace.WroteRequestInfo) { start = time.Now() },
			GotFirstResponseByte: func() { first = time.Now() },
		}
		req, _ := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, trace), "GET", base+"/api/v1/tracker", nil)
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("tracker: %d %s", resp.StatusCode, body)
		}
		return first.Sub(start), len(body)
	}
	// Warm up once, and check the answer is the 500 projects.
	var list struct {
		Projects []struct {
			ID int64 `json:"id"`
		} `json:"projects"`
	}
	req, _ := http.NewRequest("GET", base+"/api/v1/tracker", nil)
	resp, err := client.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil || len(list.Projects) != 500 {
		b.Fatalf("the tracker lists %d projects (%v), want 500", len(list.Projects), err)
	}
	resp.Body.Close()
	times := make([]time.Duration, 0, b.N)
	size := 0
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d, n := fetch()
		times = append(times, d)
		size = n
	}
	b.StopTimer()
	slices.Sort(times)
	at := func(q float64) float64 { return float64(times[int(q*float64(len(times)-1))].Microseconds()) / 1000 }
	b.ReportMetric(at(0.5), "ttfb-p50-ms")
	b.ReportMetric(at(0.95), "ttfb-p95-ms")
	b.ReportMetric(float64(size)/1024, "body-KB")
}

// seedFunded writes n funded projects of one closed edition into the
// migrated SQLite file at path, in one transaction: each with a signed
// award, an approved plan of three milestones (50/30/20, KPIs), two
// accepted reports with KPI actuals and three paid tranches.
func seedFunded(path string, n int) error {
	conn, err := sql.Open("sqlite", path)
	if err != nil {
		return err
	}
	defer conn.Close()
	tx, err := conn.Begin()
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	now := time.Now().UTC()
	exec := func(q string, args ...any) (int64, error) {
		res, err := tx.Exec(q, args...)
		if err != nil {
			return 0, fmt.Errorf("%s: %w", q, err)
		}
		return res.LastInsertId()
	}
	city, err := exec(`INSERT INTO units (kind, name, created_at, updated_at) VALUES ('city', '惠州市', ?, ?)`, now, now)
	if err != nil {
		return err
	}
	var counties []int64
	for _, name := range []string{"惠城区", "惠阳区", "博罗县", "惠东县", "龙门县"} {
		id, err := exec(`INSERT INTO units (parent_id, kind, name, created_at, updated_at) VALUES (?, 'county', ?, ?, ?)`, city, name, now, now)
		if err != nil {
			return err
		}
		counties = append(counties, id)
	}
	ed, err := exec(`INSERT INTO editions (year, title, categories, opens_at, closes_at, status, created_at, updated_at)
		VALUES (2025, '2025年度社会治理创新十大项目', '[]', ?, ?, 'closed', ?, ?)`, now, now, now, now)
	if err != nil {
		return err
	}
	round, err := exec(`INSERT INTO rounds (edition_id, name, ord, kind, opens_at, closes_at, rubric, reviewers_per_project, method, key_criterion, status, created_at, updated_at)
		VALUES (?, '终审', 1, 'online', ?, ?, '{}', 5, 'mean', 'innovative', 'published', ?, ?)`, ed, now, now, now, now)
	if err != nil {
		return err
	}
	ms, _ := json.Marshal([]models.Milestone{
		{Seq: 1, Title: "签约启动", DueOn: "2025-03-01", Share: 50, Gate: models.GateSigning},
		{Seq: 2, Title: "中期检查", DueOn: "2025-09-01", Share: 30, Gate: models.GateReport, KPIs: []models.KPI{{Name: "覆盖户数", Unit: "户", Target: "1200"}, {Name: "化解矛盾纠纷", Unit: "件", Target: "80"}}},
		{Seq: 3, Title: "结项验收", DueOn: "2026-03-01", Share: 20, Gate: models.GateReport, KPIs: []models.KPI{{Name: "覆盖户数", Unit: "户", Target: "2000"}, {Name: "化解矛盾纠纷", Unit: "件", Target: "150"}}},
	})
	tiers := []string{"top10", "first", "second", "third", "excellence"}
	for i := 0; i < n; i++ {
		unit := counties[i%len(counties)]
		p, err := exec(`INSERT INTO projects (edition_id, unit_id, title, summary, status, created_at, updated_at) VALUES (?, ?, ?, ?, 'eligible', ?, ?)`,
			ed, unit, fmt.Sprintf("基层治理创新项目%03d", i), "网格化管理与矛盾纠纷多元化解", now, now)
		if err != nil {
			return err
		}
		a, err := exec(`INSERT INTO awards (edition_id, round_id, project_id, unit_id, tier, rank, funding_fen, signed_on, status, version, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, 10000000, '2025-02-01', 'active', 1, ?, ?)`, ed, round, p, unit, tiers[i%len(tiers)], i+1, now, now)
		if err != nil {
			return err
		}
		if _, err := exec(`INSERT INTO plan_versions (award_id, version, status, milestones, proposed_at) VALUES (?, 1, 'approved', ?, ?)`, a, string(ms), now); err != nil {
			return err
		}
		for seq, amount := range []int64{5000000, 3000000, 2000000} {
			if _, err := exec(`INSERT INTO tranches (award_id, seq, amount_fen, state) VALUES (?, ?, ?, 'paid')`, a, seq+1, amount); err != nil {
				return err
			}
		}
		for seq := 2; seq <= 3; seq++ {
			if _, err := exec(`INSERT INTO follow_reports (award_id, seq, status, text, kpi_actuals, media_ids, decided_at, updated_at)
				VALUES (?, ?, 'accepted', '按计划推进，入户走访并建立台账。', '{"覆盖户数":"1500","化解矛盾纠纷":"96"}', '[]', ?, ?)`, a, seq, now, now); err != nil {
				return err
			}
		}
	}
	return tx.Commit()
}
