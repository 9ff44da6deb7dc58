package app

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// registerMetrics adds the process-wide collectors: Go runtime, process,
// build info and the database pool.
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
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		collectors.NewDBStatsCollector(a.Store.DB(), a.Store.Backend()),
		build, lm.outcomes,
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
