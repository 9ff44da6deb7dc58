package httpapi

import (
	"net/http"

	"github.com/seamsso/seam/internal/setup"
)

// Setup links (Seam extension, docs/setup-portal.md): the API a SaaS
// vendor calls to hand an organization's IT admin a setup page.

type setupLinksResponse struct {
	SetupLinks []*setup.Link `json:"setup_links"`
}

type setupLinkDeleteResponse struct {
	SetupLinkID string `json:"setup_link_id"`
}

func (s *Server) setupLinkRoutes() []route {
	if s.setup == nil {
		return nil
	}
	// Not /v1/b2b/sso/{organization_id}/setup_links: that POST would be
	// ambiguous with POST /v1/b2b/sso/saml/{organization_id} (an
	// organization slugged "saml"), which net/http's mux refuses.
	const links = "/v1/b2b/sso/setup_links/{organization_id}"
	link := func(pattern, action, summary string, in, out any, h http.Handler) route {
		return route{pattern: pattern, auth: authProject, access: rbacRoute(resourceSSO, action), summary: summary, in: in, out: out, handler: h}
	}
	return []route{
		link("POST "+links, "create", "Create a setup link: a URL for the organization's IT admin to configure SSO (Seam extension).",
			setup.CreateParams{}, setup.Link{}, apiFunc(s.createSetupLink)),
		link("GET "+links, "get", "List the organization's setup links, without their URLs (Seam extension).",
			nil, setupLinksResponse{}, apiFunc(s.listSetupLinks)),
		link("DELETE "+links+"/links/{setup_link_id}", "delete", "Revoke a setup link at once (Seam extension).",
			nil, setupLinkDeleteResponse{}, apiFunc(s.revokeSetupLink)),
	}
}

func (s *Server) createSetupLink(r *http.Request) (int, any, error) {
	org := pathOrg(r)
	in, err := decodeWithOrg[setup.CreateParams](r, org)
	if err != nil {
		return 0, nil, err
	}
	l, err := s.setup.Create(r.Context(), projectFrom(r.Context()), org, in)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, l, nil
}

func (s *Server) listSetupLinks(r *http.Request) (int, any, error) {
	ls, err := s.setup.List(r.Context(), pathOrg(r))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, setupLinksResponse{SetupLinks: ls}, nil
}

func (s *Server) revokeSetupLink(r *http.Request) (int, any, error) {
	id := r.PathValue("setup_link_id")
	if err := s.setup.Revoke(r.Context(), pathOrg(r), id); err != nil {
		return 0, nil, err
	}
	return http.StatusOK, setupLinkDeleteResponse{SetupLinkID: id}, nil
}
