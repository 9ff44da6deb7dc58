package httpapi

import "net/http"

// routeTable lists every endpoint. It is the single source for the mux and
// for GET /openapi.json. Each domain contributes its own list.
func (s *Server) routeTable() []route {
	var all []route
	for _, list := range [][]route{
		s.opsRoutes(),
		s.organizationRoutes(),
		s.ssoRoutes(),
		s.loginRoutes(),
		s.memberRoutes(), s.sessionRoutes(), s.rbacRoutes(),
	} {
		all = append(all, list...)
	}
	return all
}

func (s *Server) opsRoutes() []route {
	return []route{
		{"GET /healthz", authNone, "Liveness: the process is up.", apiFunc(s.healthz)},
		{"GET /readyz", authNone, "Readiness: the database answers.", apiFunc(s.readyz)},
		{"GET /metrics", authNone, "Prometheus metrics.", s.metricsHandler()},
		{"GET /openapi.json", authNone, "This API description.", apiFunc(s.openapi)},
	}
}

func (s *Server) organizationRoutes() []route {
	return []route{
		{"POST /v1/b2b/organizations", authProject, "Create an organization.", s.noMemberSession(apiFunc(s.createOrganization))},
		{"POST /v1/b2b/organizations/search", authProject, "Search organizations.", s.noMemberSession(apiFunc(s.searchOrganizations))},
		{"GET /v1/b2b/organizations/{organization_id}", authProject, "Get an organization.", s.noMemberSession(apiFunc(s.getOrganization))},
		{"PUT /v1/b2b/organizations/{organization_id}", authProject, "Update an organization.", apiFunc(s.updateOrganization)},
		{"DELETE /v1/b2b/organizations/{organization_id}", authProject, "Delete an organization.", apiFunc(s.deleteOrganization)},
	}
}

func (s *Server) ssoRoutes() []route {
	const saml = "/v1/b2b/sso/saml/{organization_id}"
	const samlConn = saml + "/connections/{connection_id}"
	return []route{
		{"GET /v1/b2b/sso/{organization_id}", authProject, "List an organization's SSO connections.", apiFunc(s.getConnections)},
		{"DELETE /v1/b2b/sso/{organization_id}/connections/{connection_id}", authProject, "Delete an SSO connection of any kind.", apiFunc(s.deleteConnection)},
		{"POST " + saml, authProject, "Create a SAML connection.", apiFunc(s.createSAML)},
		{"PUT " + samlConn, authProject, "Update a SAML connection.", apiFunc(s.updateSAML)},
		{"PUT " + samlConn + "/url", authProject, "Update a SAML connection from the IdP's metadata URL.", apiFunc(s.updateSAMLByURL)},
		{"DELETE " + samlConn + "/verification_certificates/{certificate_id}", authProject, "Delete a SAML verification certificate.", apiFunc(s.deleteVerificationCertificate)},
		{"DELETE " + samlConn + "/encryption_private_keys/{private_key_id}", authProject, "Delete a SAML encryption private key.", apiFunc(s.deleteEncryptionPrivateKey)},
		{"GET " + samlConn + "/metadata", authProject, "SAML SP metadata for the IdP (Seam extension).", http.HandlerFunc(s.samlMetadata)},
		{"POST /v1/b2b/sso/oidc/{organization_id}", authProject, "Create an OIDC connection.", apiFunc(s.createOIDC)},
		{"PUT /v1/b2b/sso/oidc/{organization_id}/connections/{connection_id}", authProject, "Update an OIDC connection (discovery when issuer changes).", apiFunc(s.updateOIDC)},
		{"POST /v1/b2b/sso/external/{organization_id}", authProject, "Create an External connection to another organization's SSO connection.", apiFunc(s.createExternal)},
		{"PUT /v1/b2b/sso/external/{organization_id}/connections/{connection_id}", authProject, "Update an External connection.", apiFunc(s.updateExternal)},
	}
}
