package httpapi

import (
	"net/http"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/sso"
	"github.com/seamsso/seam/internal/store"
)

type samlConnResponse struct {
	Connection *sso.SAMLConnection `json:"connection"`
}

func (s *Server) samlResponse(c *store.Connection, err error) (int, any, error) {
	if err != nil {
		return 0, nil, err
	}
	v, err := s.sso.SAMLView(c)
	if err != nil {
		return 0, nil, apierr.Internal(err)
	}
	return http.StatusOK, samlConnResponse{v}, nil
}

// updatedResponse answers with a changed connection's object as the domain
// encoded it for the change's event: {"connection": ...}, the body of
// samlConnResponse and externalConnResponse.
func updatedResponse(u *sso.Updated, err error) (int, any, error) {
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, encodedObject(member{"connection", u.Object}), nil
}

// decodeWithOrg decodes a body into T and checks an organization_id that
// the body may repeat (the Go SDK sends path parameters in the body).
func decodeWithOrg[T any](r *http.Request, org *store.Organization) (T, error) {
	var body struct {
		OrganizationID string `json:"organization_id"`
	}
	var fields T
	raw, err := readBody(r)
	if err != nil {
		return fields, err
	}
	if err := decodeBytes(raw, &fields); err != nil {
		return fields, err
	}
	if err := decodeBytes(raw, &body); err != nil {
		return fields, err
	}
	return fields, apierr.CheckBodyID("organization_id", r.PathValue("organization_id"), body.OrganizationID, org.ID)
}

func (s *Server) createSAML(r *http.Request) (int, any, error) {
	org := pathOrg(r)
	in, err := decodeWithOrg[sso.SAMLCreate](r, org)
	if err != nil {
		return 0, nil, err
	}
	return s.samlResponse(s.sso.CreateSAML(r.Context(), projectFrom(r.Context()), org, in))
}

func (s *Server) updateSAML(r *http.Request) (int, any, error) {
	org := pathOrg(r)
	in, err := decodeWithOrg[sso.SAMLUpdate](r, org)
	if err != nil {
		return 0, nil, err
	}
	return updatedResponse(s.sso.UpdateSAML(r.Context(), projectFrom(r.Context()), org, r.PathValue("connection_id"), in))
}

func (s *Server) updateSAMLByURL(r *http.Request) (int, any, error) {
	org := pathOrg(r)
	in, err := decodeWithOrg[sso.SAMLMetadataURL](r, org)
	if err != nil {
		return 0, nil, err
	}
	return updatedResponse(s.sso.UpdateSAMLByURL(r.Context(), projectFrom(r.Context()), org, r.PathValue("connection_id"), in))
}

func (s *Server) deleteVerificationCertificate(r *http.Request) (int, any, error) {
	org := pathOrg(r)
	id := r.PathValue("certificate_id")
	if err := s.sso.DeleteVerificationCertificate(r.Context(), org, r.PathValue("connection_id"), id); err != nil {
		return 0, nil, err
	}
	return http.StatusOK, certificateDeleteResponse{CertificateID: id}, nil
}

func (s *Server) deleteEncryptionPrivateKey(r *http.Request) (int, any, error) {
	org := pathOrg(r)
	id := r.PathValue("private_key_id")
	if err := s.sso.DeleteEncryptionPrivateKey(r.Context(), org, r.PathValue("connection_id"), id); err != nil {
		return 0, nil, err
	}
	return http.StatusOK, privateKeyDeleteResponse{PrivateKeyID: id}, nil
}

func (s *Server) deleteConnection(r *http.Request) (int, any, error) {
	org := pathOrg(r)
	id := r.PathValue("connection_id")
	if err := s.sso.Delete(r.Context(), org, id); err != nil {
		return 0, nil, err
	}
	return http.StatusOK, connectionDeleteResponse{ConnectionID: id}, nil
}

type connectionsResponse struct {
	SAMLConnections     []*sso.SAMLConnection     `json:"saml_connections"`
	OIDCConnections     []*sso.OIDCConnection     `json:"oidc_connections"`
	ExternalConnections []*sso.ExternalConnection `json:"external_connections"`
}

func (s *Server) getConnections(r *http.Request) (int, any, error) {
	org := pathOrg(r)
	cs, err := s.sso.List(r.Context(), org)
	if err != nil {
		return 0, nil, err
	}
	out := connectionsResponse{
		SAMLConnections: []*sso.SAMLConnection{}, OIDCConnections: []*sso.OIDCConnection{},
		ExternalConnections: []*sso.ExternalConnection{},
	}
	for _, c := range cs {
		switch c.Kind {
		case store.KindSAML:
			v, err := s.sso.SAMLView(c)
			if err != nil {
				return 0, nil, apierr.Internal(err)
			}
			out.SAMLConnections = append(out.SAMLConnections, v)
		case store.KindOIDC:
			v, err := s.sso.OIDCView(c)
			if err != nil {
				return 0, nil, apierr.Internal(err)
			}
			out.OIDCConnections = append(out.OIDCConnections, v)
		case store.KindExternal:
			v, err := s.sso.ExternalView(c)
			if err != nil {
				return 0, nil, apierr.Internal(err)
			}
			out.ExternalConnections = append(out.ExternalConnections, v)
		}
	}
	return http.StatusOK, out, nil
}

// samlMetadata serves the SP metadata document an IT admin uploads to the IdP.
func (s *Server) samlMetadata(w http.ResponseWriter, r *http.Request) {
	xml, err := s.sso.SPMetadata(r.Context(), pathOrg(r), r.PathValue("connection_id"))
	if err != nil {
		writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/samlmetadata+xml")
	w.Header().Set("Content-Disposition", `inline; filename="`+r.PathValue("connection_id")+`-metadata.xml"`)
	_, _ = w.Write(xml)
}
