package httpapi_test

import (
	"strings"
	"testing"

	"github.com/seamsso/seam/internal/apptest"
	"github.com/seamsso/seam/internal/saml/samltest"
)

// An IdP that can only sign with RSA-SHA1 is refused until the connection
// opts in; the opt-in shows as a security warning on the connection, every
// login through it records the algorithm, and turning it off refuses again.
func TestSAMLLegacySHA1OptIn(t *testing.T) {
	apptest.ForEachBackend(t, func(t *testing.T, backend string) {
		f := newSAMLFixture(t, backend)
		sha1 := respOpts{sign: samltest.SignOptions{SignatureMethod: samltest.AlgRSASHA1, DigestMethod: samltest.AlgSHA1}}
		lastLogin := func() map[string]any {
			logins := f.e.MustOK(f.e.Call("GET", samlPath("acme", f.connID)+"/logins", nil)).Body["logins"].([]any)
			return logins[0].(map[string]any)
		}

		resp, body := f.post(t, f.e.Browser(), f.response(t, sha1))
		if resp.StatusCode != 400 || lastLogin()["outcome"] != "algorithm_not_allowed" {
			t.Fatalf("rsa-sha1 without the opt-in: %d %s / %v", resp.StatusCode, body, lastLogin())
		}

		conn := f.e.MustOK(f.e.Call("PUT", samlPath("acme", f.connID), map[string]any{"allow_legacy_rsa_sha1": true})).Body["connection"].(map[string]any)
		warnings, _ := conn["security_warnings"].([]any)
		if conn["allow_legacy_rsa_sha1"] != true || len(warnings) != 1 || !strings.Contains(warnings[0].(string), "RSA-SHA256") {
			t.Fatalf("connection after the opt-in: allow=%v warnings=%v", conn["allow_legacy_rsa_sha1"], conn["security_warnings"])
		}
		resp, body = f.post(t, f.e.Browser(), f.response(t, sha1))
		tokenFrom(t, resp, body)
		facts := lastLogin()["facts"].(map[string]any)
		if facts["signature_method"] != samltest.AlgRSASHA1 {
			t.Errorf("a legacy login's facts lack its algorithm: %v", facts)
		}

		conn = f.e.MustOK(f.e.Call("PUT", samlPath("acme", f.connID), map[string]any{"allow_legacy_rsa_sha1": false})).Body["connection"].(map[string]any)
		if w, _ := conn["security_warnings"].([]any); conn["allow_legacy_rsa_sha1"] != false || len(w) != 0 {
			t.Fatalf("connection after the opt-out: %v %v", conn["allow_legacy_rsa_sha1"], conn["security_warnings"])
		}
		resp, _ = f.post(t, f.e.Browser(), f.response(t, sha1))
		if resp.StatusCode != 400 || lastLogin()["outcome"] != "algorithm_not_allowed" {
			t.Fatalf("rsa-sha1 after the opt-out: %d %v", resp.StatusCode, lastLogin())
		}
	})
}
