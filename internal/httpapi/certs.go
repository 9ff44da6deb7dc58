package httpapi

import (
	"encoding/json"
	"net/http"

	"github.com/seamsso/seam/internal/apierr"

	"github.com/seamsso/seam/internal/sso"
)

// certificateRoutes are the certificate-lifecycle extensions of a SAML
// connection: its metadata refresh schedule, refresh records and expiring
// verification certificates (docs/sso-connections.md#metadata-refresh), and
// SP signing-certificate rotation (#sp-signing-certificate-rotation).
func (s *Server) certificateRoutes() []route {
	const conn = "/v1/b2b/sso/saml/{organization_id}/connections/{connection_id}"
	const path, signing = conn + "/metadata_refreshes", conn + "/signing_certificates"
	return []route{
		{pattern: "GET " + path, auth: authProject, access: rbacRoute(resourceSSO, "get"),
			summary: "The metadata URL a SAML connection refreshes from, its next scheduled refresh, the recent refreshes with their outcomes, and verification certificates expired or expiring within 30 days (Seam extension).",
			out:     certificateLifecycleResponse{}, handler: apiFunc(s.certificateLifecycle)},
		{pattern: "POST " + path, auth: authProject, access: rbacRoute(resourceSSO, "update"),
			summary: "Refresh a SAML connection from its metadata URL now, with the same rules as the scheduled refresh; the outcome is recorded and returned (Seam extension).",
			in:      noFields{}, out: metadataRefreshResponse{}, handler: apiFunc(s.refreshMetadataNow)},
		{pattern: "POST " + signing, auth: authProject, access: rbacRoute(resourceSSO, "update"),
			summary: "Add a Seam-generated SP signing certificate ahead of a rotation: the SP metadata publishes it beside the signing one, and it does not sign until activated (Seam extension).",
			in:      noFields{}, out: samlConnResponse{}, handler: apiFunc(s.addNextSigningCertificate)},
		{pattern: "POST " + signing + "/{certificate_id}/activate", auth: authProject, access: rbacRoute(resourceSSO, "update"),
			summary: "Make a signing certificate the one that signs AuthnRequests from now on (Seam extension).",
			in:      noFields{}, out: samlConnResponse{}, handler: apiFunc(s.activateSigningCertificate)},
		{pattern: "DELETE " + signing + "/{certificate_id}", auth: authProject, access: rbacRoute(resourceSSO, "delete"),
			summary: "Delete a signing certificate that does not sign (Seam extension).",
			out:     certificateDeleteResponse{}, handler: apiFunc(s.deleteSigningCertificate)},
	}
}

func (s *Server) addNextSigningCertificate(r *http.Request) (int, any, error) {
	if err := decodeNoFields(r); err != nil {
		return 0, nil, err
	}
	return updatedResponse(s.sso.AddNextSigningCertificate(r.Context(), projectFrom(r.Context()), pathOrg(r), r.PathValue("connection_id")))
}

func (s *Server) activateSigningCertificate(r *http.Request) (int, any, error) {
	if err := decodeNoFields(r); err != nil {
		return 0, nil, err
	}
	return updatedResponse(s.sso.ActivateSigningCertificate(r.Context(), pathOrg(r), r.PathValue("connection_id"), r.PathValue("certificate_id")))
}

func (s *Server) deleteSigningCertificate(r *http.Request) (int, any, error) {
	id := r.PathValue("certificate_id")
	if err := s.sso.DeleteSigningCertificate(r.Context(), pathOrg(r), r.PathValue("connection_id"), id); err != nil {
		return 0, nil, err
	}
	return http.StatusOK, certificateDeleteResponse{CertificateID: id}, nil
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
	if err := decodeNoFields(r); err != nil {
		return 0, nil, err
	}
	v, err := s.sso.RefreshNow(r.Context(), pathOrg(r), r.PathValue("connection_id"))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, metadataRefreshResponse{Refresh: *v}, nil
}

// decodeNoFields checks the body of an operation that takes none: absent
// or {}. A field is refused rather than ignored: these are Seam extensions
// with no compatibility to keep, and a caller who sends one expects it to
// matter.
func decodeNoFields(r *http.Request) error {
	var v map[string]json.RawMessage
	if err := decodeJSON(r, &v); err != nil {
		return err
	}
	for k := range v {
		return apierr.BadRequest("invalid_request_body", "This operation takes no fields; "+apierr.Quote(k)+" is not one.")
	}
	return nil
}
