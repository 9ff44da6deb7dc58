package login

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/projects"
	"github.com/seamsso/seam/internal/sso"
	"github.com/seamsso/seam/internal/store"
)

// StartParams are the query parameters of GET /v1/public/sso/start.
type StartParams struct {
	ConnectionID      string
	OrganizationID    string
	PublicToken       string
	LoginRedirectURL  string
	SignupRedirectURL string
	PKCECodeChallenge string
	CustomScopes      string // OIDC only: extra scopes for this login
}

// StartResult tells the handler where to send the browser and which cookie
// binds the login to it.
type StartResult struct {
	RedirectURL string
	Cookie      *http.Cookie
}

var pkceChallengeRE = regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`)

// route is the connection a login goes through and the one whose IdP
// verifies it (the same, except for External connections).
type route struct {
	project *store.Project
	conn    *store.Connection // what the login started on
	idp     *store.Connection // SAML or OIDC connection that talks to the IdP
}

// Start validates a start request, stores its state and returns the IdP URL.
func (s *Service) Start(ctx context.Context, p StartParams) (*StartResult, error) {
	project, err := s.Projects.ByPublicToken(ctx, p.PublicToken)
	if err != nil {
		return nil, err
	}
	rt, err := s.locate(ctx, project, p.ConnectionID, p.OrganizationID)
	if err != nil {
		return nil, err
	}
	login, signup, err := redirectTargets(project, p.LoginRedirectURL, p.SignupRedirectURL)
	if err != nil {
		return nil, err
	}
	if p.PKCECodeChallenge != "" && !pkceChallengeRE.MatchString(p.PKCECodeChallenge) {
		return nil, apierr.BadRequest("invalid_pkce_code_challenge", "pkce_code_challenge must be the base64url SHA-256 of the code verifier (43 characters).")
	}
	req := &store.SSORequest{
		ProjectID: project.ID, ConnectionID: rt.conn.ID, OrganizationID: rt.conn.OrganizationID,
		LoginRedirectURL: login, SignupRedirectURL: signup, PKCECodeChallenge: p.PKCECodeChallenge,
		CreatedAt: s.Now(), ExpiresAt: s.Now().Add(requestTTL),
	}
	switch rt.idp.Kind {
	case store.KindSAML:
		return s.startSAML(ctx, rt, req)
	case store.KindOIDC:
		return s.startOIDC(ctx, rt, req, p.CustomScopes)
	}
	return nil, apierr.Internal(errors.New("login: connection of unknown kind " + rt.idp.Kind))
}

// locate finds the connection from exactly one locator, following an
// External connection to its source.
func (s *Service) locate(ctx context.Context, project *store.Project, connID, orgRef string) (*route, error) {
	switch {
	case connID != "" && orgRef != "":
		return nil, apierr.BadRequest("too_many_sso_connection_locators", "Pass connection_id or organization_id, not both.")
	case connID == "" && orgRef == "":
		return nil, apierr.BadRequest("missing_sso_connection_locator", "Pass connection_id or organization_id.")
	case orgRef != "":
		id, err := s.defaultConnection(ctx, project, orgRef)
		if err != nil {
			return nil, err
		}
		connID = id
	}
	notFound := apierr.NotFound("sso_connection_not_found", "SSO connection "+apierr.Quote(connID)+" was not found in this project.")
	if !sso.IsConnectionID("", connID) {
		return nil, notFound
	}
	c, err := s.Store.GetConnection(ctx, project.ID, connID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound
	}
	if err != nil {
		return nil, apierr.Internal(err)
	}
	rt := &route{project: project, conn: c, idp: c}
	if c.Kind == store.KindExternal {
		src, err := s.Store.GetConnection(ctx, project.ID, c.SourceID)
		if err != nil {
			return nil, apierr.BadRequest("external_connection_not_active", "The External connection's source connection no longer exists.")
		}
		if src.Status != "active" {
			return nil, apierr.BadRequest("external_connection_not_active", "The External connection's source connection "+
				apierr.Quote(src.ID)+" is not active yet: "+s.missingText(src))
		}
		rt.idp = src
	}
	if rt.idp.Status != "active" {
		return nil, apierr.BadRequest("requires_active_sso_connection", "SSO connection "+apierr.Quote(c.ID)+" is not active yet: "+s.missingText(rt.idp))
	}
	return rt, nil
}

// missingText names what a pending connection still needs, from the
// activation rule in sso.
func (s *Service) missingText(c *store.Connection) string {
	missing, err := s.SSO.MissingSettings(c)
	if err != nil || len(missing) == 0 {
		return "it still lacks required settings."
	}
	return "set " + strings.Join(missing, ", ") + " (see missing_settings on the connection)."
}

// defaultConnection picks an organization's connection: its
// sso_default_connection_id, else its only active connection.
func (s *Service) defaultConnection(ctx context.Context, project *store.Project, orgRef string) (string, error) {
	org, err := s.Store.GetOrganization(ctx, project.ID, orgRef)
	if errors.Is(err, store.ErrNotFound) {
		return "", apierr.NotFound("organization_not_found", "Organization "+apierr.Quote(orgRef)+" was not found in this project.")
	}
	if err != nil {
		return "", apierr.Internal(err)
	}
	if org.SSODefaultConnectionID != "" {
		return org.SSODefaultConnectionID, nil
	}
	cs, err := s.Store.ListConnections(ctx, project.ID, org.ID)
	if err != nil {
		return "", apierr.Internal(err)
	}
	var active []string
	for _, c := range cs {
		if c.Status == "active" {
			active = append(active, c.ID)
		}
	}
	switch len(active) {
	case 0:
		return "", apierr.BadRequest("no_sso_connection_exists_for_organization", "The organization has no active SSO connection.")
	case 1:
		return active[0], nil
	}
	return "", apierr.BadRequest("indeterminate_sso_connection_for_organization",
		"The organization has several active SSO connections and no sso_default_connection_id; pass connection_id.")
}

// maxListedRedirectURLs bounds the registered URLs an error lists.
const maxListedRedirectURLs = 10

// registeredList renders a project's registered redirect URLs for an error
// message: the caller asked for another one and needs to see which exist.
func registeredList(urls []string) string {
	if len(urls) == 0 {
		return "none are registered"
	}
	shown := urls
	if len(shown) > maxListedRedirectURLs {
		shown = shown[:maxListedRedirectURLs]
	}
	quoted := make([]string, len(shown))
	for i, u := range shown {
		quoted[i] = apierr.Quote(u)
	}
	out := strings.Join(quoted, ", ")
	if len(urls) > len(shown) {
		out += fmt.Sprintf(" and %d more", len(urls)-len(shown))
	}
	return out
}

// redirectTargets checks the requested URLs against the project's allow-list;
// an omitted URL defaults to the project's first registered URL.
func redirectTargets(p *store.Project, login, signup string) (string, string, error) {
	def := ""
	if len(p.RedirectURLs) > 0 {
		def = p.RedirectURLs[0]
	}
	check := func(raw, field, badType string) (string, error) {
		if raw == "" {
			if def == "" {
				return "", apierr.BadRequest(badType, "The project has no registered redirect URL; pass "+field+" or register one with seam project create --redirect-url.")
			}
			return def, nil
		}
		if _, err := url.Parse(raw); err != nil || projects.ValidateRedirectURL(raw) != nil {
			return "", apierr.BadRequest(badType, field+" is not an absolute http(s) URL.")
		}
		if !projects.RedirectAllowed(p, raw) {
			return "", apierr.BadRequest("no_match_for_provided_sso_url", field+" "+apierr.Quote(raw)+
				" is not one of the project's registered redirect URLs (exact match): "+registeredList(p.RedirectURLs)+".")
		}
		return raw, nil
	}
	l, err := check(login, "login_redirect_url", "invalid_login_sso_url")
	if err != nil {
		return "", "", err
	}
	sg, err := check(signup, "signup_redirect_url", "invalid_signup_sso_url")
	return l, sg, err
}
