package httpapi_test

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/seamsso/seam/internal/apptest"
	"github.com/seamsso/seam/internal/keys"
	"github.com/seamsso/seam/internal/sso"
)

// signedBy reports which of the connection's signing certificates (by ID)
// verifies the Redirect-binding signature of an SP-initiated start.
func signedBy(t *testing.T, f *samlFixture, certs []any) string {
	t.Helper()
	_, loc := f.start(t, f.e.Browser(), "")
	// The signed octets are the raw query parameters in this order
	// (SAML bindings 3.4.4.1).
	raw := map[string]string{}
	for _, kv := range strings.Split(loc.RawQuery, "&") {
		k, v, _ := strings.Cut(kv, "=")
		raw[k] = v
	}
	signed := "SAMLRequest=" + raw["SAMLRequest"]
	if v, ok := raw["RelayState"]; ok {
		signed += "&RelayState=" + v
	}
	signed += "&SigAlg=" + raw["SigAlg"]
	sigText, _ := url.QueryUnescape(raw["Signature"])
	sig, err := base64.StdEncoding.DecodeString(sigText)
	if err != nil {
		t.Fatal(err)
	}
	digest := sha256.Sum256([]byte(signed))
	for _, c := range certs {
		m := c.(map[string]any)
		cert, err := keys.ParseCertificatePEM(m["certificate"].(string))
		if err != nil {
			t.Fatal(err)
		}
		if rsa.VerifyPKCS1v15(cert.PublicKey.(*rsa.PublicKey), crypto.SHA256, digest[:], sig) == nil {
			return m["certificate_id"].(string)
		}
	}
	return ""
}

// SP signing-certificate rotation: a next certificate is published before
// it signs, activation switches the signer, the old one is then deleted;
// logins work at every step.
func TestSPSigningCertificateRotation(t *testing.T) {
	apptest.ForEachBackend(t, func(t *testing.T, backend string) {
		f := newSAMLFixture(t, backend)
		e := f.e
		p := samlPath("acme", f.connID)
		conn := func(r *apptest.Response) map[string]any { return e.MustOK(r).Obj("connection") }
		published := func(c map[string]any) string {
			var ids []string
			for _, id := range c["published_signing_certificate_ids"].([]any) {
				ids = append(ids, id.(string))
			}
			return strings.Join(ids, ",")
		}
		metadataKeys := func() int {
			return strings.Count(string(e.MustOK(e.Call("GET", p+"/metadata", nil)).Raw), `use="signing"`)
		}
		login := func(when string) {
			t.Helper()
			b := f.e.Browser()
			reqID, _ := f.start(t, b, "")
			resp, body := f.post(t, b, f.response(t, respOpts{inResponseTo: reqID}))
			tokenFrom(t, resp, body)
		}

		current := func() map[string]any {
			return e.MustOK(e.Call("GET", "/v1/b2b/sso/acme", nil)).Body["saml_connections"].([]any)[0].(map[string]any)
		}
		c := current()
		oldID := published(c)
		if strings.Contains(oldID, ",") || metadataKeys() != 1 || signedBy(t, f, c["signing_certificates"].([]any)) != oldID {
			t.Fatalf("before: published %s, %d metadata keys", oldID, metadataKeys())
		}

		// 1. Add the next certificate: published, not signing.
		c = conn(e.Call("POST", p+"/signing_certificates", nil))
		certs := c["signing_certificates"].([]any)
		if len(certs) != 2 {
			t.Fatalf("signing certificates = %v", certs)
		}
		nextID := certs[1].(map[string]any)["certificate_id"].(string)
		if published(c) != oldID+","+nextID || metadataKeys() != 2 {
			t.Fatalf("after adding: published %s, %d metadata keys", published(c), metadataKeys())
		}
		if by := signedBy(t, f, certs); by != oldID {
			t.Fatalf("AuthnRequests signed by %s before activation, want %s", by, oldID)
		}
		login("next certificate published")

		// 2. Activate it: it signs, the old one is no longer published.
		c = conn(e.Call("POST", p+"/signing_certificates/"+nextID+"/activate", nil))
		if published(c) != nextID || metadataKeys() != 1 {
			t.Fatalf("after activating: published %s, %d metadata keys", published(c), metadataKeys())
		}
		if by := signedBy(t, f, c["signing_certificates"].([]any)); by != nextID {
			t.Fatalf("AuthnRequests signed by %s after activation, want %s", by, nextID)
		}
		login("after activation")

		// 3. Retire the old one; the signing one cannot be deleted.
		e.WantError(e.Call("DELETE", p+"/signing_certificates/"+nextID, nil), 400, "cannot_delete_active_saml_signing_certificate")
		e.MustOK(e.Call("DELETE", p+"/signing_certificates/"+oldID, nil))
		e.WantError(e.Call("DELETE", p+"/signing_certificates/"+oldID, nil), 404, "saml_signing_certificate_not_found")
		e.WantError(e.Call("POST", p+"/signing_certificates/"+oldID+"/activate", nil), 404, "saml_signing_certificate_not_found")
		if certs := current()["signing_certificates"].([]any); len(certs) != 1 {
			t.Fatalf("after deleting: %v", certs)
		}
		login("after retiring the old certificate")

		// The cap of 5 holds.
		for range 4 {
			conn(e.Call("POST", p+"/signing_certificates", nil))
		}
		e.WantError(e.Call("POST", p+"/signing_certificates", nil), 400, "too_many_saml_signing_certificates")
		if metadataKeys() != 5 {
			t.Errorf("%d signing keys published with four next certificates", metadataKeys())
		}
	})
}

// The schedule does the same without an operator: 60 days before Seam's
// signing certificate expires a next one is published in the SP metadata,
// 30 days before it signs; running the schedule again changes nothing.
func TestSPSigningCertificateScheduledRotation(t *testing.T) {
	apptest.ForEachBackend(t, func(t *testing.T, backend string) {
		f := newSAMLFixture(t, backend)
		e := f.e
		p := samlPath("acme", f.connID)
		current := func() map[string]any {
			return e.MustOK(e.Call("GET", "/v1/b2b/sso/acme", nil)).Body["saml_connections"].([]any)[0].(map[string]any)
		}
		run := func(want int) {
			t.Helper()
			n, err := e.App.SSO.RotateSigningCertificates(context.Background(), sso.DefaultSPRotation())
			if err != nil || n != want {
				t.Fatalf("schedule: %d steps, %v; want %d", n, err, want)
			}
		}
		c := current()
		first := c["signing_certificates"].([]any)[0].(map[string]any)
		expires, err := time.Parse(time.RFC3339, first["expires_at"].(string))
		if err != nil {
			t.Fatal(err)
		}
		if got := signedBy(t, f, c["signing_certificates"].([]any)); got != first["certificate_id"] {
			t.Fatalf("signed by %q before the schedule", got)
		}

		e.Clock.Advance(expires.Sub(e.Clock.Now()) - 61*24*time.Hour)
		run(0) // more than 60 days left: nothing to do

		e.Clock.Advance(2 * 24 * time.Hour)
		run(1)
		c = current()
		if ids := c["published_signing_certificate_ids"].([]any); len(ids) != 2 || ids[0] != first["certificate_id"] {
			t.Fatalf("after publishing: %v", ids)
		}
		if n := strings.Count(string(e.MustOK(e.Call("GET", p+"/metadata", nil)).Raw), `use="signing"`); n != 2 {
			t.Fatalf("the SP metadata publishes %d signing keys, want 2", n)
		}
		if got := signedBy(t, f, c["signing_certificates"].([]any)); got != first["certificate_id"] {
			t.Fatalf("the next certificate signs before its time: %q", got)
		}
		run(0) // published already

		e.Clock.Advance(30 * 24 * time.Hour)
		run(1)
		c = current()
		next := c["signing_certificates"].([]any)[0].(map[string]any)
		if next["certificate_id"] == first["certificate_id"] {
			t.Fatal("the next certificate was not activated")
		}
		if got := signedBy(t, f, c["signing_certificates"].([]any)); got != next["certificate_id"] {
			t.Fatalf("signed by %q after activation, want %q", got, next["certificate_id"])
		}
		run(0)
	})
}
