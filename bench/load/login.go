package main

import (
	"context"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/seamsso/seam/internal/saml/samltest"
)

// The login scenarios drive Seam's ACS with responses from an in-process
// IdP (internal/saml/samltest). By default the IdP signs with ECDSA P-256 so
// that the load generator, which shares the machine with the server, spends
// tens of microseconds per signature rather than the 1.3 ms of an RSA-2048
// one; -idp-key rsa uses RSA-2048, as most IdPs do, which Seam verifies
// several times faster than P-256.

const (
	benchIdPEntity = "https://idp.bench.example/metadata"
	loginUsers     = 1000 // distinct people: the first login of each JIT-provisions a member
)

// samlTarget is an active SAML connection trusting the in-process IdP.
type samlTarget struct {
	c         *config
	idp       *samltest.IdP
	untrusted *samltest.IdP
	conn      string
	acs       string // the connection's acs_url (Destination, Recipient, Audience)
	acsPath   string // where to POST it on c.url
	// browser does not follow redirects: every step's Location is read.
	browser *http.Client
}

func newSAMLTarget(ctx context.Context, client *http.Client, c *config) (*samlTarget, error) {
	if err := requireSecret(c); err != nil {
		return nil, err
	}
	key, err := newBenchKey(c.idpKey, "bench idp")
	if err != nil {
		return nil, err
	}
	attacker, err := newBenchKey(c.idpKey, "bench idp") // same subject, not trusted
	if err != nil {
		return nil, err
	}
	t := &samlTarget{c: c, idp: &samltest.IdP{EntityID: benchIdPEntity, Key: key},
		untrusted: &samltest.IdP{EntityID: benchIdPEntity, Key: attacker},
		browser:   noRedirects(client)}
	org, err := benchOrg(ctx, client, c)
	if err != nil {
		return nil, err
	}
	var created struct {
		Connection struct {
			ID     string `json:"connection_id"`
			ACSURL string `json:"acs_url"`
		} `json:"connection"`
	}
	if err := callJSON(ctx, client, c, http.MethodPost, "/v1/b2b/sso/saml/"+url.PathEscape(org),
		map[string]any{"display_name": "bench idp"}, &created); err != nil {
		return nil, fmt.Errorf("create the SAML connection: %w", err)
	}
	t.conn, t.acs = created.Connection.ID, created.Connection.ACSURL
	certPEM := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: key.Certificate.Raw}))
	var updated struct {
		Connection struct {
			Status string `json:"status"`
		} `json:"connection"`
	}
	if err := callJSON(ctx, client, c, http.MethodPut, "/v1/b2b/sso/saml/"+url.PathEscape(org)+"/connections/"+url.PathEscape(t.conn),
		map[string]any{
			"idp_entity_id": benchIdPEntity, "idp_sso_url": "https://idp.bench.example/sso", "x509_certificate": certPEM,
			"attribute_mapping": map[string]string{"email": "email", "full_name": "name"},
		}, &updated); err != nil {
		return nil, fmt.Errorf("configure the SAML connection: %w", err)
	}
	if updated.Connection.Status != "active" {
		return nil, fmt.Errorf("the SAML connection is %q, not active", updated.Connection.Status)
	}
	u, err := url.Parse(t.acs)
	if err != nil || u.Path == "" {
		return nil, fmt.Errorf("the connection's acs_url %q is not a URL", t.acs)
	}
	t.acsPath = u.Path
	return t, nil
}

// noRedirects is a client like client that returns every redirect instead
// of following it.
func noRedirects(client *http.Client) *http.Client {
	return &http.Client{Transport: client.Transport, Timeout: client.Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func newBenchKey(kind, cn string) (*samltest.Key, error) {
	now := time.Now()
	if kind == "rsa" {
		return samltest.NewRSAKey(2048, cn, now.Add(-time.Hour), now.Add(30*24*time.Hour))
	}
	return samltest.NewECDSAKey(elliptic.P256(), cn, now.Add(-time.Hour), now.Add(30*24*time.Hour))
}

// benchOrg is the run's -organization, or a new organization when none was
// given.
func benchOrg(ctx context.Context, client *http.Client, c *config) (string, error) {
	if c.organization != "" {
		return c.organization, nil
	}
	id, err := runID()
	if err != nil {
		return "", err
	}
	name := "bench-login-" + id
	var created struct {
		Organization struct {
			ID string `json:"organization_id"`
		} `json:"organization"`
	}
	err = callJSON(ctx, client, c, http.MethodPost, "/v1/b2b/organizations",
		map[string]string{"organization_name": name, "organization_slug": name}, &created)
	return created.Organization.ID, err
}

// callJSON sends an authenticated JSON request that must succeed.
func callJSON(ctx context.Context, client *http.Client, c *config, method, path string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	r, err := newRequest(ctx, c, method, path, body, true)
	if err != nil {
		return err
	}
	resp, err := send(client, r)
	if err != nil {
		return err
	}
	return json.Unmarshal(resp, out)
}

// response is a signed Response for the connection, answering inResponseTo
// ("" for IdP-initiated).
func (t *samlTarget) response(idp *samltest.IdP, inResponseTo, email string, sign samltest.SignOptions) (string, error) {
	doc, err := idp.Make(samltest.Options{
		ResponseOptions: samltest.ResponseOptions{
			Now: time.Now(), InResponseTo: inResponseTo, Destination: t.acs, Audiences: []string{t.acs},
			NameID: email, Attributes: []samltest.Attribute{
				{Name: "email", Values: []string{email}}, {Name: "name", Values: []string{"Bench User"}},
			},
		},
		SignAssertion: true, Sign: sign,
	})
	if err != nil {
		return "", err
	}
	return samltest.Encode(doc)
}

// postACS posts a SAMLResponse (with the login cookie, when there is one)
// and returns the status and Location.
func (t *samlTarget) postACS(ctx context.Context, samlResponse string, cookie *http.Cookie) (int, string, error) {
	r, err := http.NewRequestWithContext(ctx, http.MethodPost, t.c.url+t.acsPath,
		strings.NewReader(url.Values{"SAMLResponse": {samlResponse}}.Encode()))
	if err != nil {
		return 0, "", err
	}
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if cookie != nil {
		r.AddCookie(cookie)
	}
	resp, err := t.browser.Do(r)
	if err != nil {
		return 0, "", err
	}
	_, err = io.Copy(io.Discard, io.LimitReader(resp.Body, maxBody))
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Location"), err
}

func prepareSAMLLogin(ctx context.Context, client *http.Client, c *config) (operation, error) {
	if c.publicToken == "" {
		return nil, errors.New("-public-token (or SEAM_BENCH_PUBLIC_TOKEN) is required")
	}
	t, err := newSAMLTarget(ctx, client, c)
	if err != nil {
		return nil, err
	}
	start := c.url + "/v1/public/sso/start?" + url.Values{"connection_id": {t.conn}, "public_token": {c.publicToken}}.Encode()
	return func(ctx context.Context, client *http.Client, seq uint64) (string, bool) {
		// 1. Start: Seam stores the request and sets the login cookie,
		// whose name carries the AuthnRequest ID.
		cookie, _, label := startLogin(ctx, t.browser, start)
		if cookie == nil {
			return label, false
		}
		// 2. The IdP answers with a fresh signed response.
		email := fmt.Sprintf("user-%d@bench.example", seq%loginUsers)
		saml, err := t.response(t.idp, strings.TrimPrefix(cookie.Name, loginCookiePrefix), email, samltest.SignOptions{})
		if err != nil {
			return "idp error", false
		}
		// 3. The browser posts it to the ACS, which redirects with a token.
		status, loc, err := t.postACS(ctx, saml, &http.Cookie{Name: cookie.Name, Value: cookie.Value})
		if err != nil {
			return "transport error", false
		}
		// 4. The application trades the token for a member and a session.
		return authenticateLogin(ctx, client, c, "acs", status, loc)
	}, nil
}

// loginCookiePrefix starts the name of Seam's login cookie; the rest is the
// login request's ID (the AuthnRequest ID, the OIDC state).
const loginCookiePrefix = "seam_sso_"

// startLogin opens /v1/public/sso/start and returns Seam's login cookie and
// the redirect to the IdP, or nil and what went wrong.
func startLogin(ctx context.Context, browser *http.Client, start string) (*http.Cookie, string, string) {
	r, err := http.NewRequestWithContext(ctx, http.MethodGet, start, nil)
	if err != nil {
		return nil, "", "build error"
	}
	resp, err := browser.Do(r)
	if err != nil {
		return nil, "", "transport error"
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		return nil, "", "start " + strconv.Itoa(resp.StatusCode)
	}
	for _, ck := range resp.Cookies() {
		if strings.HasPrefix(ck.Name, loginCookiePrefix) {
			return &http.Cookie{Name: ck.Name, Value: ck.Value}, resp.Header.Get("Location"), ""
		}
	}
	return nil, "", "start set no login cookie"
}

// authenticateLogin takes the answer of the step that finished the login
// at Seam (ACS or OIDC callback: a 302 to the redirect URL with a token) and
// trades the token for a member and a session, as the application does.
func authenticateLogin(ctx context.Context, client *http.Client, c *config, step string, status int, loc string) (string, bool) {
	target, _ := url.Parse(loc)
	if status != http.StatusFound || target == nil || target.Query().Get("token") == "" {
		return step + " " + strconv.Itoa(status), false
	}
	body, _ := json.Marshal(map[string]any{"sso_token": target.Query().Get("token"), "session_duration_minutes": 60})
	ar, err := newRequest(ctx, c, http.MethodPost, "/v1/b2b/sso/authenticate", body, true)
	if err != nil {
		return "build error", false
	}
	aresp, err := client.Do(ar)
	if err != nil {
		return "transport error", false
	}
	io.Copy(io.Discard, io.LimitReader(aresp.Body, maxBody))
	aresp.Body.Close()
	if aresp.StatusCode != http.StatusOK {
		return "authenticate " + strconv.Itoa(aresp.StatusCode), false
	}
	return "login completed", true
}

// refusalOp posts the same body to the ACS on every call; it succeeds when
// Seam refuses it with 400.
func refusalOp(t *samlTarget, samlResponse string) operation {
	return func(ctx context.Context, _ *http.Client, _ uint64) (string, bool) {
		status, _, err := t.postACS(ctx, samlResponse, nil)
		if err != nil {
			return "transport error", false
		}
		return strconv.Itoa(status), status == http.StatusBadRequest
	}
}

func prepareACSGarbage(ctx context.Context, client *http.Client, c *config) (operation, error) {
	t, err := newSAMLTarget(ctx, client, c)
	if err != nil {
		return nil, err
	}
	junk := make([]byte, 3750) // 5000 characters of base64
	if _, err := rand.Read(junk); err != nil {
		return nil, err
	}
	return refusalOp(t, base64.StdEncoding.EncodeToString(junk)), nil
}

// prepareACSUntrusted signs with a key the connection does not trust and
// leaves KeyInfo out, so Seam cannot refuse on the certificate alone and has
// to run the signature check with the trusted one: the most expensive
// refusal an outsider can cause.
func prepareACSUntrusted(ctx context.Context, client *http.Client, c *config) (operation, error) {
	t, err := newSAMLTarget(ctx, client, c)
	if err != nil {
		return nil, err
	}
	saml, err := t.response(t.untrusted, "", "mallory@bench.example", samltest.SignOptions{OmitKeyInfo: true})
	if err != nil {
		return nil, err
	}
	return refusalOp(t, saml), nil
}
