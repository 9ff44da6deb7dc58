package app

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/seamsso/seam/internal/outbound"
)

// outboundMetrics counts and times the guarded client's requests by purpose
// and result (docs/operations.md#metrics).
type outboundMetrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newOutboundMetrics() *outboundMetrics {
	m := &outboundMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "seam_outbound_requests_total",
			Help: "Requests to customer URLs by purpose (saml_metadata, oidc_discovery, oidc_token, oidc_jwks, oidc_userinfo) and result (ok, redirect, http_status, or the outbound failure kind: refused_address, dns, connect, tls_certificate, timeout, ...).",
		}, []string{"purpose", "result"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "seam_outbound_request_duration_seconds", Help: "Latency of requests to customer URLs by purpose.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"purpose"}),
	}
	for _, p := range outbound.Purposes() {
		m.requests.WithLabelValues(p, "ok")
	}
	return m
}

func (m *outboundMetrics) observe(purpose, result string, d time.Duration) {
	m.requests.WithLabelValues(purpose, result).Inc()
	m.duration.WithLabelValues(purpose).Observe(d.Seconds())
}

func (m *outboundMetrics) register(reg *prometheus.Registry) {
	reg.MustRegister(m.requests, m.duration)
}
