package outbound

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

const userAgent = "Seam-Outbound/1"

// Client fetches customer-supplied URLs under the package's SSRF policy. It is
// safe for concurrent use.
type Client struct {
	cfg          Config
	policy       *policy
	maxRedirects int
	http         *http.Client
}

// Response is a completed request with its body read (at most MaxBody bytes).
type Response struct {
	StatusCode int
	Header     http.Header
	Body       []byte
	URL        string // final URL, after redirects
}

// New returns a Client for cfg, filling zero fields with the defaults.
func New(cfg Config) *Client {
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = DefaultMaxBody
	}
	c := &Client{cfg: cfg, policy: newPolicy(cfg), maxRedirects: cfg.MaxRedirects}
	switch {
	case cfg.MaxRedirects == 0:
		c.maxRedirects = DefaultMaxRedirects
	case cfg.MaxRedirects < 0:
		c.maxRedirects = 0
	}
	t := &http.Transport{
		Proxy:                  nil, // HTTPS_PROXY would move the dial to the proxy, past the address checks
		DialContext:            c.dialPlain,
		DialTLSContext:         c.dialTLS,
		TLSNextProto:           map[string]func(string, *tls.Conn) http.RoundTripper{}, // HTTP/1.1 only
		TLSHandshakeTimeout:    tlsHandshakeTimeout,
		ResponseHeaderTimeout:  cfg.Timeout,
		ExpectContinueTimeout:  time.Second,
		IdleConnTimeout:        30 * time.Second,
		MaxIdleConns:           32,
		MaxIdleConnsPerHost:    2,
		MaxResponseHeaderBytes: 64 << 10,
	}
	var rt http.RoundTripper = &guardedTransport{policy: c.policy, base: t}
	if cfg.Observe != nil {
		rt = &observedTransport{next: rt, observe: cfg.Observe, now: cfg.Now}
	}
	c.http = &http.Client{
		Transport:     rt,
		CheckRedirect: c.checkRedirect,
		Timeout:       cfg.Timeout,
	}
	return c
}

// HTTPClient returns an *http.Client using the same guarded transport,
// redirect policy and overall timeout, for code that builds its own
// requests (internal/oidc's token, JWKS and userinfo calls).
//
// Responses obtained through it are NOT body-capped: callers must wrap
// Body in io.LimitReader (or use Get). Errors are *url.Error values
// wrapping an *Error where this package refused the request, so errors.As
// works on them; other errors can be classified with AsError.
func (c *Client) HTTPClient() *http.Client { return c.http }

// Get fetches rawURL. accept, if not empty, is sent as the Accept header. A
// non-2xx status is an *Error of KindHTTPStatus and the body is not read.
func (c *Client) Get(ctx context.Context, rawURL, accept string) (*Response, error) {
	u, perr := parseURL(rawURL)
	if perr != nil {
		return nil, perr
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, &Error{Kind: KindBadURL, Host: u.Hostname(), Reason: "the URL is not valid"}
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	return c.do(req)
}

// AsError classifies any error returned by HTTPClient (or by this package)
// into an *Error for a request to host (the requested URL's host). A failure
// that happened at a redirect target keeps that target in RedirectHost.
func AsError(host string, err error) *Error { return classify(host, err) }

func (c *Client) do(req *http.Request) (*Response, error) {
	host := req.URL.Hostname()
	req.Header.Set("User-Agent", userAgent)
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, classify(host, err)
	}
	defer resp.Body.Close()

	// After redirects the answer comes from the final URL's host.
	final := resp.Request.URL.Hostname()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, at(host, &Error{Kind: KindHTTPStatus, Host: final, StatusCode: resp.StatusCode,
			Reason: fmt.Sprintf("the server answered with HTTP status %d", resp.StatusCode)})
	}
	body, rerr := readCapped(resp, c.cfg.MaxBody)
	if rerr != nil {
		return nil, at(host, withHost(rerr, final))
	}
	return &Response{StatusCode: resp.StatusCode, Header: resp.Header, Body: body, URL: resp.Request.URL.String()}, nil
}

// readCapped reads the whole body or fails; a body over max is an error, never
// a silent truncation. The transport decompresses gzip before this reader,
// so the cap applies to the decompressed size.
func readCapped(resp *http.Response, max int64) ([]byte, error) {
	tooLarge := &Error{Kind: KindTooLarge, Reason: fmt.Sprintf("the response body exceeds %d bytes", max)}
	if resp.ContentLength > max {
		return nil, tooLarge
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	if err != nil {
		return nil, classify("", err)
	}
	if int64(len(body)) > max {
		return nil, tooLarge
	}
	return body, nil
}

func (c *Client) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) > c.maxRedirects {
		return &Error{Kind: KindTooManyRedirects, Host: via[0].URL.Hostname(),
			Reason: fmt.Sprintf("more than %d redirects", c.maxRedirects)}
	}
	origin := via[0].URL.Hostname()
	// Judge a downgrade before the general URL rules so the error says what
	// happened rather than only that plain http is refused.
	if via[len(via)-1].URL.Scheme == "https" && req.URL.Scheme == "http" && !c.policy.urlAllowListed(req.URL) {
		return &Error{Kind: KindBadURL, Host: origin, RedirectHost: req.URL.Hostname(),
			Reason: "a redirect from https to http is not allowed"}
	}
	if _, err := c.policy.checkURL(req.URL); err != nil {
		return redirectRefusal(origin, req.URL, err)
	}
	return nil
}

// redirectRefusal re-types a refusal of a redirect target seen from a
// request to origin: an address refusal becomes KindRefusedRedirect, so that
// "the URL you gave is refused" and "the URL you gave sent Seam somewhere
// refused" are told apart; other kinds keep their kind and name the target.
func redirectRefusal(origin string, target *url.URL, err *Error) *Error {
	e := *err // keeps the cause, which may name the resolved address, for logs
	e.Host, e.RedirectHost = origin, target.Hostname()
	switch {
	case e.Kind == KindRefusedAddress:
		e.Kind = KindRefusedRedirect
	case e.RedirectHost == "":
		e.Reason = "it redirected to a URL that is not acceptable: " + e.Reason
	}
	return &e
}

// originHost is the host of the first request of a redirect chain.
func originHost(req *http.Request) string {
	for req.Response != nil && req.Response.Request != nil {
		req = req.Response.Request
	}
	return req.URL.Hostname()
}

// guardedTransport applies the URL rules to every request, including ones
// made through HTTPClient and every redirect hop.
type guardedTransport struct {
	policy *policy
	base   *http.Transport
}

func (g *guardedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	// net/http sets req.Response on the requests it makes to follow a
	// redirect; a refusal there is a refused redirect.
	redirected := req.Response != nil
	if _, err := g.policy.checkURL(req.URL); err != nil {
		if req.Body != nil {
			req.Body.Close()
		}
		if redirected {
			return nil, redirectRefusal(originHost(req), req.URL, err)
		}
		return nil, err
	}
	resp, err := g.base.RoundTrip(req)
	var oe *Error
	if err != nil && redirected && errors.As(err, &oe) && oe.Kind == KindRefusedAddress {
		// Refused at dial time, after resolving the target's name.
		return nil, redirectRefusal(originHost(req), req.URL, oe)
	}
	return resp, err
}
