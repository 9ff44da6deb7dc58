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
// Messages name the host and the precise failure (outbound.Error.Describe),
// never the response body.
func (f MetadataFetcher) FetchMetadata(ctx context.Context, url string) ([]byte, error) {
	resp, err := f.Client.Get(outbound.WithPurpose(ctx, outbound.PurposeSAMLMetadata), url, "application/samlmetadata+xml, application/xml, text/xml")
	if err == nil {
		return resp.Body, nil
	}
	var oe *outbound.Error
	if !errors.As(err, &oe) {
		return nil, apierr.Wrap(err, 400, "saml_metadata_url_unreachable", "The metadata URL could not be fetched.")
	}
	subject := "the metadata URL"
	if oe.Host != "" {
		subject = "the metadata server " + oe.Host
	}
	msg := "metadata_url: " + oe.Describe(subject) + "."
	if oe.Hint != "" {
		msg += " " + oe.Hint
	}
	return nil, apierr.Wrap(err, 400, metadataErrorType(oe.Kind), msg)
}

// metadataErrorType is the Stytch error_type of an outbound failure kind.
// Several kinds share a type (the types predate the kinds and clients rely
// on them); the message names the precise kind.
func metadataErrorType(k outbound.Kind) string {
	switch k {
	case outbound.KindBadURL:
		return "invalid_saml_metadata_url"
	case outbound.KindRefusedAddress, outbound.KindRefusedRedirect:
		return "saml_metadata_url_refused"
	case outbound.KindTimeout, outbound.KindCanceled:
		return "saml_metadata_url_timeout"
	case outbound.KindTooLarge:
		return "saml_metadata_too_large"
	case outbound.KindHTTPStatus:
		return "saml_metadata_url_http_error"
	case outbound.KindTooManyRedirects:
		return "saml_metadata_url_too_many_redirects"
	}
	// KindDNS, KindConnect, KindTLSHandshake, KindTLSCertificate.
	return "saml_metadata_url_unreachable"
}
