package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
)

// prepareOIDCLogin starts the generator's own OpenID provider (benchOP) and
// an active OIDC connection of a new organization pointing at it; Seam
// finds the endpoints by discovery. The Seam server must be allowed to
// reach loopback (SEAM_OUTBOUND_ALLOW, set by run.sh). The provider stops
// when ctx ends.
func prepareOIDCLogin(ctx context.Context, client *http.Client, c *config) (operation, error) {
	if c.publicToken == "" {
		return nil, errors.New("-public-token (or SEAM_BENCH_PUBLIC_TOKEN) is required")
	}
	if err := requireSecret(c); err != nil {
		return nil, err
	}
	op, err := startBenchOP()
	if err != nil {
		return nil, fmt.Errorf("start the OpenID provider: %w", err)
	}
	context.AfterFunc(ctx, op.close)
	org, err := benchOrg(ctx, client, c)
	if err != nil {
		return nil, err
	}
	var conn struct {
		Connection struct {
			ID     string `json:"connection_id"`
			Status string `json:"status"`
		} `json:"connection"`
		Warning string `json:"warning"`
	}
	if err := callJSON(ctx, client, c, http.MethodPost, "/v1/b2b/sso/oidc/"+url.PathEscape(org),
		map[string]any{"display_name": "bench op"}, &conn); err != nil {
		return nil, fmt.Errorf("create the OIDC connection: %w", err)
	}
	id := conn.Connection.ID
	if err := callJSON(ctx, client, c, http.MethodPut, "/v1/b2b/sso/oidc/"+url.PathEscape(org)+"/connections/"+url.PathEscape(id),
		map[string]any{"issuer": op.issuer, "client_id": op.clientID, "client_secret": op.clientSecret}, &conn); err != nil {
		return nil, fmt.Errorf("configure the OIDC connection: %w", err)
	}
	if conn.Connection.Status != "active" || conn.Warning != "" {
		return nil, fmt.Errorf("the OIDC connection is %q (%s); is SEAM_OUTBOUND_ALLOW set to reach %s?", conn.Connection.Status, conn.Warning, op.issuer)
	}
	browser := noRedirects(client)
	start := c.url + "/v1/public/sso/start?" + url.Values{"connection_id": {id}, "public_token": {c.publicToken}}.Encode()
	return func(ctx context.Context, client *http.Client, seq uint64) (string, bool) {
		// 1. Start: Seam stores state, nonce and PKCE verifier, sets the
		// login cookie and redirects to the provider.
		cookie, authorize, label := startLogin(ctx, browser, start)
		if cookie == nil {
			return label, false
		}
		// 2. The person, signed in at the provider, comes back with a code.
		au, err := url.Parse(authorize)
		if err != nil || "http://"+au.Host != op.issuer {
			return "start did not redirect to the provider", false
		}
		q := au.Query()
		q.Set("login_hint", fmt.Sprintf("user-%d@bench.example", seq%loginUsers))
		au.RawQuery = q.Encode()
		status, callback, err := browserGet(ctx, browser, au.String(), nil)
		if err != nil {
			return "transport error", false
		}
		cb, err := url.Parse(callback)
		if status != http.StatusFound || err != nil {
			return "authorize " + strconv.Itoa(status), false
		}
		// 3. Seam's callback exchanges the code, checks the ID token and
		// userinfo and redirects with a token (the callback URL names
		// Seam's public base URL; the request goes to c.url).
		status, loc, err := browserGet(ctx, browser, c.url+cb.RequestURI(), cookie)
		if err != nil {
			return "transport error", false
		}
		// 4. The application trades the token for a member and a session.
		return authenticateLogin(ctx, client, c, "callback", status, loc)
	}, nil
}

// browserGet sends a GET (with a cookie, when there is one) and returns the
// status and Location.
func browserGet(ctx context.Context, browser *http.Client, target string, cookie *http.Cookie) (int, string, error) {
	r, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return 0, "", err
	}
	if cookie != nil {
		r.AddCookie(cookie)
	}
	resp, err := browser.Do(r)
	if err != nil {
		return 0, "", err
	}
	_, err = io.Copy(io.Discard, io.LimitReader(resp.Body, maxBody))
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Location"), err
}
