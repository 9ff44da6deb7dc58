package oidc

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
)

// Endpoints is what Discover learned from a provider's discovery document.
type Endpoints struct {
	Issuer           string
	AuthorizationURL string
	TokenURL         string // may be empty: only required by the spec for code flow
	UserinfoURL      string // may be empty: optional in the spec
	JWKSURL          string
	// IDTokenSigningAlgs is id_token_signing_alg_values_supported as published.
	IDTokenSigningAlgs []string
	// TokenEndpointAuthMethods is token_endpoint_auth_methods_supported as
	// published; feed it to ChooseTokenAuthMethod.
	TokenEndpointAuthMethods []string
	ScopesSupported          []string
	ResponseTypesSupported   []string
	CodeChallengeMethods     []string
}

// discoveryDocument is the subset of OpenID Provider Metadata Seam reads.
type discoveryDocument struct {
	Issuer                   string   `json:"issuer"`
	AuthorizationEndpoint    string   `json:"authorization_endpoint"`
	TokenEndpoint            string   `json:"token_endpoint"`
	UserinfoEndpoint         string   `json:"userinfo_endpoint"`
	JWKSURI                  string   `json:"jwks_uri"`
	IDTokenSigningAlgs       []string `json:"id_token_signing_alg_values_supported"`
	TokenEndpointAuthMethods []string `json:"token_endpoint_auth_methods_supported"`
	ScopesSupported          []string `json:"scopes_supported"`
	ResponseTypesSupported   []string `json:"response_types_supported"`
	CodeChallengeMethods     []string `json:"code_challenge_methods_supported"`
}

// maxListEntries bounds each string list copied out of a discovery document.
const maxListEntries = 100

// DiscoveryURL is where the discovery document of issuer lives
// (OpenID Connect Discovery §4: the path is appended after removing one
// trailing slash).
func DiscoveryURL(issuer string) string {
	return strings.TrimSuffix(issuer, "/") + "/.well-known/openid-configuration"
}

// Discover fetches issuer's discovery document through hc and checks that its
// issuer is exactly the configured one (a mismatch means the document could
// be describing someone else's provider, so it is rejected, not corrected).
func Discover(ctx context.Context, hc *http.Client, issuer string) (*Endpoints, error) {
	if err := CheckIssuer(issuer); err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, DiscoveryURL(issuer), nil)
	if err != nil {
		return nil, wrapErr(ReasonConfigInvalid, "cannot build the discovery request", err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := do(hc, req)
	switch {
	case errors.Is(err, errBodyTooLarge):
		return nil, tooLargeError(ReasonDiscoveryInvalidDocument, "the discovery document is too large", req, resp, err)
	case err != nil:
		return nil, fetchError(ReasonDiscoveryFailed, "the discovery endpoint", req, err)
	case resp.status != http.StatusOK:
		return nil, statusError(ReasonDiscoveryFailed, "the discovery endpoint", req, resp)
	}
	ep, err := parseDiscovery(resp.body)
	if err != nil {
		return nil, err
	}
	if ep.Issuer != issuer {
		return nil, newErr(ReasonDiscoveryIssuerMismatch,
			"expected issuer "+quote(sanitize(issuer, 256))+", the document says "+quote(sanitize(ep.Issuer, 256)))
	}
	return ep, nil
}

// parseDiscovery validates a discovery document body. It does not compare
// the issuer with the configured one; Discover does.
func parseDiscovery(body []byte) (*Endpoints, error) {
	if len(body) > MaxResponseBytes {
		return nil, newErr(ReasonDiscoveryInvalidDocument, "the discovery document is too large")
	}
	var doc discoveryDocument
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&doc); err != nil {
		return nil, wrapErr(ReasonDiscoveryInvalidDocument, "the discovery document is not a JSON object of the expected shape", err)
	}
	if dec.More() {
		return nil, newErr(ReasonDiscoveryInvalidDocument, "trailing data after the discovery document")
	}
	if doc.Issuer == "" {
		return nil, newErr(ReasonDiscoveryInvalidDocument, "the discovery document has no issuer")
	}
	if doc.AuthorizationEndpoint == "" {
		return nil, newErr(ReasonDiscoveryInvalidDocument, "the discovery document has no authorization_endpoint")
	}
	if doc.JWKSURI == "" {
		return nil, newErr(ReasonDiscoveryInvalidDocument, "the discovery document has no jwks_uri")
	}
	for _, f := range []struct{ name, value string }{
		{"issuer", doc.Issuer},
		{"authorization_endpoint", doc.AuthorizationEndpoint},
		{"token_endpoint", doc.TokenEndpoint},
		{"userinfo_endpoint", doc.UserinfoEndpoint},
		{"jwks_uri", doc.JWKSURI},
	} {
		if f.value == "" {
			continue
		}
		if _, err := checkEndpointURL(f.name, f.value); err != nil {
			return nil, newErr(ReasonDiscoveryInvalidDocument, "the discovery document's "+f.name+" is not an absolute http(s) URL")
		}
	}
	return &Endpoints{
		Issuer:                   doc.Issuer,
		AuthorizationURL:         doc.AuthorizationEndpoint,
		TokenURL:                 doc.TokenEndpoint,
		UserinfoURL:              doc.UserinfoEndpoint,
		JWKSURL:                  doc.JWKSURI,
		IDTokenSigningAlgs:       boundList(doc.IDTokenSigningAlgs),
		TokenEndpointAuthMethods: boundList(doc.TokenEndpointAuthMethods),
		ScopesSupported:          boundList(doc.ScopesSupported),
		ResponseTypesSupported:   boundList(doc.ResponseTypesSupported),
		CodeChallengeMethods:     boundList(doc.CodeChallengeMethods),
	}, nil
}

// boundList keeps at most maxListEntries short, printable entries.
func boundList(in []string) []string {
	if len(in) == 0 {
		return nil
	}
	out := make([]string, 0, min(len(in), maxListEntries))
	for _, s := range in {
		if len(out) == maxListEntries {
			break
		}
		if s == "" || len(s) > 128 || sanitize(s, 128) != s {
			continue
		}
		out = append(out, s)
	}
	return out
}
