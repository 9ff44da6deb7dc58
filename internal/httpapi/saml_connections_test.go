package httpapi_test

import (
	"crypto/rand"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seamsso/seam/internal/apptest"
	"github.com/seamsso/seam/internal/keys"
)

// testCert returns a fresh self-signed certificate PEM and its key PEM.
func testCert(t *testing.T, cn string) (certPEM, keyPEM string) {
	t.Helper()
	k, err := keys.GenerateRSAKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	_, certPEM, err = keys.IssueSelfSigned(rand.Reader, k, keys.CertOptions{
		CommonName: cn, Organization: "Test IdP", NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
	})
	if err != nil {
		t.Fatal(err)
	}
	return certPEM, keys.EncodePKCS1PrivateKeyPEM(k)
}

func samlPath(org, conn string) string {
	return "/v1/b2b/sso/saml/" + org + "/connections/" + conn
}

func createSAML(e *apptest.Env, org string) map[string]any {
	e.T.Helper()
	return e.MustOK(e.Call("POST", "/v1/b2b/sso/saml/"+org, map[string]any{"display_name": "Okta", "identity_provider": "okta"})).Obj("connection")
}

func TestSAMLConnectionLifecycle(t *testing.T) {
	apptest.ForEachBackend(t, func(t *testing.T, backend string) {
		e := apptest.New(t, backend)
		org := e.CreateOrg("Acme", "acme")
		orgID := org["organization_id"].(string)
		c := createSAML(e, "acme")
		id := c["connection_id"].(string)
		if !strings.HasPrefix(id, "saml-connection-test-") || c["status"] != "pending" || c["organization_id"] != orgID ||
			c["identity_provider"] != "okta" || c["display_name"] != "Okta" ||
			c["nameid_format"] != "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress" {
			t.Fatalf("created = %v", c)
		}
		want := e.URL + "/v1/b2b/sso/callback/" + id
		if c["acs_url"] != want || c["audience_uri"] != want {
			t.Fatalf("acs/audience = %v %v, want %s", c["acs_url"], c["audience_uri"], want)
		}
		signing := c["signing_certificates"].([]any)
		if len(signing) != 1 || !strings.Contains(signing[0].(map[string]any)["certificate"].(string), "BEGIN CERTIFICATE") ||
			signing[0].(map[string]any)["issuer"] != "Seam" {
			t.Fatalf("signing certificates = %v", signing)
		}

		cert, _ := testCert(t, "idp")
		// One field at a time: still pending until all four requirements exist.
		steps := []map[string]any{
			{"idp_entity_id": "https://idp.example/entity"},
			{"idp_sso_url": "https://idp.example/sso"},
			{"attribute_mapping": map[string]any{"email": "mail", "first_name": "given", "last_name": "sn"}},
			{"x509_certificate": cert},
		}
		// missing_settings (Seam extension) names what is still needed, and
		// the start error says the same.
		missing := []string{"idp_sso_url", "idp_entity_id", "attribute_mapping", "x509_certificate"}
		if got := fmtList(c["missing_settings"]); got != strings.Join(missing, ",") {
			t.Fatalf("new connection missing_settings = %s", got)
		}
		gone := []string{"idp_entity_id", "idp_sso_url", "attribute_mapping", "x509_certificate"}
		for i, body := range steps {
			got := e.MustOK(e.Call("PUT", samlPath(orgID, id), body)).Obj("connection")
			wantStatus := "pending"
			if i == len(steps)-1 {
				wantStatus = "active"
			}
			if got["status"] != wantStatus {
				t.Fatalf("after step %d status = %v", i, got["status"])
			}
			missing = slices.DeleteFunc(missing, func(s string) bool { return s == gone[i] })
			if fmtList(got["missing_settings"]) != strings.Join(missing, ",") {
				t.Fatalf("after step %d missing_settings = %v, want %v", i, got["missing_settings"], missing)
			}
			if wantStatus == "pending" {
				r := e.Do(apptest.Request{Method: "GET", Path: "/v1/public/sso/start?connection_id=" + id + "&public_token=" + e.Creds.PublicToken, NoAuth: true})
				e.WantError(r, 400, "requires_active_sso_connection")
				if !strings.Contains(r.Str("error_message"), strings.Join(missing, ", ")) {
					t.Fatalf("after step %d the start error does not list %v: %s", i, missing, r.Str("error_message"))
				}
			}
		}
		// The organization lists the active connection.
		o := e.MustOK(e.Call("GET", "/v1/b2b/organizations/acme", nil)).Obj("organization")
		if ac := o["sso_active_connections"].([]any); len(ac) != 1 || ac[0].(map[string]any)["connection_id"] != id {
			t.Fatalf("sso_active_connections = %v", o["sso_active_connections"])
		}
		// Every seed field round-trips; absent fields stay as they were.
		_, sigKey := testCert(t, "sp")
		_, encKey := testCert(t, "enc")
		full := e.MustOK(e.Call("PUT", samlPath("acme", id), map[string]any{
			"organization_id": orgID, "connection_id": id,
			"display_name": "Okta prod", "identity_provider": "generic",
			"saml_connection_implicit_role_assignments": []map[string]string{{"role_id": "stytch_admin"}},
			"saml_group_implicit_role_assignments":      []map[string]string{{"role_id": "stytch_admin", "group": "admins"}},
			"attribute_mapping":                         map[string]any{"email": "mail", "full_name": "cn", "groups": "memberOf"},
			"alternative_audience_uri":                  "https://legacy.example/sp",
			"alternative_acs_url":                       "https://legacy.example/acs",
			"nameid_format":                             "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
			"idp_initiated_auth_disabled":               true,
			"signing_private_key":                       sigKey,
			"saml_encryption_private_key":               encKey,
		})).Obj("connection")
		checks := map[string]any{
			"display_name": "Okta prod", "identity_provider": "generic", "alternative_audience_uri": "https://legacy.example/sp",
			"alternative_acs_url": "https://legacy.example/acs", "nameid_format": "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
			"idp_initiated_auth_disabled": true, "idp_entity_id": "https://idp.example/entity", "idp_sso_url": "https://idp.example/sso",
			"status": "active",
		}
		for k, v := range checks {
			if full[k] != v {
				t.Errorf("%s = %v, want %v", k, full[k], v)
			}
		}
		if n := len(full["signing_certificates"].([]any)); n != 2 {
			t.Errorf("signing certificates = %d, want 2 (generated + uploaded)", n)
		}
		ek := full["encryption_private_keys"].([]any)
		if len(ek) != 1 || ek[0].(map[string]any)["private_key"] != "" || !strings.Contains(ek[0].(map[string]any)["certificate"].(string), "CERTIFICATE") {
			t.Errorf("encryption keys = %v (private keys must never be returned)", ek)
		}
		if strings.Contains(string(e.MustOK(e.Call("GET", "/v1/b2b/sso/acme", nil)).Raw), "PRIVATE KEY") {
			t.Fatal("a private key was returned by Get Connections")
		}
		// idp_initiated_auth_disabled can be turned off again with an explicit false.
		off := e.MustOK(e.Call("PUT", samlPath("acme", id), map[string]any{"idp_initiated_auth_disabled": false})).Obj("connection")
		if off["idp_initiated_auth_disabled"] != false || off["alternative_acs_url"] != "https://legacy.example/acs" {
			t.Errorf("explicit false: %v", off)
		}
		// Clearing the alternatives with "".
		cleared := e.MustOK(e.Call("PUT", samlPath("acme", id), map[string]any{"alternative_acs_url": "", "alternative_audience_uri": ""})).Obj("connection")
		if cleared["alternative_acs_url"] != "" || cleared["alternative_audience_uri"] != "" {
			t.Errorf("clearing alternatives: %v", cleared)
		}

		// Certificates: dedup, delete, last-one rule.
		verif := full["verification_certificates"].([]any)
		certID := verif[0].(map[string]any)["certificate_id"].(string)
		again := e.MustOK(e.Call("PUT", samlPath("acme", id), map[string]any{"x509_certificate": cert})).Obj("connection")
		if len(again["verification_certificates"].([]any)) != 1 {
			t.Errorf("duplicate certificate was added twice")
		}
		e.WantError(e.Call("DELETE", samlPath("acme", id)+"/verification_certificates/"+certID, nil), 400, "cannot_delete_last_sso_verification_key")
		cert2, _ := testCert(t, "idp2")
		rot := e.MustOK(e.Call("PUT", samlPath("acme", id), map[string]any{"x509_certificate": cert2})).Obj("connection")
		if len(rot["verification_certificates"].([]any)) != 2 {
			t.Fatalf("rotation: %v", rot["verification_certificates"])
		}
		r := e.MustOK(e.Call("DELETE", samlPath("acme", id)+"/verification_certificates/"+certID, nil))
		if r.Str("certificate_id") != certID {
			t.Errorf("delete cert response %s", r.Raw)
		}
		e.WantError(e.Call("DELETE", samlPath("acme", id)+"/verification_certificates/"+certID, nil), 404, "sso_verification_key_not_found")
		keyID := ek[0].(map[string]any)["private_key_id"].(string)
		r = e.MustOK(e.Call("DELETE", samlPath("acme", id)+"/encryption_private_keys/"+keyID, nil))
		if r.Str("private_key_id") != keyID {
			t.Errorf("delete key response %s", r.Raw)
		}
		e.WantError(e.Call("DELETE", samlPath("acme", id)+"/encryption_private_keys/"+keyID, nil), 404, "saml_encryption_private_key_not_found")

		// Listing, then deleting the connection.
		list := e.MustOK(e.Call("GET", "/v1/b2b/sso/"+orgID, nil))
		if n := len(list.Body["saml_connections"].([]any)); n != 1 || len(list.Body["oidc_connections"].([]any)) != 0 || len(list.Body["external_connections"].([]any)) != 0 {
			t.Fatalf("list = %s", list.Raw)
		}
		r = e.MustOK(e.Call("DELETE", "/v1/b2b/sso/acme/connections/"+id, nil))
		if r.Str("connection_id") != id {
			t.Errorf("delete response %s", r.Raw)
		}
		e.WantError(e.Call("PUT", samlPath("acme", id), map[string]any{"display_name": "x"}), 404, "saml_connection_not_found")
		e.WantError(e.Call("DELETE", "/v1/b2b/sso/acme/connections/"+id, nil), 404, "sso_connection_not_found")
	})
}

func TestSAMLConnectionValidation(t *testing.T) {
	e := apptest.New(t, "sqlite")
	e.CreateOrg("Acme", "acme")
	e.CreateOrg("Other", "other")
	id := createSAML(e, "acme")["connection_id"].(string)
	cert, key := testCert(t, "idp")
	var certs []string
	for i := 0; i < 6; i++ {
		c, _ := testCert(t, fmt.Sprint("c", i))
		certs = append(certs, c)
	}
	pkcs8 := "-----BEGIN PRIVATE KEY-----\nMIIBVAIBADANBgkqhkiG9w0BAQEFAASCAT4wggE6AgEAAkEAq7BFUpkGp3+LQmlQ\n-----END PRIVATE KEY-----\n"
	cases := []struct {
		name    string
		body    map[string]any
		status  int
		errType string
	}{
		{"bad certificate", map[string]any{"x509_certificate": "not a cert"}, 400, "invalid_x509_certificate"},
		{"private key as certificate", map[string]any{"x509_certificate": key}, 400, "invalid_x509_certificate"},
		{"mapping without email", map[string]any{"attribute_mapping": map[string]any{"full_name": "cn"}}, 400, "saml_connection_email_mapping_required"},
		{"mapping without name", map[string]any{"attribute_mapping": map[string]any{"email": "mail", "first_name": "g"}}, 400, "saml_connection_name_mapping_required"},
		{"nested mapping", map[string]any{"attribute_mapping": map[string]any{"email": map[string]any{"x": "y"}, "full_name": "cn"}}, 400, "saml_connection_no_nested_keys_in_attribute_mapping"},
		{"group roles without groups key", map[string]any{"attribute_mapping": map[string]any{"email": "mail", "full_name": "cn"},
			"saml_group_implicit_role_assignments": []map[string]string{{"role_id": "stytch_admin", "group": "g"}}}, 400, "saml_connection_attribute_mapping_missing_groups_key"},
		{"unknown role", map[string]any{"saml_connection_implicit_role_assignments": []map[string]string{{"role_id": "nope"}}}, 400, "invalid_rbac_role_id"},
		{"default role", map[string]any{"saml_connection_implicit_role_assignments": []map[string]string{{"role_id": "stytch_member"}}}, 400, "cannot_assign_default_rbac_role_id"},
		{"pkcs8 signing key", map[string]any{"signing_private_key": pkcs8}, 400, "saml_signing_private_key_format_not_supported"},
		{"garbage signing key", map[string]any{"signing_private_key": "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n"}, 400, "saml_signing_private_key_invalid"},
		{"pkcs8 encryption key", map[string]any{"saml_encryption_private_key": pkcs8}, 400, "saml_encryption_private_key_format_not_supported"},
		{"huge key", map[string]any{"signing_private_key": strings.Repeat("A", 20000)}, 400, "private_key_too_long"},
		{"sso url not a url", map[string]any{"idp_sso_url": "not a url"}, 400, "saml_connection_idp_sso_url_invalid_format"},
		{"sso url javascript", map[string]any{"idp_sso_url": "javascript:alert(1)"}, 400, "saml_connection_idp_sso_url_invalid_format"},
		{"sso url http", map[string]any{"idp_sso_url": "http://idp.example/sso"}, 400, "saml_connection_idp_sso_url_not_https"},
		{"blank entity id", map[string]any{"idp_entity_id": ""}, 400, "invalid_idp_entity_id"},
		{"bad idp", map[string]any{"identity_provider": "myspace"}, 400, "invalid_sso_idp"},
		{"bad nameid", map[string]any{"nameid_format": "email"}, 400, "invalid_nameid_format"},
		{"bad alt acs", map[string]any{"alternative_acs_url": "ftp://x"}, 400, "invalid_alternative_acs_url"},
		{"wrong type", map[string]any{"idp_initiated_auth_disabled": "yes"}, 400, "invalid_request_value"},
		{"connection id mismatch", map[string]any{"connection_id": "saml-connection-test-other"}, 400, "invalid_request_value"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := e.MustOK(e.Call("GET", "/v1/b2b/sso/acme", nil)).Raw
			body := map[string]any{"display_name": "should not stick"}
			for k, v := range tc.body {
				body[k] = v
			}
			e.WantError(e.Call("PUT", samlPath("acme", id), body), tc.status, tc.errType)
			after := e.MustOK(e.Call("GET", "/v1/b2b/sso/acme", nil)).Raw
			if stripRequestID(before) != stripRequestID(after) {
				t.Fatalf("a rejected update changed the connection:\nbefore %s\nafter  %s", before, after)
			}
		})
	}
	// Too many certificates.
	for i := 0; i < 5; i++ {
		e.MustOK(e.Call("PUT", samlPath("acme", id), map[string]any{"x509_certificate": certs[i]}))
	}
	e.WantError(e.Call("PUT", samlPath("acme", id), map[string]any{"x509_certificate": certs[5]}), 400, "too_many_sso_verification_certificates")
	// A connection of another organization is not found through this one.
	e.WantError(e.Call("PUT", samlPath("other", id), map[string]any{"display_name": "x"}), 404, "saml_connection_not_found")
	e.WantError(e.Call("POST", "/v1/b2b/sso/saml/nope", map[string]any{}), 404, "organization_not_found")
	e.WantError(e.Call("POST", "/v1/b2b/sso/saml/acme", map[string]any{"identity_provider": "myspace"}), 400, "invalid_sso_idp")
	_ = cert
}

func TestSAMLDefaultConnectionRules(t *testing.T) {
	e := apptest.New(t, "sqlite")
	e.CreateOrg("Acme", "acme")
	other := e.CreateOrg("Other", "other")
	id := createSAML(e, "acme")["connection_id"].(string)
	foreign := createSAML(e, "other")["connection_id"].(string)
	e.WantError(e.Call("PUT", "/v1/b2b/organizations/acme", map[string]any{"sso_default_connection_id": foreign}), 400, "invalid_sso_default_connection_id")
	e.MustOK(e.Call("PUT", "/v1/b2b/organizations/acme", map[string]any{"sso_default_connection_id": id, "sso_jit_provisioning_allowed_connections": []string{id}}))
	e.WantError(e.Call("DELETE", "/v1/b2b/sso/acme/connections/"+id, nil), 400, "cannot_delete_default_sso_connection")
	e.MustOK(e.Call("PUT", "/v1/b2b/organizations/acme", map[string]any{"sso_default_connection_id": ""}))
	e.MustOK(e.Call("DELETE", "/v1/b2b/sso/acme/connections/"+id, nil))
	o := e.MustOK(e.Call("GET", "/v1/b2b/organizations/acme", nil)).Obj("organization")
	if len(o["sso_jit_provisioning_allowed_connections"].([]any)) != 0 {
		t.Errorf("deleted connection still in the JIT allow-list: %v", o)
	}
	_ = other
}

func TestSAMLConcurrentCertificateUploads(t *testing.T) {
	apptest.ForEachBackend(t, func(t *testing.T, backend string) {
		e := apptest.New(t, backend)
		e.CreateOrg("Acme", "acme")
		id := createSAML(e, "acme")["connection_id"].(string)
		var certs []string
		for i := 0; i < 5; i++ {
			c, _ := testCert(t, fmt.Sprint("c", i))
			certs = append(certs, c)
		}
		var wg sync.WaitGroup
		for _, c := range certs {
			wg.Add(1)
			go func(c string) {
				defer wg.Done()
				r := e.Call("PUT", samlPath("acme", id), map[string]any{"x509_certificate": c})
				if r.Status != http.StatusOK {
					t.Errorf("upload: %d %s", r.Status, r.Raw)
				}
			}(c)
		}
		wg.Wait()
		got := e.MustOK(e.Call("GET", "/v1/b2b/sso/acme", nil)).Body["saml_connections"].([]any)[0].(map[string]any)
		if n := len(got["verification_certificates"].([]any)); n != 5 {
			t.Fatalf("concurrent uploads kept %d of 5 certificates", n)
		}
	})
}

func TestSAMLExpiredCertificateRefused(t *testing.T) {
	e := apptest.New(t, "sqlite")
	e.CreateOrg("Acme", "acme")
	id := createSAML(e, "acme")["connection_id"].(string)
	k, err := keys.GenerateRSAKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	_, expired, err := keys.IssueSelfSigned(rand.Reader, k, keys.CertOptions{CommonName: "old", Organization: "IdP",
		NotBefore: time.Now().Add(-48 * time.Hour), NotAfter: time.Now().Add(-24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	r := e.Call("PUT", samlPath("acme", id), map[string]any{"x509_certificate": expired})
	e.WantError(r, 400, "invalid_x509_certificate")
	if !strings.Contains(r.Str("error_message"), "expired") {
		t.Errorf("message %q does not say the certificate expired", r.Str("error_message"))
	}
}

// A certificate pasted as one line (line breaks lost or escaped as \n in
// JSON) is accepted; a cut-off one is refused with the reason.
func TestSAMLCertificateOneLinePEM(t *testing.T) {
	apptest.ForEachBackend(t, func(t *testing.T, backend string) {
		e := apptest.New(t, backend)
		e.CreateOrg("Acme", "acme")
		id := createSAML(e, "acme")["connection_id"].(string)
		cert, _ := testCert(t, "one line")
		lines := strings.Split(strings.TrimSpace(cert), "\n")
		for i, in := range []string{strings.Join(lines, " "), strings.Join(lines, `\n`), strings.ReplaceAll(cert, "\n", "\r\n")} {
			c := e.MustOK(e.Call("PUT", samlPath("acme", id), map[string]any{"x509_certificate": in})).Obj("connection")
			if v := c["verification_certificates"].([]any); len(v) != 1 {
				t.Fatalf("form %d: verification_certificates = %v", i, v)
			}
		}
		r := e.Call("PUT", samlPath("acme", id), map[string]any{"x509_certificate": strings.Join(lines[:len(lines)-1], " ")})
		e.WantError(r, 400, "invalid_x509_certificate")
		if !strings.Contains(r.Str("error_message"), "no -----END CERTIFICATE----- line") {
			t.Errorf("cut-off certificate: %s", r.Str("error_message"))
		}
	})
}
