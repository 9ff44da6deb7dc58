package httpapi

// RouteForTest is one route of the table as tests see it.
type RouteForTest struct {
	Pattern     string
	ProjectAuth bool
}

// Routes lists the server's route table, so that tests can be driven by it
// and notice endpoints they do not cover.
func Routes(s *Server) []RouteForTest {
	out := make([]RouteForTest, 0, len(s.routes))
	for _, rt := range s.routes {
		out = append(out, RouteForTest{Pattern: rt.pattern, ProjectAuth: rt.auth == authProject})
	}
	return out
}
