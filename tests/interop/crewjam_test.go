package interop

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"

	"github.com/seamsso/seam/internal/apptest"
)

// crewjamSetup is Seam with one SAML connection configured from a samlidp
// server's metadata URL, and the IdP knowing Seam's SP metadata.
type crewjamSetup struct {
	env  *apptest.Env
	conn *samlConn
	idp  *crewjamIdP
}

func newCrewjamSetup(t *testing.T, slug string) *crewjamSetup {
	t.Helper()
	env := newSeam(t)
	conn := newOrgAndSAML(t, env, slug)
	idp := newCrewjamIdP(t)
	conn.UpdateByURL(t, idp.URL+"/metadata")
	// samlidp names attributes by OID with FriendlyNames (mail, cn,
	// eduPersonAffiliation for groups); Seam maps FriendlyNames.
	conn.Update(t, map[string]any{"attribute_mapping": map[string]any{
		"email": "mail", "full_name": "cn", "groups": "eduPersonAffiliation",
	}})
	if conn.Body["status"] != "active" {
		t.Fatalf("connection not active after configuration: %v", conn.Body)
	}
	if got := conn.Body["idp_entity_id"]; got != idp.URL+"/metadata" {
		t.Fatalf("idp_entity_id = %v, want the samlidp metadata URL", got)
	}
	if got := conn.Body["idp_sso_url"]; got != idp.URL+"/sso" {
		t.Fatalf("idp_sso_url = %v, want %s/sso", got, idp.URL)
	}
	s := &crewjamSetup{env: env, conn: conn, idp: idp}
	s.registerSP(t)
	return s
}

// registerSP (re)gives the IdP Seam's current SP metadata.
func (s *crewjamSetup) registerSP(t *testing.T) {
	t.Helper()
	s.idp.AddServiceProvider("seam", s.conn.SPMetadata(t))
}

func (s *crewjamSetup) browser(t *testing.T) *Browser {
	b := NewBrowser(t)
	b.Fill = map[string]string{"user": userName, "password": userPassword}
	return b
}

// spLogin runs an SP-initiated login from Seam's start URL.
func (s *crewjamSetup) spLogin(t *testing.T, b *Browser) *Page {
	t.Helper()
	return b.Get(startURL(s.env, s.conn.ID, url.Values{"login_redirect_url": {loginURL}, "signup_redirect_url": {signupURL}}))
}

// idpLogin runs an IdP-initiated login through a samlidp shortcut.
func (s *crewjamSetup) idpLogin(t *testing.T, b *Browser, shortcut string) *Page {
	t.Helper()
	s.idp.LogIn(b)
	return b.Get(s.idp.URL + "/login/" + shortcut)
}

func fingerprint(k *keyPair) string {
	sum := sha256.Sum256(k.Cert.Raw)
	return hex.EncodeToString(sum[:])
}

func TestCrewjamSPInitiated(t *testing.T) {
	s := newCrewjamSetup(t, "crewjam-sp")
	s.conn.Update(t, map[string]any{
		"saml_connection_implicit_role_assignments": []any{map[string]any{"role_id": "stytch_admin"}},
		"saml_group_implicit_role_assignments":      []any{map[string]any{"group": "admins", "role_id": "stytch_admin"}},
	})
	b := s.browser(t)
	p := s.spLogin(t, b)
	// A first login: the member does not exist yet, so the signup URL.
	token := landing(t, b, p, signupURL)
	if sh := shapeOf(t, lastACSPost(t, b).Fields.Get("SAMLResponse")); !sh.ResponseSigned || !sh.AssertionSigned || sh.Encrypted {
		t.Fatalf("samlidp sent %+v, want response and assertion signed, not encrypted", sh)
	}
	// Seam's request cookie went to the ACS and was cleared after use.
	for _, c := range b.Cookies(s.conn.ACSURL) {
		if strings.HasPrefix(c.Name, "seam_sso_") {
			t.Fatalf("request cookie %s still set after the login", c.Name)
		}
	}
	a := wantLatestLogin(t, s.conn.Logins(t), "success")
	facts, _ := a["facts"].(map[string]any)
	if facts["issuer"] != s.idp.URL+"/metadata" {
		t.Fatalf("facts.issuer = %v", facts["issuer"])
	}
	if facts["certificate_fingerprint"] != fingerprint(s.idp.Keys) {
		t.Fatalf("facts.certificate_fingerprint = %v, want %s", facts["certificate_fingerprint"], fingerprint(s.idp.Keys))
	}
	attrs, _ := facts["attributes"].(map[string]any)
	if mail, _ := attrs["mail"].([]any); len(mail) != 1 || mail[0] != userEmail {
		t.Fatalf("facts.attributes.mail = %v", attrs["mail"])
	}
	if facts["in_response_to"] == nil || facts["in_response_to"] == "" {
		t.Fatalf("facts.in_response_to empty for an SP-initiated login: %v", facts)
	}

	r := authenticate(t, s.env, map[string]any{"sso_token": token, "session_duration_minutes": 45})
	member := wantMember(t, r, userEmail, userFullName)
	if r.Str("organization_id") != s.conn.OrgID {
		t.Fatalf("organization_id = %s, want %s", r.Str("organization_id"), s.conn.OrgID)
	}
	// stytch_admin through the connection and through the "admins" group.
	wantRoleSources(t, member, "stytch_admin", "sso_connection", "sso_connection_group")
	wantRegistration(t, member, s.conn.ID, userEmail)
	wantSSOFactor(t, r, "sso_saml", "saml_sso_factor", s.conn.ID, userEmail)
	wantTokenUsed(t, s.env, token)

	// The member exists now: the next login lands on the login URL and
	// finds the same member.
	b = s.browser(t)
	token = landing(t, b, s.spLogin(t, b), loginURL)
	again := authenticate(t, s.env, map[string]any{"sso_token": token})
	if again.Str("member_id") != r.Str("member_id") {
		t.Fatalf("second login: member %s, want %s", again.Str("member_id"), r.Str("member_id"))
	}
}

// TestCrewjamPKCE starts logins with a PKCE challenge: authenticate needs
// the matching verifier.
func TestCrewjamPKCE(t *testing.T) {
	s := newCrewjamSetup(t, "crewjam-pkce")
	verifier, challenge := pkcePair("v")
	login := func(t *testing.T, challenge string) string {
		t.Helper()
		b := s.browser(t)
		q := url.Values{"login_redirect_url": {loginURL}, "signup_redirect_url": {signupURL}}
		if challenge != "" {
			q.Set("pkce_code_challenge", challenge)
		}
		return landing(t, b, b.Get(startURL(s.env, s.conn.ID, q)), signupURL)
	}
	t.Run("missing verifier", func(t *testing.T) {
		s.env.WantError(s.env.Call("POST", "/v1/b2b/sso/authenticate", map[string]any{"sso_token": login(t, challenge)}),
			http.StatusBadRequest, "pkce_expected_code_verifier")
	})
	t.Run("wrong verifier", func(t *testing.T) {
		wrong, _ := pkcePair("w")
		s.env.WantError(s.env.Call("POST", "/v1/b2b/sso/authenticate", map[string]any{"sso_token": login(t, challenge), "pkce_code_verifier": wrong}),
			http.StatusBadRequest, "pkce_mismatch")
	})
	t.Run("verifier without a challenge", func(t *testing.T) {
		s.env.WantError(s.env.Call("POST", "/v1/b2b/sso/authenticate", map[string]any{"sso_token": login(t, ""), "pkce_code_verifier": verifier}),
			http.StatusBadRequest, "pkce_did_not_expect_code_verifier")
	})
	t.Run("matching verifier", func(t *testing.T) {
		r := authenticate(t, s.env, map[string]any{"sso_token": login(t, challenge), "pkce_code_verifier": verifier})
		wantMember(t, r, userEmail, userFullName)
	})
}

func TestCrewjamIdPInitiated(t *testing.T) {
	s := newCrewjamSetup(t, "crewjam-idp")
	s.idp.AddShortcut("seam", s.conn.ACSURL)
	b := s.browser(t)
	p := s.idpLogin(t, b, "seam")
	// No start request: the project's first redirect URL.
	token := landing(t, b, p, loginURL)
	a := wantLatestLogin(t, s.conn.Logins(t), "success")
	if facts, _ := a["facts"].(map[string]any); facts["in_response_to"] != nil {
		t.Fatalf("IdP-initiated login has in_response_to %v", facts["in_response_to"])
	}
	r := authenticate(t, s.env, map[string]any{"sso_token": token})
	wantMember(t, r, userEmail, userFullName)
	wantSSOFactor(t, r, "sso_saml", "saml_sso_factor", s.conn.ID, userEmail)
}

func TestCrewjamSigningVariants(t *testing.T) {
	s := newCrewjamSetup(t, "crewjam-signing")
	for _, tc := range []struct {
		mode               string
		response, asserted bool
	}{
		{"both", true, true},
		{"assertion", false, true},
		{"response", true, false},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			s.idp.Signing = tc.mode
			b := s.browser(t)
			landing(t, b, s.spLogin(t, b), signupURL)
			sh := shapeOf(t, lastACSPost(t, b).Fields.Get("SAMLResponse"))
			if sh.ResponseSigned != tc.response || sh.AssertionSigned != tc.asserted {
				t.Fatalf("IdP sent %+v, want response signed %v, assertion signed %v", sh, tc.response, tc.asserted)
			}
			wantLatestLogin(t, s.conn.Logins(t), "success")
		})
	}
}

// TestCrewjamSHA1Refused runs samlidp with its default signature method,
// RSA-SHA1, which Seam's algorithm allow-list refuses.
func TestCrewjamSHA1Refused(t *testing.T) {
	s := newCrewjamSetup(t, "crewjam-sha1")
	s.idp.Server.IDP.SignatureMethod = ""
	b := s.browser(t)
	errorPage(t, b, s.spLogin(t, b), http.StatusBadRequest, "invalid_signature_saml_response")
	wantLatestLogin(t, s.conn.Logins(t), "algorithm_not_allowed")
}

func TestCrewjamEncryptedAssertion(t *testing.T) {
	s := newCrewjamSetup(t, "crewjam-enc")
	enc := newKeyPair(t, "unused")
	s.conn.Update(t, map[string]any{"saml_encryption_private_key": enc.KeyPEM})
	keys, _ := s.conn.Body["encryption_private_keys"].([]any)
	if len(keys) != 1 {
		t.Fatalf("encryption_private_keys = %v", s.conn.Body["encryption_private_keys"])
	}
	if k := keys[0].(map[string]any); k["private_key"] != "" || k["certificate"] == "" {
		t.Fatalf("encryption key view = %v, want empty private_key and a certificate", k)
	}
	md := string(s.conn.SPMetadata(t))
	if !strings.Contains(md, `use="encryption"`) {
		t.Fatalf("SP metadata has no encryption key descriptor:\n%s", md)
	}
	s.registerSP(t)
	b := s.browser(t)
	landing(t, b, s.spLogin(t, b), signupURL)
	if sh := shapeOf(t, lastACSPost(t, b).Fields.Get("SAMLResponse")); !sh.Encrypted || !sh.ResponseSigned {
		t.Fatalf("samlidp sent %+v, want a signed response with an encrypted assertion", sh)
	}
	wantLatestLogin(t, s.conn.Logins(t), "success")

	// Without the key Seam cannot read the assertion.
	id := keys[0].(map[string]any)["private_key_id"].(string)
	s.env.MustOK(s.env.Call("DELETE", s.conn.path("/encryption_private_keys/"+id), nil))
	b = s.browser(t)
	errorPage(t, b, s.spLogin(t, b), http.StatusBadRequest, "invalid_saml_response")
	wantLatestLogin(t, s.conn.Logins(t), "decryption_failed")
}

func TestCrewjamCertificateRotation(t *testing.T) {
	s := newCrewjamSetup(t, "crewjam-rotate")
	oldKeys, newKeys := s.idp.Keys, newKeyPair(t, "crewjam IdP 2")
	s.conn.Update(t, map[string]any{"x509_certificate": newKeys.CertPEM})
	certs, _ := s.conn.Body["verification_certificates"].([]any)
	if len(certs) != 2 {
		t.Fatalf("verification_certificates = %d entries, want 2", len(certs))
	}
	t.Run("new certificate", func(t *testing.T) {
		b := s.browser(t)
		s.idp.UseKeys(newKeys)
		landing(t, b, s.spLogin(t, b), signupURL)
		a := wantLatestLogin(t, s.conn.Logins(t), "success")
		if a["facts"].(map[string]any)["certificate_fingerprint"] != fingerprint(newKeys) {
			t.Fatalf("verified by %v, want the new certificate", a["facts"])
		}
	})
	t.Run("old certificate", func(t *testing.T) {
		b := s.browser(t)
		s.idp.UseKeys(oldKeys)
		landing(t, b, s.spLogin(t, b), signupURL)
		a := wantLatestLogin(t, s.conn.Logins(t), "success")
		if a["facts"].(map[string]any)["certificate_fingerprint"] != fingerprint(oldKeys) {
			t.Fatalf("verified by %v, want the old certificate", a["facts"])
		}
	})
	t.Run("old certificate removed", func(t *testing.T) {
		var oldID string
		for _, c := range certs {
			cm := c.(map[string]any)
			if strings.TrimSpace(cm["certificate"].(string)) == strings.TrimSpace(oldKeys.CertPEM) {
				oldID = cm["certificate_id"].(string)
			}
		}
		if oldID == "" {
			t.Fatalf("old certificate not among %v", certs)
		}
		s.env.MustOK(s.env.Call("DELETE", s.conn.path("/verification_certificates/"+oldID), nil))
		b := s.browser(t)
		s.idp.UseKeys(oldKeys)
		errorPage(t, b, s.spLogin(t, b), http.StatusBadRequest, "invalid_signature_saml_response")
		wantLatestLogin(t, s.conn.Logins(t), "unknown_certificate")
		b = s.browser(t)
		s.idp.UseKeys(newKeys)
		landing(t, b, s.spLogin(t, b), signupURL)
	})
}

// TestCrewjamAlternativeAudience registers Seam at the IdP under a legacy
// entity ID (an application migrated from another SP keeps its IdP
// configuration): samlidp puts that ID in the Audience.
func TestCrewjamAlternativeAudience(t *testing.T) {
	s := newCrewjamSetup(t, "crewjam-alt-aud")
	const legacy = "https://legacy-sp.example.com/saml/metadata"
	md := strings.Replace(string(s.conn.SPMetadata(t)), `entityID="`+s.conn.ACSURL+`"`, `entityID="`+legacy+`"`, 1)
	if !strings.Contains(md, legacy) {
		t.Fatalf("SP metadata entityID is not the ACS URL:\n%s", md)
	}
	s.idp.AddServiceProvider("legacy", []byte(md))
	s.idp.AddShortcut("legacy", legacy)

	b := s.browser(t)
	errorPage(t, b, s.idpLogin(t, b, "legacy"), http.StatusBadRequest, "invalid_audience_saml_response")
	a := wantLatestLogin(t, s.conn.Logins(t), "audience_mismatch")
	if auds, _ := a["facts"].(map[string]any)["audiences"].([]any); len(auds) != 1 || auds[0] != legacy {
		t.Fatalf("facts.audiences = %v, want [%s]", a["facts"].(map[string]any)["audiences"], legacy)
	}

	s.conn.Update(t, map[string]any{"alternative_audience_uri": legacy})
	b = s.browser(t)
	landing(t, b, s.idpLogin(t, b, "legacy"), loginURL)
	wantLatestLogin(t, s.conn.Logins(t), "success")
}

// TestCrewjamAlternativeACSURL serves Seam's ACS under a second origin (a
// reverse proxy, as a custom domain would) and sets alternative_acs_url:
// the AuthnRequest asks for it, the IdP posts there, Seam accepts the
// Destination and Recipient.
func TestCrewjamAlternativeACSURL(t *testing.T) {
	s := newCrewjamSetup(t, "crewjam-alt-acs")
	target, _ := url.Parse(s.env.URL)
	proxy := httptest.NewServer(httputil.NewSingleHostReverseProxy(target))
	t.Cleanup(proxy.Close)
	alt := proxy.URL + "/v1/b2b/sso/callback/" + s.conn.ID
	s.conn.Update(t, map[string]any{"alternative_acs_url": alt})
	if !strings.Contains(string(s.conn.SPMetadata(t)), `Location="`+alt+`"`) {
		t.Fatalf("SP metadata does not list the alternative ACS URL")
	}
	s.registerSP(t)

	b := s.browser(t)
	landing(t, b, s.spLogin(t, b), signupURL)
	post := lastACSPost(t, b)
	if post.Action.String() != alt {
		t.Fatalf("IdP posted to %s, want the alternative ACS URL %s", post.Action, alt)
	}
	wantLatestLogin(t, s.conn.Logins(t), "success")

	// An IdP still posting to the original ACS URL (which it takes from the
	// metadata's first ACS for IdP-initiated logins) is accepted too.
	s.idp.AddShortcut("seam", s.conn.ACSURL)
	b = s.browser(t)
	landing(t, b, s.idpLogin(t, b, "seam"), loginURL)
	if post := lastACSPost(t, b); post.Action.String() != s.conn.ACSURL {
		t.Fatalf("IdP-initiated login posted to %s, want the primary ACS URL", post.Action)
	}
}

func TestCrewjamIdPInitiatedDisabled(t *testing.T) {
	s := newCrewjamSetup(t, "crewjam-idp-off")
	s.conn.Update(t, map[string]any{"idp_initiated_auth_disabled": true})
	s.idp.AddShortcut("seam", s.conn.ACSURL)
	b := s.browser(t)
	errorPage(t, b, s.idpLogin(t, b, "seam"), http.StatusBadRequest, "unsolicited_saml_response")
	wantLatestLogin(t, s.conn.Logins(t), "unsolicited_response")

	// SP-initiated logins still work.
	b = s.browser(t)
	landing(t, b, s.spLogin(t, b), signupURL)
}

func TestCrewjamReplay(t *testing.T) {
	s := newCrewjamSetup(t, "crewjam-replay")
	s.idp.AddShortcut("seam", s.conn.ACSURL)

	t.Run("IdP-initiated", func(t *testing.T) {
		b := s.browser(t)
		landing(t, b, s.idpLogin(t, b, "seam"), loginURL)
		post := lastACSPost(t, b)
		errorPage(t, b, b.Submit(post), http.StatusBadRequest, "duplicate_saml_response")
		wantLatestLogin(t, s.conn.Logins(t), "replay")
		// From another browser too.
		b2 := s.browser(t)
		errorPage(t, b2, b2.Submit(post), http.StatusBadRequest, "duplicate_saml_response")
		wantLatestLogin(t, s.conn.Logins(t), "replay")
	})
	t.Run("SP-initiated", func(t *testing.T) {
		b := s.browser(t)
		landing(t, b, s.spLogin(t, b), signupURL)
		post := lastACSPost(t, b)
		// Seam cleared its request cookie with the success, so this browser
		// no longer holds a login this response could answer.
		errorPage(t, b, b.Submit(post), http.StatusBadRequest, "missing_saml_csrf_cookie")
		wantLatestLogin(t, s.conn.Logins(t), "missing_request_cookie")
		// With the cookie put back (copied before it was cleared), the
		// request it answers has been used up.
		inResponseTo := wantLatestLogin(t, s.conn.Logins(t)[1:], "success")["facts"].(map[string]any)["in_response_to"].(string)
		acs, _ := url.Parse(s.conn.ACSURL)
		b.Client.Jar.SetCookies(acs, []*http.Cookie{{Name: "seam_sso_" + inResponseTo, Value: "1", Path: acs.Path}})
		errorPage(t, b, b.Submit(post), http.StatusBadRequest, "invalid_saml_response")
		wantLatestLogin(t, s.conn.Logins(t), "in_response_to_mismatch")
	})
}

// TestCrewjamOtherBrowser posts an SP-initiated response from a browser
// that did not start the login (no request cookie).
func TestCrewjamOtherBrowser(t *testing.T) {
	s := newCrewjamSetup(t, "crewjam-csrf")
	b := s.browser(t)
	acs, _ := url.Parse(s.conn.ACSURL)
	b.Stop = func(u *url.URL) bool { return u.Path == acs.Path || u.Hostname() == "app.test" }
	p := s.spLogin(t, b)
	if !p.Stopped || p.URL.Path != acs.Path {
		t.Fatalf("expected to stop at the ACS, got %s", p.URL)
	}
	other := s.browser(t)
	errorPage(t, other, other.Submit(lastACSPost(t, b)), http.StatusBadRequest, "missing_saml_csrf_cookie")
	wantLatestLogin(t, s.conn.Logins(t), "missing_request_cookie")
}

// TestCrewjamMissingEmail maps email to an attribute samlidp does not send.
func TestCrewjamMissingEmail(t *testing.T) {
	s := newCrewjamSetup(t, "crewjam-noemail")
	s.conn.Update(t, map[string]any{"attribute_mapping": map[string]any{"email": "no-such-attribute", "full_name": "cn"}})
	// samlidp's NameID is the email address but its format is transient, so
	// Seam does not take it as the email either.
	b := s.browser(t)
	errorPage(t, b, s.spLogin(t, b), http.StatusBadRequest, "invalid_saml_response_email")
	a := wantLatestLogin(t, s.conn.Logins(t), "missing_email_attribute")
	if attrs, _ := a["facts"].(map[string]any)["attributes"].(map[string]any); attrs["mail"] == nil {
		t.Fatalf("the attempt does not show the attributes the IdP sent: %v", a["facts"])
	}
}

// TestCrewjamJITNotAllowed logs in to an organization that does not
// provision members through this connection.
func TestCrewjamJITNotAllowed(t *testing.T) {
	s := newCrewjamSetup(t, "crewjam-nojit")
	s.env.MustOK(s.env.Call("PUT", "/v1/b2b/organizations/"+s.conn.OrgID, map[string]any{"sso_jit_provisioning": "NOT_ALLOWED"}))
	b := s.browser(t)
	token := landing(t, b, s.spLogin(t, b), signupURL)
	s.env.WantError(s.env.Call("POST", "/v1/b2b/sso/authenticate", map[string]any{"sso_token": token}), http.StatusForbidden, "sso_jit_provisioning_not_allowed")

	// An existing member with the email logs in and gets registered.
	s.env.MustOK(s.env.Call("POST", "/v1/b2b/organizations/"+s.conn.OrgID+"/members", map[string]any{"email_address": userEmail}))
	b = s.browser(t)
	token = landing(t, b, s.spLogin(t, b), loginURL)
	wantRegistration(t, wantMember(t, authenticate(t, s.env, map[string]any{"sso_token": token}), userEmail, userFullName), s.conn.ID, userEmail)
}
