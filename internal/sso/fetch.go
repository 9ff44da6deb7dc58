package sso

import (
	"context"
	"errors"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/outbound"
)

// MetadataFetcher fetches IdP metadata through the guarded outbound client.
type MetadataFetcher struct {
	Client *outbound.Client
}

// FetchMetadata GETs url and maps each refusal to its own error type, so an
// admin can tell a bad URL from a refused address or an unreachable host.
// Messages name the host and the reason only, never the response body.
func (f MetadataFetcher) FetchMetadata(ctx context.Context, url string) ([]byte, error) {
	resp, err := f.Client.Get(ctx, url, "application/samlmetadata+xml, application/xml, text/xml")
	if err == nil {
		return resp.Body, nil
	}
	var oe *outbound.Error
	if !errors.As(err, &oe) {
		return nil, apierr.Wrap(err, 400, "saml_metadata_url_unreachable", "The metadata URL could not be fetched.")
	}
	typ := map[outbound.Kind]string{
		outbound.KindBadURL:           "invalid_saml_metadata_url",
		outbound.KindRefusedAddress:   "saml_metadata_url_refused",
		outbound.KindUnreachable:      "saml_metadata_url_unreachable",
		outbound.KindTimeout:          "saml_metadata_url_timeout",
		outbound.KindTooLarge:         "saml_metadata_too_large",
		outbound.KindHTTPStatus:       "saml_metadata_url_http_error",
		outbound.KindTooManyRedirects: "saml_metadata_url_too_many_redirects",
	}[oe.Kind]
	if typ == "" {
		typ = "saml_metadata_url_unreachable"
	}
	return nil, apierr.Wrap(err, 400, typ, "metadata_url: "+oe.Error()+".")
}
