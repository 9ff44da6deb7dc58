package sso

import (
	"context"
	"crypto/x509"
	"errors"
	"net/http"
	"sort"
	"strconv"
	"time"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/ids"
	"github.com/seamsso/seam/internal/keys"
	"github.com/seamsso/seam/internal/store"
)

// DefaultMetadataRefreshInterval is how often a connection configured from
// a metadata URL is fetched again unless SEAM_METADATA_REFRESH_INTERVAL says
// otherwise.
const DefaultMetadataRefreshInterval = 24 * time.Hour

// keepRefreshRecords is how many refresh records are kept per connection.
const keepRefreshRecords = 20

// Refresh outcomes, as recorded, returned by the API and counted in
// seam_saml_metadata_refreshes_total.
const (
	RefreshUpdated   = "updated"   // certificates or the SSO URL changed
	RefreshUnchanged = "unchanged" // the metadata matched the connection
	RefreshFailed    = "failed"    // fetching, parsing or validating the metadata failed
	RefreshRefused   = "refused"   // the metadata was suspicious: nothing was applied
)

// RefreshOutcomes lists the outcomes, for metrics that start at zero.
func RefreshOutcomes() []string {
	return []string{RefreshUpdated, RefreshUnchanged, RefreshFailed, RefreshRefused}
}

// MetadataMetrics counts refresh outcomes; nil counts nothing.
type MetadataMetrics interface {
	MetadataRefresh(outcome, errorType string)
}

// errSuperseded stops a refresh whose connection changed its metadata URL
// (or lost it) after the refresh was claimed: the newer URL wins.
var errSuperseded = errors.New("sso: metadata source changed during the refresh")

// errUnchanged rolls back a refresh that found nothing to change, so the
// connection's updated_at stays as it was.
var errUnchanged = errors.New("sso: metadata unchanged")

func (s *Service) refreshInterval() time.Duration {
	if s.MetadataRefreshInterval > 0 {
		return s.MetadataRefreshInterval
	}
	return DefaultMetadataRefreshInterval
}

// rememberMetadataURL stores the URL a connection was just configured from
// and schedules its first refresh one interval later.
func (s *Service) rememberMetadataURL(ctx context.Context, q store.Queries, c *store.Connection, url string) error {
	now := s.Now()
	err := q.PutMetadataSource(ctx, &store.MetadataSource{ConnectionID: c.ID, ProjectID: c.ProjectID,
		OrganizationID: c.OrganizationID, MetadataURL: url, NextRefreshAt: now.Add(s.refreshInterval()),
		CreatedAt: now, UpdatedAt: now})
	if err != nil {
		return apierr.Internal(err)
	}
	return nil
}

// RefreshSAMLMetadata fetches a connection's metadata URL again, through
// the same fetch and validation as Update SAML Connection by URL, and rolls
// its verification certificates over (rollover). A failed or suspicious
// refresh changes nothing. Every attempt is recorded and returned; the
// record is nil when the connection was deleted or given another URL
// meanwhile (nothing to report on a connection that no longer asks).
func (s *Service) RefreshSAMLMetadata(ctx context.Context, src *store.MetadataSource) (*store.MetadataRefresh, error) {
	rec := &store.MetadataRefresh{
		ID: s.IDs.New(ids.MetadataRefresh, ids.EnvOf(src.ConnectionID, ids.SAMLConnection)), ProjectID: src.ProjectID,
		ConnectionID: src.ConnectionID, MetadataURL: src.MetadataURL, AttemptedAt: s.Now(),
	}
	err := s.refresh(ctx, src, rec)
	switch {
	case errors.Is(err, errSuperseded):
		return nil, nil
	case errors.Is(err, errUnchanged):
		rec.Outcome = RefreshUnchanged
	case err != nil:
		ae := apierr.As(err)
		if ae.Status == http.StatusNotFound {
			return nil, nil // the connection was deleted
		}
		if ae.Status >= 500 {
			return nil, err
		}
		rec.ErrorType, rec.Message = ae.Type, ae.Message
		if rec.Outcome == "" {
			rec.Outcome = RefreshFailed
		}
	default:
		rec.Outcome = RefreshUpdated
	}
	if err := s.Store.RecordMetadataRefresh(ctx, rec, keepRefreshRecords); err != nil {
		return nil, apierr.Internal(err)
	}
	if s.MetadataMetrics != nil {
		s.MetadataMetrics.MetadataRefresh(rec.Outcome, rec.ErrorType)
	}
	return rec, nil
}

func (s *Service) refresh(ctx context.Context, src *store.MetadataSource, rec *store.MetadataRefresh) error {
	if s.Fetch == nil {
		return apierr.Internal(errors.New("sso: metadata fetching is not configured"))
	}
	// No per-project outbound admission here: the schedule itself bounds
	// these fetches to one per connection per interval.
	md, err := s.fetchIDPMetadata(ctx, src.MetadataURL)
	if err != nil {
		return err
	}
	org := &store.Organization{ProjectID: src.ProjectID, ID: src.OrganizationID}
	e := ids.EnvOf(src.ConnectionID, ids.SAMLConnection)
	_, err = s.mutateSAMLTx(ctx, org, src.ConnectionID, func(q store.Queries, c *store.Connection, cfg *samlConfig) error {
		cur, err := q.GetMetadataSource(ctx, src.ProjectID, src.ConnectionID)
		if errors.Is(err, store.ErrNotFound) || (err == nil && cur.MetadataURL != src.MetadataURL) {
			return errSuperseded
		}
		if err != nil {
			return apierr.Internal(err)
		}
		// An entity ID is the IdP's identity: a document naming another one
		// is a moved or hijacked URL, never a rollover.
		if cfg.IDPEntityID != "" && md.EntityID != cfg.IDPEntityID {
			rec.Outcome = RefreshRefused
			return apierr.BadRequest("saml_metadata_entity_id_changed", "The metadata names entity ID "+apierr.Quote(md.EntityID)+
				", not the connection's "+apierr.Quote(cfg.IDPEntityID)+"; nothing was changed. If the IdP really changed, update the connection by URL.")
		}
		added, removed, err := s.rollover(cfg, e, md.Certificates)
		if err != nil {
			rec.Outcome = RefreshRefused
			return err
		}
		rec.Added, rec.Removed = added, removed
		changed := len(added) > 0 || len(removed) > 0
		if md.SSOURL != cfg.IDPSSOURL {
			rec.Message = "idp_sso_url changed from " + apierr.Quote(cfg.IDPSSOURL) + " to " + apierr.Quote(md.SSOURL) + ". "
			cfg.IDPSSOURL = md.SSOURL
			changed = true
		}
		if !changed {
			return errUnchanged
		}
		rec.Message += strconv.Itoa(len(added)) + " verification certificate(s) added, " + strconv.Itoa(len(removed)) + " removed."
		// mutate records the change as an event (saml_connection.update, by
		// Seam itself) in the transaction that applies it.
		return nil
	})
	return err
}

// rollover merges the certificates of a fetched metadata document into cfg:
// each current one not yet trusted is added (so a new IdP certificate is
// trusted before the old one expires), and expired ones are dropped, which
// is safe because the document must hold a current one. At the cap of
// maxVerificationCerts, room is made by dropping certificates the IdP no
// longer publishes, soonest to expire first; one it still publishes is never
// dropped to make room. It returns the IDs added and removed.
func (s *Service) rollover(cfg *samlConfig, e ids.Environment, certs []*x509.Certificate) (added, removed []string, err error) {
	now := s.Now()
	var current []*x509.Certificate
	listed := map[string]bool{}
	for _, c := range certs {
		if now.After(c.NotAfter) {
			continue
		}
		fp := keys.FingerprintSHA256(c)
		if !listed[fp] {
			listed[fp] = true
			current = append(current, c)
		}
	}
	if len(current) == 0 {
		return nil, nil, apierr.BadRequest("saml_metadata_no_valid_certificate",
			"The metadata holds no signing certificate that is still valid; nothing was changed.")
	}
	// Longest-lived first: if the cap leaves room for only some, these last.
	sort.SliceStable(current, func(i, j int) bool { return current[i].NotAfter.After(current[j].NotAfter) })

	kept := cfg.Verification[:0:0]
	for _, c := range cfg.Verification {
		if now.After(c.ExpiresAt) {
			removed = append(removed, c.ID)
			continue
		}
		kept = append(kept, c)
	}
	cfg.Verification = kept
	for _, c := range current {
		if indexFingerprint(cfg.Verification, keys.FingerprintSHA256(c)) >= 0 {
			continue
		}
		if len(cfg.Verification) >= maxVerificationCerts {
			i := evictable(cfg.Verification, listed)
			if i < 0 {
				break // every trusted certificate is still published: keep them
			}
			removed = append(removed, cfg.Verification[i].ID)
			cfg.Verification = append(cfg.Verification[:i], cfg.Verification[i+1:]...)
		}
		if err := s.appendVerification(cfg, e, c); err != nil {
			return nil, nil, err
		}
		added = append(added, cfg.Verification[len(cfg.Verification)-1].ID)
	}
	return added, removed, nil
}

// evictable is the index of the unpublished certificate that expires
// soonest, or -1.
func evictable(cs []storedCert, listed map[string]bool) int {
	best := -1
	for i, c := range cs {
		if !listed[c.Fingerprint] && (best < 0 || c.ExpiresAt.Before(cs[best].ExpiresAt)) {
			best = i
		}
	}
	return best
}

func indexFingerprint(cs []storedCert, fp string) int {
	for i, c := range cs {
		if c.Fingerprint == fp {
			return i
		}
	}
	return -1
}
