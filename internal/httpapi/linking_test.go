package httpapi_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/seamsso/seam/internal/apptest"
)

const (
	persistentFormat = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"
	transientFormat  = "urn:oasis:names:tc:SAML:2.0:nameid-format:transient"
)

// TestSAMLIdentityLinking drives the identity-linking rule through the ACS
// and sso.authenticate: a new subject for a registered member is refused by
// default (on the failure page and in the diagnostics), a transient NameID
// matches by email without moving the registration, and RELINK moves it
// with a record the organization's admins can read.
func TestSAMLIdentityLinking(t *testing.T) {
	apptest.ForEachBackend(t, func(t *testing.T, backend string) {
		f := newSAMLFixture(t, backend)
		e := f.e
		conn := e.MustOK(e.Call("GET", "/v1/b2b/sso/acme", nil)).Body["saml_connections"].([]any)[0].(map[string]any)
		if il, _ := conn["identity_linking"].(map[string]any); il["subject_change"] != "REFUSE" || il["missing_email_verified"] != nil {
			t.Fatalf("default identity_linking = %v", conn["identity_linking"])
		}
		login := func(nameID, format string) (*http.Response, string) {
			b := e.Browser()
			reqID, _ := f.start(t, b, "&login_redirect_url=http://app.test/callback&signup_redirect_url=http://app.test/signup")
			return f.post(t, b, f.response(t, respOpts{inResponseTo: reqID, nameID: nameID, nameIDFormat: format, email: "ada@acme.example"}))
		}
		authenticate := func(resp *http.Response, body string) *apptest.Response {
			token, _ := tokenFrom(t, resp, body)
			return e.MustOK(e.Call("POST", "/v1/b2b/sso/authenticate", map[string]any{"sso_token": token}))
		}
		registrations := func(r *apptest.Response) string {
			var ids []string
			for _, reg := range r.Obj("member")["sso_registrations"].([]any) {
				ids = append(ids, reg.(map[string]any)["external_id"].(string))
			}
			return strings.Join(ids, ",")
		}
		logins := func() []any {
			return e.MustOK(e.Call("GET", samlPath("acme", f.connID)+"/logins", nil)).Body["logins"].([]any)
		}

		first := authenticate(login("persistent-1", persistentFormat))
		memberID := first.Str("member_id")
		if registrations(first) != "persistent-1" {
			t.Fatalf("registrations = %s", registrations(first))
		}

		// Another subject with Ada's email: refused at the ACS, nothing moves.
		resp, body := login("persistent-2", persistentFormat)
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "sso_subject_changed") || !strings.Contains(body, "subject_change to RELINK") {
			t.Fatalf("new subject: %d %s", resp.StatusCode, body)
		}
		latest := logins()[0].(map[string]any)
		link := latest["facts"].(map[string]any)["identity_link"].(map[string]any)
		if latest["outcome"] != "subject_changed" || link["member_id"] != memberID || link["refused"] != "subject_changed" {
			t.Fatalf("diagnostics = %v", latest)
		}

		// A transient NameID: the same member by email, registration untouched.
		again := authenticate(login("_transient-abc", transientFormat))
		if again.Str("member_id") != memberID || registrations(again) != "persistent-1" {
			t.Fatalf("transient login: member %s registrations %s", again.Str("member_id"), registrations(again))
		}

		// Bad policies are refused and change nothing.
		for _, bad := range []map[string]any{
			{"subject_change": "ALWAYS"},
			{"missing_email_verified": "TRUSTED"}, // OIDC only
			{"subject_change": "RELINK", "unknown": true},
		} {
			r := e.Call("PUT", samlPath("acme", f.connID), map[string]any{"identity_linking": bad})
			if r.Status != http.StatusBadRequest {
				t.Fatalf("identity_linking %v: %d %s", bad, r.Status, r.Raw)
			}
		}
		// RELINK: the registration moves, and the move is recorded.
		r := e.MustOK(e.Call("PUT", samlPath("acme", f.connID), map[string]any{"identity_linking": map[string]any{"subject_change": "RELINK"}}))
		if r.Obj("connection")["identity_linking"].(map[string]any)["subject_change"] != "RELINK" {
			t.Fatalf("identity_linking after update: %s", r.Raw)
		}
		moved := authenticate(login("persistent-2", persistentFormat))
		if moved.Str("member_id") != memberID || registrations(moved) != "persistent-2" {
			t.Fatalf("relink: member %s registrations %s", moved.Str("member_id"), registrations(moved))
		}
		relinked := logins()[0].(map[string]any)
		rl := relinked["facts"].(map[string]any)["identity_link"].(map[string]any)
		if relinked["outcome"] != "relinked" || rl["previous_subject"] != "persistent-1" || rl["subject"] != "persistent-2" ||
			rl["member_id"] != memberID || !strings.HasPrefix(relinked["request_id"].(string), "request-id-") {
			t.Fatalf("relink record = %v", relinked)
		}
	})
}

// TestExternalIdentityLinking: a login through an External connection is
// linked under the policy of its source connection (the IdP's setting), the
// registration names the External connection, and a relink is recorded on
// the External connection, where the target organization's admins read it.
func TestExternalIdentityLinking(t *testing.T) {
	apptest.ForEachBackend(t, func(t *testing.T, backend string) {
		f := newSAMLFixture(t, backend)
		e := f.e
		e.CreateOrg("Beta", "beta")
		e.MustOK(e.Call("PUT", "/v1/b2b/organizations/beta", map[string]any{"sso_jit_provisioning": "ALL_ALLOWED"}))
		ext := e.MustOK(e.Call("POST", "/v1/b2b/sso/external/beta", map[string]any{
			"external_organization_id": "acme", "external_connection_id": f.connID, "display_name": "Acme SSO",
		})).Obj("connection")["connection_id"].(string)
		login := func(nameID string) (*http.Response, string) {
			b := e.Browser()
			resp, err := b.Get(e.URL + "/v1/public/sso/start?connection_id=" + ext + "&public_token=" + e.Creds.PublicToken)
			if err != nil || resp.StatusCode != http.StatusFound {
				t.Fatalf("start: %v %v", resp, err)
			}
			resp.Body.Close()
			var reqID string
			for _, c := range resp.Cookies() {
				reqID = strings.TrimPrefix(c.Name, "seam_sso_")
			}
			return f.post(t, b, f.response(t, respOpts{inResponseTo: reqID, nameID: nameID, nameIDFormat: persistentFormat, email: "ada@acme.example"}))
		}
		authenticate := func(nameID string) *apptest.Response {
			resp, body := login(nameID)
			token, _ := tokenFrom(t, resp, body)
			return e.MustOK(e.Call("POST", "/v1/b2b/sso/authenticate", map[string]any{"sso_token": token}))
		}
		first := authenticate("p-1")
		reg := first.Obj("member")["sso_registrations"].([]any)[0].(map[string]any)
		if first.Obj("member")["organization_id"] == f.orgID || reg["connection_id"] != ext || reg["external_id"] != "p-1" {
			t.Fatalf("first External login: %s", first.Raw)
		}
		// The source's default policy refuses a new subject.
		if resp, body := login("p-2"); resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "sso_subject_changed") {
			t.Fatalf("new subject through External: %d %s", resp.StatusCode, body)
		}
		// RELINK on the source applies to its External connections.
		e.MustOK(e.Call("PUT", samlPath("acme", f.connID), map[string]any{"identity_linking": map[string]any{"subject_change": "RELINK"}}))
		moved := authenticate("p-2")
		if moved.Str("member_id") != first.Str("member_id") {
			t.Fatalf("relink made another member: %s", moved.Raw)
		}
		records := e.MustOK(e.Call("GET", "/v1/b2b/sso/external/beta/connections/"+ext+"/logins", nil)).Body["logins"].([]any)
		if len(records) != 1 {
			t.Fatalf("External connection records = %v", records)
		}
		rec := records[0].(map[string]any)
		link := rec["facts"].(map[string]any)["identity_link"].(map[string]any)
		if rec["outcome"] != "relinked" || rec["connection_id"] != ext || link["previous_subject"] != "p-1" || link["subject"] != "p-2" {
			t.Fatalf("relink record = %v", rec)
		}
	})
}
