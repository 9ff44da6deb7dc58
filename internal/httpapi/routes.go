package httpapi

// routeTable lists every endpoint. It is the single source for the mux and
// for GET /openapi.json.
func (s *Server) routeTable() []route {
	return []route{
		{"GET /healthz", authNone, "Liveness: the process is up.", apiFunc(s.healthz)},
		{"GET /readyz", authNone, "Readiness: the database answers.", apiFunc(s.readyz)},
		{"GET /metrics", authNone, "Prometheus metrics.", s.metricsHandler()},
		{"GET /openapi.json", authNone, "This API description.", apiFunc(s.openapi)},

		{"POST /v1/b2b/organizations", authProject, "Create an organization.", apiFunc(s.createOrganization)},
		{"POST /v1/b2b/organizations/search", authProject, "Search organizations.", apiFunc(s.searchOrganizations)},
		{"GET /v1/b2b/organizations/{organization_id}", authProject, "Get an organization.", apiFunc(s.getOrganization)},
		{"PUT /v1/b2b/organizations/{organization_id}", authProject, "Update an organization.", apiFunc(s.updateOrganization)},
		{"DELETE /v1/b2b/organizations/{organization_id}", authProject, "Delete an organization.", apiFunc(s.deleteOrganization)},
	}
}
