package httpapi

import (
	"encoding/json"
	"net/http"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/sso"
	"github.com/seamsso/seam/internal/store"
)

type oidcConnResponse struct {
	Connection *sso.OIDCConnection `json:"connection"`
}

// oidcUpdateResponse carries the discovery warning; it is "" when there is
// nothing to report, as in Stytch's UpdateConnectionResponse.
type oidcUpdateResponse struct {
	Connection *sso.OIDCConnection `json:"connection"`
	Warning    string              `json:"warning"`
}

func (s *Server) oidcView(c *store.Connection) (*sso.OIDCConnection, error) {
	v, err := s.sso.OIDCView(c)
	if err != nil {
		return nil, apierr.Internal(err)
	}
	return v, nil
}

func (s *Server) createOIDC(r *http.Request) (int, any, error) {
	org := pathOrg(r)
	in, err := decodeWithOrg[sso.OIDCCreate](r, org)
	if err != nil {
		return 0, nil, err
	}
	c, err := s.sso.CreateOIDC(r.Context(), projectFrom(r.Context()), org, in)
	if err != nil {
		return 0, nil, err
	}
	v, err := s.oidcView(c)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, oidcConnResponse{v}, nil
}

func (s *Server) updateOIDC(r *http.Request) (int, any, error) {
	org := pathOrg(r)
	in, err := decodeWithOrg[sso.OIDCUpdate](r, org)
	if err != nil {
		return 0, nil, err
	}
	u, warning, err := s.sso.UpdateOIDC(r.Context(), projectFrom(r.Context()), org, r.PathValue("connection_id"), in)
	if err != nil {
		return 0, nil, err
	}
	// An oidcUpdateResponse, with the object the update encoded for its event.
	w, err := json.Marshal(warning)
	if err != nil {
		return 0, nil, apierr.Internal(err)
	}
	return http.StatusOK, encodedObject(member{"connection", u.Object}, member{"warning", w}), nil
}
