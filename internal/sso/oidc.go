package sso

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/ids"
	"github.com/seamsso/seam/internal/linking"
	"github.com/seamsso/seam/internal/oidc"
	"github.com/seamsso/seam/internal/opt"
	"github.com/seamsso/seam/internal/outbound"
	"github.com/seamsso/seam/internal/store"
)

// Bounds on OIDC connection fields.
const (
	maxClientIDLen     = 1024
	maxClientSecretLen = 2048
	maxOIDCMappingKeys = 64
)

// OIDCCreate is the body of Create OIDC Connection.
type OIDCCreate struct {
	DisplayName      opt.Value[string] `json:"display_name"`
	IdentityProvider opt.Value[string] `json:"identity_provider"`
}

// CreateOIDC creates a pending OIDC connection.
func (s *Service) CreateOIDC(ctx context.Context, p *store.Project, org *store.Organization, in OIDCCreate) (*store.Connection, error) {
	idp, display, err := createBasics(in.IdentityProvider, in.DisplayName)
	if err != nil {
		return nil, err
	}
	cfg := &oidcConfig{IdentityProvider: idp}
	return s.create(ctx, org, &store.Connection{ID: s.IDs.New(ids.OIDCConnection, env(p)), Kind: store.KindOIDC,
		Status: status(cfg.active()), DisplayName: display, Config: cfg.encode()})
}

// OIDCUpdate is the body of Update OIDC Connection. Every field is
// optional; an absent (or null) field is left unchanged.
type OIDCUpdate struct {
	ConnectionID     string                    `json:"connection_id"`
	DisplayName      opt.Value[string]         `json:"display_name"`
	ClientID         opt.Value[string]         `json:"client_id"`
	ClientSecret     opt.Value[string]         `json:"client_secret"`
	Issuer           opt.Value[string]         `json:"issuer"`
	AuthorizationURL opt.Value[string]         `json:"authorization_url"`
	TokenURL         opt.Value[string]         `json:"token_url"`
	UserinfoURL      opt.Value[string]         `json:"userinfo_url"`
	JWKSURL          opt.Value[string]         `json:"jwks_url"`
	IdentityProvider opt.Value[string]         `json:"identity_provider"`
	CustomScopes     opt.Value[string]         `json:"custom_scopes"`
	AttributeMapping opt.Value[map[string]any] `json:"attribute_mapping"`
	// IdentityLinking (Seam extension) replaces the connection's
	// identity-linking policy; absent fields take their defaults.
	IdentityLinking opt.Value[linking.Policy] `json:"identity_linking"`
}

// UpdateOIDC applies a partial update. The body is validated first; then,
// when issuer changes, the provider's discovery document is fetched through
// the guarded client (outside the transaction, so no row lock is held across
// network I/O) and fills the endpoints the body does not set. A failed
// discovery does not fail the update: the connection is saved with the
// body's values and the returned warning says why discovery did not help.
// On any error nothing changes.
func (s *Service) UpdateOIDC(ctx context.Context, p *store.Project, org *store.Organization, id string, in OIDCUpdate) (*Updated, string, error) {
	if err := apierr.CheckBodyID("connection_id", id, in.ConnectionID); err != nil {
		return nil, "", err
	}
	patch, err := validateOIDCUpdate(in)
	if err != nil {
		return nil, "", err
	}
	// Discovery runs outside the row lock, so the issuer it was decided on
	// may change meanwhile; the locked update then notices and the whole
	// step runs again on the new state.
	for attempt := 0; attempt < 3; attempt++ {
		out, warning, err := s.updateOIDCOnce(ctx, org, id, in, patch)
		if !errors.Is(err, errIssuerMoved) {
			return out, warning, err
		}
	}
	return nil, "", apierr.New(http.StatusConflict, "sso_connection_update_conflict",
		"The connection's issuer kept changing during this update; retry.")
}

// errIssuerMoved reports a concurrent issuer change during discovery.
var errIssuerMoved = errors.New("sso: issuer changed during discovery")

func (s *Service) updateOIDCOnce(ctx context.Context, org *store.Organization, id string, in OIDCUpdate, patch *oidcPatch) (*Updated, string, error) {
	current, err := s.Get(ctx, org, store.KindOIDC, id)
	if err != nil {
		return nil, "", err
	}
	before, err := decodeOIDC(current)
	if err != nil {
		return nil, "", apierr.Internal(err)
	}
	var discovered *oidc.Endpoints
	var warning string
	issuerChanged := in.Issuer.Has() && in.Issuer.V != before.Issuer
	if issuerChanged {
		discovered, warning = s.discoverAdmitted(ctx, org.ProjectID, in.Issuer.V)
	}
	out, err := s.mutate(ctx, org, store.KindOIDC, id, func(_ store.Queries, c *store.Connection) (func() any, error) {
		cfg, err := decodeOIDC(c)
		if err != nil {
			return nil, apierr.Internal(err)
		}
		if cfg.Issuer != before.Issuer {
			return nil, errIssuerMoved
		}
		if err := s.applyOIDC(c, cfg, patch); err != nil {
			return nil, err
		}
		if issuerChanged {
			// The auth methods belonged to the previous provider.
			cfg.TokenAuthMethods = nil
		}
		if discovered != nil {
			applyDiscovered(cfg, discovered, in)
		}
		c.Config = cfg.encode()
		c.Status = status(cfg.active())
		return func() any { return s.oidcView(c, cfg) }, nil
	})
	if err != nil {
		return nil, "", err
	}
	return out, warning, nil
}

// oidcPatch is a validated OIDCUpdate.
type oidcPatch struct {
	in      OIDCUpdate
	mapping map[string]string
}

// validateOIDCUpdate checks every present field without looking at the
// stored connection, so a bad request is refused before any network I/O.
func validateOIDCUpdate(in OIDCUpdate) (*oidcPatch, error) {
	p := &oidcPatch{in: in}
	if in.DisplayName.Has() {
		if err := validateDisplayName(in.DisplayName.V); err != nil {
			return nil, err
		}
	}
	if in.IdentityProvider.Has() {
		if err := validateIdentityProvider(in.IdentityProvider.V); err != nil {
			return nil, err
		}
	}
	if in.ClientID.Has() {
		if err := validateClientID(in.ClientID.V); err != nil {
			return nil, err
		}
	}
	if in.ClientSecret.Has() {
		if err := validateClientSecret(in.ClientSecret.V); err != nil {
			return nil, err
		}
	}
	if in.Issuer.Has() {
		if err := validateIssuer(in.Issuer.V); err != nil {
			return nil, err
		}
	}
	for _, f := range oidcEndpointFields(in) {
		if f.value.Has() {
			if err := validateOIDCEndpoint(f.name, f.value.V); err != nil {
				return nil, err
			}
		}
	}
	if in.CustomScopes.Has() {
		if _, err := oidc.ParseScopes(in.CustomScopes.V); err != nil {
			return nil, apierr.Wrap(err, 400, "oidc_invalid_scope",
				"custom_scopes must be space-separated OAuth scope tokens (at most 50, each at most 256 printable characters without quotes or backslashes).")
		}
	}
	if in.AttributeMapping.Has() {
		m, err := validateOIDCAttributeMapping(in.AttributeMapping.V)
		if err != nil {
			return nil, err
		}
		p.mapping = m
	}
	if in.IdentityLinking.Has() {
		if err := in.IdentityLinking.V.Validate(true); err != nil {
			return nil, err
		}
	}
	return p, nil
}

func (s *Service) applyOIDC(c *store.Connection, cfg *oidcConfig, p *oidcPatch) error {
	in := p.in
	if in.DisplayName.Has() {
		c.DisplayName = in.DisplayName.V
	}
	if in.IdentityProvider.Has() {
		cfg.IdentityProvider = in.IdentityProvider.V
	}
	if in.ClientID.Has() {
		cfg.ClientID = in.ClientID.V
	}
	if in.ClientSecret.Has() {
		sealed, err := s.sealClientSecret(c.ID, in.ClientSecret.V)
		if err != nil {
			return apierr.Internal(err)
		}
		cfg.SealedClientSecret = sealed
	}
	if in.Issuer.Has() {
		cfg.Issuer = in.Issuer.V
	}
	for _, f := range []struct {
		dst   *string
		value opt.Value[string]
	}{
		{&cfg.AuthorizationURL, in.AuthorizationURL}, {&cfg.TokenURL, in.TokenURL},
		{&cfg.UserinfoURL, in.UserinfoURL}, {&cfg.JWKSURL, in.JWKSURL},
	} {
		if f.value.Has() {
			*f.dst = f.value.V
		}
	}
	if in.CustomScopes.Has() {
		// Stored normalised: the runtime parses it again.
		scopes, _ := oidc.ParseScopes(in.CustomScopes.V)
		cfg.CustomScopes = strings.Join(scopes, " ")
	}
	if in.AttributeMapping.Has() {
		cfg.AttributeMapping = p.mapping
	}
	if in.IdentityLinking.Has() {
		cfg.IdentityLinking = in.IdentityLinking.V
	}
	return nil
}

// applyDiscovered fills the endpoints the body did not set with the
// discovered ones; an endpoint the document does not publish is left as it
// was.
func applyDiscovered(cfg *oidcConfig, ep *oidc.Endpoints, in OIDCUpdate) {
	set := func(dst *string, given opt.Value[string], v string) {
		if !given.Has() && v != "" {
			*dst = v
		}
	}
	set(&cfg.AuthorizationURL, in.AuthorizationURL, ep.AuthorizationURL)
	set(&cfg.TokenURL, in.TokenURL, ep.TokenURL)
	set(&cfg.UserinfoURL, in.UserinfoURL, ep.UserinfoURL)
	set(&cfg.JWKSURL, in.JWKSURL, ep.JWKSURL)
	cfg.TokenAuthMethods = ep.TokenEndpointAuthMethods
}

// discover fetches issuer's discovery document. It returns the endpoints,
// or nil and a warning for the API client that names the problem without
// echoing anything the provider sent beyond sanitised details.
func (s *Service) discover(ctx context.Context, issuer string) (*oidc.Endpoints, string) {
	const tail = " The connection was saved with the values in the request; set authorization_url, token_url, userinfo_url and jwks_url explicitly, or fix the issuer."
	where := "OIDC discovery from " + oidc.DiscoveryURL(issuer) + " failed: "
	if s.HTTPClient == nil {
		return nil, where + "outbound requests are not configured." + tail
	}
	ep, err := oidc.Discover(outbound.WithPurpose(ctx, outbound.PurposeOIDCDiscovery), s.HTTPClient, issuer)
	if err != nil {
		return nil, where + discoveryProblem(err) + tail
	}
	// Discovered endpoints obey the same rules as ones given in the body.
	for _, f := range []struct{ name, value string }{
		{"authorization_url", ep.AuthorizationURL}, {"token_url", ep.TokenURL},
		{"userinfo_url", ep.UserinfoURL}, {"jwks_url", ep.JWKSURL},
	} {
		if f.value == "" {
			continue
		}
		if err := validateOIDCEndpoint(f.name, f.value); err != nil {
			return nil, where + "the document's " + strings.TrimSuffix(f.name, "_url") + " endpoint is not an acceptable URL (" +
				apierr.As(err).Message + ")." + tail
		}
	}
	return ep, ""
}

// discoveryProblem describes a discovery failure in client-safe words: the
// oidc reason and its detail, which for a failed fetch names the precise
// outbound failure (timeout, DNS, TLS, refused redirect, HTTP status, ...),
// plus the operator hint where an allow-list entry would lift a refusal.
func discoveryProblem(err error) string {
	var oe *oidc.Error
	if !errors.As(err, &oe) {
		return "the request failed."
	}
	msg := oe.Reason.Message()
	if oe.Detail != "" {
		msg += " (" + oe.Detail + ")."
	}
	var ob *outbound.Error
	if oe.Outbound != "" && errors.As(err, &ob) && ob.Hint != "" {
		msg += " " + ob.Hint
	}
	return msg
}

type oidcEndpointField struct {
	name  string
	value opt.Value[string]
}

func oidcEndpointFields(in OIDCUpdate) []oidcEndpointField {
	return []oidcEndpointField{
		{"authorization_url", in.AuthorizationURL}, {"token_url", in.TokenURL},
		{"userinfo_url", in.UserinfoURL}, {"jwks_url", in.JWKSURL},
	}
}

func validateClientID(v string) error {
	if v == "" {
		return apierr.BadRequest("oidc_connection_client_id_required", "client_id must not be empty.")
	}
	if len(v) > maxClientIDLen || !printableLine(v) {
		return apierr.BadRequest("invalid_client_id", "client_id must be at most 1024 printable characters on one line.")
	}
	return nil
}

func validateClientSecret(v string) error {
	if v == "" {
		return apierr.BadRequest("oidc_connection_client_secret_required", "client_secret must not be empty.")
	}
	if len(v) > maxClientSecretLen {
		return apierr.BadRequest("client_secret_too_long", "client_secret is longer than the 2048-byte limit.")
	}
	if !printableLine(v) {
		return apierr.BadRequest("invalid_client_secret", "client_secret must be printable characters on one line.")
	}
	return nil
}

// printableLine rejects control characters, which no client identifier or
// secret contains and which would corrupt headers and logs.
func printableLine(v string) bool {
	if !utf8.ValidString(v) {
		return false
	}
	for _, r := range v {
		if r < 0x20 || r == 0x7f {
			return false
		}
	}
	return true
}

func validateIssuer(v string) error {
	if v == "" {
		return apierr.BadRequest("oidc_connection_issuer_required", "issuer must not be empty.")
	}
	switch browserURL(v) {
	case "format":
		return apierr.BadRequest("oidc_connection_issuer_url_invalid_format",
			"issuer must be an absolute https URL without credentials or fragment.")
	case "https":
		return apierr.BadRequest("invalid_issuer", "issuer must use https (plain http is accepted only for localhost).")
	}
	if err := oidc.CheckIssuer(v); err != nil {
		return apierr.Wrap(err, 400, "invalid_issuer", "issuer must be an https URL without a query or fragment (OpenID Connect Discovery §2).")
	}
	return nil
}

// validateOIDCEndpoint applies the browser-URL rules to an endpoint. Where a
// server-side fetch goes (token, userinfo, JWKS) is also checked by the
// guarded outbound client at fetch time, against the resolved address.
func validateOIDCEndpoint(field, v string) error {
	required := "oidc_connection_" + field + "_required"
	format := "oidc_connection_" + field + "_invalid_format"
	notHTTPS := "invalid_" + field
	if v == "" {
		return apierr.BadRequest(required, field+" must not be empty.")
	}
	switch browserURL(v) {
	case "format":
		return apierr.BadRequest(format, field+" must be an absolute https URL without credentials or fragment.")
	case "https":
		return apierr.BadRequest(notHTTPS, field+" must use https (plain http is accepted only for localhost).")
	}
	return nil
}

// validateOIDCAttributeMapping requires string values (claim names). OIDC
// has standard claims for email and name, so no keys are required.
func validateOIDCAttributeMapping(m map[string]any) (map[string]string, error) {
	if len(m) > maxOIDCMappingKeys {
		return nil, apierr.BadRequest("invalid_request_value", "attribute_mapping may hold at most 64 keys.")
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		s, ok := v.(string)
		if !ok {
			return nil, apierr.BadRequest("invalid_request_value",
				"attribute_mapping values must be claim names (strings); "+apierr.Quote(k)+" is not.")
		}
		if strings.TrimSpace(k) == "" || strings.TrimSpace(s) == "" || len(k) > 256 || len(s) > 1024 {
			return nil, apierr.BadRequest("invalid_request_value",
				"attribute_mapping keys and values must be non-empty claim names (keys at most 256, values at most 1024 bytes).")
		}
		out[k] = s
	}
	return out, nil
}
