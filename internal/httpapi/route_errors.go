package httpapi

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// errDecl is one error a route can answer: its HTTP status and the Stytch
// error_type of the envelope.
type errDecl struct {
	status int
	typ    string
}

// fails declares a route's own errors as "STATUS error_type" strings, the
// way docs and logs show them. A malformed declaration panics when the
// route table is built, which every test of the package does.
func fails(decls ...string) []errDecl {
	out := make([]errDecl, 0, len(decls))
	for _, d := range decls {
		code, typ, ok := strings.Cut(d, " ")
		status, err := strconv.Atoi(code)
		if !ok || err != nil || status < 400 || status > 599 || typ == "" || strings.ContainsAny(typ, " \t") {
			panic("httpapi: malformed error declaration " + strconv.Quote(d))
		}
		out = append(out, errDecl{status, typ})
	}
	return out
}

// badRequests declares 400s whose types a domain lists.
func badRequests(types []string) []errDecl {
	out := make([]errDecl, len(types))
	for i, t := range types {
		out[i] = errDecl{http.StatusBadRequest, t}
	}
	return out
}

// commonErrors are the errors a route answers because of its class, not its
// domain: they arise in the layers every such route passes through
// (authentication, member-session rules, body decoding, abuse limits, the
// outage translation), so they are derived here from the declaration and
// never listed by hand.
func commonErrors(rt route) []errDecl {
	// Every path and query is checked for text that cannot be stored
	// (boundary.go) before routing.
	out := fails("500 internal_server_error", "400 "+typeInvalidUTF8, "400 "+typeNullCharacter)
	if rt.limit.exempt() && rt.auth == authNone {
		// Probes and documents: no database, no limits, no body.
		return out
	}
	out = append(out, fails("503 database_unavailable")...)
	if !rt.limit.exempt() || rt.auth == authProject || rt.auth == authWorkspace {
		// Declared limit classes, and the Basic-auth failure limits.
		out = append(out, fails("429 too_many_requests")...)
	}
	switch rt.auth {
	case authProject, authWorkspace:
		out = append(out, fails("401 unauthorized_credentials")...)
	}
	if rt.auth == authProject {
		switch rt.access.rule {
		case sessionsRefused:
			out = append(out, fails("400 session_authorization_not_supported")...)
		case sessionsRoute, sessionsDomain:
			// The member-session step (package sessions' errors).
			out = append(out, fails("400 too_many_session_arguments", "401 unable_to_parse_session_jwt", "401 jwt_invalid_audience",
				"401 jwt_invalid_issuer", "401 jwt_invalid_claims", "403 session_authorization_error",
				"403 session_authorization_tenancy_error", "404 session_not_found")...)
		}
	}
	switch rt.body() {
	case jsonBody:
		out = append(out, fails("400 invalid_request_body", "400 invalid_request_value",
			"400 "+typeDuplicateJSONKey, "400 "+typeJSONTooDeep, "413 request_body_too_large", "415 "+typeUnsupportedMediaType)...)
	}
	if slices.Contains(pathParams(rt.pattern), "organization_id") && rt.auth == authProject {
		out = append(out, fails("404 organization_not_found")...)
	}
	return out
}

// errorsOf lists every error the route can answer, by status, each list
// sorted and without repeats: the common ones of its class and its own.
// GET /openapi.json publishes them as each status's error_type enum, so the
// conformance suites' schema check and the Go sweep (hostile_test.go) fail
// on an error a route answers without declaring it.
func errorsOf(rt route) map[int][]string {
	out := map[int][]string{}
	for _, e := range append(commonErrors(rt), rt.errs...) {
		if !slices.Contains(out[e.status], e.typ) {
			out[e.status] = append(out[e.status], e.typ)
		}
	}
	for _, types := range out {
		slices.Sort(types)
	}
	return out
}

// errorResponse is the OpenAPI response of one error status: Stytch's
// envelope with that status and the route's error types for it.
func errorResponse(status int, types []string) map[string]any {
	enum := make([]any, len(types))
	for i, t := range types {
		enum[i] = t
	}
	desc := http.StatusText(status) + ". error_type: " + strings.Join(types, ", ") + "."
	return map[string]any{"description": desc, "content": map[string]any{"application/json": map[string]any{"schema": map[string]any{
		"allOf": []any{
			map[string]any{"$ref": "#/components/schemas/Error"},
			map[string]any{"type": "object", "properties": map[string]any{
				"status_code": map[string]any{"const": status},
				"error_type":  map[string]any{"enum": enum},
			}},
		},
	}}}}
}
