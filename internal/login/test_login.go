package login

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/store"
)

// A test login is a real SP-initiated login started from a setup page
// (internal/setup): the same request state, IdP round trip and
// verification as any login, except that the stored request names its
// setup link, so the callback records the outcome, marked as a test, and
// sends the browser back to the setup page instead of issuing an SSO
// token. No member, session or token is ever created by one.

// testCookieValue is the value of a test login's request cookie. It tells
// the callback, before anything is verified, that a refused response may
// answer a test login whose outcome the setup page must show; the stored
// request, not the cookie, decides whether it is one.
const testCookieValue = "test"

// StartTest starts a test login through conn (a SAML or OIDC connection,
// active) for the setup link linkID. returnPath is the setup page path
// that shows the outcome; the attempt ID is appended to it. It holds the
// link's secret, so it is kept sealed in the request state.
func (s *Service) StartTest(ctx context.Context, p *store.Project, conn *store.Connection, linkID, returnPath string) (*StartResult, error) {
	if conn.Kind != store.KindSAML && conn.Kind != store.KindOIDC {
		return nil, apierr.BadRequest("test_login_unsupported", "A test login runs through a SAML or OIDC connection.")
	}
	if conn.Status != "active" {
		return nil, apierr.BadRequest("requires_active_sso_connection", "The connection is not active yet: "+s.missingText(conn))
	}
	rt := &route{project: p, conn: conn, idp: conn, setupReturn: returnPath}
	req := &store.SSORequest{
		ProjectID: p.ID, ConnectionID: conn.ID, OrganizationID: conn.OrganizationID, SetupLinkID: linkID,
		CreatedAt: s.Now(), ExpiresAt: s.Now().Add(requestTTL),
	}
	s.step(ctx, "test login start", conn.OrganizationID, conn.ID)
	if conn.Kind == store.KindSAML {
		return s.startSAML(ctx, rt, req)
	}
	return s.startOIDC(ctx, rt, req, "")
}

// startCookie is the request cookie of a login start.
func (s *Service) startCookie(rt *route, requestID string) *http.Cookie {
	c := s.requestCookie(rt.idp.ID, requestID)
	if rt.setupReturn != "" {
		c.Value = testCookieValue
	}
	return c
}

// testRequest returns the stored request of the test login a callback
// answers, or nil when it answers none. matched is the request the
// verification consumed, if it got that far. A SAML response refused
// before its request was matched (a certificate mismatch, say) names it
// in InResponseTo: when this browser holds that request's test cookie, the
// request is consumed here so that the setup page can show the refusal.
func (s *Service) testRequest(ctx context.Context, q store.Queries, conn *store.Connection, matched *store.SSORequest, inResponseTo string, cookies []*http.Cookie) *store.SSORequest {
	if matched != nil {
		if matched.SetupLinkID != "" {
			return matched
		}
		return nil
	}
	if inResponseTo == "" || !hasCookieValue(cookies, requestCookiePrefix+inResponseTo, testCookieValue) {
		return nil
	}
	req, err := q.ConsumeSSORequest(ctx, conn.ProjectID, inResponseTo, s.Now())
	if err != nil || req.SetupLinkID == "" || !s.sentBy(ctx, q, conn, req) {
		return nil
	}
	return req
}

func hasCookieValue(cs []*http.Cookie, name, value string) bool {
	for _, c := range cs {
		if c.Name == name && c.Value == value {
			return true
		}
	}
	return false
}

// finishTest sends the browser to the setup page that shows the recorded
// outcome of a test login, whatever it was.
func (s *Service) finishTest(req *store.SSORequest, conn *store.Connection, attemptID string) (*CallbackResult, error) {
	plain, err := s.Sealer.Open(req.Secrets, requestAAD(req.ID))
	if err != nil {
		return nil, internalFailure("the test login's state could not be opened", err)
	}
	var sec requestSecrets
	if err := json.Unmarshal(plain, &sec); err != nil || !strings.HasPrefix(sec.SetupReturn, "/") {
		return nil, internalFailure("the test login's state is corrupt", errors.New("login: test login without a return path"))
	}
	if attemptID == "" {
		return nil, internalFailure("the test login's outcome could not be recorded", errors.New("login: attempt not recorded"))
	}
	return &CallbackResult{
		RedirectURL: sec.SetupReturn + attemptID,
		ClearCookie: &http.Cookie{Name: requestCookiePrefix + req.ID, Path: "/v1/b2b/sso/callback/" + conn.ID, MaxAge: -1},
	}, nil
}

// testIdentity is what a successful test login would have logged in as.
type testIdentity struct {
	Email  string   `json:"email"`
	Name   string   `json:"name,omitempty"`
	Groups []string `json:"groups,omitempty"`
}

func testIdentityOf(res *CallbackResult) *testIdentity {
	if res == nil || res.tested == nil {
		return nil
	}
	id := res.tested
	return &testIdentity{Email: id.Email, Name: id.Name, Groups: id.Groups}
}
