package httpapi

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// TestRouteDeclarations: every route declares what OpenAPI and the guard
// need, and the derived operation IDs are unique.
func TestRouteDeclarations(t *testing.T) {
	s := New(Deps{BaseURL: "http://127.0.0.1:8080", Version: "test"})
	ids := map[string]string{}
	for _, rt := range s.routes {
		method, path, ok := strings.Cut(rt.pattern, " ")
		if !ok || !strings.HasPrefix(path, "/") {
			t.Errorf("pattern %q is not METHOD /path", rt.pattern)
		}
		if rt.summary == "" || rt.out == nil {
			t.Errorf("%s: a route needs a summary and a declared response", rt.pattern)
		}
		if (method == http.MethodPost || method == http.MethodPut) && rt.in == nil {
			if _, page := rt.out.(nonJSON); !page {
				t.Errorf("%s: a JSON %s route needs a declared request body type", rt.pattern, method)
			}
		}
		if rt.auth == authProject && (rt.access.rule == sessionsRoute || rt.access.rule == sessionsDomain) && (rt.access.resource == "" || rt.access.action == "") {
			t.Errorf("%s: an RBAC rule without resource and action", rt.pattern)
		}
		id := operationID(method, path)
		if other, dup := ids[id]; dup {
			t.Errorf("operationId %s of %s is also %s's", id, rt.pattern, other)
		}
		ids[id] = rt.pattern
	}
	var doc map[string]any
	if err := json.Unmarshal(s.openapiJSON, &doc); err != nil || doc["openapi"] != "3.1.0" || doc["request_id"] != nil {
		t.Fatalf("openapi.json: %v %v", err, doc["openapi"])
	}
}

func TestOperationID(t *testing.T) {
	for in, want := range map[string]string{
		"PUT /v1/b2b/sso/saml/{organization_id}/connections/{connection_id}": "putSsoSamlByOrganizationIdConnectionsByConnectionId",
		"GET /v1/public/sso/start":  "getPublicSsoStart",
		"GET /b2b/public/sso/start": "getB2bPublicSsoStart",
		"GET /healthz":              "getHealthz",
		"GET /openapi.json":         "getOpenapiJson",
	} {
		m, p, _ := strings.Cut(in, " ")
		if got := operationID(m, p); got != want {
			t.Errorf("operationID(%s) = %s, want %s", in, got, want)
		}
	}
}
