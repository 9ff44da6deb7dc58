package setup

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/seamsso/seam/internal/sso"
)

func certPEM(t *testing.T, bits int, alg x509.SignatureAlgorithm, notAfter time.Time) string {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		t.Fatal(err)
	}
	tpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "idp"}, NotBefore: notAfter.Add(-365 * 24 * time.Hour),
		NotAfter: notAfter, SignatureAlgorithm: alg}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

func TestSAMLViewCertificatesAndWarnings(t *testing.T) {
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	at := func(d time.Duration) *time.Time { x := now.Add(d); return &x }
	v := &sso.SAMLConnection{ConnectionID: "saml-connection-test-1", Status: "pending", IdentityProvider: "generic",
		IDPEntityID: "https://sts.windows.net/tenant/", IDPSSOURL: "http://login.microsoftonline.com/tenant/saml2",
		ACSURL: "https://seam.example/acs", AudienceURI: "https://seam.example/acs", MissingSettings: []string{"attribute_mapping"},
		AttributeMapping: map[string]string{}, SecurityWarnings: []string{"allow_legacy_rsa_sha1 is on"},
		VerificationCertificates: []sso.X509Certificate{
			{CertificateID: "soon", Certificate: certPEM(t, 2048, x509.SHA256WithRSA, now.Add(10*24*time.Hour)), ExpiresAt: at(10*24*time.Hour + time.Hour)},
			{CertificateID: "later", Certificate: certPEM(t, 2048, x509.SHA256WithRSA, now.Add(400*24*time.Hour)), ExpiresAt: at(400 * 24 * time.Hour)},
			{CertificateID: "gone", Certificate: certPEM(t, 1024, x509.SHA256WithRSA, now.Add(-time.Hour)), ExpiresAt: at(-time.Hour)},
		}}
	c := SAMLView(v, nil, "", "https://seam.example/setup/metadata/x", now)
	if c.Guide.Key != "entra" || c.Detected.Name != "Microsoft Entra ID" {
		t.Errorf("guide %q detected %+v, want Entra from the metadata's URLs", c.Guide.Key, c.Detected)
	}
	if !c.Certs[0].Warn || c.Certs[0].Left != "in 10 days" || c.Certs[1].Warn || c.Certs[1].Expired || !c.Certs[2].Expired {
		t.Errorf("certificates = %+v", c.Certs)
	}
	all := strings.Join(c.Warnings, "\n")
	if c.Warnings[0] != "allow_legacy_rsa_sha1 is on" {
		t.Errorf("the API's security_warnings do not come first: %q", c.Warnings)
	}
	for _, want := range []string{"expires in 10 days", "expired on", "1024-bit RSA key", "IdP-initiated", "plain http"} {
		if !strings.Contains(all, want) {
			t.Errorf("warnings lack %q:\n%s", want, all)
		}
	}
	if strings.Contains(all, "later") {
		t.Errorf("a certificate valid for 400 days is flagged")
	}
	if len(c.Missing) != 1 || c.Missing[0].Step != StepAttributes {
		t.Errorf("missing = %+v", c.Missing)
	}
	if !c.Mapping.Defaulted || c.Mapping.Email != claimEmail {
		t.Errorf("an empty mapping should offer Entra's defaults: %+v", c.Mapping)
	}
	if c.IdPOrigin != "http://login.microsoftonline.com" {
		t.Errorf("IdP origin %q", c.IdPOrigin)
	}
	if got := SAMLView(v, nil, "okta", "", now).Guide.Key; got != "okta" {
		t.Errorf("an explicit guide choice is %q", got)
	}
}

func TestExplain(t *testing.T) {
	exp := Expected{IDPEntityID: "https://idp/entity", Audience: "https://seam/acs", ACSURL: "https://seam/acs", ClientID: "cid", Issuer: "https://op",
		EmailAttribute: "mail", CertificateFingerprints: []string{"aa"}}
	facts := func(v any) json.RawMessage { b, _ := json.Marshal(v); return b }
	tests := []struct {
		outcome                 string
		facts                   json.RawMessage
		title, seen, want, step string
	}{
		{"audience_mismatch", facts(map[string]any{"audiences": []string{"https://other"}}), "Wrong audience", "https://other", "https://seam/acs", StepSPValues},
		{"issuer_mismatch", facts(map[string]any{"issuer": "https://evil"}), "Wrong IdP entity ID (issuer)", "https://evil", "https://idp/entity", StepIdPValues},
		{"unknown_certificate", facts(map[string]any{"certificate_fingerprint": "bb"}), "Certificate mismatch", "certificate SHA-256 bb", "one of: SHA-256 aa", StepIdPValues},
		{"expired", nil, "The clocks disagree (clock skew)", "", "", ""},
		{"missing_email_attribute", facts(map[string]any{"attributes": map[string][]string{"uid": {"x"}}}), "Missing email attribute", "attributes uid", "attribute mail", StepAttributes},
		{"unsolicited_response", nil, "IdP-initiated login is disabled", "", "", StepSPValues},
		{"id_token_wrong_audience", facts(map[string]any{"audiences": []string{"x"}}), "Wrong audience", "x", "cid", StepIdPValues},
		{"token_exchange_invalid_client", nil, "Client ID or secret refused", "", "", StepIdPValues},
		{"something_new", nil, "The test sign-in failed", "", "", ""},
	}
	for _, tt := range tests {
		o := Explain(tt.outcome, "t", "d", tt.facts, exp)
		if o.Success || o.Title != tt.title || o.Seen != tt.seen || o.Want != tt.want || o.Step != tt.step {
			t.Errorf("%s: %+v", tt.outcome, o)
		}
	}
	ok := Explain("success", "", "", facts(map[string]any{"test_login": true, "test_identity": map[string]any{"email": "a@b.c", "name": "A"},
		"attributes": map[string][]string{"mail": {"a@b.c"}}}), exp)
	if !ok.Success || ok.Email != "a@b.c" || len(ok.Attributes) != 1 || ok.Attributes[0].Name != "mail" {
		t.Errorf("success: %+v", ok)
	}
	if !IsTest(facts(map[string]any{"test_login": true})) || IsTest(facts(map[string]any{})) || IsTest(nil) {
		t.Error("IsTest")
	}
}
