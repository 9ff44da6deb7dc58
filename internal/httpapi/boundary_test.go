package httpapi_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/seamsso/seam/internal/apptest"
)

// rawCall sends a request exactly as given (no default content type) with
// the project's credentials unless noAuth, and decodes the envelope.
func rawCall(t *testing.T, e *apptest.Env, method, path, contentType string, body io.Reader, noAuth bool) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, e.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if !noAuth {
		req.SetBasicAuth(e.Creds.ProjectID, e.Creds.Secret)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatalf("%s %s: bad JSON %q", method, path, raw)
		}
	}
	return resp.StatusCode, m
}

// chunked hides the length of a body so that it is sent chunked.
type chunked struct{ r io.Reader }

func (c chunked) Read(p []byte) (int, error) { return c.r.Read(p) }

func TestBoundaryRefusesUnstorableText(t *testing.T) {
	apptest.ForEachBackend(t, func(t *testing.T, backend string) {
		e := apptest.New(t, backend)
		e.CreateOrg("Acme", "acme")
		cases := []struct {
			name, method, path string
			noAuth             bool
			status             int
			errType, inMessage string
		}{
			{"JWKS project NUL", "GET", "/v1/b2b/sessions/jwks/%00", true, 400, "null_character_not_allowed", "project_id"},
			{"JWKS project invalid UTF-8", "GET", "/v1/b2b/sessions/jwks/%FF", true, 400, "invalid_utf8", "project_id"},
			{"JWKS project not a project ID", "GET", "/v1/b2b/sessions/jwks/organization-test-00000000-0000-4000-8000-000000000000", true, 404, "project_not_found", ""},
			{"ACS connection NUL", "POST", "/v1/b2b/sso/callback/saml-connection-test-%00", true, 400, "null_character_not_allowed", "connection_id"},
			{"OIDC callback connection invalid UTF-8", "GET", "/v1/b2b/sso/callback/%C3%28", true, 400, "invalid_utf8", "connection_id"},
			{"start connection NUL", "GET", "/v1/public/sso/start?connection_id=%00", true, 400, "null_character_not_allowed", `"connection_id"`},
			{"start public token invalid UTF-8", "GET", "/v1/public/sso/start?connection_id=x&public_token=%FF", true, 400, "invalid_utf8", `"public_token"`},
			{"start malformed public token", "GET", "/v1/public/sso/start?connection_id=x&public_token=public-token-test-nope", true, 401, "invalid_public_token", ""},
			{"query key NUL", "GET", "/v1/b2b/sessions?%00=1", false, 400, "null_character_not_allowed", "query parameter name"},
			{"organization ref NUL", "GET", "/v1/b2b/organizations/acme%00", false, 400, "null_character_not_allowed", "organization_id"},
			{"member ref invalid UTF-8", "DELETE", "/v1/b2b/organizations/acme/members/%FF", false, 400, "invalid_utf8", "member_id"},
			{"refused before authentication", "GET", "/v1/b2b/organizations/%00", true, 400, "null_character_not_allowed", "organization_id"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				status, body := rawCall(t, e, tc.method, tc.path, "", nil, tc.noAuth)
				msg, _ := body["error_message"].(string)
				if status != tc.status || body["error_type"] != tc.errType || !strings.Contains(msg, tc.inMessage) {
					t.Fatalf("got %d %v", status, body)
				}
			})
		}
	})
}

func TestJSONRoutesRequireJSONContentType(t *testing.T) {
	apptest.ForEachBackend(t, func(t *testing.T, backend string) {
		e := apptest.New(t, backend)
		org := `{"organization_name":"Acme","organization_slug":"acme"}`
		cases := []struct {
			name, contentType string
			body              io.Reader
			noAuth            bool
			status            int
			errType           string
		}{
			{"form", "application/x-www-form-urlencoded", strings.NewReader("organization_name=Acme&organization_slug=acme"), false, 415, "unsupported_media_type"},
			{"multipart", "multipart/form-data; boundary=x", strings.NewReader("--x\r\n\r\n--x--\r\n"), false, 415, "unsupported_media_type"},
			{"text/plain with JSON", "text/plain", strings.NewReader(org), false, 415, "unsupported_media_type"},
			{"no content type", "", strings.NewReader(org), false, 415, "unsupported_media_type"},
			{"chunked form", "application/x-www-form-urlencoded", chunked{strings.NewReader("a=b")}, false, 415, "unsupported_media_type"},
			{"latin-1 JSON", "application/json; charset=iso-8859-1", strings.NewReader(org), false, 415, "unsupported_media_type"},
			{"checked before authentication", "text/plain", strings.NewReader(org), true, 415, "unsupported_media_type"},
			{"JSON with charset", "application/json; charset=UTF-8", strings.NewReader(org), false, 200, ""},
			{"chunked JSON", "application/json", chunked{strings.NewReader(`{"organization_name":"B","organization_slug":"bee"}`)}, false, 200, ""},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				status, body := rawCall(t, e, "POST", "/v1/b2b/organizations", tc.contentType, tc.body, tc.noAuth)
				if status != tc.status || (tc.errType != "" && body["error_type"] != tc.errType) {
					t.Fatalf("got %d %v", status, body)
				}
			})
		}
		// A route whose body is optional works without a body and without a
		// content type, sent with a length of zero or chunked.
		for _, body := range []io.Reader{nil, chunked{strings.NewReader("")}} {
			if status, resp := rawCall(t, e, "POST", "/v1/b2b/organizations/search", "", body, false); status != 200 {
				t.Fatalf("search without body: %d %v", status, resp)
			}
		}
		// The ACS is a form route: a form post is not refused for its type.
		status, _ := rawCall(t, e, "POST", "/v1/b2b/sso/callback/saml-connection-test-00000000-0000-4000-8000-000000000000",
			"application/x-www-form-urlencoded", strings.NewReader("SAMLResponse=x"), true)
		if status != 404 {
			t.Fatalf("ACS form post: %d", status)
		}
		// The route table's declaration is what /openapi.json documents.
		doc := e.Call("GET", "/openapi.json", nil)
		put := jsonField(t, doc.Raw, "paths", "/v1/b2b/organizations/{organization_id}", "put")
		get := jsonField(t, doc.Raw, "paths", "/v1/b2b/organizations/{organization_id}", "get")
		acs := jsonField(t, doc.Raw, "paths", "/v1/b2b/sso/callback/{connection_id}", "post")
		if jsonField(t, mustJSON(t, put), "requestBody", "content", "application/json") == nil ||
			jsonField(t, mustJSON(t, put), "responses", "415") == nil ||
			jsonField(t, mustJSON(t, get), "requestBody") != nil ||
			jsonField(t, mustJSON(t, acs), "requestBody", "content", "application/x-www-form-urlencoded") == nil {
			t.Errorf("openapi does not document the request bodies: %v / %v / %v", put, get, acs)
		}
	})
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestJSONBodyRefusals(t *testing.T) {
	apptest.ForEachBackend(t, func(t *testing.T, backend string) {
		e := apptest.New(t, backend)
		e.CreateOrg("Acme", "acme")
		id := createSAML(e, "acme")["connection_id"].(string)
		cases := []struct {
			name, method, path, body string
			errType, inMessage       string
		}{
			{"NUL in a connection field", "PUT", samlPath("acme", id), `{"display_name":"a\u0000"}`, "null_character_not_allowed", "display_name"},
			{"NUL in organization metadata", "PUT", "/v1/b2b/organizations/acme", `{"trusted_metadata":{"k":["\u0000"]}}`, "null_character_not_allowed", "trusted_metadata.k[0]"},
			{"invalid UTF-8 in a member name", "POST", "/v1/b2b/organizations/acme/members", "{\"email_address\":\"a@acme.test\",\"name\":\"\xff\"}", "invalid_utf8", "name"},
			{"duplicate key", "POST", "/v1/b2b/organizations", `{"organization_name":"A","organization_slug":"a","organization_slug":"b"}`, "duplicate_json_key", "organization_slug"},
			{"deep nesting", "PUT", "/v1/b2b/organizations/acme", `{"trusted_metadata":` + strings.Repeat(`[`, 40) + strings.Repeat(`]`, 40) + `}`, "json_nesting_too_deep", "32"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				status, body := rawCall(t, e, tc.method, tc.path, "application/json", strings.NewReader(tc.body), false)
				msg, _ := body["error_message"].(string)
				if status != 400 || body["error_type"] != tc.errType || !strings.Contains(msg, tc.inMessage) {
					t.Fatalf("got %d %v", status, body)
				}
			})
		}
		// Nothing was written: the connection and the organization are as before.
		c := e.MustOK(e.Call("GET", "/v1/b2b/sso/acme", nil)).Body["saml_connections"].([]any)[0].(map[string]any)
		if strings.ContainsRune(c["display_name"].(string), 0) {
			t.Errorf("display_name stored: %q", c["display_name"])
		}
		if r := e.MustOK(e.Call("POST", "/v1/b2b/organizations/search", nil)); r.Obj("results_metadata")["total"] != float64(1) {
			t.Errorf("organizations: %s", r.Raw)
		}
	})
}
