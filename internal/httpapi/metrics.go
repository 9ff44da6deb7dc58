package httpapi

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

type metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	limited  *prometheus.CounterVec
}

func newMetrics(reg *prometheus.Registry) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "seam_http_requests_total", Help: "HTTP requests by route pattern, method and status.",
		}, []string{"route", "method", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "seam_http_request_duration_seconds", Help: "HTTP request latency by route pattern.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"route"}),
		limited: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "seam_rate_limit_refusals_total",
			Help: "Requests refused with 429 by an abuse limit, by limit class and by what was counted (address, target, project, or the failed-authentication limits).",
		}, []string{"class", "scope"}),
	}
	reg.MustRegister(m.requests, m.duration, m.limited)
	return m
}

// refused counts one 429 of an abuse limit. class and scope come from the
// route table and the code, never from the request.
func (m *metrics) refused(class, scope string) { m.limited.WithLabelValues(class, scope).Inc() }

func (m *metrics) observe(route, method string, status int, d time.Duration) {
	switch method {
	case "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS":
	default:
		method = "OTHER" // client-chosen methods must not grow label cardinality
	}
	m.requests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(route).Observe(d.Seconds())
}

func itoa(i int) string { return strconv.Itoa(i) }
