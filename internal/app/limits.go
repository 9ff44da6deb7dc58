package app

import (
	"time"

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
