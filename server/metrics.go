package server

import (
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the server's Prometheus collectors, on a registry of its own so
// that several servers (tests) can run in one process.
type metrics struct {
	reg         *prometheus.Registry
	connections prometheus.Gauge
	requests    *prometheus.CounterVec
	errors      *prometheus.CounterVec
	latency     *prometheus.HistogramVec
	dropped     prometheus.Counter
}

func newMetrics() *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		connections: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "gapd_connections", Help: "Open WebSocket connections."}),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gapd_requests_total", Help: "Requests by action."}, []string{"action"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gapd_errors_total", Help: "Errors by action and code, virtual ones included (kind)."},
			[]string{"action", "code", "kind"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "gapd_request_seconds", Help: "Request latency by action, commit included.",
			Buckets: prometheus.ExponentialBuckets(0.0001, 2.5, 12)}, []string{"action"}),
		dropped: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "gapd_slow_connections_closed_total", Help: "Connections closed because their outbound queue was full."}),
	}
	m.reg.MustRegister(m.connections, m.requests, m.errors, m.latency, m.dropped,
		prometheus.NewGoCollector(), prometheus.NewProcessCollector(prometheus.ProcessCollectorOpts{}))
	return m
}

func (m *metrics) countError(action string, code uint32, virtual bool) {
	kind := "real"
	if virtual {
		kind = "virtual"
	}
	m.errors.WithLabelValues(action, strconv.FormatUint(uint64(code), 10), kind).Inc()
}
