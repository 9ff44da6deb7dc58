package testidp

import (
	"context"
	"errors"
	"net/url"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/opt"
	"github.com/seamsso/seam/internal/organizations"
	"github.com/seamsso/seam/internal/projects"
	"github.com/seamsso/seam/internal/rbac"
	"github.com/seamsso/seam/internal/sso"
	"github.com/seamsso/seam/internal/store"
)

// DemoOrgSlug is the slug of the organization Demo creates (once) and adds
// connections to.
const DemoOrgSlug = "seam-demo"

// DemoParams choose the demo connection.
type DemoParams struct {
	ProjectID string
	// Protocol is "saml" (default) or "oidc".
	Protocol string
	// RedirectURL is where the login lands; it must be registered on the
	// project. Empty picks LandingURL when registered, else the project's
	// first redirect URL.
	RedirectURL string
}

// DemoResult says what Demo made and how to use it.
type DemoResult struct {
	ProjectID      string `json:"project_id"`
	OrganizationID string `json:"organization_id"`
	ConnectionID   string `json:"connection_id"`
	Protocol       string `json:"protocol"`
	Status         string `json:"status"`
	RedirectURL    string `json:"redirect_url"`
	StartURL       string `json:"start_url"`
	// Warning is set when OIDC discovery did not answer (the connection is
	// configured with explicit endpoints all the same).
	Warning string `json:"warning,omitempty"`
}

// LandingURL is the demo's landing page on this Seam.
func (s *Service) LandingURL() string { return s.BaseURL + LandingPath }

// Demo creates (or reuses) the organization "seam-demo" in a test project
// and adds a connection to the project's test IdP, through the same domain
// services as the API: a SAML connection given the IdP's entity ID, SSO URL,
// certificate and attribute mapping (members of the IdP group "admins" get
// stytch_admin), or an OIDC connection given the issuer (discovery) and its
// client credentials. It returns the start URL of a login.
func (s *Service) Demo(ctx context.Context, in DemoParams) (*DemoResult, error) {
	idp, err := s.Open(ctx, in.ProjectID)
	if err != nil {
		return nil, err
	}
	p := idp.Project
	redirect, err := s.demoRedirect(ctx, p, in.RedirectURL)
	if err != nil {
		return nil, err
	}
	org, err := s.demoOrganization(ctx, p)
	if err != nil {
		return nil, err
	}
	res := &DemoResult{ProjectID: p.ID, OrganizationID: org.ID, RedirectURL: redirect}
	var conn *store.Connection
	switch in.Protocol {
	case "", "saml":
		res.Protocol = "saml"
		conn, err = s.demoSAML(ctx, p, org, idp)
	case "oidc":
		res.Protocol = "oidc"
		conn, res.Warning, err = s.demoOIDC(ctx, p, org, idp)
	default:
		return nil, apierr.BadRequest("invalid_protocol", "protocol must be saml or oidc.")
	}
	if err != nil {
		return nil, err
	}
	res.ConnectionID, res.Status = conn.ID, conn.Status
	tokens, err := s.Store.ListPublicTokens(ctx, p.ID)
	if err != nil {
		return nil, apierr.Internal(err)
	}
	if len(tokens) == 0 {
		return nil, apierr.BadRequest("no_public_token", "Project "+p.ID+" has no public token; create one with seam project public-token create.")
	}
	q := url.Values{
		"connection_id": {conn.ID}, "public_token": {tokens[0].Token},
		"login_redirect_url": {redirect}, "signup_redirect_url": {redirect},
	}
	res.StartURL = s.BaseURL + "/v1/public/sso/start?" + q.Encode()
	return res, nil
}

// demoRedirect chooses where the demo login lands: the URL asked for, else
// the demo's landing page when it is registered, else the project's login
// default. It must be registered for both LOGIN and SIGNUP, since the demo
// uses it for both (the same rule the start endpoint applies).
func (s *Service) demoRedirect(ctx context.Context, p *store.Project, want string) (string, error) {
	list, err := s.Store.ListRedirectURLs(ctx, p.ID)
	if err != nil {
		return "", apierr.Internal(err)
	}
	if want == "" {
		if _, _, err := projects.RedirectTargets(list, s.LandingURL(), s.LandingURL()); err == nil {
			return s.LandingURL(), nil
		}
		def, _, err := projects.RedirectTargets(list, "", "")
		if err != nil {
			return "", apierr.BadRequest("no_redirect_urls",
				"Project "+p.ID+" has no default redirect URL, so a login has nowhere to land; register one (for example "+s.LandingURL()+
					") with seam project redirect-url add --project "+p.ID+" --url URL --type login,signup.")
		}
		want = def
	}
	if _, _, err := projects.RedirectTargets(list, want, want); err != nil {
		return "", err
	}
	return want, nil
}

func (s *Service) demoOrganization(ctx context.Context, p *store.Project) (*store.Organization, error) {
	org, err := s.Organizations.Get(ctx, s.Store, p.ID, DemoOrgSlug)
	if err == nil {
		return org, nil
	}
	var ae *apierr.Error
	if !errors.As(err, &ae) || ae.Status != 404 {
		return nil, err
	}
	created, err := s.Organizations.Create(ctx, p, organizations.Fields{
		OrganizationName:   opt.Of("Seam demo"),
		OrganizationSlug:   opt.Of(DemoOrgSlug),
		SSOJITProvisioning: opt.Of("ALL_ALLOWED"),
	})
	if err != nil && apierr.TypeOf(err) == "organization_slug_already_used" {
		// Created concurrently.
		return s.Organizations.Get(ctx, s.Store, p.ID, DemoOrgSlug)
	}
	if err != nil {
		return nil, err
	}
	return created.Organization, nil
}

func (s *Service) demoSAML(ctx context.Context, p *store.Project, org *store.Organization, idp *IdP) (*store.Connection, error) {
	conn, err := s.SSO.CreateSAML(ctx, p, org, sso.SAMLCreate{DisplayName: opt.Of("Seam test IdP (SAML)")})
	if err != nil {
		return nil, err
	}
	u, err := s.SSO.UpdateSAML(ctx, p, org, conn.ID, sso.SAMLUpdate{
		IDPEntityID:     opt.Of(idp.SAMLEntityID()),
		IDPSSOURL:       opt.Of(idp.SAMLSSOURL()),
		X509Certificate: opt.Of(idp.CertPEM),
		AttributeMapping: opt.Of(map[string]any{
			"email": AttrEmail, "first_name": AttrFirstName, "last_name": AttrLastName, "groups": AttrGroups,
		}),
		SAMLGroupImplicitRoleAssignments: opt.Of([]sso.GroupRoleAssignment{{RoleID: rbac.RoleAdmin, Group: "admins"}}),
	})
	if err != nil {
		return nil, err
	}
	return u.Connection, nil
}

func (s *Service) demoOIDC(ctx context.Context, p *store.Project, org *store.Organization, idp *IdP) (*store.Connection, string, error) {
	conn, err := s.SSO.CreateOIDC(ctx, p, org, sso.OIDCCreate{DisplayName: opt.Of("Seam test IdP (OIDC)")})
	if err != nil {
		return nil, "", err
	}
	// The issuer alone would do when discovery can reach this Seam; the
	// endpoints are given too so that the connection is complete even when
	// the process running Demo cannot (seam demo runs beside seam serve).
	iss := idp.Issuer()
	u, warning, err := s.SSO.UpdateOIDC(ctx, p, org, conn.ID, sso.OIDCUpdate{
		Issuer: opt.Of(iss), ClientID: opt.Of(ClientID), ClientSecret: opt.Of(idp.ClientSecret),
		AuthorizationURL: opt.Of(iss + "/authorize"), TokenURL: opt.Of(iss + "/token"),
		UserinfoURL: opt.Of(iss + "/userinfo"), JWKSURL: opt.Of(iss + "/jwks"),
	})
	if err != nil {
		return nil, "", err
	}
	return u.Connection, warning, nil
}
