package outbound

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
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
	c.http = &http.Client{
		Transport:     &guardedTransport{policy: c.policy, base: t},
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
// into an *Error for host.
func AsError(host string, err error) *Error { return classify(host, err) }

func (c *Client) do(req *http.Request) (*Response, error) {
	host := req.URL.Hostname()
	req.Header.Set("User-Agent", userAgent)
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, classify(host, err)
	}
	defer resp.Body.Close()

	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, &Error{Kind: KindHTTPStatus, Host: resp.Request.URL.Hostname(), StatusCode: resp.StatusCode,
			Reason: fmt.Sprintf("the server answered with HTTP status %d", resp.StatusCode)}
	}
	body, rerr := readCapped(resp, c.cfg.MaxBody)
	if rerr != nil {
		return nil, withHost(rerr, resp.Request.URL.Hostname())
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
	// Judge a downgrade before the general URL rules so the error says what
	// happened rather than only that plain http is refused.
	if via[len(via)-1].URL.Scheme == "https" && req.URL.Scheme == "http" && !c.policy.urlAllowListed(req.URL) {
		return &Error{Kind: KindBadURL, Host: req.URL.Hostname(), Reason: "a redirect from https to http is not allowed"}
	}
	if _, err := c.policy.checkURL(req.URL); err != nil {
		return err
	}
	return nil
}

// guardedTransport applies the URL rules to every request, including ones
// made through HTTPClient and every redirect hop.
type guardedTransport struct {
	policy *policy
	base   *http.Transport
}

func (g *guardedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if _, err := g.policy.checkURL(req.URL); err != nil {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, err
	}
	return g.base.RoundTrip(req)
}
