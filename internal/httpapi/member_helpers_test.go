package httpapi_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/seamsso/seam/internal/apptest"
	"github.com/seamsso/seam/internal/linking"
	"github.com/seamsso/seam/internal/members"
	"github.com/seamsso/seam/internal/projects"
	"github.com/seamsso/seam/internal/sessions"
	"github.com/seamsso/seam/internal/store"
)

// createMember creates a member through the API and returns its member_id.
func createMember(e *apptest.Env, org, email string, roles ...string) string {
	e.T.Helper()
	body := map[string]any{"email_address": email, "name": "Test " + email}
	if roles != nil {
		body["roles"] = roles
	}
	r := e.MustOK(e.Call("POST", "/v1/b2b/organizations/"+org+"/members", body))
	return r.Str("member_id")
}

// minted is a session made through the Go API.
type minted struct {
	ID, Token, JWT string
}

// mintSession starts a session for a member with the operator factor, or
// with the given factor.
func mintSession(e *apptest.Env, creds *projects.Credentials, org, memberID string, factor ...sessions.Factor) minted {
	e.T.Helper()
	ctx := context.Background()
	if creds == nil {
		creds = e.Creds
	}
	p, err := e.App.Store.GetProject(ctx, creds.ProjectID)
	if err != nil {
		e.T.Fatal(err)
	}
	o, err := e.App.Orgs.Get(ctx, e.App.Store, p.ID, org)
	if err != nil {
		e.T.Fatal(err)
	}
	m, err := e.App.Members.Get(ctx, e.App.Store, o, memberID)
	if err != nil {
		e.T.Fatal(err)
	}
	f := sessions.OperatorFactor(e.Clock.Now())
	if len(factor) > 0 {
		f = factor[0]
	}
	sess, tok, jwt, err := e.App.Sessions.Create(ctx, p, o, m, f, 60, nil)
	if err != nil {
		e.T.Fatal(err)
	}
	return minted{ID: sess.ID, Token: tok, JWT: jwt}
}

// registration stores an SSO registration of a member with a connection
// (what a login through it would leave behind).
func registration(e *apptest.Env, memberID, connID, externalID string, groups ...string) *store.SSORegistration {
	e.T.Helper()
	ctx := context.Background()
	p, err := e.App.Store.GetProject(ctx, e.Creds.ProjectID)
	if err != nil {
		e.T.Fatal(err)
	}
	m, err := e.App.Store.GetMember(ctx, p.ID, memberID)
	if err != nil {
		e.T.Fatal(err)
	}
	c, err := e.App.Store.GetConnection(ctx, p.ID, connID)
	if err != nil {
		e.T.Fatal(err)
	}
	o, err := e.App.Orgs.Get(ctx, e.App.Store, p.ID, c.OrganizationID)
	if err != nil {
		e.T.Fatal(err)
	}
	link, err := e.App.Members.LinkSSO(ctx, p, o, membersIdentity(connID, externalID, m.Email, groups), false, nil)
	if err != nil {
		e.T.Fatal(err)
	}
	return link.Registration
}

// jwtPayload decodes a JWT's claims without verifying it.
func jwtPayload(t *testing.T, tok string) map[string]any {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWS: %q", tok)
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func sessionHeaders(token, jwt string) map[string]string {
	h := map[string]string{}
	if token != "" {
		h["X-Stytch-Member-Session"] = token
	}
	if jwt != "" {
		h["X-Stytch-Member-SessionJWT"] = jwt
	}
	return h
}

func membersIdentity(connID, externalID, email string, groups []string) members.SSOIdentity {
	return members.SSOIdentity{ConnectionID: connID, ExternalID: externalID, Email: email, Groups: groups,
		Attributes: map[string]any{"department": "eng"}, EmailTrust: linking.EmailVerified,
		Policy: linking.Policy{SubjectChange: linking.SubjectChangeRefuse}}
}
