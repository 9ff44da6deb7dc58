package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seamsso/seam/internal/apptest"
	"github.com/seamsso/seam/internal/rbac"
	"github.com/seamsso/seam/internal/store"
)

func externalPath(org, conn string) string {
	return "/v1/b2b/sso/external/" + org + "/connections/" + conn
}

// activeSAML creates an active SAML connection in org; withGroups adds a
// "groups" key to its attribute_mapping.
func activeSAML(e *apptest.Env, org string, withGroups bool) string {
	e.T.Helper()
	id := createSAML(e, org)["connection_id"].(string)
	cert, _ := testCert(e.T.(*testing.T), "idp-"+org)
	mapping := map[string]any{"email": "mail", "full_name": "cn"}
	if withGroups {
		mapping["groups"] = "memberOf"
	}
	c := e.MustOK(e.Call("PUT", samlPath(org, id), map[string]any{
		"idp_entity_id": "https://idp.example.com/" + org, "idp_sso_url": "https://idp.example.com/" + org + "/sso",
		"attribute_mapping": mapping, "x509_certificate": cert,
	})).Obj("connection")
	if c["status"] != "active" {
		e.T.Fatalf("SAML connection not active: %v", c)
	}
	return id
}

// activeOIDC creates an active OIDC connection in org without discovery
// (the issuer is unreachable; the endpoints are given explicitly).
func activeOIDC(e *apptest.Env, org string) string {
	e.T.Helper()
	id := createOIDC(e, org)["connection_id"].(string)
	c := e.MustOK(e.Call("PUT", oidcPath(org, id), map[string]any{
		"issuer": "https://10.255.255.1/" + org, "client_id": "cid", "client_secret": "sek",
		"authorization_url": "https://idp.example.com/authorize", "token_url": "https://idp.example.com/token",
		"userinfo_url": "https://idp.example.com/userinfo", "jwks_url": "https://idp.example.com/jwks",
	})).Obj("connection")
	if c["status"] != "active" {
		e.T.Fatalf("OIDC connection not active: %v", c)
	}
	return id
}

func externalConns(e *apptest.Env, org string) []any {
	e.T.Helper()
	return e.MustOK(e.Call("GET", "/v1/b2b/sso/"+org, nil)).Body["external_connections"].([]any)
}

func roles(ids ...string) []map[string]string {
	out := []map[string]string{}
	for _, id := range ids {
		out = append(out, map[string]string{"role_id": id})
	}
	return out
}

func groupRoles(pairs ...string) []map[string]string {
	out := []map[string]string{}
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, map[string]string{"role_id": pairs[i], "group": pairs[i+1]})
	}
	return out
}

func TestExternalConnectionLifecycle(t *testing.T) {
	apptest.ForEachBackend(t, func(t *testing.T, backend string) {
		e := apptest.New(t, backend)
		idp := e.CreateOrg("IdP Co", "idp-co")
		idpID := idp["organization_id"].(string)
		acme := e.CreateOrg("Acme", "acme")
		acmeID := acme["organization_id"].(string)
		src := activeSAML(e, "idp-co", true)

		r := e.MustOK(e.Call("POST", "/v1/b2b/sso/external/acme", map[string]any{
			"organization_id": acmeID, "external_organization_id": "idp-co", "external_connection_id": src,
			"display_name":                         "IdP Co SSO",
			"connection_implicit_role_assignments": roles("stytch_admin"),
			"group_implicit_role_assignments":      groupRoles("stytch_admin", "admins"),
		}))
		c := r.Obj("connection")
		id, _ := c["connection_id"].(string)
		if !strings.HasPrefix(id, "external-connection-test-") || c["organization_id"] != acmeID || c["status"] != "active" ||
			c["external_organization_id"] != idpID || c["external_connection_id"] != src || c["display_name"] != "IdP Co SSO" {
			t.Fatalf("created = %s", r.Raw)
		}
		if got := jsonString(t, c["external_connection_implicit_role_assignments"]); got != `[{"role_id":"stytch_admin"}]` {
			t.Errorf("connection roles = %s", got)
		}
		if got := jsonString(t, c["external_group_implicit_role_assignments"]); got != `[{"group":"admins","role_id":"stytch_admin"}]` {
			t.Errorf("group roles = %s", got)
		}
		// Listed in external_connections, and active in the organization.
		list := e.MustOK(e.Call("GET", "/v1/b2b/sso/acme", nil))
		if ext := list.Body["external_connections"].([]any); len(ext) != 1 || jsonString(t, ext[0]) != jsonString(t, c) {
			t.Fatalf("list = %s", list.Raw)
		}
		if len(list.Body["saml_connections"].([]any)) != 0 {
			t.Fatalf("the source is listed in the external organization: %s", list.Raw)
		}
		o := e.MustOK(e.Call("GET", "/v1/b2b/organizations/acme", nil)).Obj("organization")
		if ac := o["sso_active_connections"].([]any); len(ac) != 1 || ac[0].(map[string]any)["connection_id"] != id {
			t.Fatalf("sso_active_connections = %v", o["sso_active_connections"])
		}

		// Update (seed 000): every field, then partial updates.
		u := e.MustOK(e.Call("PUT", externalPath("acme", id), map[string]any{
			"organization_id": "acme", "connection_id": id, "display_name": "Renamed",
			"external_connection_implicit_role_assignments": []any{},
			"external_group_implicit_role_assignments":      groupRoles("stytch_admin", "ops", "stytch_admin", "admins"),
		})).Obj("connection")
		if u["display_name"] != "Renamed" || u["status"] != "active" || jsonString(t, u["external_connection_implicit_role_assignments"]) != `[]` ||
			len(u["external_group_implicit_role_assignments"].([]any)) != 2 || u["external_connection_id"] != src {
			t.Fatalf("updated = %v", u)
		}
		p := e.MustOK(e.Call("PUT", externalPath(acmeID, id), map[string]any{
			"external_connection_implicit_role_assignments": roles("stytch_admin"),
			"display_name": nil, "external_group_implicit_role_assignments": nil,
		})).Obj("connection")
		if p["display_name"] != "Renamed" || len(p["external_group_implicit_role_assignments"].([]any)) != 2 ||
			jsonString(t, p["external_connection_implicit_role_assignments"]) != `[{"role_id":"stytch_admin"}]` {
			t.Fatalf("partial update = %v", p)
		}
		empty := e.MustOK(e.Call("PUT", externalPath("acme", id), map[string]any{})).Obj("connection")
		if jsonString(t, empty) != jsonString(t, p) {
			t.Fatalf("an empty update changed the connection:\n%v\n%v", p, empty)
		}

		// Delete the external connection itself.
		e.MustOK(e.Call("DELETE", "/v1/b2b/sso/acme/connections/"+id, nil))
		if n := len(externalConns(e, "acme")); n != 0 {
			t.Fatalf("%d external connections after delete", n)
		}
		e.WantError(e.Call("PUT", externalPath("acme", id), map[string]any{"display_name": "x"}), 404, "external_connection_not_found")
		if n := len(e.MustOK(e.Call("GET", "/v1/b2b/sso/idp-co", nil)).Body["saml_connections"].([]any)); n != 1 {
			t.Fatal("deleting the external connection deleted its source")
		}

		// Deleting the source cascades: the external connection disappears,
		// also from the organization's default and JIT allow-list.
		id2 := e.MustOK(e.Call("POST", "/v1/b2b/sso/external/acme", map[string]any{
			"external_organization_id": idpID, "external_connection_id": src,
		})).Obj("connection")["connection_id"].(string)
		e.MustOK(e.Call("PUT", "/v1/b2b/organizations/acme", map[string]any{
			"sso_default_connection_id": id2, "sso_jit_provisioning": "RESTRICTED", "sso_jit_provisioning_allowed_connections": []string{id2},
		}))
		e.MustOK(e.Call("DELETE", "/v1/b2b/sso/idp-co/connections/"+src, nil))
		if n := len(externalConns(e, "acme")); n != 0 {
			t.Fatalf("%d external connections after deleting the source", n)
		}
		e.WantError(e.Call("PUT", externalPath("acme", id2), map[string]any{"display_name": "x"}), 404, "external_connection_not_found")
		if _, err := e.App.Store.GetConnectionByID(context.Background(), id2); err == nil {
			t.Fatal("the external connection is still stored")
		}
		o = e.MustOK(e.Call("GET", "/v1/b2b/organizations/acme", nil)).Obj("organization")
		if o["sso_default_connection_id"] != nil && o["sso_default_connection_id"] != "" {
			t.Errorf("sso_default_connection_id still names the deleted connection: %v", o["sso_default_connection_id"])
		}
		if l := o["sso_jit_provisioning_allowed_connections"].([]any); len(l) != 0 {
			t.Errorf("JIT allow-list still names the deleted connection: %v", l)
		}
		if ac := o["sso_active_connections"].([]any); len(ac) != 0 {
			t.Errorf("sso_active_connections = %v", ac)
		}
	})
}

func TestExternalConnectionFromOIDCSource(t *testing.T) {
	apptest.ForEachBackend(t, func(t *testing.T, backend string) {
		e := apptest.New(t, backend)
		e.CreateOrg("IdP Co", "idp-co")
		e.CreateOrg("Acme", "acme")
		src := activeOIDC(e, "idp-co")
		before := externalConns(e, "acme")
		// Stytch: implicit role assignments are not supported when the
		// underlying connection is an OIDC connection.
		for _, body := range []map[string]any{
			{"group_implicit_role_assignments": groupRoles("stytch_admin", "admins")},
			{"connection_implicit_role_assignments": roles("stytch_admin")},
		} {
			body["external_organization_id"], body["external_connection_id"] = "idp-co", src
			e.WantError(e.Call("POST", "/v1/b2b/sso/external/acme", body), 400, "invalid_rbac_role_assignment")
		}
		if after := externalConns(e, "acme"); len(after) != len(before) {
			t.Fatalf("a refused create stored a connection: %v", after)
		}
		c := e.MustOK(e.Call("POST", "/v1/b2b/sso/external/acme", map[string]any{
			"external_organization_id": "idp-co", "external_connection_id": src, "display_name": "via OIDC",
			"connection_implicit_role_assignments": []any{}, "group_implicit_role_assignments": []any{},
		})).Obj("connection")
		id := c["connection_id"].(string)
		if c["status"] != "active" || c["external_connection_id"] != src {
			t.Fatalf("created = %v", c)
		}
		e.WantError(e.Call("PUT", externalPath("acme", id), map[string]any{
			"display_name": "x", "external_group_implicit_role_assignments": groupRoles("stytch_admin", "admins"),
		}), 400, "invalid_rbac_role_assignment")
		e.WantError(e.Call("PUT", externalPath("acme", id), map[string]any{
			"external_connection_implicit_role_assignments": roles("stytch_admin"),
		}), 400, "invalid_rbac_role_assignment")
		if got := externalConns(e, "acme")[0].(map[string]any); got["display_name"] != "via OIDC" {
			t.Fatalf("a refused update changed the connection: %v", got)
		}
		e.MustOK(e.Call("PUT", externalPath("acme", id), map[string]any{"display_name": "still fine"}))
		// Deleting the OIDC source cascades too.
		e.MustOK(e.Call("DELETE", "/v1/b2b/sso/idp-co/connections/"+src, nil))
		if n := len(externalConns(e, "acme")); n != 0 {
			t.Fatalf("%d external connections after deleting the OIDC source", n)
		}
	})
}

func TestExternalConnectionValidation(t *testing.T) {
	e := apptest.New(t, "sqlite")
	idp := e.CreateOrg("IdP Co", "idp-co")
	idpID := idp["organization_id"].(string)
	acme := e.CreateOrg("Acme", "acme")
	e.CreateOrg("Third", "third")
	// Organizations may be named by external ID too.
	e.MustOK(e.Call("PUT", "/v1/b2b/organizations/idp-co", map[string]any{"organization_external_id": "idp-ext-1"}))
	src := activeSAML(e, "idp-co", false)
	srcGroups := activeSAML(e, "idp-co", true)
	pending := createSAML(e, "idp-co")["connection_id"].(string)
	thirdConn := activeSAML(e, "third", true)
	// An External connection in "third" cannot itself be a source.
	chained := e.MustOK(e.Call("POST", "/v1/b2b/sso/external/third", map[string]any{
		"external_organization_id": "idp-co", "external_connection_id": src,
	})).Obj("connection")["connection_id"].(string)
	// A custom role that exists only in the source organization.
	setCustomRole(t, e, idpID, "idp_only_role")

	p2 := e.NewProject("test")
	foreign := e.MustOK(e.Do(apptest.Request{Method: "POST", Path: "/v1/b2b/organizations", Creds: p2,
		Body: map[string]any{"organization_name": "Foreign", "organization_slug": "foreign"}})).Obj("organization")

	cases := []struct {
		name    string
		body    map[string]any
		status  int
		errType string
	}{
		{"missing organization", map[string]any{"external_organization_id": ""}, 400, "invalid_request_value"},
		{"missing connection", map[string]any{"external_connection_id": ""}, 400, "invalid_request_value"},
		{"same organization by slug", map[string]any{"external_organization_id": "acme"}, 400, "external_organization_id_same_as_organization_id"},
		{"same organization by id", map[string]any{"external_organization_id": acme["organization_id"]}, 400, "external_organization_id_same_as_organization_id"},
		{"unknown organization", map[string]any{"external_organization_id": "organization-test-00000000-0000-4000-8000-000000000000"}, 404, "organization_not_found"},
		{"organization of another project", map[string]any{"external_organization_id": foreign["organization_id"]}, 404, "organization_not_found"},
		{"unknown connection", map[string]any{"external_connection_id": "saml-connection-test-00000000-0000-4000-8000-000000000000"}, 404, "external_connection_id_not_found"},
		{"connection of another organization", map[string]any{"external_connection_id": thirdConn}, 404, "external_connection_id_not_found"},
		{"external connection as source", map[string]any{"external_organization_id": "third", "external_connection_id": chained}, 404, "external_connection_id_not_found"},
		{"pending source", map[string]any{"external_connection_id": pending}, 400, "external_connection_not_active"},
		{"group roles without groups key", map[string]any{"group_implicit_role_assignments": groupRoles("stytch_admin", "admins")}, 400, "saml_connection_attribute_mapping_missing_groups_key"},
		{"unknown role", map[string]any{"connection_implicit_role_assignments": roles("nope")}, 400, "invalid_rbac_role_id"},
		{"role of the source organization only", map[string]any{"connection_implicit_role_assignments": roles("idp_only_role")}, 400, "invalid_rbac_role_id"},
		{"default role", map[string]any{"connection_implicit_role_assignments": roles("stytch_member")}, 400, "cannot_assign_default_rbac_role_id"},
		{"unknown group role", map[string]any{"external_connection_id": srcGroups, "group_implicit_role_assignments": groupRoles("nope", "g")}, 400, "invalid_rbac_role_id"},
		{"empty group name", map[string]any{"external_connection_id": srcGroups, "group_implicit_role_assignments": groupRoles("stytch_admin", " ")}, 400, "invalid_rbac_role_assignment"},
		{"long display name", map[string]any{"display_name": strings.Repeat("d", 129)}, 400, "invalid_display_name"},
		{"wrong type", map[string]any{"connection_implicit_role_assignments": "stytch_admin"}, 400, "invalid_request_value"},
		{"organization id mismatch", map[string]any{"organization_id": idpID}, 400, "invalid_request_value"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			body := map[string]any{"external_organization_id": "idp-co", "external_connection_id": src, "display_name": "x"}
			for k, v := range tc.body {
				body[k] = v
			}
			e.WantError(e.Call("POST", "/v1/b2b/sso/external/acme", body), tc.status, tc.errType)
			if n := len(externalConns(e, "acme")); n != 0 {
				t.Fatalf("a refused create stored %d connections", n)
			}
		})
	}

	// The organization may be named by ID, slug or external ID; one
	// external connection per (organization, source).
	id := e.MustOK(e.Call("POST", "/v1/b2b/sso/external/acme", map[string]any{
		"external_organization_id": "idp-ext-1", "external_connection_id": srcGroups,
		"group_implicit_role_assignments": groupRoles("stytch_admin", "admins"),
	})).Obj("connection")["connection_id"].(string)
	for _, ref := range []string{"idp-co", idpID, "idp-ext-1"} {
		e.WantError(e.Call("POST", "/v1/b2b/sso/external/acme", map[string]any{
			"external_organization_id": ref, "external_connection_id": srcGroups,
		}), 400, "duplicate_external_sso_connection")
	}
	// Another source of the same organization is fine.
	e.MustOK(e.Call("POST", "/v1/b2b/sso/external/acme", map[string]any{"external_organization_id": idpID, "external_connection_id": src}))
	if n := len(externalConns(e, "acme")); n != 2 {
		t.Fatalf("%d external connections, want 2", n)
	}

	// Update rules; a rejected update changes nothing.
	updates := []struct {
		name    string
		body    map[string]any
		status  int
		errType string
	}{
		{"unknown role", map[string]any{"external_connection_implicit_role_assignments": roles("nope")}, 400, "invalid_rbac_role_id"},
		{"source organization's role", map[string]any{"external_connection_implicit_role_assignments": roles("idp_only_role")}, 400, "invalid_rbac_role_id"},
		{"default role", map[string]any{"external_group_implicit_role_assignments": groupRoles("stytch_member", "g")}, 400, "cannot_assign_default_rbac_role_id"},
		{"empty group", map[string]any{"external_group_implicit_role_assignments": groupRoles("stytch_admin", "")}, 400, "invalid_rbac_role_assignment"},
		{"long display name", map[string]any{"display_name": strings.Repeat("d", 129)}, 400, "invalid_display_name"},
		{"wrong type", map[string]any{"display_name": 7}, 400, "invalid_request_value"},
		{"unknown field type", map[string]any{"external_group_implicit_role_assignments": map[string]any{}}, 400, "invalid_request_value"},
		{"connection id mismatch", map[string]any{"connection_id": "external-connection-test-other"}, 400, "invalid_request_value"},
	}
	for _, tc := range updates {
		t.Run("update "+tc.name, func(t *testing.T) {
			before := e.MustOK(e.Call("GET", "/v1/b2b/sso/acme", nil)).Raw
			body := map[string]any{"display_name": "should not stick", "external_connection_implicit_role_assignments": roles("stytch_admin")}
			for k, v := range tc.body {
				body[k] = v
			}
			e.WantError(e.Call("PUT", externalPath("acme", id), body), tc.status, tc.errType)
			if after := e.MustOK(e.Call("GET", "/v1/b2b/sso/acme", nil)).Raw; stripRequestID(before) != stripRequestID(after) {
				t.Fatalf("a rejected update changed connections:\nbefore %s\nafter  %s", before, after)
			}
		})
	}
	// Group roles on an external connection whose source lacks the
	// "groups" key are refused on update too.
	noGroups := externalConns(e, "acme")[1].(map[string]any)["connection_id"].(string)
	e.WantError(e.Call("PUT", externalPath("acme", noGroups), map[string]any{
		"external_group_implicit_role_assignments": groupRoles("stytch_admin", "admins"),
	}), 400, "saml_connection_attribute_mapping_missing_groups_key")

	// Not found: unknown ID, a SAML connection through the external path,
	// another organization's external connection.
	e.WantError(e.Call("PUT", externalPath("acme", "external-connection-test-nope"), map[string]any{}), 404, "external_connection_not_found")
	e.WantError(e.Call("PUT", externalPath("idp-co", src), map[string]any{}), 404, "external_connection_not_found")
	e.WantError(e.Call("PUT", externalPath("idp-co", id), map[string]any{}), 404, "external_connection_not_found")
	e.WantError(e.Call("PUT", externalPath("nope", id), map[string]any{}), 404, "organization_not_found")
	e.WantError(e.Call("POST", "/v1/b2b/sso/external/nope", map[string]any{"external_organization_id": "idp-co", "external_connection_id": src}), 404, "organization_not_found")
	// External connections cannot be updated through the SAML or OIDC paths.
	e.WantError(e.Call("PUT", samlPath("acme", id), map[string]any{"display_name": "x"}), 404, "saml_connection_not_found")
	e.WantError(e.Call("PUT", oidcPath("acme", id), map[string]any{"display_name": "x"}), 404, "oidc_connection_not_found")
}

// Concurrent creates for one (organization, source) pair store exactly one
// connection.
func TestExternalConnectionConcurrentCreates(t *testing.T) {
	apptest.ForEachBackend(t, func(t *testing.T, backend string) {
		e := apptest.New(t, backend)
		e.CreateOrg("IdP Co", "idp-co")
		e.CreateOrg("Acme", "acme")
		src := activeSAML(e, "idp-co", false)
		warmPool(t, e)
		const n = 8
		var wg sync.WaitGroup
		statuses := make([]int, n)
		types := make([]string, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := e.Call("POST", "/v1/b2b/sso/external/acme", map[string]any{
					"external_organization_id": "idp-co", "external_connection_id": src, "display_name": fmt.Sprint("try ", i),
				})
				statuses[i], types[i] = r.Status, r.ErrorType()
			}()
		}
		wg.Wait()
		ok := 0
		for i := range n {
			switch {
			case statuses[i] == http.StatusOK:
				ok++
			case statuses[i] != 400 || types[i] != "duplicate_external_sso_connection":
				t.Errorf("request %d: %d %s", i, statuses[i], types[i])
			}
		}
		if got := len(externalConns(e, "acme")); ok != 1 || got != 1 {
			t.Fatalf("%d creates succeeded, %d stored; want 1 and 1", ok, got)
		}
	})
}

// warmPool opens several PostgreSQL connections at once, so that concurrent
// requests really run their transactions in parallel instead of the first
// finishing while the others are still connecting. (SQLite has a single
// connection; IMMEDIATE transactions serialise writers there anyway.)
func warmPool(t *testing.T, e *apptest.Env) {
	t.Helper()
	if e.Backend != "postgres" {
		return
	}
	const k = 3 // below pgxpool's minimum default size of 4
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var inside, done sync.WaitGroup
	inside.Add(k)
	for range k {
		done.Add(1)
		go func() {
			defer done.Done()
			_ = e.App.Store.Tx(ctx, func(store.Queries) error {
				inside.Done()
				inside.Wait()
				return nil
			})
		}()
	}
	done.Wait()
}

// setCustomRole gives the organization one custom role, written straight
// to the store (the custom-role endpoint is not part of this package).
func setCustomRole(t *testing.T, e *apptest.Env, orgID, roleID string) {
	t.Helper()
	ctx := context.Background()
	o, err := e.App.Store.GetOrganization(ctx, e.Creds.ProjectID, orgID)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal([]rbac.Role{{RoleID: roleID, Description: "test", Permissions: []rbac.Permission{{ResourceID: "stytch.sso", Actions: []string{"get"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	o.CustomRoles = b
	if err := e.App.Store.UpdateOrganization(ctx, o); err != nil {
		t.Fatal(err)
	}
	// The role is usable where it was defined.
	e.MustOK(e.Call("PUT", "/v1/b2b/organizations/"+orgID, map[string]any{
		"rbac_email_implicit_role_assignments": []map[string]string{{"domain": "example.com", "role_id": roleID}},
	}))
}

func jsonString(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Deleting the source's whole organization deletes the external connections
// that point at its connections (foreign keys cascade on both stores).
func TestExternalConnectionSourceOrganizationDeleted(t *testing.T) {
	apptest.ForEachBackend(t, func(t *testing.T, backend string) {
		e := apptest.New(t, backend)
		e.CreateOrg("IdP Co", "idp-co")
		e.CreateOrg("Acme", "acme")
		src := activeSAML(e, "idp-co", false)
		id := e.MustOK(e.Call("POST", "/v1/b2b/sso/external/acme", map[string]any{
			"external_organization_id": "idp-co", "external_connection_id": src,
		})).Obj("connection")["connection_id"].(string)
		// Acme names the external connection as its default and JIT-allowed.
		e.MustOK(e.Call("PUT", "/v1/b2b/organizations/acme", map[string]any{
			"sso_default_connection_id": id, "sso_jit_provisioning_allowed_connections": []string{id},
		}))
		e.MustOK(e.Call("DELETE", "/v1/b2b/organizations/idp-co", nil))
		acme := e.MustOK(e.Call("GET", "/v1/b2b/organizations/acme", nil)).Obj("organization")
		if acme["sso_default_connection_id"] != nil || len(acme["sso_jit_provisioning_allowed_connections"].([]any)) != 0 {
			t.Fatalf("acme still names the deleted external connection: %v %v", acme["sso_default_connection_id"], acme["sso_jit_provisioning_allowed_connections"])
		}
		if n := len(externalConns(e, "acme")); n != 0 {
			t.Fatalf("%d external connections after deleting the source organization", n)
		}
		if _, err := e.App.Store.GetConnectionByID(context.Background(), id); err == nil {
			t.Fatal("the external connection is still stored")
		}
	})
}
