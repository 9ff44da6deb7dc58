package httpapi

import (
	"net/http"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/sso"
	"github.com/seamsso/seam/internal/store"
)

type externalConnResponse struct {
	Connection *sso.ExternalConnection `json:"connection"`
}

func (s *Server) externalResponse(c *store.Connection, err error) (int, any, error) {
	if err != nil {
		return 0, nil, err
	}
	v, err := s.sso.ExternalView(c)
	if err != nil {
		return 0, nil, apierr.Internal(err)
	}
	return http.StatusOK, externalConnResponse{v}, nil
}

func (s *Server) createExternal(r *http.Request) (int, any, error) {
	org := pathOrg(r)
	in, err := decodeWithOrg[sso.ExternalCreate](r, org)
	if err != nil {
		return 0, nil, err
	}
	return s.externalResponse(s.sso.CreateExternal(r.Context(), projectFrom(r.Context()), org, in))
}

func (s *Server) updateExternal(r *http.Request) (int, any, error) {
	org := pathOrg(r)
	in, err := decodeWithOrg[sso.ExternalUpdate](r, org)
	if err != nil {
		return 0, nil, err
	}
	return updatedResponse(s.sso.UpdateExternal(r.Context(), projectFrom(r.Context()), org, r.PathValue("connection_id"), in))
}
