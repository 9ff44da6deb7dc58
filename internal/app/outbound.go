package app

import (
	"crypto/x509"
	"fmt"
	"os"

	"github.com/seamsso/seam/internal/config"
	"github.com/seamsso/seam/internal/outbound"
)

// newOutbound builds the guarded client for customer URLs from
// SEAM_OUTBOUND_ALLOW and SEAM_OUTBOUND_CA_FILE; observe receives every
// request's outcome. adjust, when given, changes the client's settings (the
// webhook sender's timeout and redirect policy).
func newOutbound(cfg config.Config, observe outbound.Observer, adjust ...func(*outbound.Config)) (*outbound.Client, error) {
	prefixes, hostPorts, err := outbound.ParseAllow(cfg.OutboundAllow)
	if err != nil {
		return nil, fmt.Errorf("SEAM_OUTBOUND_ALLOW: %w", err)
	}
	oc := outbound.Config{Allow: prefixes, AllowHostPorts: hostPorts, Observe: observe}
	if cfg.OutboundCAFile != "" {
		pemBytes, err := os.ReadFile(cfg.OutboundCAFile)
		if err != nil {
			return nil, fmt.Errorf("SEAM_OUTBOUND_CA_FILE: %w", err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pemBytes) {
			return nil, fmt.Errorf("SEAM_OUTBOUND_CA_FILE %s holds no PEM certificates", cfg.OutboundCAFile)
		}
		oc.RootCAs = pool
	}
	for _, f := range adjust {
		f(&oc)
	}
	if err := oc.Validate(); err != nil {
		return nil, fmt.Errorf("outbound client: %w", err)
	}
	return outbound.New(oc), nil
}
