package server

import (
	"context"
	"crypto/subtle"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/valyala/fasthttp/fasthttpadaptor"

	"leitai/live"
	"leitai/models"
)

// httpMetrics counts requests per route pattern (never per raw path, which
// would let clients grow the label set without bound).
type httpMetrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newMetrics(reg *prometheus.Registry) *httpMetrics {
	m := &httpMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "leitai_http_requests_total",
			Help: "HTTP requests by method, route pattern and status.",
		}, []string{"method", "route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "leitai_http_request_duration_seconds",
			Help:    "HTTP request latency by method and route pattern.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"method", "route"}),
	}
	reg.MustRegister(m.requests, m.duration)
	return m
}

func (m *httpMetrics) middleware(c *fiber.Ctx) error {
	start := time.Now()
	err := c.Next()
	route := c.Route().Path
	m.requests.WithLabelValues(c.Method(), route, strconv.Itoa(c.Response().StatusCode())).Inc()
	m.duration.WithLabelValues(c.Method(), route).Observe(time.Since(start).Seconds())
	return err
}

// metrics serves the registry in the Prometheus text format to operators
// only: a request with the configured bearer token, or (without one) a
// direct request from this host — never one relayed by a proxy, which
// would make every visitor look local.
func (s *handlers) metrics() fiber.Handler {
	h := fasthttpadaptor.NewFastHTTPHandler(promhttp.HandlerFor(s.deps.Metrics, promhttp.HandlerOpts{}))
	return func(c *fiber.Ctx) error {
		if !s.metricsAllowed(c) {
			return models.Errorf(models.KindForbidden, "metrics are for operators: ask from this host, or send the metrics token")
		}
		h(c.Context())
		return nil
	}
}

func (s *handlers) metricsAllowed(c *fiber.Ctx) bool {
	if token := s.deps.Config.MetricsToken; token != "" {
		got, ok := strings.CutPrefix(c.Get(fiber.HeaderAuthorization), "Bearer ")
		if ok && subtle.ConstantTimeCompare([]byte(got), []byte(token)) == 1 {
			return true
		}
	}
	relayed := c.Get(fiber.HeaderXForwardedFor) != "" || c.Get("Forwarded") != "" || c.Get("X-Real-IP") != ""
	return !relayed && c.Context().RemoteIP().IsLoopback()
}

// Figures are the database counts an operator needs on the day.
type Figures interface {
	OperatorFigures(ctx context.Context) (models.OperatorFigures, error)
}

// operatorCollector reports, per scrape, the board's viewers per live
// final, its connections, caps, refusals, queue drops and slow-viewer cuts,
// and the database's figures (votes, device tokens, media backlog).
type operatorCollector struct {
	hub                                 *live.Hub
	figures                             Figures
	viewers, votes, tokens, backlog, up *prometheus.Desc
	voided                              *prometheus.Desc
	conns, maxConns, perAddr, refused   *prometheus.Desc
	drops, cuts                         *prometheus.Desc
}

func newOperatorCollector(hub *live.Hub, figures Figures) *operatorCollector {
	return &operatorCollector{hub: hub, figures: figures,
		viewers:  prometheus.NewDesc("leitai_board_viewers", "Open live board connections per topic on this instance.", []string{"topic"}, nil),
		votes:    prometheus.NewDesc("leitai_live_votes", "Audience votes counted per live final.", []string{"event"}, nil),
		voided:   prometheus.NewDesc("leitai_live_votes_voided", "Audience votes the host voided per live final (kept with their reason, never counted).", []string{"event"}, nil),
		tokens:   prometheus.NewDesc("leitai_live_device_tokens", "Audience device tokens issued per live final.", []string{"event"}, nil),
		backlog:  prometheus.NewDesc("leitai_media_backlog", "Media waiting for or in processing.", nil, nil),
		up:       prometheus.NewDesc("leitai_figures_up", "1 when the database figures could be read at this scrape.", nil, nil),
		conns:    prometheus.NewDesc("leitai_board_connections", "Live board websocket connections admitted on this instance (all topics, joining ones included).", nil, nil),
		maxConns: prometheus.NewDesc("leitai_board_connections_max", "Cap on this instance's board connections (LEITAI_WS_MAX or derived from the open-file limit; 0: none).", nil, nil),
		perAddr:  prometheus.NewDesc("leitai_board_connections_per_address_max", "Cap on one client address's board connections (LEITAI_WS_PER_ADDRESS; 0: none).", nil, nil),
		refused:  prometheus.NewDesc("leitai_board_refused_total", "Board connections refused by a cap (503 before the upgrade or close 1013), by cap.", []string{"reason"}, nil),
		drops:    prometheus.NewDesc("leitai_board_queue_drops_total", "Board frames not queued for a viewer because its queue was full or it was being closed.", nil, nil),
		cuts:     prometheus.NewDesc("leitai_board_slow_cuts_total", "Board viewers cut off for not keeping up (queue full, close 1008, or a write past its deadline).", nil, nil),
	}
}

func (o *operatorCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{o.viewers, o.votes, o.voided, o.tokens, o.backlog, o.up, o.conns, o.maxConns, o.perAddr, o.refused, o.drops, o.cuts} {
		ch <- d
	}
}

func (o *operatorCollector) Collect(ch chan<- prometheus.Metric) {
	if o.hub != nil {
		for _, topic := range o.hub.Topics() {
			ch <- prometheus.MustNewConstMetric(o.viewers, prometheus.GaugeValue, float64(o.hub.Viewers(topic)), topic)
		}
		st := o.hub.Stats()
		ch <- prometheus.MustNewConstMetric(o.conns, prometheus.GaugeValue, float64(st.Connections))
		ch <- prometheus.MustNewConstMetric(o.maxConns, prometheus.GaugeValue, float64(st.MaxViewers))
		ch <- prometheus.MustNewConstMetric(o.perAddr, prometheus.GaugeValue, float64(st.PerAddress))
		ch <- prometheus.MustNewConstMetric(o.refused, prometheus.CounterValue, float64(st.RefusedAddress), "address")
		ch <- prometheus.MustNewConstMetric(o.refused, prometheus.CounterValue, float64(st.RefusedFull), "instance")
		ch <- prometheus.MustNewConstMetric(o.drops, prometheus.CounterValue, float64(st.QueueDrops))
		ch <- prometheus.MustNewConstMetric(o.cuts, prometheus.CounterValue, float64(st.SlowCuts))
	}
	if o.figures == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	f, err := o.figures.OperatorFigures(ctx)
	if err != nil {
		ch <- prometheus.MustNewConstMetric(o.up, prometheus.GaugeValue, 0)
		return
	}
	ch <- prometheus.MustNewConstMetric(o.up, prometheus.GaugeValue, 1)
	for id, n := range f.Votes {
		ch <- prometheus.MustNewConstMetric(o.votes, prometheus.CounterValue, float64(n), strconv.FormatInt(id, 10))
	}
	for id, n := range f.VotesVoided {
		ch <- prometheus.MustNewConstMetric(o.voided, prometheus.CounterValue, float64(n), strconv.FormatInt(id, 10))
	}
	for id, n := range f.DeviceTokens {
		ch <- prometheus.MustNewConstMetric(o.tokens, prometheus.CounterValue, float64(n), strconv.FormatInt(id, 10))
	}
	ch <- prometheus.MustNewConstMetric(o.backlog, prometheus.GaugeValue, float64(f.MediaBacklog))
}

// audienceRefusals counts on this instance the audience's requests the
// defences refused (docs/live.md): device tokens without a current code from
// the big screen, device tokens beyond the per-address issue limit, open
// votes beyond the venue's per-address cap, and ticket votes slowed for
// wrong codes. A rising count on the day is a
// script at work or a cap set too low for the venue.
func newAudienceRefusals(reg *prometheus.Registry) *prometheus.CounterVec {
	c := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "leitai_live_refused_total",
		Help: "Audience requests refused by the defences on this instance: token_presence, token_address, vote_address_cap, vote_ticket_guesses.",
	}, []string{"what"})
	for _, w := range []string{"token_presence", "token_address", "vote_address_cap", "vote_ticket_guesses"} {
		c.WithLabelValues(w)
	}
	reg.MustRegister(c)
	return c
}
