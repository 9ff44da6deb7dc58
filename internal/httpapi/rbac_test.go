package httpapi_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/apptest"
	"github.com/seamsso/seam/internal/sessions"
	"github.com/seamsso/seam/internal/store"
)

func setOrgRoles(e *apptest.Env, org string, roles ...map[string]any) *apptest.Response {
	e.T.Helper()
	list := []any{}
	for _, r := range roles {
		list = append(list, r)
	}
	return e.Call("PUT", "/v1/b2b/rbac/organizations/"+org, map[string]any{"org_policy": map[string]any{"roles": list}})
}

func customRole(id, resource string, actions ...string) map[string]any {
	return map[string]any{"role_id": id, "description": "test role",
		"permissions": []any{map[string]any{"resource_id": resource, "actions": actions}}}
}

func ssoFactorFor(e *apptest.Env, reg *store.SSORegistration) sessions.Factor {
	return sessions.SSOFactor(store.KindSAML, reg, e.Clock.Now())
}

func TestSSOConnectionRolesNeedAFactorFromTheConnection(t *testing.T) {
	apptest.ForEachBackend(t, func(t *testing.T, backend string) {
		e := apptest.New(t, backend)
		orgID := e.CreateOrg("Acme", "acme")["organization_id"].(string)
		e.MustOK(setOrgRoles(e, "acme", customRole("sso-editor", "stytch.sso", "get", "update")))
		conn := activeSAML(e, "acme", true)
		e.MustOK(e.Call("PUT", samlPath("acme", conn), map[string]any{
			"saml_connection_implicit_role_assignments": roles("sso-editor"),
			"saml_group_implicit_role_assignments":      groupRoles("stytch_admin", "admins"),
		}))
		otherConn := activeSAML(e, "acme", false)
		m := createMember(e, "acme", "ada@acme.example")
		reg := registration(e, m, conn, "ada-nameid", "admins", "eng")
		otherReg := registration(e, m, otherConn, "ada-other")

		got := e.MustOK(e.Call("GET", "/v1/b2b/organizations/acme/member?member_id="+m, nil)).Obj("member")
		want := []string{"stytch_member:direct_assignment", "sso-editor:sso_connection:" + conn, "stytch_admin:sso_connection_group:" + conn + ":admins"}
		if !slices.Equal(roleSources(got), want) {
			t.Errorf("member roles = %v, want %v", roleSources(got), want)
		}
		if regs := got["sso_registrations"].([]any); len(regs) != 2 || regs[0].(map[string]any)["registration_id"] != reg.ID ||
			jsonString(t, regs[0].(map[string]any)["sso_attributes"]) != `{"department":"eng","groups":["admins","eng"]}` {
			t.Errorf("sso_registrations = %v", regs)
		}

		sessionRoles := func(s minted) []string {
			t.Helper()
			r := e.MustOK(e.Call("POST", "/v1/b2b/sessions/authenticate", map[string]any{"session_token": s.Token}))
			return toStrings(r.Obj("member_session")["roles"])
		}
		getConns := func(s minted) *apptest.Response {
			return e.Do(apptest.Request{Method: "GET", Path: "/v1/b2b/sso/acme", Header: sessionHeaders(s.Token, "")})
		}

		// No SSO factor: the connection's roles do not count.
		plain := mintSession(e, nil, "acme", m)
		if r := sessionRoles(plain); !slices.Equal(r, []string{"stytch_member"}) {
			t.Errorf("roles without SSO factor = %v", r)
		}
		e.WantError(getConns(plain), 403, "session_authorization_error")
		// A factor from another connection does not help either.
		other := mintSession(e, nil, "acme", m, ssoFactorFor(e, otherReg))
		if r := sessionRoles(other); !slices.Equal(r, []string{"stytch_member"}) {
			t.Errorf("roles with another connection's factor = %v", r)
		}
		e.WantError(getConns(other), 403, "session_authorization_error")
		// A factor from the connection brings both implicit roles.
		sso := mintSession(e, nil, "acme", m, ssoFactorFor(e, reg))
		if r := sessionRoles(sso); !slices.Equal(r, []string{"stytch_member", "sso-editor", "stytch_admin"}) {
			t.Errorf("roles with the connection's factor = %v", r)
		}
		e.MustOK(getConns(sso))
		if c := jwtPayload(t, sso.JWT)["https://stytch.com/session"].(map[string]any); !slices.Equal(toStrings(c["roles"]), []string{"stytch_member", "sso-editor", "stytch_admin"}) {
			t.Errorf("JWT roles = %v", c["roles"])
		}
		v := e.MustOK(e.Call("POST", "/v1/b2b/sessions/authenticate", map[string]any{"session_jwt": sso.JWT,
			"authorization_check": map[string]string{"organization_id": orgID, "resource_id": "stytch.sso", "action": "update"}})).Obj("verdict")
		if !slices.Equal(toStrings(v["granting_roles"]), []string{"stytch_admin", "sso-editor"}) {
			t.Errorf("granting roles = %v", v["granting_roles"])
		}

		// Adding the SSO factor to the plain session (the login pipeline's
		// "authenticate with session_token") keeps its token and adds the roles.
		ctx := context.Background()
		p, _ := e.App.Store.GetProject(ctx, e.Creds.ProjectID)
		o, _ := e.App.Orgs.Get(ctx, e.App.Store, p.ID, "acme")
		mem, _ := e.App.Members.Get(ctx, e.App.Store, o, m)
		out, err := e.App.Sessions.Grant(ctx, p, o, mem, sessions.Grant{Factor: ssoFactorFor(e, reg), SessionToken: plain.Token})
		if err != nil {
			t.Fatal(err)
		}
		if out.Session.ID != plain.ID || out.Token != plain.Token || !slices.Equal(out.Roles, []string{"stytch_member", "sso-editor", "stytch_admin"}) {
			t.Errorf("grant on the existing session = %+v", out)
		}
		if f := jwtPayload(t, out.JWT)["https://stytch.com/session"].(map[string]any)["authentication_factors"].([]any); len(f) != 2 {
			t.Errorf("factors after adding one = %v", f)
		}
		e.MustOK(getConns(plain))
		// Another member's session cannot be extended with this member's factor.
		bo := createMember(e, "acme", "bo@acme.example")
		boSession := mintSession(e, nil, "acme", bo)
		if _, err := e.App.Sessions.Grant(ctx, p, o, mem, sessions.Grant{Factor: ssoFactorFor(e, reg), SessionToken: boSession.Token}); err == nil ||
			apierr.TypeOf(err) != "session_member_mismatch" {
			t.Errorf("grant on another member's session: %v", err)
		}

		// Email-domain roles count without any factor.
		e.MustOK(e.Call("PUT", "/v1/b2b/organizations/acme", map[string]any{
			"rbac_email_implicit_role_assignments": []map[string]string{{"domain": "acme.example", "role_id": "sso-editor"}},
		}))
		if r := sessionRoles(boSession); !slices.Equal(r, []string{"stytch_member", "sso-editor"}) {
			t.Errorf("roles with an email assignment = %v", r)
		}
		got = e.MustOK(e.Call("GET", "/v1/b2b/organizations/acme/member?member_id="+bo, nil)).Obj("member")
		if want := []string{"stytch_member:direct_assignment", "sso-editor:email_assignment:acme.example"}; !slices.Equal(roleSources(got), want) {
			t.Errorf("email roles = %v", roleSources(got))
		}
		// Removing the organization role removes it from members and sessions.
		e.MustOK(setOrgRoles(e, "acme"))
		if r := sessionRoles(sso); !slices.Equal(r, []string{"stytch_member", "stytch_admin"}) {
			t.Errorf("roles after the org role was removed = %v", r)
		}
	})
}

func TestRemovingDirectRolesRevokesSSOSessions(t *testing.T) {
	apptest.ForEachBackend(t, func(t *testing.T, backend string) {
		e := apptest.New(t, backend)
		e.CreateOrg("Acme", "acme")
		conn := activeSAML(e, "acme", true)
		e.MustOK(e.Call("PUT", samlPath("acme", conn), map[string]any{"saml_group_implicit_role_assignments": groupRoles("stytch_admin", "admins")}))
		for _, preserve := range []bool{false, true} {
			m := createMember(e, "acme", fmt.Sprintf("m-%v@acme.example", preserve), "stytch_admin")
			reg := registration(e, m, conn, "nameid-"+m, "admins")
			ssoSession := mintSession(e, nil, "acme", m, ssoFactorFor(e, reg))
			plainSession := mintSession(e, nil, "acme", m)
			e.MustOK(e.Call("PUT", memberPath("acme", m), map[string]any{"roles": []string{}, "preserve_existing_sessions": preserve}))
			r := e.Call("POST", "/v1/b2b/sessions/authenticate", map[string]any{"session_token": ssoSession.Token})
			if preserve && r.Status != 200 || !preserve && r.ErrorType() != "session_not_found" {
				t.Errorf("preserve=%v: SSO session after role removal: %d %s", preserve, r.Status, r.Raw)
			}
			// The session without an SSO factor never held the role through the connection.
			e.MustOK(e.Call("POST", "/v1/b2b/sessions/authenticate", map[string]any{"session_token": plainSession.Token}))
		}
	})
}

func TestMemberEndpointsRBAC(t *testing.T) {
	apptest.ForEachBackend(t, func(t *testing.T, backend string) {
		e := apptest.New(t, backend)
		e.CreateOrg("Acme", "acme")
		e.CreateOrg("Other", "other")
		admin := createMember(e, "acme", "admin@acme.example", "stytch_admin")
		plain := createMember(e, "acme", "plain@acme.example")
		victim := createMember(e, "acme", "victim@acme.example")
		otherAdmin := createMember(e, "other", "admin@other.example", "stytch_admin")
		as := func(m string, org ...string) map[string]string {
			o := "acme"
			if len(org) > 0 {
				o = org[0]
			}
			return sessionHeaders(mintSession(e, nil, o, m).Token, "")
		}
		adminH, plainH, otherH := as(admin), as(plain), as(otherAdmin, "other")
		snapshot := func() string {
			r := e.MustOK(e.Call("POST", "/v1/b2b/organizations/members/search", map[string]any{"organization_ids": []string{"acme", "other"}}))
			return stripRequestID(r.Raw)
		}
		cases := []struct {
			name         string
			method, path string
			body         any
			headers      map[string]string
			status       int
			errorType    string
		}{
			{"create as admin", "POST", "/v1/b2b/organizations/acme/members", map[string]any{"email_address": "new@acme.example"}, adminH, 200, ""},
			{"create as member", "POST", "/v1/b2b/organizations/acme/members", map[string]any{"email_address": "new2@acme.example"}, plainH, 403, "session_authorization_error"},
			{"create as another org's admin", "POST", "/v1/b2b/organizations/acme/members", map[string]any{"email_address": "new3@acme.example"}, otherH, 403, "session_authorization_tenancy_error"},
			{"rename self (stytch.self)", "PUT", memberPath("acme", plain), map[string]any{"name": "Me"}, plainH, 200, ""},
			{"rename another member", "PUT", memberPath("acme", victim), map[string]any{"name": "Pwned"}, plainH, 403, "session_authorization_error"},
			{"own roles need stytch.member", "PUT", memberPath("acme", plain), map[string]any{"roles": []string{"stytch_admin"}}, plainH, 403, "session_authorization_error"},
			{"admin sets roles", "PUT", memberPath("acme", victim), map[string]any{"roles": []string{"stytch_admin"}}, adminH, 200, ""},
			{"trusted metadata with a session", "PUT", memberPath("acme", victim), map[string]any{"trusted_metadata": map[string]any{"a": 1}}, adminH, 401, "cannot_update_trusted_metadata"},
			{"own email", "PUT", memberPath("acme", admin), map[string]any{"email_address": "boss@acme.example"}, adminH, 403, "session_authorization_error"},
			{"another org's admin updates", "PUT", memberPath("acme", victim), map[string]any{"name": "x"}, otherH, 403, "session_authorization_tenancy_error"},
			{"search as member", "POST", "/v1/b2b/organizations/members/search", map[string]any{"organization_ids": []string{"acme"}}, plainH, 403, "session_authorization_error"},
			{"search across organizations", "POST", "/v1/b2b/organizations/members/search", map[string]any{"organization_ids": []string{"acme", "other"}}, adminH, 403, "session_authorization_tenancy_error"},
			{"search as admin", "POST", "/v1/b2b/organizations/members/search", map[string]any{"organization_ids": []string{"acme"}}, adminH, 200, ""},
			{"revoke another member's sessions", "POST", "/v1/b2b/sessions/revoke", map[string]any{"member_id": admin}, plainH, 403, "session_authorization_error"},
			{"revoke another org's member's sessions", "POST", "/v1/b2b/sessions/revoke", map[string]any{"member_id": otherAdmin}, adminH, 403, "session_authorization_tenancy_error"},
			{"delete another member", "DELETE", memberPath("acme", admin), nil, plainH, 403, "session_authorization_error"},
			{"delete from another org", "DELETE", memberPath("acme", victim), nil, otherH, 403, "session_authorization_tenancy_error"},
			{"bad session", "DELETE", memberPath("acme", victim), nil, sessionHeaders("nope", ""), 404, "session_not_found"},
			{"delete as admin", "DELETE", memberPath("acme", victim), nil, adminH, 200, ""},
			{"revoke own sessions (stytch.self)", "POST", "/v1/b2b/sessions/revoke", map[string]any{"member_id": plain}, plainH, 200, ""},
		}
		for _, c := range cases {
			before := snapshot()
			r := e.Do(apptest.Request{Method: c.method, Path: c.path, Body: c.body, Header: c.headers})
			if c.status == 200 {
				if r.Status != 200 {
					t.Errorf("%s: %d %s", c.name, r.Status, r.Raw)
				}
				continue
			}
			if r.Status != c.status || r.ErrorType() != c.errorType {
				t.Errorf("%s: got %d %q, want %d %q", c.name, r.Status, r.ErrorType(), c.status, c.errorType)
			}
			if snapshot() != before {
				t.Errorf("%s: a refused call changed members", c.name)
			}
		}
		// A member may delete itself (stytch.self delete).
		self := createMember(e, "acme", "self@acme.example")
		e.MustOK(e.Do(apptest.Request{Method: "DELETE", Path: memberPath("acme", self), Header: as(self)}))
	})
}

func TestOrganizationRBAC(t *testing.T) {
	apptest.ForEachBackend(t, func(t *testing.T, backend string) {
		e := apptest.New(t, backend)
		e.CreateOrg("Acme", "acme")
		e.CreateOrg("Other", "other")
		e.MustOK(setOrgRoles(e, "acme", customRole("renamer", "stytch.organization", "update.info.name")))
		admin := createMember(e, "acme", "admin@acme.example", "stytch_admin")
		renamer := createMember(e, "acme", "renamer@acme.example", "renamer")
		plain := createMember(e, "acme", "plain@acme.example")
		otherAdmin := createMember(e, "other", "admin@other.example", "stytch_admin")
		h := func(org, m string) map[string]string { return sessionHeaders("", mintSession(e, nil, org, m).JWT) }
		adminH, renamerH, plainH, otherH := h("acme", admin), h("acme", renamer), h("acme", plain), h("other", otherAdmin)
		snapshot := func() string {
			return stripRequestID(e.MustOK(e.Call("GET", "/v1/b2b/organizations/acme", nil)).Raw)
		}
		cases := []struct {
			name      string
			method    string
			body      map[string]any
			headers   map[string]string
			status    int
			errorType string
		}{
			{"rename with update.info.name", "PUT", map[string]any{"organization_name": "Acme 2"}, renamerH, 200, ""},
			{"slug without update.info.slug", "PUT", map[string]any{"organization_slug": "acme-2"}, renamerH, 403, "session_authorization_error"},
			{"name and slug need both", "PUT", map[string]any{"organization_name": "Acme 3", "organization_slug": "acme-3"}, renamerH, 403, "session_authorization_error"},
			{"member without permission", "PUT", map[string]any{"organization_name": "x"}, plainH, 403, "session_authorization_error"},
			{"admin of another organization", "PUT", map[string]any{"organization_name": "x"}, otherH, 403, "session_authorization_tenancy_error"},
			{"trusted metadata with a session", "PUT", map[string]any{"trusted_metadata": map[string]any{"a": 1}}, adminH, 401, "cannot_update_trusted_metadata"},
			{"JIT settings need sso-jit-provisioning", "PUT", map[string]any{"sso_jit_provisioning": "NOT_ALLOWED"}, renamerH, 403, "session_authorization_error"},
			{"external ID needs every action", "PUT", map[string]any{"organization_external_id": "acme-ext"}, renamerH, 403, "session_authorization_error"},
			{"admin changes settings", "PUT", map[string]any{"sso_jit_provisioning": "NOT_ALLOWED", "mfa_policy": "OPTIONAL", "organization_external_id": "acme-ext"}, adminH, 200, ""},
			{"forged session", "PUT", map[string]any{"organization_name": "x"}, sessionHeaders("", "a.b.c"), 401, "unable_to_parse_session_jwt"},
			{"delete as member", "DELETE", nil, plainH, 403, "session_authorization_error"},
			{"delete as renamer", "DELETE", nil, renamerH, 403, "session_authorization_error"},
			{"delete from another organization", "DELETE", nil, otherH, 403, "session_authorization_tenancy_error"},
			{"delete as admin", "DELETE", nil, adminH, 200, ""},
		}
		for _, c := range cases {
			before := snapshot()
			var body any
			if c.body != nil {
				body = c.body
			}
			r := e.Do(apptest.Request{Method: c.method, Path: "/v1/b2b/organizations/acme", Body: body, Header: c.headers})
			if c.status == 200 {
				if r.Status != 200 {
					t.Errorf("%s: %d %s", c.name, r.Status, r.Raw)
				}
				continue
			}
			if r.Status != c.status || r.ErrorType() != c.errorType {
				t.Errorf("%s: got %d %q, want %d %q", c.name, r.Status, r.ErrorType(), c.status, c.errorType)
			}
			if snapshot() != before {
				t.Errorf("%s: a refused call changed the organization", c.name)
			}
		}
		e.WantError(e.Call("GET", "/v1/b2b/organizations/acme", nil), 404, "organization_not_found")
	})
}

func TestRBACPolicyEndpoints(t *testing.T) {
	apptest.ForEachBackend(t, func(t *testing.T, backend string) {
		e := apptest.New(t, backend)
		e.CreateOrg("Acme", "acme")
		p := e.MustOK(e.Call("GET", "/v1/b2b/rbac/policy", nil)).Obj("policy")
		var roleIDs []string
		for _, r := range p["roles"].([]any) {
			roleIDs = append(roleIDs, r.(map[string]any)["role_id"].(string))
		}
		if !slices.Equal(roleIDs, []string{"stytch_member", "stytch_admin"}) || len(p["resources"].([]any)) < 5 || jsonString(t, p["scopes"]) != "[]" {
			t.Fatalf("policy = %v", p)
		}
		e.WantError(e.Do(apptest.Request{Method: "GET", Path: "/v1/b2b/rbac/policy", NoAuth: true}), 401, "unauthorized_credentials")

		if got := e.MustOK(e.Call("GET", "/v1/b2b/rbac/organizations/acme", nil)).Obj("org_policy"); jsonString(t, got["roles"]) != "[]" {
			t.Errorf("empty org policy = %v", got)
		}
		role := customRole("auditor", "stytch.member", "search")
		set := e.MustOK(setOrgRoles(e, "acme", role)).Obj("org_policy")
		got := e.MustOK(e.Call("GET", "/v1/b2b/rbac/organizations/acme", nil)).Obj("org_policy")
		if jsonString(t, got) != jsonString(t, set) || got["roles"].([]any)[0].(map[string]any)["role_id"] != "auditor" {
			t.Errorf("org policy = %v after set %v", got, set)
		}
		if org := e.MustOK(e.Call("GET", "/v1/b2b/organizations/acme", nil)).Obj("organization"); jsonString(t, org["custom_roles"]) != jsonString(t, got["roles"]) {
			t.Errorf("organization custom_roles = %v", org["custom_roles"])
		}
		errCases := []struct {
			roles     []map[string]any
			errorType string
		}{
			{[]map[string]any{customRole("stytch_x", "stytch.member", "search")}, "invalid_rbac_stytch_role_edit"},
			{[]map[string]any{customRole("stytch_admin", "stytch.member", "search")}, "invalid_rbac_stytch_role_edit"},
			{[]map[string]any{customRole("r", "documents", "read")}, "invalid_permission_resource"},
			{[]map[string]any{customRole("r", "stytch.sso", "fly")}, "invalid_permission_action"},
			{[]map[string]any{customRole("r", "stytch.sso", "get"), customRole("r", "stytch.sso", "get")}, "rbac_role_duplicate"},
		}
		for _, c := range errCases {
			e.WantError(setOrgRoles(e, "acme", c.roles...), 400, c.errorType)
		}
		e.WantError(e.Call("PUT", "/v1/b2b/rbac/organizations/acme", map[string]any{}), 400, "invalid_argument")
		e.WantError(setOrgRoles(e, "nope"), 404, "organization_not_found")
		e.WantError(e.Call("GET", "/v1/b2b/rbac/organizations/nope", nil), 404, "organization_not_found")
		if got := e.MustOK(e.Call("GET", "/v1/b2b/rbac/organizations/acme", nil)).Obj("org_policy"); jsonString(t, got) != jsonString(t, set) {
			t.Errorf("refused updates changed the org policy: %v", got)
		}
	})
}
