package httpapi

import (
	"context"
	"net/http"
	"strconv"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/opt"
	"github.com/seamsso/seam/internal/scim"
	"github.com/seamsso/seam/internal/store"
)

// Stytch's SCIM connection API (/v1/b2b/scim/{organization_id}/connection...),
// RBAC-authorized on stytch.scim exactly as the SSO routes are on stytch.sso.

type scimConnResponse struct {
	Connection *scim.Connection `json:"connection,omitempty"`
}

type scimDeleteResponse struct {
	ConnectionID string `json:"connection_id"`
}

type scimGroupsResponse struct {
	SCIMGroups []scim.Group `json:"scim_groups"`
	NextCursor *string      `json:"next_cursor"`
}

func (s *Server) scimRoutes() []route {
	const base = "/v1/b2b/scim/{organization_id}/connection"
	const conn = base + "/{connection_id}"
	r := func(pattern, action, summary string, in, out any, h http.Handler) route {
		return route{pattern: pattern, auth: authProject, access: rbacRoute(resourceSCIM, action), summary: summary, in: in, out: out, handler: h}
	}
	return append([]route{
		r("POST "+base, "create", "Create the organization's SCIM connection; the response carries its bearer token, shown once.", scim.CreateParams{}, scimConnResponse{}, apiFunc(s.createSCIM)),
		r("GET "+base, "get", "Get the organization's SCIM connection.", nil, scimConnResponse{}, apiFunc(s.getSCIM)),
		r("PUT "+conn, "update", "Update a SCIM connection (display_name, identity_provider, scim_group_implicit_role_assignments).", scim.UpdateParams{}, scimConnResponse{}, apiFunc(s.updateSCIM)),
		r("DELETE "+conn, "delete", "Delete a SCIM connection with its SCIM users and groups (members stay).", nil, scimDeleteResponse{}, apiFunc(s.deleteSCIM)),
		r("GET "+conn, "get", "List a SCIM connection's groups (cursor pagination).", nil, scimGroupsResponse{}, apiFunc(s.scimGroups)),
		r("POST "+conn+"/rotate/start", "update", "Start a bearer token rotation: the response carries the next token; both work until complete or cancel.", noFields{}, scimConnResponse{}, apiFunc(s.scimRotate(s.scim.RotateStart))),
		r("POST "+conn+"/rotate/complete", "update", "Complete a bearer token rotation: only the next token works afterwards.", noFields{}, scimConnResponse{}, apiFunc(s.scimRotate(s.scim.RotateComplete))),
		r("POST "+conn+"/rotate/cancel", "update", "Cancel a bearer token rotation: the next token stops working.", noFields{}, scimConnResponse{}, apiFunc(s.scimRotate(s.scim.RotateCancel))),
	}, s.scimProtocolRoutes()...)
}

func (s *Server) createSCIM(r *http.Request) (int, any, error) {
	org := pathOrg(r)
	in, err := decodeWithOrg[scim.CreateParams](r, org)
	if err != nil {
		return 0, nil, err
	}
	c, err := s.scim.Create(r.Context(), projectFrom(r.Context()), org, in)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, scimConnResponse{c}, nil
}

func (s *Server) getSCIM(r *http.Request) (int, any, error) {
	c, err := s.scim.Get(r.Context(), pathOrg(r))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, scimConnResponse{c}, nil
}

func (s *Server) updateSCIM(r *http.Request) (int, any, error) {
	org := pathOrg(r)
	in, err := decodeWithOrg[scim.UpdateParams](r, org)
	if err != nil {
		return 0, nil, err
	}
	c, err := s.scim.Update(r.Context(), org, r.PathValue("connection_id"), in)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, scimConnResponse{c}, nil
}

func (s *Server) deleteSCIM(r *http.Request) (int, any, error) {
	id := r.PathValue("connection_id")
	if err := s.scim.Delete(r.Context(), pathOrg(r), id); err != nil {
		return 0, nil, err
	}
	return http.StatusOK, scimDeleteResponse{ConnectionID: id}, nil
}

func (s *Server) scimGroups(r *http.Request) (int, any, error) {
	q := r.URL.Query()
	var limit opt.Value[int]
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return 0, nil, apierr.BadRequest("invalid_limit", "limit must be a number.")
		}
		limit = opt.Of(n)
	}
	page, err := s.scim.Groups(r.Context(), pathOrg(r), r.PathValue("connection_id"), q.Get("cursor"), limit)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, scimGroupsResponse{SCIMGroups: page.Groups, NextCursor: page.NextCursor}, nil
}

func (s *Server) scimRotate(step func(context.Context, *store.Organization, string) (*scim.Connection, error)) func(r *http.Request) (int, any, error) {
	return func(r *http.Request) (int, any, error) {
		org := pathOrg(r)
		if _, err := decodeWithOrg[noFields](r, org); err != nil {
			return 0, nil, err
		}
		c, err := step(r.Context(), org, r.PathValue("connection_id"))
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, scimConnResponse{c}, nil
	}
}
