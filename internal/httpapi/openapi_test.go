package httpapi

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/seamsso/seam/internal/setup"
	"github.com/seamsso/seam/internal/testidp"
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

// TestRouteErrorDeclarations: the table of routes' own errors names only
// routes of the table (with every optional part enabled), repeats no error
// of the route's class, and every operation of /openapi.json documents its
// error statuses with exactly the declared types.
func TestRouteErrorDeclarations(t *testing.T) {
	s := New(Deps{BaseURL: "http://127.0.0.1:8080", Version: "test", TestIdP: &testidp.Service{}, Setup: &setup.Service{}})
	byPattern := map[string]route{}
	for _, rt := range s.routes {
		byPattern[rt.pattern] = rt
	}
	for pattern, own := range routeErrors() {
		rt, ok := byPattern[pattern]
		if !ok {
			t.Errorf("routeErrors names %q, which is not a route", pattern)
			continue
		}
		if rt.auth == authSCIM {
			t.Errorf("%s: SCIM routes answer RFC 7644 errors, without error_type", pattern)
		}
		for _, c := range commonErrors(rt) {
			if slices.Contains(own, c) {
				t.Errorf("%s declares %d %s, which its class already does (commonErrors)", pattern, c.status, c.typ)
			}
		}
	}
	var doc struct {
		Paths map[string]map[string]struct {
			Responses map[string]struct {
				Description string
				Content     map[string]struct {
					Schema struct {
						AllOf []struct {
							Properties struct {
								ErrorType struct {
									Enum []string
								} `json:"error_type"`
							}
						}
					}
				}
			}
		}
	}
	if err := json.Unmarshal(s.openapiJSON, &doc); err != nil {
		t.Fatal(err)
	}
	for _, rt := range s.routes {
		if rt.auth == authSCIM {
			continue
		}
		method, path, _ := strings.Cut(rt.pattern, " ")
		op := doc.Paths[path][strings.ToLower(method)]
		for status, types := range errorsOf(rt) {
			resp, ok := op.Responses[strconv.Itoa(status)]
			if !ok {
				t.Errorf("%s: status %d undocumented", rt.pattern, status)
				continue
			}
			schema := resp.Content["application/json"].Schema
			if len(schema.AllOf) != 2 || !slices.Equal(schema.AllOf[1].Properties.ErrorType.Enum, types) {
				t.Errorf("%s %d: enum %v, want %v", rt.pattern, status, schema.AllOf, types)
			}
			for _, typ := range types {
				if !strings.Contains(resp.Description, typ) {
					t.Errorf("%s %d: the description does not name %s", rt.pattern, status, typ)
				}
			}
		}
	}
}

func TestFailsRefusesMalformedDeclarations(t *testing.T) {
	for _, d := range []string{"", "400", "four invalid", "200 ok", "400 two words", "400 "} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("fails(%q) did not panic", d)
				}
			}()
			fails(d)
		}()
	}
	if got := fails("404 organization_not_found"); len(got) != 1 || got[0] != (errDecl{404, "organization_not_found"}) {
		t.Errorf("fails: %v", got)
	}
}
