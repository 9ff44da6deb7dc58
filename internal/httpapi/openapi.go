package httpapi

import (
	"net/http"
	"reflect"
	"strconv"
	"strings"
)

// buildOpenAPI describes every route of the table: its operation ID,
// security, parameters, request body and responses, with schemas derived
// from the declared Go types (schema.go). It is built once, at start.
func buildOpenAPI(routes []route, baseURL, version string) map[string]any {
	resp, req := newSchemas(), newSchemas()
	req = resp.forRequests()
	paths := map[string]map[string]any{}
	for _, rt := range routes {
		method, path, _ := strings.Cut(rt.pattern, " ")
		if paths[path] == nil {
			paths[path] = map[string]any{}
		}
		op := map[string]any{
			"operationId": operationID(method, path),
			"summary":     rt.summary,
			"tags":        []any{tagOf(path)},
			"security":    securityOf(rt),
			"responses":   responsesOf(rt, resp),
		}
		if x := rbacExtension(rt); x != nil {
			op["x-seam-member-session"] = x
		}
		if rt.auth == authSetupLink {
			// OpenAPI has no security scheme for a secret in the path.
			op["x-seam-auth"] = "setup_link: the setup link's secret is the {setup_token} path segment"
		}
		if params := parametersOf(rt); len(params) > 0 {
			op["parameters"] = params
		}
		switch rt.body() {
		case jsonBody:
			op["requestBody"] = map[string]any{
				"required":    false,
				"description": "A JSON object, sent as application/json; an empty body is {}. Other content types get 415 unsupported_media_type.",
				"content":     map[string]any{"application/json": map[string]any{"schema": req.of(reflect.TypeOf(rt.in))}},
			}
		case scimBodyKind:
			schema := map[string]any{"type": "object", "description": rt.in.(scimResource).description}
			op["requestBody"] = map[string]any{"required": true,
				"content": map[string]any{scimMediaType: map[string]any{"schema": schema}, "application/json": map[string]any{"schema": schema}}}
		case formBodyKind:
			props := map[string]any{}
			for _, f := range rt.in.(formBody).fields {
				props[f] = map[string]any{"type": "string"}
			}
			op["requestBody"] = map[string]any{"required": true,
				"content": map[string]any{"application/x-www-form-urlencoded": map[string]any{"schema": map[string]any{"type": "object", "properties": props}}}}
		}
		paths[path][strings.ToLower(method)] = op
	}
	resp.components["Error"] = errorSchema()
	return map[string]any{
		"openapi":           "3.1.0",
		"jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
		"info": map[string]any{
			"title":   "Seam",
			"version": version,
			"summary": "A self-hostable, Stytch-B2B-compatible SSO server.",
			"description": "Stytch's B2B API for SSO (paths, fields, error envelope) and Seam's extensions, which are marked " +
				"(Seam extension) in their summaries. Every JSON response carries request_id and status_code.",
			"license": map[string]any{"name": "See the repository", "identifier": "NOASSERTION"},
		},
		"servers": []any{map[string]any{"url": baseURL}},
		"paths":   paths,
		"components": map[string]any{
			"schemas": resp.components,
			"securitySchemes": map[string]any{
				"project": map[string]any{"type": "http", "scheme": "basic",
					"description": "project_id as user name, a project secret as password."},
				"memberSession": map[string]any{"type": "apiKey", "in": "header", "name": headerSession,
					"description": "A member's session token: the call runs with that member's RBAC permissions (with the project credentials)."},
				"memberSessionJWT": map[string]any{"type": "apiKey", "in": "header", "name": headerSessionJWT,
					"description": "A member's session JWT: the call runs with that member's RBAC permissions (with the project credentials)."},
				"workspaceKey": map[string]any{"type": "http", "scheme": "basic",
					"description": "A workspace management key ID as user name and its secret as password (seam workspace-key create)."},
				"publicToken": map[string]any{"type": "apiKey", "in": "query", "name": "public_token",
					"description": "The project's public token, for browser endpoints."},
				"scimBearer": map[string]any{"type": "http", "scheme": "bearer",
					"description": "A SCIM connection's bearer token (from the SCIM connection create or rotate/start response), for the SCIM 2.0 service provider at the connection's base_url."},
			},
		},
	}
}

// operationID is derived from the method and the literal path segments,
// with "By<Param>" for parameters and without the common /v1/b2b prefix:
// stable, unique per route (a test checks), readable in a generated client
// (PUT /v1/b2b/sso/saml/{organization_id}/connections/{connection_id} ->
// putSsoSamlByOrganizationIdConnectionsByConnectionId).
func operationID(method, path string) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(method))
	if rest, ok := strings.CutPrefix(path, "/v1/b2b/"); ok {
		path = rest
	} else if rest, ok := strings.CutPrefix(path, "/v1/"); ok {
		path = rest
	}
	for _, seg := range strings.Split(path, "/") {
		switch {
		case seg == "":
		case strings.HasPrefix(seg, "{"):
			b.WriteString("By")
			b.WriteString(camel(strings.Trim(seg, "{}.")))
		default:
			b.WriteString(camel(seg))
		}
	}
	return b.String()
}

func camel(s string) string {
	var b strings.Builder
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == '_' || r == '-' || r == '.' }) {
		b.WriteString(exported(part))
	}
	return b.String()
}

func tagOf(path string) string {
	segs := strings.Split(strings.TrimPrefix(strings.TrimPrefix(path, "/v1"), "/b2b"), "/")
	if len(segs) > 1 && segs[1] != "" {
		return segs[1]
	}
	return "operations"
}

func securityOf(rt route) []any {
	switch {
	case rt.auth == authProject && (rt.access.rule == sessionsRoute || rt.access.rule == sessionsDomain):
		return []any{
			map[string]any{"project": []any{}},
			map[string]any{"project": []any{}, "memberSession": []any{}},
			map[string]any{"project": []any{}, "memberSessionJWT": []any{}},
		}
	case rt.auth == authProject:
		return []any{map[string]any{"project": []any{}}}
	case rt.auth == authWorkspace:
		return []any{map[string]any{"workspaceKey": []any{}}}
	case rt.auth == authSCIM:
		return []any{map[string]any{"scimBearer": []any{}}}
	case strings.Contains(rt.pattern, "/public/sso/start"):
		return []any{map[string]any{"publicToken": []any{}}}
	}
	return []any{}
}

func parametersOf(rt route) []any {
	var params []any
	for _, name := range pathParams(rt.pattern) {
		params = append(params, map[string]any{"name": name, "in": "path", "required": true,
			"schema": map[string]any{"type": "string", "maxLength": 1024}})
	}
	return params
}

// rbacExtension documents what member-session headers do on a project
// route (x-seam-member-session): the rule and the permission needed.
func rbacExtension(rt route) map[string]any {
	if rt.auth != authProject {
		return nil
	}
	x := map[string]any{"rule": map[sessionRule]string{
		sessionsRefused: "refused", sessionsRoute: "rbac", sessionsDomain: "rbac-by-fields", sessionsIgnored: "ignored",
	}[rt.access.rule]}
	if rt.access.resource != "" {
		x["resource"], x["action"] = rt.access.resource, rt.access.action
	}
	return x
}

// responsesOf: the declared 200 (or redirect), and per error status
// Stytch's envelope with the error types the route declares for it.
func responsesOf(rt route, g *schemas) map[string]any {
	if rt.auth == authSCIM {
		return scimResponsesOf(rt)
	}
	out := map[string]any{}
	for status, types := range errorsOf(rt) {
		out[strconv.Itoa(status)] = errorResponse(status, types)
	}
	jsonBody := func(t any) map[string]any {
		return map[string]any{"application/json": map[string]any{"schema": map[string]any{"allOf": []any{
			g.of(reflect.TypeOf(t)),
			map[string]any{"type": "object", "required": []any{"request_id", "status_code"}, "properties": map[string]any{
				"request_id": map[string]any{"type": "string"}, "status_code": map[string]any{"type": "integer"}}},
		}}}}
	}
	switch o := rt.out.(type) {
	case redirectJSON:
		out["302"] = map[string]any{"description": "Redirects the browser (Location header); the body repeats the target.",
			"headers": map[string]any{"Location": map[string]any{"schema": map[string]any{"type": "string", "format": "uri"}}},
			"content": jsonBody(o.body)}
	case nonJSON:
		r := map[string]any{"description": o.description}
		if o.mediaType != "" {
			r["content"] = map[string]any{o.mediaType: map[string]any{"schema": map[string]any{"type": "string"}}}
		}
		if o.status == http.StatusFound {
			r["headers"] = map[string]any{"Location": map[string]any{"schema": map[string]any{"type": "string", "format": "uri"}}}
		}
		out[strconv.Itoa(o.status)] = r
	case nil:
	default:
		out["200"] = map[string]any{"description": "Success.", "content": jsonBody(o)}
	}
	return out
}

func errorSchema() map[string]any {
	return map[string]any{
		"type":     "object",
		"required": []any{"status_code", "request_id", "error_type", "error_message", "error_url"},
		"properties": map[string]any{
			"status_code":   map[string]any{"type": "integer"},
			"request_id":    map[string]any{"type": "string"},
			"error_type":    map[string]any{"type": "string", "description": "Stytch's machine-readable error type; each operation's error responses list (enum) the types it answers with that status."},
			"error_message": map[string]any{"type": "string"},
			"error_url":     map[string]any{"type": "string", "format": "uri"},
			"error_details": map[string]any{"type": "object"},
		},
	}
}
