package sso

import (
	"context"
	"strconv"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/oidc"
)

// admitOutbound applies the per-project limit on outbound fetches.
func (s *Service) admitOutbound(projectID string) error {
	if s.OutboundAdmit == nil {
		return nil
	}
	return s.OutboundAdmit(projectID)
}

// discoverAdmitted is discover under the project's outbound limit: over
// it, discovery is skipped with a warning (the update is still saved, as
// for any failed discovery).
func (s *Service) discoverAdmitted(ctx context.Context, projectID, issuer string) (*oidc.Endpoints, string) {
	if err := s.admitOutbound(projectID); err != nil {
		return nil, "OIDC discovery from " + oidc.DiscoveryURL(issuer) + " was skipped: the project made too many outbound fetches in the last minute (retry after " +
			strconv.Itoa(apierr.RetryAfter(apierr.As(err))) + " s). The connection was saved with the values in the request."
	}
	return s.discover(ctx, issuer)
}
