package sso

import (
	"context"
	"errors"
	"sort"
	"time"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/store"
)

// ExpiryWarningWindow is how far ahead a verification certificate's expiry
// is reported (API, /metrics, setup page).
const ExpiryWarningWindow = 30 * 24 * time.Hour

// MetadataRefreshView is one refresh attempt (Seam extension).
type MetadataRefreshView struct {
	RefreshID   string    `json:"refresh_id"`
	MetadataURL string    `json:"metadata_url"`
	AttemptedAt time.Time `json:"attempted_at"`
	// Outcome is updated, unchanged, failed or refused.
	Outcome string `json:"outcome"`
	// ErrorType is the typed reason of a failed or refused refresh (the
	// error_type the same failure has in Update SAML Connection by URL).
	ErrorType             string   `json:"error_type"`
	Message               string   `json:"message"`
	AddedCertificateIDs   []string `json:"added_certificate_ids"`
	RemovedCertificateIDs []string `json:"removed_certificate_ids"`
}

// ExpiringCertificate is a verification certificate that has expired or
// expires within ExpiryWarningWindow.
type ExpiringCertificate struct {
	CertificateID string    `json:"certificate_id"`
	Issuer        string    `json:"issuer"`
	ExpiresAt     time.Time `json:"expires_at"`
	Expired       bool      `json:"expired"`
}

// CertificateLifecycle is a SAML connection's metadata refresh schedule,
// its recent refreshes and its expiring verification certificates.
type CertificateLifecycle struct {
	// MetadataURL is the URL the connection was last configured from, or
	// "" when it was configured by hand (then nothing is refreshed).
	MetadataURL   string                `json:"metadata_url"`
	NextRefreshAt *time.Time            `json:"next_refresh_at"`
	Refreshes     []MetadataRefreshView `json:"refreshes"`
	// ExpiringCertificates lists the verification certificates that have
	// expired or expire within 30 days, soonest first.
	ExpiringCertificates []ExpiringCertificate `json:"expiring_certificates"`
}

// CertificateLifecycle reports a SAML connection's refresh schedule and
// certificate expiry.
func (s *Service) CertificateLifecycle(ctx context.Context, org *store.Organization, id string) (*CertificateLifecycle, error) {
	c, err := s.Get(ctx, org, store.KindSAML, id)
	if err != nil {
		return nil, err
	}
	cfg, err := decodeSAML(c)
	if err != nil {
		return nil, apierr.Internal(err)
	}
	out := &CertificateLifecycle{Refreshes: []MetadataRefreshView{}, ExpiringCertificates: s.expiring(cfg)}
	src, err := s.Store.GetMetadataSource(ctx, org.ProjectID, id)
	switch {
	case err == nil:
		out.MetadataURL, out.NextRefreshAt = src.MetadataURL, &src.NextRefreshAt
	case !errors.Is(err, store.ErrNotFound):
		return nil, apierr.Internal(err)
	}
	recs, err := s.Store.ListMetadataRefreshes(ctx, org.ProjectID, id, keepRefreshRecords)
	if err != nil {
		return nil, apierr.Internal(err)
	}
	for _, r := range recs {
		out.Refreshes = append(out.Refreshes, RefreshView(r))
	}
	return out, nil
}

// RefreshNow refreshes a connection's metadata at once (the operator's "try
// it now" after fixing the IdP), subject to the per-project outbound limit.
// The attempt is recorded like a scheduled one; the schedule is unchanged.
func (s *Service) RefreshNow(ctx context.Context, org *store.Organization, id string) (*MetadataRefreshView, error) {
	if _, err := s.Get(ctx, org, store.KindSAML, id); err != nil {
		return nil, err
	}
	src, err := s.Store.GetMetadataSource(ctx, org.ProjectID, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, apierr.BadRequest("saml_connection_has_no_metadata_url",
			"This connection was not configured from a metadata URL; update it by URL first.")
	}
	if err != nil {
		return nil, apierr.Internal(err)
	}
	if err := s.admitOutbound(org.ProjectID); err != nil {
		return nil, err
	}
	rec, err := s.RefreshSAMLMetadata(ctx, src)
	if err != nil {
		return nil, err
	}
	if rec == nil { // deleted or re-pointed while it ran
		return nil, connNotFound(store.KindSAML, id)
	}
	v := RefreshView(rec)
	return &v, nil
}

// RefreshView renders a refresh record.
func RefreshView(r *store.MetadataRefresh) MetadataRefreshView {
	return MetadataRefreshView{
		RefreshID: r.ID, MetadataURL: r.MetadataURL, AttemptedAt: r.AttemptedAt, Outcome: r.Outcome,
		ErrorType: r.ErrorType, Message: r.Message, AddedCertificateIDs: nonNil(r.Added), RemovedCertificateIDs: nonNil(r.Removed),
	}
}

func (s *Service) expiring(cfg *samlConfig) []ExpiringCertificate {
	now := s.Now()
	out := []ExpiringCertificate{}
	for _, c := range cfg.Verification {
		if c.ExpiresAt.Sub(now) < ExpiryWarningWindow {
			out = append(out, ExpiringCertificate{CertificateID: c.ID, Issuer: c.Issuer, ExpiresAt: c.ExpiresAt, Expired: now.After(c.ExpiresAt)})
		}
	}
	sortByExpiry(out)
	return out
}

func sortByExpiry(cs []ExpiringCertificate) {
	sort.Slice(cs, func(i, j int) bool { return cs[i].ExpiresAt.Before(cs[j].ExpiresAt) })
}

// ConnectionExpiry is one SAML connection's verification-certificate
// expiry, for metrics.
type ConnectionExpiry struct {
	ProjectID, OrganizationID, ConnectionID string
	// Earliest is the soonest expiry among the connection's certificates;
	// Latest the last one (zero when it has none).
	Earliest, Latest time.Time
	// Expiring counts certificates expired or within ExpiryWarningWindow.
	Expiring int
}

// ScanCertificateExpiry reads every SAML connection of every project, in
// pages, and reports the expiry of their verification certificates.
func (s *Service) ScanCertificateExpiry(ctx context.Context) ([]ConnectionExpiry, error) {
	var out []ConnectionExpiry
	after := ""
	for {
		page, err := s.Store.ListAllConnections(ctx, store.KindSAML, after, 200)
		if err != nil {
			return nil, err
		}
		if len(page) == 0 {
			return out, nil
		}
		for _, c := range page {
			cfg, err := decodeSAML(c)
			if err != nil || len(cfg.Verification) == 0 {
				continue
			}
			ce := ConnectionExpiry{ProjectID: c.ProjectID, OrganizationID: c.OrganizationID, ConnectionID: c.ID,
				Expiring: len(s.expiring(cfg))}
			for _, v := range cfg.Verification {
				if ce.Earliest.IsZero() || v.ExpiresAt.Before(ce.Earliest) {
					ce.Earliest = v.ExpiresAt
				}
				if v.ExpiresAt.After(ce.Latest) {
					ce.Latest = v.ExpiresAt
				}
			}
			out = append(out, ce)
		}
		after = page[len(page)-1].ID
	}
}
