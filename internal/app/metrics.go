package app

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// registerMetrics adds the process-wide collectors: Go runtime, process,
// build info, the database pool and query latency. It runs before any
// background work starts (the store is not shared yet).
func (a *App) registerMetrics(reg *prometheus.Registry) *loginMetrics {
	b := ReadBuildInfo()
	build := prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "seam_build_info", Help: "Always 1; the labels name the running build.",
		ConstLabels: prometheus.Labels{"version": b.Version, "commit": b.Commit, "go_version": b.GoVersion},
	})
	build.Set(1)
	lm := &loginMetrics{outcomes: prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "seam_login_outcomes_total",
		Help: "SSO login callbacks by connection kind (saml, oidc) and outcome (success, or the typed rejection reason stored with the login attempt).",
	}, []string{"kind", "outcome"})}
	queries := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "seam_db_query_duration_seconds",
		Help:    "Database statements by operation (select, insert, update, delete, with, other) and whole transactions (transaction), begin to commit.",
		Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
	}, []string{"operation"})
	a.Store.Observe(func(op string, d time.Duration) { queries.WithLabelValues(op).Observe(d.Seconds()) })
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		collectors.NewDBStatsCollector(a.Store.DB(), a.Store.Backend()),
		build, lm.outcomes, queries,
	)
	return lm
}

// loginMetrics implements login.Metrics.
type loginMetrics struct {
	outcomes *prometheus.CounterVec
}

func (m *loginMetrics) LoginOutcome(kind, outcome string) {
	m.outcomes.WithLabelValues(kind, outcome).Inc()
}
