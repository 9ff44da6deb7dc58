package httpapi_test

import (
	"bytes"
	"encoding/base64"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/seamsso/seam/internal/apptest"
)

func TestProjectAuthFailures(t *testing.T) {
	e := apptest.New(t, "sqlite")
	other := e.NewProject("test")
	cases := []struct {
		name   string
		header string
	}{
		{"missing", ""},
		{"not basic", "Bearer abc"},
		{"malformed base64", "Basic !!!"},
		{"no colon", "Basic " + base64.StdEncoding.EncodeToString([]byte(e.Creds.ProjectID))},
		{"wrong secret", "Basic " + base64.StdEncoding.EncodeToString([]byte(e.Creds.ProjectID+":"+e.Creds.Secret+"x"))},
		{"other project's secret", "Basic " + base64.StdEncoding.EncodeToString([]byte(e.Creds.ProjectID+":"+other.Secret))},
		{"unknown project", "Basic " + base64.StdEncoding.EncodeToString([]byte("project-test-00000000-0000-4000-8000-000000000000:"+e.Creds.Secret))},
		{"empty secret", "Basic " + base64.StdEncoding.EncodeToString([]byte(e.Creds.ProjectID+":"))},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := map[string]string{}
			if tc.header != "" {
				h["Authorization"] = tc.header
			}
			r := e.Do(apptest.Request{Method: "GET", Path: "/v1/b2b/organizations/x", NoAuth: true, Header: h})
			e.WantError(r, 401, "unauthorized_credentials")
		})
	}
}

func TestRoutingErrors(t *testing.T) {
	e := apptest.New(t, "sqlite")
	e.WantError(e.Call("GET", "/v1/b2b/nothing-here", nil), 404, "route_not_found")
	r := e.Call("PATCH", "/v1/b2b/organizations/abc", nil)
	e.WantError(r, 405, "method_not_allowed")
	if !strings.Contains(r.Header.Get("Allow"), "PUT") {
		t.Errorf("Allow = %q", r.Header.Get("Allow"))
	}
	// Unknown routes answer 404 before authentication is considered.
	e.WantError(e.Do(apptest.Request{Method: "GET", Path: "/v1/nope", NoAuth: true}), 404, "route_not_found")
}

func TestBodyErrors(t *testing.T) {
	e := apptest.New(t, "sqlite")
	cases := []struct {
		name, body string
		status     int
		errType    string
		inMessage  string
	}{
		{"syntax", `{"organization_name":`, 400, "invalid_request_body", ""},
		{"not an object", `["a"]`, 400, "invalid_request_body", "JSON object"},
		{"trailing data", `{} {}`, 400, "invalid_request_body", "exactly one"},
		{"wrong type names field", `{"organization_name":"a","organization_slug":"ab","sso_jit_provisioning":5}`, 400, "invalid_request_value", "sso_jit_provisioning"},
		{"nested wrong type", `{"organization_name":"a","organization_slug":"ab","email_allowed_domains":"x.com"}`, 400, "invalid_request_value", "email_allowed_domains"},
		{"too large", `{"organization_name":"` + strings.Repeat("a", 1<<20) + `"}`, 413, "request_body_too_large", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := e.Call("POST", "/v1/b2b/organizations", tc.body)
			e.WantError(r, tc.status, tc.errType)
			if !strings.Contains(r.Str("error_message"), tc.inMessage) {
				t.Errorf("message %q does not mention %q", r.Str("error_message"), tc.inMessage)
			}
		})
	}
	// Nothing was created by any of them.
	r := e.MustOK(e.Call("POST", "/v1/b2b/organizations/search", map[string]any{}))
	if n := r.Obj("results_metadata")["total"]; n != float64(0) {
		t.Fatalf("bad requests created organizations: total = %v", n)
	}
}

func TestRequestIDsAndOps(t *testing.T) {
	e := apptest.New(t, "sqlite")
	r := e.Call("GET", "/healthz", nil)
	if r.Status != 200 || !strings.HasPrefix(r.Str("request_id"), "request-id-test-") || r.Header.Get("X-Request-Id") != r.Str("request_id") {
		t.Fatalf("healthz: %d %s %v", r.Status, r.Raw, r.Header)
	}
	if r := e.Call("GET", "/readyz", nil); r.Status != 200 {
		t.Fatalf("readyz: %d", r.Status)
	}
	live := e.NewProject("live")
	r = e.Do(apptest.Request{Method: "GET", Path: "/v1/b2b/organizations/nope", Creds: live})
	if !strings.HasPrefix(r.Str("request_id"), "request-id-live-") {
		t.Errorf("live project request id = %q", r.Str("request_id"))
	}
	resp, err := http.Get(e.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Contains(body, []byte(`seam_http_requests_total{method="GET",route="GET /v1/b2b/organizations/{organization_id}",status="404"}`)) {
		t.Errorf("metrics lack the request counter:\n%s", body)
	}
	for _, series := range []string{`seam_db_query_duration_seconds_count{operation="select"}`, `seam_db_query_duration_seconds_count{operation="transaction"}`} {
		if !bytes.Contains(body, []byte(series+" ")) {
			t.Errorf("metrics lack %s", series)
		}
	}
	r = e.Call("GET", "/openapi.json", nil)
	paths := r.Obj("paths")
	if _, ok := paths["/v1/b2b/organizations/{organization_id}"].(map[string]any)["put"]; !ok {
		t.Errorf("openapi lacks PUT organization: %s", r.Raw)
	}
}
