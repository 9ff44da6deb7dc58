package httpapi

import (
	"net/http"

	"github.com/seamsso/seam/internal/organizations"
	"github.com/seamsso/seam/internal/sso"
)

// routeTable lists every endpoint. It is the single source for the mux and
// for GET /openapi.json. Each domain contributes its own list.
func (s *Server) routeTable() []route {
	var all []route
	for _, list := range [][]route{
		s.opsRoutes(),
		s.organizationRoutes(),
		s.ssoRoutes(),
		s.scimRoutes(),
		s.loginRoutes(),
		s.memberRoutes(), s.sessionRoutes(), s.rbacRoutes(),
		s.lifecycleRoutes(),
		s.adminRoutes(), s.adminLifecycleRoutes(),
		s.testIdPRoutes(),
		s.certificateRoutes(),
		s.webhookRoutes(),
		s.setupLinkRoutes(), s.setupPageRoutes(),
	} {
		all = append(all, list...)
	}
	own := routeErrors()
	for i := range all {
		all[i].errs = append(all[i].errs, own[all[i].pattern]...)
	}
	return all
}

func (s *Server) opsRoutes() []route {
	return []route{
		{pattern: "GET /healthz", limit: limitExempt(), summary: "Liveness: the process is up.", out: statusResponse{}, handler: apiFunc(s.healthz)},
		{pattern: "GET /readyz", limit: limitExempt(), summary: "Readiness: the database answers, has every migration, the master key opens its sealed values, and the replica is not draining; 503 with the failing check as error_type otherwise.", out: statusResponse{}, handler: apiFunc(s.readyz)},
		{pattern: "GET /metrics", limit: limitExempt(), summary: "Prometheus metrics.", out: nonJSON{200, "text/plain", "Prometheus text exposition format."}, handler: s.metricsHandler()},
		{pattern: "GET /openapi.json", limit: limitExempt(), summary: "This API description (OpenAPI 3.1).", out: nonJSON{200, "application/json", "The OpenAPI document."}, handler: http.HandlerFunc(s.openapi)},
	}
}

func (s *Server) organizationRoutes() []route {
	const org = "/v1/b2b/organizations/{organization_id}"
	return []route{
		{pattern: "POST /v1/b2b/organizations", auth: authProject, access: noSessions(), summary: "Create an organization.",
			in: orgBody{}, out: orgResponse{}, handler: apiFunc(s.createOrganization)},
		{pattern: "POST /v1/b2b/organizations/search", auth: authProject, access: noSessions(), summary: "Search organizations.",
			in: organizations.SearchParams{}, out: searchResponse{}, handler: apiFunc(s.searchOrganizations)},
		{pattern: "GET " + org, auth: authProject, access: noSessions(), summary: "Get an organization.",
			out: orgResponse{}, handler: apiFunc(s.getOrganization)},
		{pattern: "PUT " + org, auth: authProject, access: rbacDomain(resourceOrganization, "update.*"), summary: "Update an organization.",
			in: orgBody{}, out: orgResponse{}, handler: apiFunc(s.updateOrganization)},
		{pattern: "DELETE " + org, auth: authProject, access: rbacDomain(resourceOrganization, "delete"), summary: "Delete an organization.",
			out: orgDeleteResponse{}, handler: apiFunc(s.deleteOrganization)},
	}
}

func (s *Server) ssoRoutes() []route {
	const saml = "/v1/b2b/sso/saml/{organization_id}"
	const samlConn = saml + "/connections/{connection_id}"
	conn := func(pattern, action, summary string, in, out any, h http.Handler) route {
		return route{pattern: pattern, auth: authProject, access: rbacRoute(resourceSSO, action), summary: summary, in: in, out: out, handler: h}
	}
	return []route{
		conn("GET /v1/b2b/sso/{organization_id}", "get", "List an organization's SSO connections.", nil, connectionsResponse{}, apiFunc(s.getConnections)),
		conn("DELETE /v1/b2b/sso/{organization_id}/connections/{connection_id}", "delete", "Delete an SSO connection of any kind.", nil, connectionDeleteResponse{}, apiFunc(s.deleteConnection)),
		conn("POST "+saml, "create", "Create a SAML connection.", sso.SAMLCreate{}, samlConnResponse{}, apiFunc(s.createSAML)),
		conn("PUT "+samlConn, "update", "Update a SAML connection.", sso.SAMLUpdate{}, samlConnResponse{}, apiFunc(s.updateSAML)),
		conn("PUT "+samlConn+"/url", "update", "Update a SAML connection from the IdP's metadata URL.", sso.SAMLMetadataURL{}, samlConnResponse{}, apiFunc(s.updateSAMLByURL)),
		conn("DELETE "+samlConn+"/verification_certificates/{certificate_id}", "delete", "Delete a SAML verification certificate.", nil, certificateDeleteResponse{}, apiFunc(s.deleteVerificationCertificate)),
		conn("DELETE "+samlConn+"/encryption_private_keys/{private_key_id}", "delete", "Delete a SAML encryption private key.", nil, privateKeyDeleteResponse{}, apiFunc(s.deleteEncryptionPrivateKey)),
		conn("GET "+samlConn+"/metadata", "get", "SAML SP metadata for the IdP (Seam extension).", nil,
			nonJSON{200, "application/samlmetadata+xml", "The SP metadata document (EntityDescriptor) to upload to the IdP."}, http.HandlerFunc(s.samlMetadata)),
		conn("POST /v1/b2b/sso/oidc/{organization_id}", "create", "Create an OIDC connection.", sso.OIDCCreate{}, oidcConnResponse{}, apiFunc(s.createOIDC)),
		conn("PUT /v1/b2b/sso/oidc/{organization_id}/connections/{connection_id}", "update", "Update an OIDC connection (discovery when issuer changes).", sso.OIDCUpdate{}, oidcUpdateResponse{}, apiFunc(s.updateOIDC)),
		conn("POST /v1/b2b/sso/external/{organization_id}", "create", "Create an External connection to another organization's SSO connection.", sso.ExternalCreate{}, externalConnResponse{}, apiFunc(s.createExternal)),
		conn("PUT /v1/b2b/sso/external/{organization_id}/connections/{connection_id}", "update", "Update an External connection.", sso.ExternalUpdate{}, externalConnResponse{}, apiFunc(s.updateExternal)),
	}
}
