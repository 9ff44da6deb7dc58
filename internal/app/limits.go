package app

import (
	"time"

	"github.com/seamsso/seam/internal/apierr"

	"github.com/seamsso/seam/internal/config"
	"github.com/seamsso/seam/internal/httpapi"
	"github.com/seamsso/seam/internal/ratelimit"
)

// limitsFrom turns the configured per-minute limits into the HTTP layer's
// rules (Finish has validated the trusted-proxy list).
func limitsFrom(cfg config.Config) httpapi.Limits {
	perMinute := func(n int) ratelimit.Rule { return ratelimit.Rule{Limit: n, Window: time.Minute} }
	proxies, _ := config.ParseTrustedProxies(cfg.TrustedProxies)
	return httpapi.Limits{
		Address: perMinute(cfg.LimitAddress), Target: perMinute(cfg.LimitTarget),
		AuthFailures: perMinute(cfg.LimitAuthFailures), ProjectAuthFailures: perMinute(cfg.LimitProjectAuthFailures),
		TrustedProxies: proxies,
	}
}

// outboundAdmit is the per-project limit on outbound fetches (metadata
// URLs, OIDC discovery), counted in this process; nil when disabled.
func outboundAdmit(cfg config.Config, now func() time.Time) func(projectID string) error {
	rule := ratelimit.Rule{Limit: cfg.LimitOutbound, Window: time.Minute}
	if !rule.Enabled() {
		return nil
	}
	counts := ratelimit.NewMemory(now, 0)
	return func(projectID string) error {
		if d := counts.Take(projectID, rule); !d.Allowed {
			return apierr.TooManyRequests("Too many outbound fetches (metadata URLs, OIDC discovery) for this project", d.RetryAfter)
		}
		return nil
	}
}
