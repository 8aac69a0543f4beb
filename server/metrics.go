package server

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Action labels for frames that name no action of the table.
const (
	labelInvalidFrame  = "invalid_frame"  // shorter than 2 bytes, or a text frame
	labelUnknownAction = "unknown_action" // an id the table does not have
	labelSession       = "session"        // errors of the session itself (eviction)
)

// metrics are the server's Prometheus collectors. Each server has a
// registry of its own, so tests can run several servers in one process.
type metrics struct {
	reg         *prometheus.Registry
	connections prometheus.Gauge
	requests    *prometheus.CounterVec
	errors      *prometheus.CounterVec
	latency     *prometheus.HistogramVec
	// refused counts upgrades answered 429, by the cap that refused them.
	refused        *prometheus.CounterVec
	badFrameCloses prometheus.Counter
	floods         *prometheus.CounterVec
}

func newMetrics(hub *Hub, node string) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		connections: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "gapd_connections",
			Help: "Open WebSocket connections.",
		}),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gapd_requests_total",
			Help: "Frames received, by action name (invalid_frame, unknown_action for frames naming none).",
		}, []string{"action"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gapd_errors_total",
			Help: "Errors by action and major code; kind is real (sent to the client) or virtual (only logged and counted).",
		}, []string{"action", "code", "kind"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "gapd_request_seconds",
			Help:    "Time from a request's frame to its answer being queued, by action.",
			Buckets: prometheus.ExponentialBuckets(0.0001, 2.5, 14), // 0.1ms .. ~15s
		}, []string{"action"}),
		refused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gapd_connections_refused_total",
			Help: "WebSocket upgrades refused with 429, by the cap reached: total (-max-conns) or address (-max-conns-per-ip).",
		}, []string{"limit"}),
		badFrameCloses: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "gapd_bad_frame_closes_total",
			Help: "Connections closed (1008) after too many bad frames in a row.",
		}),
		floods: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gapd_flood_total",
			Help: "Requests refused with FLOOD_REQUEST (10) because their class's budget was spent, by class.",
		}, []string{"class"}),
	}
	m.reg.MustRegister(m.connections, m.requests, m.errors, m.latency, m.refused, m.badFrameCloses, m.floods,
		hub.pushes, hub.dropped, hub.slowClosed, hub.evictions, hub.capEvictions,
		// The node's name as an info metric rather than a label on every
		// series: dashboards join on it only where they need it.
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name:        "gapd_node_info",
			Help:        "Always 1; its node label is this node's name (-node).",
			ConstLabels: prometheus.Labels{"node": node},
		}, func() float64 { return 1 }),
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if cl := hub.cluster.Load(); cl != nil {
		m.reg.MustRegister(cl.collectors()...)
	}
	return m
}

// observe records one frame's action and how long it took.
func (m *metrics) observe(action string, d time.Duration) {
	m.requests.WithLabelValues(action).Inc()
	m.latency.WithLabelValues(action).Observe(d.Seconds())
}

func (m *metrics) countError(action string, code uint32, virtual bool) {
	kind := "real"
	if virtual {
		kind = "virtual"
	}
	m.errors.WithLabelValues(action, strconv.FormatUint(uint64(code), 10), kind).Inc()
}
