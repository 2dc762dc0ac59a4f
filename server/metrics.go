package server

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/wiretrace/wiretrace/live"
)

// Metrics are the Prometheus metrics a server exports at /metrics. Build
// them before opening the index, so its pipeline can report through Hooks.
type Metrics struct {
	reg       *prometheus.Registry
	requests  *prometheus.CounterVec
	latency   *prometheus.HistogramVec
	ingested  *prometheus.CounterVec
	storeTime prometheus.Histogram
	storeSize prometheus.Histogram
	matchTime prometheus.Histogram
}

// latencyBuckets span 0.25 ms to 10 s.
var latencyBuckets = []float64{.00025, .0005, .001, .0025, .005, .01, .02, .05, .1, .25, .5, 1, 2.5, 5, 10}

// NewMetrics returns the server's metrics in a registry of their own (with
// the Go runtime and process collectors).
func NewMetrics() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "wiretrace_http_requests_total", Help: "HTTP requests by route, method and status code.",
		}, []string{"route", "method", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "wiretrace_http_request_duration_seconds", Help: "HTTP request latency by route and method.", Buckets: latencyBuckets,
		}, []string{"route", "method"}),
		ingested: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "wiretrace_articles_ingested_total", Help: "Articles received by POST /v1/articles, by outcome (indexed, replaced, rejected).",
		}, []string{"outcome"}),
		storeTime: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "wiretrace_store_write_seconds", Help: "Duration of one durable store write (a group of articles).", Buckets: latencyBuckets,
		}),
		storeSize: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "wiretrace_store_write_articles", Help: "Articles per durable store write.", Buckets: prometheus.ExponentialBuckets(1, 2, 12),
		}),
		matchTime: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "wiretrace_match_seconds", Help: "Duration of matching and indexing one article (engine Add).", Buckets: latencyBuckets,
		}),
	}
	m.reg.MustRegister(m.requests, m.latency, m.ingested, m.storeTime, m.storeSize, m.matchTime,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Hooks returns the index pipeline hooks that feed these metrics.
func (m *Metrics) Hooks() live.Hooks {
	return live.Hooks{
		Stored: func(n int, took time.Duration) {
			m.storeTime.Observe(took.Seconds())
			m.storeSize.Observe(float64(n))
		},
		Indexed: func(took time.Duration) { m.matchTime.Observe(took.Seconds()) },
	}
}

// watch registers the gauges that read the index.
func (m *Metrics) watch(ix *live.Index) {
	gauge := func(name, help string, f func() float64) {
		// A second server on one Metrics keeps the first gauges.
		_ = m.reg.Register(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, f))
	}
	gauge("wiretrace_index_articles", "Articles in the index.", func() float64 { return float64(ix.Len()) })
	gauge("wiretrace_index_stories", "Stories in the index.", func() float64 { return float64(ix.Stories()) })
	gauge("wiretrace_index_load_progress", "Share of stored articles loaded into the index at startup (1 when ready).", func() float64 {
		p := ix.Progress()
		switch {
		case p.Ready:
			return 1
		case p.Total == 0:
			return 0
		}
		return float64(p.Loaded) / float64(p.Total)
	})
}

func (m *Metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// observe records one request.
func (m *Metrics) observe(route, method string, code int, took time.Duration) {
	m.requests.WithLabelValues(route, method, strconv.Itoa(code)).Inc()
	m.latency.WithLabelValues(route, method).Observe(took.Seconds())
}
