package httpapi_test

import (
	"context"
	"strings"
	"testing"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/apptest"
	"github.com/seamsso/seam/internal/sessions"
	"github.com/seamsso/seam/internal/store"
)

// verifyEmail marks a member's email address verified, as a login whose IdP
// vouched for it would.
func verifyEmail(e *apptest.Env, memberID string) {
	e.T.Helper()
	ctx := context.Background()
	m, err := e.App.Store.GetMember(ctx, e.Creds.ProjectID, memberID)
	if err != nil {
		e.T.Fatal(err)
	}
	m.EmailVerified = true
	if err := e.App.Store.UpdateMember(ctx, m); err != nil {
		e.T.Fatal(err)
	}
}

// orgRole sets organization org's custom roles to one role granting
// actions on resource.
func orgRole(e *apptest.Env, org, role, resource string, actions ...string) {
	e.T.Helper()
	e.MustOK(setOrgRoles(e, org, customRole(role, resource, actions...)))
}

func TestReactivateMember(t *testing.T) {
	apptest.ForEachBackend(t, func(t *testing.T, backend string) {
		e := apptest.New(t, backend)
		e.CreateOrg("Acme", "acme")
		e.CreateOrg("Other", "other")
		ada := createMember(e, "acme", "ada@acme.example")
		e.MustOK(e.Call("PUT", memberPath("acme", ada), map[string]any{"external_id": "ext-ada", "roles": []string{"stytch_admin"}}))
		verifyEmail(e, ada)
		sess := mintSession(e, nil, "acme", ada)

		e.MustOK(e.Call("DELETE", memberPath("acme", ada), nil))
		e.WantError(e.Call("GET", "/v1/b2b/organizations/acme/member?member_id="+ada, nil), 404, "member_not_found")
		e.WantError(e.Call("POST", "/v1/b2b/sessions/authenticate", map[string]any{"session_token": sess.Token}), 404, "session_not_found")
		e.WantError(e.Call("GET", "/v1/b2b/organizations/members/dangerously_get/"+ada, nil), 404, "member_not_found")
		got := e.MustOK(e.Call("GET", "/v1/b2b/organizations/members/dangerously_get/"+ada+"?include_deleted=true", nil))
		if got.Obj("member")["status"] != "deleted" || got.Obj("organization")["organization_slug"] != "acme" || got.Str("member_id") != ada {
			t.Fatalf("deleted member: %s", got.Raw)
		}
		if n := e.MustOK(e.Call("GET", "/v1/b2b/organizations/acme/metrics", nil)).Body["member_count"]; n != 0.0 {
			t.Fatalf("member_count of an organization whose only member is deleted = %v", n)
		}

		// Refusals, each changing nothing.
		e.WantError(e.Call("PUT", memberPath("other", ada)+"/reactivate", nil), 404, "no_deleted_member_found_for_reactivation")
		e.WantError(e.Call("PUT", memberPath("acme", "ext-ada")+"/reactivate", nil), 404, "no_deleted_member_found_for_reactivation")
		bob := createMember(e, "acme", "bob@acme.example")
		e.WantError(e.Call("PUT", memberPath("acme", bob)+"/reactivate", nil), 404, "no_deleted_member_found_for_reactivation")
		e.WantError(e.Call("PUT", memberPath("nope", ada)+"/reactivate", nil), 404, "organization_not_found")
		// A deleted member keeps its email address and external ID: no other
		// member takes them, and the error names reactivation as the fix.
		r := e.Call("POST", "/v1/b2b/organizations/acme/members", map[string]any{"email_address": "ADA@acme.example"})
		e.WantError(r, 400, "duplicate_member_email")
		if !strings.Contains(r.Str("error_message"), "reactivate") {
			t.Errorf("duplicate email error does not name reactivation: %s", r.Raw)
		}
		e.WantError(e.Call("PUT", memberPath("acme", bob), map[string]any{"email_address": "ada@acme.example"}), 400, "duplicate_member_email")
		e.WantError(e.Call("PUT", memberPath("acme", bob), map[string]any{"external_id": "ext-ada"}), 400, "duplicate_member_external_id")

		// RBAC: stytch.member create.
		orgRole(e, "acme", "creator", "stytch.member", "create")
		plain := mintSession(e, nil, "acme", createMember(e, "acme", "plain@acme.example"))
		creator := mintSession(e, nil, "acme", createMember(e, "acme", "creator@acme.example", "creator"))
		otherAdmin := mintSession(e, nil, "other", createMember(e, "other", "admin@other.example", "stytch_admin"))
		reactivate := func(s minted) *apptest.Response {
			return e.Do(apptest.Request{Method: "PUT", Path: memberPath("acme", ada) + "/reactivate", Body: map[string]any{}, Header: sessionHeaders(s.Token, "")})
		}
		e.WantError(reactivate(plain), 403, "session_authorization_error")
		e.WantError(reactivate(otherAdmin), 403, "session_authorization_tenancy_error")
		r = e.MustOK(reactivate(creator))
		m := r.Obj("member")
		if m["status"] != "active" || m["email_address"] != "ada@acme.example" || m["external_id"] != "ext-ada" ||
			len(m["sso_registrations"].([]any)) != 0 || r.Obj("organization")["organization_slug"] != "acme" {
			t.Fatalf("reactivated: %s", r.Raw)
		}
		roles := map[string]bool{}
		for _, x := range m["roles"].([]any) {
			roles[x.(map[string]any)["role_id"].(string)] = true
		}
		if !roles["stytch_admin"] {
			t.Errorf("direct roles not restored: %v", m["roles"])
		}
		e.MustOK(e.Call("GET", "/v1/b2b/organizations/acme/member?member_id=ext-ada", nil))
		e.WantError(e.Call("PUT", memberPath("acme", ada)+"/reactivate", nil), 404, "no_deleted_member_found_for_reactivation")
		// The old session stays revoked.
		e.WantError(e.Call("POST", "/v1/b2b/sessions/authenticate", map[string]any{"session_token": sess.Token}), 404, "session_not_found")

		// Only a verified email address may come back.
		carol := createMember(e, "acme", "carol@acme.example")
		e.MustOK(e.Call("DELETE", memberPath("acme", carol), nil))
		e.WantError(e.Call("PUT", memberPath("acme", carol)+"/reactivate", nil), 400, "email_unverified_for_reactivation")
		got = e.MustOK(e.Call("GET", "/v1/b2b/organizations/members/dangerously_get/"+carol+"?include_deleted=true", nil))
		if got.Obj("member")["status"] != "deleted" {
			t.Fatalf("a refused reactivation changed the member: %s", got.Raw)
		}
	})
}

func TestDangerouslyGetMember(t *testing.T) {
	apptest.ForEachBackend(t, func(t *testing.T, backend string) {
		e := apptest.New(t, backend)
		e.CreateOrg("Acme", "acme")
		e.CreateOrg("Beta", "beta")
		a := createMember(e, "acme", "a@acme.example")
		b := createMember(e, "beta", "b@beta.example")
		for _, id := range []string{a, b} {
			r := e.MustOK(e.Call("GET", "/v1/b2b/organizations/members/dangerously_get/"+id, nil))
			if r.Str("member_id") != id || r.Obj("member")["member_id"] != id || r.Obj("organization")["organization_id"] != r.Obj("member")["organization_id"] {
				t.Fatalf("dangerously_get %s: %s", id, r.Raw)
			}
		}
		e.WantError(e.Call("GET", "/v1/b2b/organizations/members/dangerously_get/"+a+"?include_deleted=yes", nil), 400, "invalid_request_value")
		e.WantError(e.Call("GET", "/v1/b2b/organizations/members/dangerously_get/member-test-00000000-0000-4000-8000-000000000000?include_deleted=true", nil), 404, "member_not_found")
		p2 := e.NewProject("test")
		e.WantError(e.Do(apptest.Request{Method: "GET", Path: "/v1/b2b/organizations/members/dangerously_get/" + a, Creds: p2}), 404, "member_not_found")
		admin := mintSession(e, nil, "acme", createMember(e, "acme", "admin@acme.example", "stytch_admin"))
		e.WantError(e.Do(apptest.Request{Method: "GET", Path: "/v1/b2b/organizations/members/dangerously_get/" + a, Header: sessionHeaders(admin.Token, "")}),
			400, "session_authorization_not_supported")
	})
}

func TestDeleteExternalIDs(t *testing.T) {
	apptest.ForEachBackend(t, func(t *testing.T, backend string) {
		e := apptest.New(t, backend)
		e.CreateOrg("Acme", "acme")
		e.CreateOrg("Other", "other")
		e.MustOK(e.Call("PUT", "/v1/b2b/organizations/acme", map[string]any{"organization_external_id": "ext-acme"}))
		m := createMember(e, "acme", "m@acme.example")
		e.MustOK(e.Call("PUT", memberPath("acme", m), map[string]any{"external_id": "ext-m"}))

		// Member: a session needs every stytch.member action (as updating external_id does).
		orgRole(e, "acme", "namer", "stytch.member", "update.info.name")
		namer := mintSession(e, nil, "acme", createMember(e, "acme", "namer@acme.example", "namer"))
		admin := mintSession(e, nil, "acme", createMember(e, "acme", "admin@acme.example", "stytch_admin"))
		otherAdmin := mintSession(e, nil, "other", createMember(e, "other", "admin@other.example", "stytch_admin"))
		del := func(path string, s *minted) *apptest.Response {
			req := apptest.Request{Method: "DELETE", Path: path}
			if s != nil {
				req.Header = sessionHeaders(s.Token, "")
			}
			return e.Do(req)
		}
		e.WantError(del(memberPath("acme", "ext-m")+"/external_id", &namer), 403, "session_authorization_error")
		e.WantError(del(memberPath("acme", "ext-m")+"/external_id", &otherAdmin), 403, "session_authorization_tenancy_error")
		e.WantError(del(memberPath("acme", "ext-nope")+"/external_id", nil), 404, "member_not_found")
		r := e.MustOK(del(memberPath("acme", "ext-m")+"/external_id", &admin))
		if r.Obj("member")["external_id"] != "" || r.Str("member_id") != m || r.Obj("organization")["organization_slug"] != "acme" {
			t.Fatalf("member external_id not deleted: %s", r.Raw)
		}
		e.WantError(e.Call("GET", "/v1/b2b/organizations/acme/member?member_id=ext-m", nil), 404, "member_not_found")
		e.MustOK(del(memberPath("acme", m)+"/external_id", nil)) // none left: unchanged, not an error
		e.MustOK(e.Call("PUT", memberPath("acme", createMember(e, "acme", "n@acme.example")), map[string]any{"external_id": "ext-m"}))

		// Organization: every stytch.organization action.
		orgRole(e, "acme", "renamer", "stytch.organization", "update.info.name")
		renamer := mintSession(e, nil, "acme", createMember(e, "acme", "renamer@acme.example", "renamer"))
		e.WantError(del("/v1/b2b/organizations/ext-acme/external_id", &renamer), 403, "session_authorization_error")
		e.WantError(del("/v1/b2b/organizations/ext-acme/external_id", &otherAdmin), 403, "session_authorization_tenancy_error")
		e.WantError(del("/v1/b2b/organizations/ext-nope/external_id", nil), 404, "organization_not_found")
		o := e.MustOK(del("/v1/b2b/organizations/ext-acme/external_id", &admin)).Obj("organization")
		if o["organization_external_id"] != "" || o["organization_slug"] != "acme" {
			t.Fatalf("organization external_id not deleted: %v", o)
		}
		e.WantError(e.Call("GET", "/v1/b2b/organizations/ext-acme", nil), 404, "organization_not_found")
		e.MustOK(del("/v1/b2b/organizations/acme/external_id", nil))
		e.MustOK(e.Call("PUT", "/v1/b2b/organizations/other", map[string]any{"organization_external_id": "ext-acme"}))
	})
}

func TestOrganizationMetrics(t *testing.T) {
	apptest.ForEachBackend(t, func(t *testing.T, backend string) {
		e := apptest.New(t, backend)
		e.CreateOrg("Acme", "acme")
		e.CreateOrg("Other", "other")
		count := func(org string) any {
			return e.MustOK(e.Call("GET", "/v1/b2b/organizations/"+org+"/metrics", nil)).Body["member_count"]
		}
		if n := count("acme"); n != 0.0 {
			t.Fatalf("empty organization: %v", n)
		}
		a := createMember(e, "acme", "a@acme.example")
		createMember(e, "acme", "b@acme.example")
		e.MustOK(e.Call("POST", "/v1/b2b/organizations/acme/members", map[string]any{"email_address": "p@acme.example", "create_member_as_pending": true}))
		createMember(e, "other", "o@other.example")
		if n := count("acme"); n != 3.0 {
			t.Fatalf("member_count = %v, want 3 (active and pending)", n)
		}
		e.MustOK(e.Call("DELETE", memberPath("acme", a), nil))
		if n := count("acme"); n != 2.0 {
			t.Fatalf("member_count after a delete = %v, want 2", n)
		}
		e.WantError(e.Call("GET", "/v1/b2b/organizations/nope/metrics", nil), 404, "organization_not_found")
		admin := mintSession(e, nil, "acme", createMember(e, "acme", "admin@acme.example", "stytch_admin"))
		e.WantError(e.Do(apptest.Request{Method: "GET", Path: "/v1/b2b/organizations/acme/metrics", Header: sessionHeaders(admin.Token, "")}),
			400, "session_authorization_not_supported")
	})
}

func TestRetiredEmails(t *testing.T) {
	apptest.ForEachBackend(t, func(t *testing.T, backend string) {
		e := apptest.New(t, backend)
		e.CreateOrg("Acme", "acme")
		e.CreateOrg("Other", "other")
		m := createMember(e, "acme", "old@acme.example", "stytch_admin")
		retired := func(id string) []any {
			return e.MustOK(e.Call("GET", "/v1/b2b/organizations/acme/member?member_id="+id, nil)).Obj("member")["retired_email_addresses"].([]any)
		}
		e.MustOK(e.Call("PUT", memberPath("acme", m), map[string]any{"email_address": "new@acme.example"}))
		list := retired(m)
		if len(list) != 1 || list[0].(map[string]any)["email_address"] != "old@acme.example" {
			t.Fatalf("retired_email_addresses = %v", list)
		}
		emailID := list[0].(map[string]any)["email_id"].(string)

		// A retired address stays the member's in its organization only.
		e.WantError(e.Call("POST", "/v1/b2b/organizations/acme/members", map[string]any{"email_address": "OLD@acme.example"}), 400, "retired_member_email")
		other := createMember(e, "acme", "other@acme.example")
		e.WantError(e.Call("PUT", memberPath("acme", other), map[string]any{"email_address": "old@acme.example"}), 400, "retired_member_email")
		createMember(e, "other", "old@acme.example")
		// Nor may an SSO login provision a new member with it.
		ctx := context.Background()
		p, _ := e.App.Store.GetProject(ctx, e.Creds.ProjectID)
		o, _ := e.App.Orgs.Get(ctx, e.App.Store, p.ID, "acme")
		_, err := e.App.Members.LinkSSO(ctx, p, o, membersIdentity(activeOIDC(e, "acme"), "new-subject", "old@acme.example", nil), true, nil)
		if apierr.TypeOf(err) != "retired_member_email" {
			t.Fatalf("JIT provisioning with a retired address: %v", err)
		}

		unlink := func(id string, body map[string]any, s *minted) *apptest.Response {
			req := apptest.Request{Method: "POST", Path: memberPath("acme", id) + "/unlink_retired_email", Body: body}
			if s != nil {
				req.Header = sessionHeaders(s.Token, "")
			}
			return e.Do(req)
		}
		e.WantError(unlink(m, map[string]any{}, nil), 400, "retired_email_missing_email_identifiers")
		e.WantError(unlink(m, map[string]any{"email_id": emailID, "email_address": "new@acme.example"}, nil), 404, "email_not_found")
		e.WantError(unlink(m, map[string]any{"email_address": "never@acme.example"}, nil), 404, "email_not_found")
		e.WantError(unlink(other, map[string]any{"email_id": emailID}, nil), 404, "email_not_found")
		e.WantError(unlink("member-test-00000000-0000-4000-8000-000000000000", map[string]any{"email_id": emailID}, nil), 404, "member_not_found")
		e.WantError(unlink(m, map[string]any{"email_id": emailID, "organization_id": "other"}, nil), 400, "invalid_request_value")
		// RBAC: stytch.member update.info.unlink.retired-email, or stytch.self for oneself.
		peer := mintSession(e, nil, "acme", other)
		e.WantError(unlink(m, map[string]any{"email_id": emailID}, &peer), 403, "session_authorization_error")
		if len(retired(m)) != 1 {
			t.Fatal("a refused unlink changed the member")
		}
		self := mintSession(e, nil, "acme", m)
		r := e.MustOK(unlink(m, map[string]any{"email_id": emailID, "email_address": "Old@Acme.example"}, &self))
		if r.Str("member_id") != m || r.Str("organization_id") == "" || len(r.Obj("member")["retired_email_addresses"].([]any)) != 0 {
			t.Fatalf("unlink: %s", r.Raw)
		}
		e.MustOK(e.Call("PUT", memberPath("acme", other), map[string]any{"email_address": "old@acme.example"}))

		// unlink_email drops the replaced address instead of retiring it; taking
		// back one's own retired address un-retires it.
		e.MustOK(e.Call("PUT", memberPath("acme", m), map[string]any{"email_address": "newer@acme.example", "unlink_email": true}))
		if len(retired(m)) != 0 {
			t.Fatalf("unlink_email retired the address: %v", retired(m))
		}
		e.MustOK(e.Call("PUT", memberPath("acme", m), map[string]any{"email_address": "newest@acme.example"}))
		e.MustOK(e.Call("PUT", memberPath("acme", m), map[string]any{"email_address": "newer@acme.example"}))
		if list := retired(m); len(list) != 1 || list[0].(map[string]any)["email_address"] != "newest@acme.example" {
			t.Fatalf("after taking back a retired address: %v", list)
		}
	})
}

// exchangeWorld: the same person (ada@acme.example) is a member of "alpha"
// (with an active OIDC connection she logged in through) and of "beta",
// which trusts alpha's IdP through an External connection.
type exchangeWorld struct {
	e                   *apptest.Env
	alphaConn, betaConn string
	ada, adaBeta        string
	session             minted
	sub                 string
}

func newExchangeWorld(t *testing.T, backend string) *exchangeWorld {
	e := apptest.New(t, backend)
	w := &exchangeWorld{e: e, sub: "idp-subject-ada"}
	e.CreateOrg("Alpha", "alpha")
	e.CreateOrg("Beta", "beta")
	w.alphaConn = activeOIDC(e, "alpha")
	w.betaConn = e.MustOK(e.Call("POST", "/v1/b2b/sso/external/beta", map[string]any{
		"external_organization_id": "alpha", "external_connection_id": w.alphaConn, "display_name": "Alpha IdP",
	})).Obj("connection")["connection_id"].(string)
	w.ada = createMember(e, "alpha", "ada@acme.example")
	reg := registration(e, w.ada, w.alphaConn, w.sub)
	verifyEmail(e, w.ada)
	w.adaBeta = createMember(e, "beta", "ada@acme.example")
	w.session = mintSession(e, nil, "alpha", w.ada, sessions.SSOFactor(store.KindOIDC, reg, e.Clock.Now()))
	return w
}

func (w *exchangeWorld) exchange(body map[string]any) *apptest.Response {
	if _, ok := body["session_token"]; !ok && body["session_jwt"] == nil {
		body["session_token"] = w.session.Token
	}
	return w.e.Call("POST", "/v1/b2b/sessions/exchange", body)
}

func TestSessionExchange(t *testing.T) {
	apptest.ForEachBackend(t, func(t *testing.T, backend string) {
		w := newExchangeWorld(t, backend)
		e := w.e
		r := e.MustOK(w.exchange(map[string]any{"organization_id": "beta", "session_duration_minutes": 30,
			"session_custom_claims": map[string]any{"app": "x"}}))
		ms := r.Obj("member_session")
		if r.Str("member_id") != w.adaBeta || ms["member_id"] != w.adaBeta || r.Obj("organization")["organization_slug"] != "beta" ||
			r.Body["member_authenticated"] != true || r.Str("intermediate_session_token") != "" || r.Str("session_token") == "" ||
			r.Str("session_jwt") == "" || r.Body["mfa_required"] != nil || r.Body["primary_required"] != nil {
			t.Fatalf("exchange: %s", r.Raw)
		}
		f := ms["authentication_factors"].([]any)[0].(map[string]any)
		if d := f["oidc_sso_factor"].(map[string]any); f["type"] != "sso" || d["provider_id"] != w.betaConn || d["external_id"] != w.sub {
			t.Fatalf("factor of the new session: %v", f)
		}
		if ms["custom_claims"].(map[string]any)["app"] != "x" {
			t.Errorf("custom claims: %v", ms["custom_claims"])
		}
		// The new session works in beta; the old one still works in alpha.
		a := e.MustOK(e.Call("POST", "/v1/b2b/sessions/authenticate", map[string]any{"session_token": r.Str("session_token")}))
		if a.Obj("organization")["organization_slug"] != "beta" {
			t.Fatalf("new session: %s", a.Raw)
		}
		e.MustOK(e.Call("POST", "/v1/b2b/sessions/authenticate", map[string]any{"session_token": w.session.Token}))
		// By JWT, and member-session headers carry no authority here.
		e.MustOK(e.Do(apptest.Request{Method: "POST", Path: "/v1/b2b/sessions/exchange",
			Body: map[string]any{"organization_id": "beta", "session_jwt": w.session.JWT}, Header: sessionHeaders("bogus", "")}))

		// A registration with the target's connection must be the same IdP identity.
		registration(e, w.adaBeta, w.betaConn, w.sub)
		r = e.MustOK(w.exchange(map[string]any{"organization_id": "beta"}))
		if d := r.Obj("member_session")["authentication_factors"].([]any)[0].(map[string]any)["oidc_sso_factor"].(map[string]any); d["id"] == "" {
			t.Fatalf("factor should name the member's registration: %v", d)
		}
	})
}

func TestSessionExchangeRefusals(t *testing.T) {
	apptest.ForEachBackend(t, func(t *testing.T, backend string) {
		w := newExchangeWorld(t, backend)
		e := w.e
		e.CreateOrg("Gamma", "gamma") // trusts alpha's IdP, but ada is no member
		e.MustOK(e.Call("POST", "/v1/b2b/sso/external/gamma", map[string]any{
			"external_organization_id": "alpha", "external_connection_id": w.alphaConn, "display_name": "Alpha IdP"}))
		e.CreateOrg("Delta", "delta") // ada is a member, but delta does not trust alpha's IdP
		createMember(e, "delta", "ada@acme.example")
		activeOIDC(e, "delta")

		before := dbSnapshot(t, e)
		for _, c := range []struct {
			name   string
			body   map[string]any
			status int
			typ    string
		}{
			{"no session", map[string]any{"organization_id": "beta", "session_token": ""}, 400, "no_session_arguments"},
			{"both credentials", map[string]any{"organization_id": "beta", "session_token": w.session.Token, "session_jwt": w.session.JWT}, 400, "too_many_session_arguments"},
			{"no organization", map[string]any{}, 400, "invalid_organization_id"},
			{"unknown organization", map[string]any{"organization_id": "nope"}, 404, "organization_not_found"},
			{"dead session", map[string]any{"organization_id": "beta", "session_token": strings.Repeat("A", len(w.session.Token))}, 404, "session_not_found"},
			{"not a member there", map[string]any{"organization_id": "gamma"}, 404, "member_not_found"},
			{"IdP not trusted there", map[string]any{"organization_id": "delta"}, 400, "insufficient_factors_for_session_exchange"},
			{"bad duration", map[string]any{"organization_id": "beta", "session_duration_minutes": 1}, 400, "invalid_session_duration"},
		} {
			t.Run(c.name, func(t *testing.T) {
				e.T = t
				e.WantError(w.exchange(c.body), c.status, c.typ)
			})
		}
		e.T = t
		if !sameSnapshot(before, dbSnapshot(t, e)) {
			t.Fatal("a refused exchange changed the database")
		}

		// The target's rules.
		e.MustOK(e.Call("PUT", "/v1/b2b/organizations/beta", map[string]any{"auth_methods": "RESTRICTED", "allowed_auth_methods": []string{"magic_link"}}))
		e.WantError(w.exchange(map[string]any{"organization_id": "beta"}), 403, "operation_restricted_by_organization_auth_methods")
		e.MustOK(e.Call("PUT", memberPath("beta", w.adaBeta), map[string]any{"is_breakglass": true}))
		e.MustOK(w.exchange(map[string]any{"organization_id": "beta"}))
		e.MustOK(e.Call("PUT", memberPath("beta", w.adaBeta), map[string]any{"is_breakglass": false}))
		e.MustOK(e.Call("PUT", "/v1/b2b/organizations/beta", map[string]any{"allowed_auth_methods": []string{"sso"}}))
		e.MustOK(w.exchange(map[string]any{"organization_id": "beta"}))
		e.MustOK(e.Call("PUT", "/v1/b2b/organizations/beta", map[string]any{"mfa_policy": "REQUIRED_FOR_ALL"}))
		e.WantError(w.exchange(map[string]any{"organization_id": "beta"}), 400, "insufficient_factors_for_session_exchange")
		e.MustOK(e.Call("PUT", "/v1/b2b/organizations/beta", map[string]any{"mfa_policy": "OPTIONAL"}))

		// Another IdP identity registered for the target member.
		registration(e, w.adaBeta, w.betaConn, "someone-else")
		e.WantError(w.exchange(map[string]any{"organization_id": "beta"}), 400, "insufficient_factors_for_session_exchange")

		// An operator-minted session has no factor to carry over.
		op := mintSession(e, nil, "alpha", w.ada)
		e.WantError(w.exchange(map[string]any{"organization_id": "gamma", "session_token": op.Token}), 404, "member_not_found")
		createMember(e, "gamma", "ada@acme.example")
		e.WantError(w.exchange(map[string]any{"organization_id": "gamma", "session_token": op.Token}), 400, "insufficient_factors_for_session_exchange")

		// Without a registration in the target, the shared email must have been vouched for.
		bo := createMember(e, "alpha", "bo@acme.example")
		boSess := mintSession(e, nil, "alpha", bo, sessions.SSOFactor(store.KindOIDC,
			&store.SSORegistration{ID: "sso-registration-test-00000000-0000-4000-8000-000000000001", ConnectionID: w.alphaConn, ExternalID: "bo"}, e.Clock.Now()))
		createMember(e, "gamma", "bo@acme.example")
		e.WantError(w.exchange(map[string]any{"organization_id": "gamma", "session_token": boSess.Token}), 400, "insufficient_factors_for_session_exchange")
		verifyEmail(e, bo)
		e.MustOK(w.exchange(map[string]any{"organization_id": "gamma", "session_token": boSess.Token}))
	})
}

func TestUnsupportedEndpointsNameTheFeature(t *testing.T) {
	e := apptest.New(t, "sqlite")
	e.CreateOrg("Acme", "acme")
	m := createMember(e, "acme", "m@acme.example")
	e.WantError(e.Call("DELETE", memberPath("acme", m)+"/totp", nil), 404, "feature_not_supported_by_seam")
	e.WantError(e.Call("POST", "/v1/b2b/magic_links/email/login_or_signup", map[string]any{"email_address": "x@acme.example"}), 404, "feature_not_supported_by_seam")
	e.WantError(e.Call("GET", "/v1/b2b/no/such/thing", nil), 404, "route_not_found")
	// A route Seam serves is never shadowed.
	e.MustOK(e.Call("DELETE", memberPath("acme", m), nil))
}
