package outbound

import (
	"context"
	"net/http"
	"time"
)

// Observer receives one outbound request's purpose (WithPurpose), result
// ("ok", "redirect", "http_status" for another non-2xx answer, or a Kind's
// string for a failure) and duration. Each redirect hop is one request.
type Observer func(purpose, result string, d time.Duration)

// Purposes of outbound requests, for metrics.
const (
	PurposeSAMLMetadata  = "saml_metadata"
	PurposeOIDCDiscovery = "oidc_discovery"
	PurposeOIDCToken     = "oidc_token"
	PurposeOIDCJWKS      = "oidc_jwks"
	PurposeOIDCUserinfo  = "oidc_userinfo"
	PurposeOther         = "other"
)

// Purposes lists the purposes, for metrics that start at zero.
func Purposes() []string {
	return []string{PurposeSAMLMetadata, PurposeOIDCDiscovery, PurposeOIDCToken, PurposeOIDCJWKS, PurposeOIDCUserinfo, PurposeOther}
}

type purposeKey struct{}

// WithPurpose labels the outbound requests made with ctx.
func WithPurpose(ctx context.Context, purpose string) context.Context {
	return context.WithValue(ctx, purposeKey{}, purpose)
}

func purposeOf(ctx context.Context) string {
	if p, ok := ctx.Value(purposeKey{}).(string); ok {
		return p
	}
	return PurposeOther
}

// observedTransport reports every round trip (after the guard, so refusals
// are reported too) to an Observer.
type observedTransport struct {
	next    http.RoundTripper
	observe Observer
	now     func() time.Time
}

func (o *observedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	now := o.now
	if now == nil {
		now = time.Now
	}
	start := now()
	resp, err := o.next.RoundTrip(req)
	result := "ok"
	switch {
	case err != nil:
		result = classify(req.URL.Hostname(), err).Kind.String()
	case resp.StatusCode >= 300 && resp.StatusCode <= 399:
		result = "redirect" // the next hop is observed on its own
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		result = KindHTTPStatus.String()
	}
	o.observe(purposeOf(req.Context()), result, now().Sub(start))
	return resp, err
}
