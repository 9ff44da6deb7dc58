package httpapi

import "reflect"

// RouteForTest is one route of the table as tests see it.
type RouteForTest struct {
	Pattern     string
	ProjectAuth bool
	// Sessions is the declared member-session rule: "refused", "route"
	// (authorized at the route for Resource/Action), "domain" or "ignored".
	Sessions         string
	Resource, Action string
	// Body is "none", "json" or "form": what the route reads as its body.
	Body string
	// StringFields are the top-level JSON string fields of the declared
	// request type (from its schema), for the hostile sweep.
	StringFields []string
	// Errors are the error types the route declares, by status (nil for
	// SCIM routes, whose errors are RFC 7644 messages without one).
	Errors map[int][]string
}

// Routes lists the server's route table, so that tests can be driven by it
// and notice endpoints they do not cover.
func Routes(s *Server) []RouteForTest {
	rules := map[sessionRule]string{sessionsRefused: "refused", sessionsRoute: "route", sessionsDomain: "domain", sessionsIgnored: "ignored"}
	bodies := map[bodyKind]string{noBody: "none", jsonBody: "json", formBodyKind: "form", scimBodyKind: "scim"}
	out := make([]RouteForTest, 0, len(s.routes))
	for _, rt := range s.routes {
		out = append(out, RouteForTest{Pattern: rt.pattern, ProjectAuth: rt.auth == authProject,
			Sessions: rules[rt.access.rule], Resource: rt.access.resource, Action: rt.access.action, Body: bodies[rt.body()],
			StringFields: stringFields(rt), Errors: declaredErrors(rt)})
	}
	return out
}

// stringFields lists the top-level string properties of a route's JSON
// request schema (a string, or a nullable one: opt.Value[string]).
func stringFields(rt route) []string {
	if rt.body() != jsonBody {
		return nil
	}
	g := newSchemas().forRequests()
	t := reflect.TypeOf(rt.in)
	obj := g.object(t)
	var out []string
	for name, p := range obj["properties"].(map[string]any) {
		if isStringSchema(p.(map[string]any)) {
			out = append(out, name)
		}
	}
	return out
}

func isStringSchema(s map[string]any) bool {
	if s["type"] == "string" {
		return true
	}
	if alts, ok := s["anyOf"].([]any); ok && len(alts) > 0 {
		return isStringSchema(alts[0].(map[string]any))
	}
	return false
}

func declaredErrors(rt route) map[int][]string {
	if rt.auth == authSCIM {
		return nil
	}
	return errorsOf(rt)
}
