package oidc

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/seamsso/seam/internal/outbound"
)

// MaxResponseBytes caps every response body this package reads from a
// provider (discovery, JWKS, token, userinfo).
const MaxResponseBytes = 1 << 20

// userAgent identifies Seam to providers; it carries no version so that it
// cannot leak deployment details.
const userAgent = "Seam-OIDC"

// errBodyTooLarge reports a response body above MaxResponseBytes.
var errBodyTooLarge = fmt.Errorf("response body exceeds %d bytes", MaxResponseBytes)

// errNoClient is returned when the caller passes a nil *http.Client: falling
// back to http.DefaultClient would bypass the SSRF guard.
var errNoClient = errors.New("no HTTP client supplied")

// response is a completed exchange with its body fully read (and capped).
type response struct {
	status      int
	contentType string
	header      http.Header
	body        []byte
	finalHost   string // the host that answered, after any redirects
}

// fetchError is the error for a request to endpoint (a noun phrase such as
// "the token endpoint") that got no answer or no readable body: the detail
// and the Outbound fields name the precise failure (timeout, DNS, TLS,
// refused redirect, ...), as classified by the outbound package.
func fetchError(r Reason, endpoint string, req *http.Request, err error) *Error {
	if errors.Is(err, errNoClient) {
		return wrapErr(r, "no HTTP client is configured for "+endpoint, err)
	}
	return outboundError(r, endpoint, outbound.AsError(req.URL.Hostname(), err), err)
}

// statusError is the error for endpoint answering resp.status instead of
// 200 (no OAuth error in the body).
func statusError(r Reason, endpoint string, req *http.Request, resp *response) *Error {
	oe := outbound.AsError(req.URL.Hostname(),
		&outbound.Error{Kind: outbound.KindHTTPStatus, Host: resp.finalHost, StatusCode: resp.status})
	return outboundError(r, endpoint, oe, nil)
}

// tooLargeError is the error for a body over MaxResponseBytes; detail says
// which document it was.
func tooLargeError(r Reason, detail string, req *http.Request, resp *response, err error) *Error {
	return &Error{Reason: r, Detail: detail, HTTPStatus: resp.status, Outbound: outbound.KindTooLarge.String(),
		Host: req.URL.Hostname(), Err: err}
}

func outboundError(r Reason, endpoint string, oe *outbound.Error, cause error) *Error {
	return &Error{Reason: r, Detail: oe.Describe(endpoint), HTTPStatus: oe.StatusCode, Outbound: oe.Kind.String(),
		Host: oe.Host, RedirectHost: oe.RedirectHost, Err: cause}
}

// do sends req through hc and reads at most MaxResponseBytes of the body.
// Transport failures are returned as-is; an oversized body is errBodyTooLarge
// with the status still reported.
func do(hc *http.Client, req *http.Request) (*response, error) {
	return send(hc, req, true)
}

// doNoRedirect is do for requests that carry credentials in their body (the
// token request): a 307/308 would make net/http replay the body, secret
// included, to wherever the endpoint points, so redirects are not followed
// and surface as a non-200 status.
func doNoRedirect(hc *http.Client, req *http.Request) (*response, error) {
	return send(hc, req, false)
}

func send(hc *http.Client, req *http.Request, followRedirects bool) (*response, error) {
	if hc == nil {
		return nil, errNoClient
	}
	if !followRedirects {
		c := *hc // shallow copy shares the guarded Transport
		c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		hc = &c
	}
	req.Header.Set("User-Agent", userAgent)
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	r := &response{
		status:      resp.StatusCode,
		contentType: mediaType(resp.Header.Get("Content-Type")),
		header:      resp.Header,
		finalHost:   req.URL.Hostname(),
	}
	if resp.Request != nil {
		r.finalHost = resp.Request.URL.Hostname()
	}
	if resp.ContentLength > MaxResponseBytes {
		return r, errBodyTooLarge
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxResponseBytes+1))
	if err != nil {
		return r, err
	}
	if len(body) > MaxResponseBytes {
		return r, errBodyTooLarge
	}
	r.body = body
	return r, nil
}

// mediaType is the lower-cased type/subtype of a Content-Type value.
func mediaType(ct string) string {
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	return strings.ToLower(strings.TrimSpace(ct))
}
