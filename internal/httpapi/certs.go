package httpapi

import (
	"net/http"

	"github.com/seamsso/seam/internal/sso"
)

// certificateRoutes are the certificate-lifecycle extensions of a SAML
// connection: its metadata refresh schedule, refresh records and expiring
// verification certificates (docs/sso-connections.md#metadata-refresh).
func (s *Server) certificateRoutes() []route {
	const path = "/v1/b2b/sso/saml/{organization_id}/connections/{connection_id}/metadata_refreshes"
	return []route{
		{pattern: "GET " + path, auth: authProject, access: rbacRoute(resourceSSO, "get"),
			summary: "The metadata URL a SAML connection refreshes from, its next scheduled refresh, the recent refreshes with their outcomes, and verification certificates expired or expiring within 30 days (Seam extension).",
			out:     certificateLifecycleResponse{}, handler: apiFunc(s.certificateLifecycle)},
		{pattern: "POST " + path, auth: authProject, access: rbacRoute(resourceSSO, "update"),
			summary: "Refresh a SAML connection from its metadata URL now, with the same rules as the scheduled refresh; the outcome is recorded and returned (Seam extension).",
			in:      noFields{}, out: metadataRefreshResponse{}, handler: apiFunc(s.refreshMetadataNow)},
	}
}

type certificateLifecycleResponse struct {
	sso.CertificateLifecycle
}

type metadataRefreshResponse struct {
	Refresh sso.MetadataRefreshView `json:"refresh"`
}

func (s *Server) certificateLifecycle(r *http.Request) (int, any, error) {
	v, err := s.sso.CertificateLifecycle(r.Context(), pathOrg(r), r.PathValue("connection_id"))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, certificateLifecycleResponse{*v}, nil
}

func (s *Server) refreshMetadataNow(r *http.Request) (int, any, error) {
	v, err := s.sso.RefreshNow(r.Context(), pathOrg(r), r.PathValue("connection_id"))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, metadataRefreshResponse{Refresh: *v}, nil
}
