package interop

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/seamsso/seam/internal/apptest"
)

// Attribute names the samlify IdP sends (samlify-idp/idp.mjs ATTRIBUTES).
var samlifyMapping = map[string]any{
	"email":      "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
	"first_name": "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname",
	"last_name":  "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname",
	"groups":     "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups",
}

type samlifySetup struct {
	env  *apptest.Env
	conn *samlConn
	idp  *nodeHelper
	keys *keyPair
}

// newSamlifySetup starts Seam, creates a SAML connection, starts the samlify
// IdP with Seam's SP metadata and configures the connection from the IdP's
// metadata URL. signing is "assertion", "both" or "response".
func newSamlifySetup(t *testing.T, slug, signing string, encrypt bool) *samlifySetup {
	t.Helper()
	env := newSeam(t)
	conn := newOrgAndSAML(t, env, slug)
	if encrypt {
		conn.Update(t, map[string]any{"saml_encryption_private_key": newKeyPair(t, "unused").KeyPEM})
	}
	keys := newKeyPair(t, "samlify IdP")
	idp := startNode(t, "samlify-idp", "server.mjs", map[string]any{
		"spMetadata": string(conn.SPMetadata(t)), "privateKey": keys.KeyPEM, "certificate": keys.CertPEM,
		"signing": signing, "encrypt": encrypt,
		"user": map[string]any{"email": userEmail, "firstName": "Alice", "lastName": "Example", "groups": userGroups},
	})
	conn.UpdateByURL(t, idp.URL()+"/metadata")
	conn.Update(t, map[string]any{"attribute_mapping": samlifyMapping})
	if conn.Body["status"] != "active" || conn.Body["idp_sso_url"] != idp.URL()+"/sso" {
		t.Fatalf("connection after configuration: %v", conn.Body)
	}
	return &samlifySetup{env: env, conn: conn, idp: idp, keys: keys}
}

func (s *samlifySetup) spLogin(t *testing.T, b *Browser) *Page {
	t.Helper()
	return b.Get(startURL(s.env, s.conn.ID, url.Values{"login_redirect_url": {loginURL}, "signup_redirect_url": {signupURL}}))
}

// lastRequest is what the samlify IdP saw of Seam's last AuthnRequest.
func (s *samlifySetup) lastRequest(t *testing.T) map[string]any {
	t.Helper()
	resp, err := http.Get(s.idp.URL() + "/last-request")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestSamlifySPInitiated(t *testing.T) {
	s := newSamlifySetup(t, "samlify-sp", "assertion", false)
	b := NewBrowser(t)
	token := landing(t, b, s.spLogin(t, b), signupURL)

	// samlify verified the AuthnRequest's HTTP-Redirect signature against
	// the signing certificate in Seam's SP metadata, and schema-validated it.
	req := s.lastRequest(t)
	if req["signature_verified"] != true || req["sig_alg"] != "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256" {
		t.Fatalf("samlify did not verify the AuthnRequest signature: %v", req)
	}
	if req["issuer"] != s.conn.ACSURL || req["acs_url"] != s.conn.ACSURL || req["destination"] != s.idp.URL()+"/sso" {
		t.Fatalf("AuthnRequest as samlify read it: %v", req)
	}
	if sh := shapeOf(t, lastACSPost(t, b).Fields.Get("SAMLResponse")); sh.ResponseSigned || !sh.AssertionSigned {
		t.Fatalf("samlify sent %+v, want only the assertion signed", sh)
	}
	a := wantLatestLogin(t, s.conn.Logins(t), "success")
	facts := a["facts"].(map[string]any)
	if facts["in_response_to"] != req["id"] {
		t.Fatalf("in_response_to = %v, want the AuthnRequest ID %v", facts["in_response_to"], req["id"])
	}
	attrs := facts["attributes"].(map[string]any)
	groups, _ := attrs[samlifyMapping["groups"].(string)].([]any)
	if len(groups) != 2 || groups[0] != userGroups[0] || groups[1] != userGroups[1] {
		t.Fatalf("groups seen = %v, want %v", groups, userGroups)
	}

	// The name comes from first_name and last_name; samlify's NameID is the
	// email address.
	r := authenticate(t, s.env, map[string]any{"sso_token": token})
	member := wantMember(t, r, userEmail, "Alice Example")
	wantRegistration(t, member, s.conn.ID, userEmail)
	wantSSOFactor(t, r, "sso_saml", "saml_sso_factor", s.conn.ID, userEmail)
}

func TestSamlifyIdPInitiated(t *testing.T) {
	s := newSamlifySetup(t, "samlify-idp", "assertion", false)
	b := NewBrowser(t)
	token := landing(t, b, b.Get(s.idp.URL()+"/idp-initiated"), loginURL)
	wantMember(t, authenticate(t, s.env, map[string]any{"sso_token": token}), userEmail, "Alice Example")
	a := wantLatestLogin(t, s.conn.Logins(t), "success")
	if a["facts"].(map[string]any)["in_response_to"] != nil {
		t.Fatalf("unsolicited response has in_response_to: %v", a["facts"])
	}
	// Replaying the unsolicited response is refused.
	errorPage(t, b, b.Submit(lastACSPost(t, b)), http.StatusBadRequest, "duplicate_saml_response")
	wantLatestLogin(t, s.conn.Logins(t), "replay")
}

func TestSamlifySigningVariants(t *testing.T) {
	for _, tc := range []struct {
		signing            string
		response, asserted bool
	}{
		{"both", true, true},
		{"response", true, false},
	} {
		t.Run(tc.signing, func(t *testing.T) {
			s := newSamlifySetup(t, "samlify-"+tc.signing, tc.signing, false)
			b := NewBrowser(t)
			landing(t, b, s.spLogin(t, b), signupURL)
			sh := shapeOf(t, lastACSPost(t, b).Fields.Get("SAMLResponse"))
			if sh.ResponseSigned != tc.response || sh.AssertionSigned != tc.asserted {
				t.Fatalf("samlify sent %+v, want response signed %v, assertion signed %v", sh, tc.response, tc.asserted)
			}
			wantLatestLogin(t, s.conn.Logins(t), "success")
		})
	}
}

func TestSamlifyEncryptedAssertion(t *testing.T) {
	s := newSamlifySetup(t, "samlify-enc", "assertion", true)
	b := NewBrowser(t)
	landing(t, b, s.spLogin(t, b), signupURL)
	post := lastACSPost(t, b).Fields.Get("SAMLResponse")
	if sh := shapeOf(t, post); !sh.Encrypted {
		t.Fatalf("samlify sent %+v, want an encrypted assertion", sh)
	}
	if !strings.Contains(decodeB64(t, post), "xmlenc11#aes128-gcm") {
		t.Fatal("samlify did not use AES-128-GCM")
	}
	wantLatestLogin(t, s.conn.Logins(t), "success")
}

// TestSamlifySigningKeyRotation replaces the connection's signing key:
// samlify, still holding the old SP metadata, refuses Seam's AuthnRequests
// (which proves it checks their signature), and accepts them once given the
// new metadata.
func TestSamlifySigningKeyRotation(t *testing.T) {
	s := newSamlifySetup(t, "samlify-sigkey", "assertion", false)
	s.conn.Update(t, map[string]any{"signing_private_key": newKeyPair(t, "new SP key").KeyPEM})
	b := NewBrowser(t)
	p := s.spLogin(t, b)
	if p.Stopped || p.Status != http.StatusBadRequest || !strings.Contains(p.Body, "ERR_FAILED_MESSAGE_SIGNATURE_VERIFICATION") {
		t.Fatalf("samlify with the old SP metadata answered %d at %s: %s", p.Status, p.URL, snippet(p.Body))
	}

	idp := startNode(t, "samlify-idp", "server.mjs", map[string]any{
		"spMetadata": string(s.conn.SPMetadata(t)), "privateKey": s.keys.KeyPEM, "certificate": s.keys.CertPEM,
		"user": map[string]any{"email": userEmail, "firstName": "Alice", "lastName": "Example"},
	})
	s.conn.UpdateByURL(t, idp.URL()+"/metadata")
	s.idp = idp
	b = NewBrowser(t)
	landing(t, b, s.spLogin(t, b), signupURL)
	if req := s.lastRequest(t); req["signature_verified"] != true {
		t.Fatalf("samlify did not verify the AuthnRequest: %v", req)
	}
}
