package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
)

// requestFunc builds the seq-th request of a run. It is called concurrently.
type requestFunc func(ctx context.Context, seq uint64) (*http.Request, error)

// scenarioDef is one workload: what it needs before the run, and its requests.
type scenarioDef struct {
	describe string
	prepare  func(ctx context.Context, client *http.Client, c *config) (requestFunc, error)
	// prepareOp replaces prepare for scenarios whose unit of load is more
	// than one request (a whole login).
	prepareOp func(ctx context.Context, client *http.Client, c *config) (operation, error)
	// check, when set, runs after the measured phase; its error fails the run.
	check func(ctx context.Context, client *http.Client, c *config) error
}

func scenarioDefs() map[string]scenarioDef {
	return map[string]scenarioDef{
		"org-get": {
			describe: "GET /v1/b2b/organizations/{organization_id} (project secret)",
			prepare:  prepareOrgGet,
		},
		"org-create": {
			describe: "POST /v1/b2b/organizations, a new name and slug per request",
			prepare:  prepareOrgCreate,
		},
		"sessions-authenticate": {
			describe: "POST /v1/b2b/sessions/authenticate with a session token",
			prepare:  prepareSessionToken,
		},
		"sessions-authenticate-jwt": {
			describe: "POST /v1/b2b/sessions/authenticate with a session JWT",
			prepare:  prepareSessionJWT,
		},
		"org-search": {
			describe: "POST /v1/b2b/organizations/search, first page of -page-size organizations",
			prepare:  prepareOrgSearch,
		},
		"member-search": {
			describe: "POST /v1/b2b/organizations/members/search in -organization, first page of -page-size members",
			prepare:  prepareMemberSearch,
		},
		"sso-update": {
			describe: "PUT /v1/b2b/sso/saml/{organization_id}/connections/{connection_id}, display_name or idp_entity_id by turns; then a lost-update check",
			prepare:  prepareSSOUpdate,
			check:    checkNoLostUpdate,
		},
		"sso-get": {
			describe: "GET /v1/b2b/sso/{organization_id} (the organization's connections)",
			prepare:  prepareSSOGet,
		},
		"jwks": {
			describe: "GET /v1/b2b/sessions/jwks/{project_id} (no authentication)",
			prepare:  prepareJWKS,
		},
		"saml-login": {
			describe:  "a whole SP-initiated SAML login: GET /v1/public/sso/start, a fresh response signed by an in-process IdP, POST to the ACS, POST /v1/b2b/sso/authenticate (needs -public-token)",
			prepareOp: prepareSAMLLogin,
		},
		"oidc-login": {
			describe:  "a whole OIDC login against an OpenID provider the generator runs on loopback (ES256 ID tokens, PKCE, userinfo): GET /v1/public/sso/start, the provider's authorize redirect, GET Seam's callback, POST /v1/b2b/sso/authenticate (needs -public-token; the server needs SEAM_OUTBOUND_ALLOW=127.0.0.1/32)",
			prepareOp: prepareOIDCLogin,
		},
		"acs-garbage": {
			describe:  "POST to the ACS of an active SAML connection with 5 KB of random base64 as SAMLResponse; succeeds when refused with 400",
			prepareOp: prepareACSGarbage,
		},
		"acs-untrusted-signature": {
			describe:  "POST to the ACS of a well-formed 5 KB response signed by a key the connection does not trust; succeeds when refused with 400",
			prepareOp: prepareACSUntrusted,
		},
	}
}

func scenarioNames() []string {
	var names []string
	for n := range scenarioDefs() {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// prepare sets the scenario up and sends one request of it, which must
// succeed: a misconfigured run must not silently measure 401s.
func prepare(ctx context.Context, client *http.Client, c *config) (operation, error) {
	def, ok := scenarioDefs()[c.scenario]
	if !ok {
		return nil, fmt.Errorf("unknown scenario %q; want one of %v", c.scenario, scenarioNames())
	}
	if c.project == "" {
		return nil, errors.New("-project is required")
	}
	if def.prepareOp != nil {
		op, err := def.prepareOp(ctx, client, c)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", c.scenario, err)
		}
		if label, ok := op(ctx, client, 0); !ok {
			return nil, fmt.Errorf("%s: first operation: %s", c.scenario, label)
		}
		return op, nil
	}
	req, err := def.prepare(ctx, client, c)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", c.scenario, err)
	}
	r, err := req(ctx, 0)
	if err != nil {
		return nil, err
	}
	if _, err := send(client, r); err != nil {
		return nil, fmt.Errorf("%s: first request: %w", c.scenario, err)
	}
	return requestOp(req), nil
}

func requireSecret(c *config) error {
	if c.secret == "" {
		return errors.New("-secret (or SEAM_BENCH_SECRET) is required")
	}
	return nil
}

func newRequest(ctx context.Context, c *config, method, path string, body []byte, auth bool) (*http.Request, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	r, err := http.NewRequestWithContext(ctx, method, c.url+path, rd)
	if err != nil {
		return nil, err
	}
	if body != nil {
		r.Header.Set("Content-Type", "application/json")
	}
	if auth {
		r.SetBasicAuth(c.project, c.secret)
	}
	return r, nil
}

// runID makes names unique across runs against the same database.
func runID() (string, error) {
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return hex.EncodeToString(b[:]), nil
}

func orgBody(id string, seq uint64) ([]byte, error) {
	name := fmt.Sprintf("bench-%s-%d", id, seq)
	return json.Marshal(map[string]string{"organization_name": name, "organization_slug": name})
}

func prepareOrgCreate(_ context.Context, _ *http.Client, c *config) (requestFunc, error) {
	if err := requireSecret(c); err != nil {
		return nil, err
	}
	id, err := runID()
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context, seq uint64) (*http.Request, error) {
		body, err := orgBody(id, seq)
		if err != nil {
			return nil, err
		}
		return newRequest(ctx, c, http.MethodPost, "/v1/b2b/organizations", body, true)
	}, nil
}

func prepareOrgGet(ctx context.Context, client *http.Client, c *config) (requestFunc, error) {
	if err := requireSecret(c); err != nil {
		return nil, err
	}
	org := c.organization
	if org == "" {
		id, err := runID()
		if err != nil {
			return nil, err
		}
		body, err := orgBody(id, 0)
		if err != nil {
			return nil, err
		}
		r, err := newRequest(ctx, c, http.MethodPost, "/v1/b2b/organizations", body, true)
		if err != nil {
			return nil, err
		}
		resp, err := send(client, r)
		if err != nil {
			return nil, fmt.Errorf("create the organization to read: %w", err)
		}
		var created struct {
			Organization struct {
				ID string `json:"organization_id"`
			} `json:"organization"`
		}
		if err := json.Unmarshal(resp, &created); err != nil || created.Organization.ID == "" {
			return nil, errors.New("create the organization to read: no organization_id in the answer")
		}
		org = created.Organization.ID
	}
	path := "/v1/b2b/organizations/" + url.PathEscape(org)
	return func(ctx context.Context, _ uint64) (*http.Request, error) {
		return newRequest(ctx, c, http.MethodGet, path, nil, true)
	}, nil
}

func prepareSessionToken(_ context.Context, _ *http.Client, c *config) (requestFunc, error) {
	if err := requireSecret(c); err != nil {
		return nil, err
	}
	if c.sessionToken == "" {
		return nil, errors.New("-session-token (or SEAM_BENCH_SESSION_TOKEN) is required; mint one with `seam session create --json`")
	}
	body, err := json.Marshal(map[string]string{"session_token": c.sessionToken})
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context, _ uint64) (*http.Request, error) {
		return newRequest(ctx, c, http.MethodPost, "/v1/b2b/sessions/authenticate", body, true)
	}, nil
}

func prepareSessionJWT(_ context.Context, _ *http.Client, c *config) (requestFunc, error) {
	if err := requireSecret(c); err != nil {
		return nil, err
	}
	if c.sessionJWT == "" {
		return nil, errors.New("-session-jwt (or SEAM_BENCH_SESSION_JWT) is required; mint one with `seam session create --json`")
	}
	body, err := json.Marshal(map[string]string{"session_jwt": c.sessionJWT})
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context, _ uint64) (*http.Request, error) {
		return newRequest(ctx, c, http.MethodPost, "/v1/b2b/sessions/authenticate", body, true)
	}, nil
}

func prepareJWKS(_ context.Context, _ *http.Client, c *config) (requestFunc, error) {
	path := "/v1/b2b/sessions/jwks/" + url.PathEscape(c.project)
	return func(ctx context.Context, _ uint64) (*http.Request, error) {
		return newRequest(ctx, c, http.MethodGet, path, nil, false)
	}, nil
}

func prepareOrgSearch(_ context.Context, _ *http.Client, c *config) (requestFunc, error) {
	if err := requireSecret(c); err != nil {
		return nil, err
	}
	body, err := json.Marshal(map[string]any{"limit": c.pageSize})
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context, _ uint64) (*http.Request, error) {
		return newRequest(ctx, c, http.MethodPost, "/v1/b2b/organizations/search", body, true)
	}, nil
}

func prepareMemberSearch(_ context.Context, _ *http.Client, c *config) (requestFunc, error) {
	if err := requireSecret(c); err != nil {
		return nil, err
	}
	if c.organization == "" {
		return nil, errors.New("-organization is required")
	}
	body, err := json.Marshal(map[string]any{"organization_ids": []string{c.organization}, "limit": c.pageSize})
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context, _ uint64) (*http.Request, error) {
		return newRequest(ctx, c, http.MethodPost, "/v1/b2b/organizations/members/search", body, true)
	}, nil
}

// maxBody bounds what is read of an answer (a page of 1,000 organizations
// is about 1.5 MB).
const maxBody = 16 << 20

// send performs a setup or first request and returns its body; anything but
// 2xx is an error naming the status and Stytch error_type (never the body:
// it may carry tokens).
func send(client *http.Client, r *http.Request) ([]byte, error) {
	resp, err := client.Do(r)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode/100 != 2 {
		var env struct {
			ErrorType string `json:"error_type"`
		}
		_ = json.Unmarshal(body, &env)
		return nil, fmt.Errorf("%s %s: HTTP %d %s", r.Method, r.URL.Path, resp.StatusCode, env.ErrorType)
	}
	return body, nil
}
