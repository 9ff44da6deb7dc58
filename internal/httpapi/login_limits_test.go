package httpapi_test

import (
	"bytes"
	"compress/flate"
	"context"
	"encoding/base64"
	"net/http"
	"strings"
	"testing"

	"github.com/seamsso/seam/internal/apptest"
)

// TestACSCheapRefusalsWriteNothing: an ACS post that is not a SAML response
// (size, encoding, XML shape) or that targets a pending connection is
// refused without recording a login attempt; the attempts recorded for real
// refusals are bounded per connection (the newest are kept).
func TestACSCheapRefusalsWriteNothing(t *testing.T) {
	apptest.ForEachBackend(t, func(t *testing.T, backend string) {
		f := newSAMLFixture(t, backend)
		b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
		var deflated bytes.Buffer
		w, _ := flate.NewWriter(&deflated, flate.BestSpeed)
		_, _ = w.Write([]byte("not xml at all"))
		_ = w.Close()
		count := func(connID string) int {
			l, err := f.e.App.Store.ListLoginAttempts(context.Background(), f.e.Creds.ProjectID, connID, 10_000)
			if err != nil {
				t.Fatal(err)
			}
			return len(l)
		}
		shapes := []struct{ name, value string }{
			{"empty", ""},
			{"whitespace", " \n\t"},
			{"not base64", "%%%"},
			{"base64 of text", b64("hello")},
			{"deflated text", base64.StdEncoding.EncodeToString(deflated.Bytes())},
			{"XML that is not a Response", b64(`<html xmlns="http://www.w3.org/1999/xhtml"><body/></html>`)},
			{"DOCTYPE", b64(`<!DOCTYPE x [<!ENTITY a "b">]><samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"/>`)},
			{"XML with NUL", b64("<samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\">\x00</samlp:Response>")},
			{"XML with invalid UTF-8", b64("<samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\">\xff</samlp:Response>")},
			{"over 1 MiB", strings.Repeat("A", 1<<20+8)},
		}
		for _, s := range shapes {
			t.Run(s.name, func(t *testing.T) {
				resp, body := f.post(t, f.e.Browser(), s.value)
				if resp.StatusCode < 400 || resp.StatusCode >= 500 {
					t.Fatalf("%d: %s", resp.StatusCode, body)
				}
				if n := count(f.connID); n != 0 {
					t.Fatalf("%d login attempts recorded", n)
				}
			})
		}
		t.Run("pending connection", func(t *testing.T) {
			pending := createSAML(f.e, "acme")["connection_id"].(string)
			resp, err := f.e.Browser().PostForm(f.e.URL+"/v1/b2b/sso/callback/"+pending, map[string][]string{
				"SAMLResponse": {f.response(t, respOpts{})}})
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusBadRequest || count(pending) != 0 {
				t.Fatalf("status %d, %d attempts recorded", resp.StatusCode, count(pending))
			}
		})
		t.Run("real refusals are kept, newest first, bounded", func(t *testing.T) {
			f.e.App.Login.AttemptsKept = 3
			for i := 0; i < 5; i++ {
				resp, body := f.post(t, f.e.Browser(), f.response(t, respOpts{audience: "https://other-sp.example"}))
				if resp.StatusCode != http.StatusBadRequest {
					t.Fatalf("%d: %s", resp.StatusCode, body)
				}
			}
			if n := count(f.connID); n != 3 {
				t.Fatalf("%d attempts kept, want 3", n)
			}
		})
	})
}
