package app

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/seamsso/seam/internal/metadatarefresh"
	"github.com/seamsso/seam/internal/sso"
)

// lifecycleMetrics counts metadata refreshes and publishes the expiry of
// SAML verification certificates (docs/operations.md#metrics).
type lifecycleMetrics struct {
	refreshes *prometheus.CounterVec
	expiring  prometheus.Gauge
	earliest  *prometheus.GaugeVec
	latest    *prometheus.GaugeVec
}

func newLifecycleMetrics(reg *prometheus.Registry) *lifecycleMetrics {
	m := &lifecycleMetrics{
		refreshes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "seam_saml_metadata_refreshes_total",
			Help: "SAML metadata refreshes by outcome (updated, unchanged, failed, refused) and error_type (empty on success).",
		}, []string{"outcome", "error_type"}),
		expiring: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "seam_saml_verification_certificates_expiring",
			Help: "SAML verification certificates, over all connections, expired or expiring within 30 days (as of the last scan).",
		}),
		earliest: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "seam_saml_verification_certificate_earliest_expiry_timestamp_seconds",
			Help: "Per SAML connection with a certificate expired or expiring within 30 days: the soonest certificate expiry (Unix time).",
		}, []string{"project_id", "connection_id"}),
		latest: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "seam_saml_verification_certificate_latest_expiry_timestamp_seconds",
			Help: "Per SAML connection with a certificate expired or expiring within 30 days: when its last certificate expires (Unix time); logins break then.",
		}, []string{"project_id", "connection_id"}),
	}
	for _, o := range sso.RefreshOutcomes() {
		m.refreshes.WithLabelValues(o, "")
	}
	reg.MustRegister(m.refreshes, m.expiring, m.earliest, m.latest)
	return m
}

func (m *lifecycleMetrics) MetadataRefresh(outcome, errorType string) {
	m.refreshes.WithLabelValues(outcome, errorType).Inc()
}

// setExpiry replaces the expiry gauges with a scan's result. Only
// connections with a certificate inside the warning window get series, so
// the series count follows the problems, not the number of connections.
func (m *lifecycleMetrics) setExpiry(all []sso.ConnectionExpiry) {
	m.earliest.Reset()
	m.latest.Reset()
	n := 0
	for _, c := range all {
		if c.Expiring == 0 {
			continue
		}
		n += c.Expiring
		m.earliest.WithLabelValues(c.ProjectID, c.ConnectionID).Set(float64(c.Earliest.Unix()))
		m.latest.WithLabelValues(c.ProjectID, c.ConnectionID).Set(float64(c.Latest.Unix()))
	}
	m.expiring.Set(float64(n))
}

// newMetadataRefresh builds the refresh worker that Serve runs.
func (a *App) newMetadataRefresh(m *lifecycleMetrics) *metadatarefresh.Worker {
	return &metadatarefresh.Worker{SSO: a.SSO, Now: a.Clock, Log: a.Log, Interval: a.Config.MetadataRefreshInterval,
		Expiry: m.setExpiry}
}
