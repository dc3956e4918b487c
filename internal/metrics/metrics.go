// Package metrics is Portico's Prometheus metrics (GET /_portico/metrics,
// docs/inspector.md#metrics): a private registry, not the global default,
// handed to what it measures. Every method is safe on a nil *Metrics,
// which measures nothing.
//
// Labels are bounded: API ids, stage names and route keys come from
// compiled stages (never raw paths), statuses from the answers, function
// names from configured functions and integrations.
package metrics

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/portico-dev/portico/internal/inspect"
)

// Ways a Lambda function is reached (the via label).
const (
	ViaPortico  = "portico"  // one of Portico's own functions (--function)
	ViaEndpoint = "endpoint" // the Invoke API at --lambda-endpoint
)

// latencyBuckets suit a gateway: from half a millisecond to its 30 s
// integration limit.
var latencyBuckets = []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}

// Metrics holds Portico's metrics and their registry.
type Metrics struct {
	reg *prometheus.Registry

	controlCalls   *prometheus.CounterVec
	controlLatency *prometheus.HistogramVec

	httpRequests       *prometheus.CounterVec
	wsEvents           *prometheus.CounterVec
	dataLatency        *prometheus.HistogramVec
	integrationLatency *prometheus.HistogramVec
	throttled          *prometheus.CounterVec

	lambdaCalls    *prometheus.CounterVec
	lambdaErrors   *prometheus.CounterVec
	lambdaDuration *prometheus.HistogramVec

	authorizerCache *prometheus.CounterVec

	storeUpdates *prometheus.HistogramVec
}

// New returns metrics on a registry of their own, with the Go runtime's
// and the process's collectors.
func New() *Metrics {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	f := func(c prometheus.Collector) { reg.MustRegister(c) }
	m := &Metrics{reg: reg}
	m.controlCalls = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "portico_control_plane_requests_total",
		Help: "Control-plane (ApiGatewayV2) calls by operation and status code."}, []string{"operation", "code"})
	m.controlLatency = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "portico_control_plane_request_duration_seconds",
		Help: "Control-plane call latency by operation.", Buckets: latencyBuckets}, []string{"operation"})
	m.httpRequests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "portico_http_api_requests_total",
		Help: "HTTP API requests by API, stage, route key and status (route is empty when no route matched)."},
		[]string{"api_id", "stage", "route", "status"})
	m.wsEvents = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "portico_websocket_events_total",
		Help: "WebSocket events (connect, message, disconnect, post, delete) by API, stage, route key and status."},
		[]string{"api_id", "stage", "route", "event", "status"})
	m.dataLatency = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "portico_data_plane_latency_seconds",
		Help:    "Data-plane latency by kind (http, connect, message, disconnect, post, delete), API, stage and route key.",
		Buckets: latencyBuckets}, []string{"kind", "api_id", "stage", "route"})
	m.integrationLatency = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "portico_data_plane_integration_latency_seconds",
		Help: "Integration latency by kind, API, stage and route key.", Buckets: latencyBuckets},
		[]string{"kind", "api_id", "stage", "route"})
	m.throttled = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "portico_throttled_requests_total",
		Help: "Requests and messages refused by throttling, by API, stage, route key and the limit that refused them (route or account)."},
		[]string{"api_id", "stage", "route", "limit"})
	m.lambdaCalls = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "portico_lambda_invocations_total",
		Help: "Lambda invocations by function and how it was reached (portico: Portico's own functions; endpoint: --lambda-endpoint)."},
		[]string{"function", "via"})
	m.lambdaErrors = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "portico_lambda_errors_total",
		Help: "Lambda invocations that failed (a function error, a timeout, an Invoke API failure), by function and via."},
		[]string{"function", "via"})
	m.lambdaDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "portico_lambda_duration_seconds",
		Help: "Lambda invocation duration by function and via.", Buckets: latencyBuckets}, []string{"function", "via"})
	m.authorizerCache = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "portico_authorizer_cache_requests_total",
		Help: "Lambda authorizer cache lookups by API, authorizer id and result (hit or miss)."},
		[]string{"api_id", "authorizer", "result"})
	m.storeUpdates = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "portico_store_update_duration_seconds",
		Help: "Store write transactions (their commit included) by result (ok or error).", Buckets: latencyBuckets},
		[]string{"result"})
	for _, c := range []prometheus.Collector{m.controlCalls, m.controlLatency, m.httpRequests, m.wsEvents, m.dataLatency,
		m.integrationLatency, m.throttled, m.lambdaCalls, m.lambdaErrors, m.lambdaDuration, m.authorizerCache, m.storeUpdates} {
		f(c)
	}
	return m
}

// Handler serves the metrics in Prometheus's text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// Gauge registers a gauge read at scrape time.
func (m *Metrics) Gauge(name, help string, fn func() float64) {
	if m == nil {
		return
	}
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, fn))
}

// ControlPlane counts one control-plane call; op is "" when no operation
// matched.
func (m *Metrics) ControlPlane(op string, status int, d time.Duration) {
	if m == nil {
		return
	}
	if op == "" {
		op = "unknown"
	}
	m.controlCalls.WithLabelValues(op, statusText(status)).Inc()
	m.controlLatency.WithLabelValues(op).Observe(d.Seconds())
}

// Observe counts one data-plane entry (inspect.Config.Observe).
func (m *Metrics) Observe(e *inspect.Entry) {
	if m == nil {
		return
	}
	kind := string(e.Kind)
	if e.Kind == inspect.KindHTTP {
		m.httpRequests.WithLabelValues(e.APIID, e.Stage, e.RouteKey, statusText(e.Status)).Inc()
	} else {
		m.wsEvents.WithLabelValues(e.APIID, e.Stage, e.RouteKey, kind, statusText(e.Status)).Inc()
	}
	m.dataLatency.WithLabelValues(kind, e.APIID, e.Stage, e.RouteKey).Observe(e.Latency.Seconds())
	if e.IntegrationLatency > 0 {
		m.integrationLatency.WithLabelValues(kind, e.APIID, e.Stage, e.RouteKey).Observe(e.IntegrationLatency.Seconds())
	}
}

// Throttled counts a request or message throttling refused; limit is
// "route" or "account".
func (m *Metrics) Throttled(apiID, stage, route, limit string) {
	if m == nil {
		return
	}
	m.throttled.WithLabelValues(apiID, stage, route, limit).Inc()
}

// Lambda counts one invocation of function.
func (m *Metrics) Lambda(function, via string, d time.Duration, failed bool) {
	if m == nil {
		return
	}
	m.lambdaCalls.WithLabelValues(function, via).Inc()
	if failed {
		m.lambdaErrors.WithLabelValues(function, via).Inc()
	}
	m.lambdaDuration.WithLabelValues(function, via).Observe(d.Seconds())
}

// AuthorizerCache counts one lookup in a Lambda authorizer's cache.
func (m *Metrics) AuthorizerCache(apiID, authorizer string, hit bool) {
	if m == nil {
		return
	}
	result := "miss"
	if hit {
		result = "hit"
	}
	m.authorizerCache.WithLabelValues(apiID, authorizer, result).Inc()
}

// StoreUpdate times one store write transaction.
func (m *Metrics) StoreUpdate(d time.Duration, err error) {
	if m == nil {
		return
	}
	result := "ok"
	if err != nil {
		result = "error"
	}
	m.storeUpdates.WithLabelValues(result).Observe(d.Seconds())
}

// statuses are the status labels, made once.
var statuses = func() (s [600]string) {
	for i := range s {
		s[i] = strconv.Itoa(i)
	}
	return s
}()

func statusText(code int) string {
	if code >= 0 && code < len(statuses) {
		return statuses[code]
	}
	return strconv.Itoa(code)
}
