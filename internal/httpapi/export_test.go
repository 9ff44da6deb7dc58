package httpapi

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
}

// Routes lists the server's route table, so that tests can be driven by it
// and notice endpoints they do not cover.
func Routes(s *Server) []RouteForTest {
	rules := map[sessionRule]string{sessionsRefused: "refused", sessionsRoute: "route", sessionsDomain: "domain", sessionsIgnored: "ignored"}
	bodies := map[bodyKind]string{noBody: "none", jsonBody: "json", formBodyKind: "form"}
	out := make([]RouteForTest, 0, len(s.routes))
	for _, rt := range s.routes {
		out = append(out, RouteForTest{Pattern: rt.pattern, ProjectAuth: rt.auth == authProject,
			Sessions: rules[rt.access.rule], Resource: rt.access.resource, Action: rt.access.action, Body: bodies[rt.body()]})
	}
	return out
}
