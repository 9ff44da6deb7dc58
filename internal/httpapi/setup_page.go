package httpapi

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/events"
	"github.com/seamsso/seam/internal/logctx"
	"github.com/seamsso/seam/internal/opt"
	"github.com/seamsso/seam/internal/ratelimit"
	"github.com/seamsso/seam/internal/setup"
	"github.com/seamsso/seam/internal/sso"
	"github.com/seamsso/seam/internal/store"
)

// The setup page (Seam extension, docs/setup-portal.md): HTML for an
// organization's IT admin, authenticated by the setup link's secret in the
// path. Every change is a form POST with a CSRF token and goes through the
// sso service, the same code as the API; the page never receives a private
// key, a client secret or a project secret, and answers under a strict
// Content-Security-Policy with no inline script.

// Per-link limits: a link is a bearer secret handed to one person, so a
// link making more requests than a person can is refused, whatever the
// address. Changes (POSTs, including test logins) have the lower limit.
var (
	setupLinkRequests = ratelimit.Rule{Limit: 300, Window: time.Minute}
	setupLinkChanges  = ratelimit.Rule{Limit: 30, Window: time.Minute}
)

// maxSetupForm caps a setup form: IdP metadata (2 MiB) is the largest.
const maxSetupForm = 3 << 20

// setupKey carries the opened link to the handlers.
type setupKey struct{}

func setupFrom(r *http.Request) *setup.Access {
	a, _ := r.Context().Value(setupKey{}).(*setup.Access)
	return a
}

// limitSetup: setup pages, per address (a link's own limits are applied
// once the link is known, by requireSetupLink).
func limitSetup() limitClass { return limitClass{name: "setup"} }

func (s *Server) setupPageRoutes() []route {
	if s.setup == nil {
		return nil
	}
	const base = setup.PathPrefix + "/{setup_token}"
	const conn = base + "/connections/{connection_id}"
	const ext = " (Seam extension: the setup page, docs/setup-portal.md)."
	page := nonJSON{200, "text/html", "The page. A link that is unknown, expired or revoked is an HTML page saying so (404 or 410), with the error type."}
	after := nonJSON{303, "", "Redirects to the page that shows the change; a refused change answers the page with the error (4xx)."}
	link := func(pattern, summary string, in, out any, h http.HandlerFunc) route {
		return route{pattern: pattern, auth: authSetupLink, summary: summary + ext, in: in, out: out, limit: limitSetup(), handler: h}
	}
	form := func(fields ...string) formBody { return formBody{fields: append(fields, "csrf_token")} }
	return []route{
		link("GET "+base, "Setup page: the organization's connections, and a new one", nil, page, s.setupHome),
		link("POST "+base+"/connections", "Setup page: create a SAML or OIDC connection", form("kind", "guide", "display_name"), after, s.setupCreate),
		link("GET "+conn, "Setup page: one connection, its guide, status and settings", nil, page, s.setupConnection),
		link("GET "+conn+"/metadata", "Setup page: download the SP metadata", nil,
			nonJSON{200, "application/samlmetadata+xml", "The SP metadata document, as an attachment."}, s.setupSPMetadata),
		link("POST "+conn+"/metadata_url", "Setup page: load the IdP's metadata from its URL", form("metadata_url", "guide"), after, s.setupMetadataURL),
		link("POST "+conn+"/metadata_xml", "Setup page: use an uploaded IdP metadata document", form("metadata_xml", "guide"), after, s.setupMetadataXML),
		link("POST "+conn+"/saml", "Setup page: set SAML IdP values by hand", form("idp_sso_url", "idp_entity_id", "x509_certificate", "guide"), after, s.setupSAMLManual),
		link("POST "+conn+"/oidc", "Setup page: set OIDC provider values", form("issuer", "client_id", "client_secret", "guide"), after, s.setupOIDC),
		link("POST "+conn+"/attributes", "Setup page: set the attribute mapping", form("email", "first_name", "last_name", "full_name", "groups", "guide"), after, s.setupAttributes),
		link("POST "+conn+"/test", "Setup page: start a test login (no member or session is created)", form("guide"),
			nonJSON{303, "", "Redirects to the IdP; the login ends on the test result page."}, s.setupTest),
		link("GET "+conn+"/tests/{attempt_id}", "Setup page: the outcome of a test login", nil, page, s.setupTestResult),
		{pattern: "GET " + setup.PathPrefix + "/metadata/{connection_id}", summary: "SP metadata of a SAML connection, public, for IdPs that import it from a URL" + ext,
			out: nonJSON{200, "application/samlmetadata+xml", "The SP metadata document."}, limit: limitSetup(), handler: apiHandler(s.setupPublicMetadata)},
		{pattern: "GET " + setup.AssetsPath + "/setup.js", summary: "Setup page script" + ext, out: nonJSON{200, "text/javascript", "Script."},
			limit: limitSetup(), handler: tidpAsset("text/javascript; charset=utf-8", string(setup.Script()))},
		{pattern: "GET " + setup.AssetsPath + "/setup.css", summary: "Setup page stylesheet" + ext, out: nonJSON{200, "text/css", "Stylesheet."},
			limit: limitSetup(), handler: tidpAsset("text/css; charset=utf-8", string(setup.Style()))},
	}
}

// requireSetupLink opens the path's setup link, applies its limits, checks
// the CSRF token of a POST, and hands the link to the handler. Refusals are
// pages in plain words.
func (s *Server) requireSetupLink(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		addr := "setupfail\x00addr\x00" + s.clientKey(r)
		if d := s.limiter.Peek(addr, s.limits.AuthFailures); !d.Allowed {
			s.setupRefuse(w, r, tooManyErr(d, "Too many invalid setup links were opened from this address"))
			return
		}
		acc, err := s.setup.Open(r.Context(), r.PathValue("setup_token"))
		if err != nil {
			if apierr.As(err).Status == http.StatusNotFound {
				s.limiter.Take(addr, s.limits.AuthFailures) // guessing links is bounded like guessing secrets
			}
			s.setupRefuse(w, r, err)
			return
		}
		logctx.Note(r.Context(), logctx.What{OrganizationID: acc.Organization.ID})
		rule, kind := setupLinkRequests, "requests"
		if r.Method == http.MethodPost {
			rule, kind = setupLinkChanges, "changes"
		}
		if d := s.limiter.Take("setup\x00"+kind+"\x00"+acc.Link.ID, rule); !d.Allowed {
			s.setupRefuse(w, r, tooManyErr(d, "Too many "+kind+" through this setup link; wait a moment"))
			return
		}
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, maxSetupForm)
			if err := r.ParseForm(); err != nil {
				s.setupRefuse(w, r, apierr.BadRequest("invalid_setup_form", "The form could not be read (it must be an HTML form post of at most 3 MiB)."))
				return
			}
			if err := s.setupCSRF(r, acc); err != nil {
				s.setupRefuse(w, r, err)
				return
			}
			if err := checkForm(r.PostForm); err != nil {
				s.setupRefuse(w, r, err)
				return
			}
		}
		// Changes made through the page are recorded as the link's
		// (events.SourceSetupLink), by the same services the API uses.
		ctx := events.WithOrigin(context.WithValue(r.Context(), setupKey{}, acc),
			events.Origin{Source: events.SourceSetupLink, Actor: events.Actor{Type: events.ActorSetupLink, ID: acc.Link.ID}})
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// checkForm refuses form names and values that cannot be stored, as the
// boundary does for path and query parameters.
func checkForm(f url.Values) error {
	for k, vs := range f {
		if err := checkText("A form field name", k); err != nil {
			return err
		}
		for _, v := range vs {
			if err := checkText("Form field "+apierr.Quote(k), v); err != nil {
				return err
			}
		}
	}
	return nil
}

// csrfToken binds a form to its link: an HMAC, keyed with the link's
// secret, of the link's ID. Only a page opened with the link holds it.
func csrfToken(acc *setup.Access) string {
	m := hmac.New(sha256.New, []byte(acc.Token))
	m.Write([]byte("seam/setup/csrf/" + acc.Link.ID))
	return hex.EncodeToString(m.Sum(nil))
}

// setupCSRF refuses a POST whose token is not the link's, or that a
// browser says came from another site.
func (s *Server) setupCSRF(r *http.Request, acc *setup.Access) error {
	refused := apierr.Forbidden("setup_csrf_invalid", "This change did not come from this setup page. Reload the page and try again.")
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" && site != "none" {
		return refused
	}
	if o := r.Header.Get("Origin"); o != "" && o != "null" && o != tidpOrigin(s.baseURL) {
		return refused
	}
	if !hmac.Equal([]byte(r.PostForm.Get("csrf_token")), []byte(csrfToken(acc))) {
		return refused
	}
	return nil
}

// setupHeaders: no framing, no inline script, no referrer (the path holds
// the link's secret), nothing cached. formTarget is the IdP origin a test
// login's form may lead to.
func setupHeaders(w http.ResponseWriter, formTarget string) {
	h := w.Header()
	action := "'self'"
	if formTarget != "" {
		action += " " + formTarget
	}
	h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "+
		"form-action "+action+"; base-uri 'none'; frame-ancestors 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
}

func (s *Server) setupRender(w http.ResponseWriter, r *http.Request, status int, name string, d *setup.Page, formTarget string) {
	if acc := setupFrom(r); acc != nil {
		d.OrgName = acc.Organization.Name
		d.Base = setup.PathPrefix + "/" + acc.Token
		d.CSRF = csrfToken(acc)
		d.ExpiresAt = acc.Link.ExpiresAt.UTC().Format("2 Jan 2006 15:04 UTC")
	}
	var b bytes.Buffer
	if err := s.setupPages.Render(&b, name, d); err != nil {
		loggerFrom(r.Context()).Error("setup page rendering failed", "page", name, "error", err)
		http.Error(w, "page rendering failed", http.StatusInternalServerError)
		return
	}
	setupHeaders(w, formTarget)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}

// setupRefuse answers a refused request with a page in plain words.
func (s *Server) setupRefuse(w http.ResponseWriter, r *http.Request, err error) {
	e := apierr.As(err)
	if ue, ok := unavailable(r, err); ok {
		w.Header().Set("Retry-After", outageRetryAfterHeader)
		e = ue
	}
	logctx.Note(r.Context(), logctx.What{ErrorType: e.Type})
	heading, msg := "This setup link cannot be used", e.Message
	switch {
	case e.Status >= 500:
		loggerFrom(r.Context()).Error("setup page failed", "error_type", e.Type, "error", errString(e.Cause))
		heading, msg = "Something went wrong", "Seam could not finish this request. Try again in a moment; if it keeps failing, give the request ID below to the company that sent the link."
	case e.Status == http.StatusTooManyRequests:
		heading = "Too many requests"
		if n := apierr.RetryAfter(e); n > 0 {
			w.Header().Set("Retry-After", itoa(n))
		}
	case e.Type == "setup_csrf_invalid" || e.Type == "invalid_setup_form" || e.Type == typeInvalidUTF8 || e.Type == typeNullCharacter:
		heading = "That change was refused"
	}
	s.setupRender(w, r, e.Status, "refused", &setup.Page{Title: heading,
		Refused: &setup.Refusal{Status: e.Status, Heading: heading, Message: msg, Type: e.Type, RequestID: requestID(r.Context())}}, "")
}

// setupConn loads the path's connection: one of the link's organization,
// of a kind the link allows, SAML or OIDC.
func (s *Server) setupConn(r *http.Request) (*store.Connection, error) {
	acc := setupFrom(r)
	id := r.PathValue("connection_id")
	c, err := s.sso.Get(r.Context(), acc.Organization, "", id)
	if err == nil && (c.Kind == store.KindExternal || !acc.Allows(c.Kind)) {
		err = apierr.NotFound("sso_connection_not_found", "SSO connection "+apierr.Quote(id)+" was not found in this organization.")
	}
	return c, err
}

func (s *Server) setupHome(w http.ResponseWriter, r *http.Request) {
	acc := setupFrom(r)
	cs, err := s.sso.List(r.Context(), acc.Organization)
	if err != nil {
		s.setupRefuse(w, r, err)
		return
	}
	d := &setup.Page{Title: "Set up single sign-on"}
	for _, c := range cs {
		if c.Kind == store.KindExternal || !acc.Allows(c.Kind) {
			continue
		}
		d.Connections = append(d.Connections, setup.ConnSummary{ID: c.ID, KindName: strings.ToUpper(c.Kind), Name: c.DisplayName, Status: c.Status})
	}
	if acc.Allows(store.KindSAML) {
		d.Kinds = append(d.Kinds, setup.KindChoice{Kind: store.KindSAML, Name: "SAML 2.0", Hint: "Okta, Microsoft Entra ID, Google Workspace, ADFS, JumpCloud and most enterprise IdPs."})
		d.GuidesSAML = guidesOfKind(store.KindSAML)
	}
	if acc.Allows(store.KindOIDC) {
		d.Kinds = append(d.Kinds, setup.KindChoice{Kind: store.KindOIDC, Name: "OpenID Connect", Hint: "An OAuth 2.0 / OpenID Connect provider with a client ID and secret."})
		d.GuidesOIDC = guidesOfKind(store.KindOIDC)
	}
	s.setupRender(w, r, http.StatusOK, "home", d, "")
}

func guidesOfKind(kind string) []setup.Guide {
	var out []setup.Guide
	for _, g := range setup.Guides() {
		if g.Kind == kind {
			out = append(out, g)
		}
	}
	return out
}

func (s *Server) setupCreate(w http.ResponseWriter, r *http.Request) {
	acc := setupFrom(r)
	kind, key := r.PostForm.Get("kind"), r.PostForm.Get("guide")
	if (kind != store.KindSAML && kind != store.KindOIDC) || !acc.Allows(kind) {
		s.setupRefuse(w, r, apierr.BadRequest("invalid_connection_kind", "Choose one of the protocols this link offers."))
		return
	}
	g, ok := setup.GuideFor(key, kind)
	if !ok {
		g = setup.DefaultGuide(kind, "generic")
	}
	name := strings.TrimSpace(r.PostForm.Get("display_name"))
	if name == "" {
		name = g.Name
	}
	var c *store.Connection
	var err error
	if kind == store.KindSAML {
		c, err = s.sso.CreateSAML(r.Context(), acc.Project, acc.Organization, sso.SAMLCreate{DisplayName: opt.Of(name), IdentityProvider: opt.Of(g.IdentityProvider)})
	} else {
		c, err = s.sso.CreateOIDC(r.Context(), acc.Project, acc.Organization, sso.OIDCCreate{DisplayName: opt.Of(name), IdentityProvider: opt.Of(g.IdentityProvider)})
	}
	if err != nil {
		s.setupRefuse(w, r, err)
		return
	}
	s.setupSaved(w, r, c.ID, g.Key, "created")
}

// setupSaved redirects to the connection page after a change (POST,
// redirect, GET), naming the change by a fixed key.
func (s *Server) setupSaved(w http.ResponseWriter, r *http.Request, connID, guide, what string) {
	acc := setupFrom(r)
	q := url.Values{"saved": {what}}
	if guide != "" {
		q.Set("guide", guide)
	}
	http.Redirect(w, r, setup.PathPrefix+"/"+acc.Token+"/connections/"+connID+"?"+q.Encode(), http.StatusSeeOther)
}

// savedNotice is the notice a redirect after a change may show; the query
// names one by key, so a link cannot put other text on the page.
func savedNotice(key string) string {
	switch key {
	case "created":
		return "The connection was created. Follow the guide below."
	case "metadata":
		return "The IdP's metadata was loaded: entity ID, sign-in URL and signing certificate are set."
	case "manual":
		return "The IdP's values were saved."
	case "oidc":
		return "The provider's values were saved."
	case "attributes":
		return "The attribute mapping was saved."
	}
	return ""
}

func (s *Server) setupConnection(w http.ResponseWriter, r *http.Request) {
	c, err := s.setupConn(r)
	if err != nil {
		s.setupRefuse(w, r, err)
		return
	}
	s.setupConnectionPage(w, r, c, http.StatusOK, &setup.Page{Notice: savedNotice(r.URL.Query().Get("saved"))})
}

// setupConnectionPage renders a connection with d's notice or error.
func (s *Server) setupConnectionPage(w http.ResponseWriter, r *http.Request, c *store.Connection, status int, d *setup.Page) {
	v, err := s.setupView(r, c)
	if err != nil {
		s.setupRefuse(w, r, err)
		return
	}
	d.Title, d.Conn = connTitle(v), v
	if d.Tests, err = s.setupTests(r, c); err != nil {
		s.setupRefuse(w, r, err)
		return
	}
	s.setupRender(w, r, status, "connection", d, v.IdPOrigin)
}

func connTitle(v *setup.ConnView) string {
	if v.Name != "" {
		return v.Name
	}
	return v.KindName + " connection"
}

func (s *Server) setupView(r *http.Request, c *store.Connection) (*setup.ConnView, error) {
	guide := r.URL.Query().Get("guide")
	if guide == "" {
		guide = r.PostForm.Get("guide")
	}
	if c.Kind == store.KindSAML {
		v, err := s.sso.SAMLView(c)
		if err != nil {
			return nil, apierr.Internal(err)
		}
		org := setupFrom(r).Organization
		lc, err := s.sso.CertificateLifecycle(r.Context(), org, c.ID)
		if err != nil {
			return nil, err
		}
		return setup.SAMLView(v, lc, guide, s.baseURL+setup.PathPrefix+"/metadata/"+c.ID, s.clock()), nil
	}
	v, err := s.sso.OIDCView(c)
	if err != nil {
		return nil, apierr.Internal(err)
	}
	return setup.OIDCView(v, guide), nil
}

// setupTests lists the connection's recent test logins.
func (s *Server) setupTests(r *http.Request, c *store.Connection) ([]setup.TestSummary, error) {
	as, err := s.store.ListLoginAttempts(r.Context(), c.ProjectID, c.ID, 50)
	if err != nil {
		return nil, apierr.Internal(err)
	}
	var out []setup.TestSummary
	for _, a := range as {
		if len(out) == 5 || !setup.IsTest(a.Facts) {
			continue
		}
		o := setup.Explain(a.Outcome, a.ErrorType, a.Detail, a.Facts, setup.Expected{})
		out = append(out, setup.TestSummary{AttemptID: a.ID, When: a.CreatedAt.UTC().Format("2 Jan 15:04:05 UTC"), Title: o.Title, Success: o.Success})
	}
	return out, nil
}

// setupChanged finishes a change: the redirect on success, else the
// connection page with the error (nothing was changed).
func (s *Server) setupChanged(w http.ResponseWriter, r *http.Request, c *store.Connection, what string, err error) {
	if err != nil {
		e := apierr.As(err)
		if e.Status >= 500 {
			s.setupRefuse(w, r, err)
			return
		}
		logctx.Note(r.Context(), logctx.What{ErrorType: e.Type})
		s.setupConnectionPage(w, r, c, e.Status, &setup.Page{Error: &setup.PageError{Type: e.Type, Message: e.Message}})
		return
	}
	s.setupSaved(w, r, c.ID, r.PostForm.Get("guide"), what)
}

func (s *Server) setupSAMLConn(w http.ResponseWriter, r *http.Request) (*store.Connection, bool) {
	c, err := s.setupConn(r)
	if err == nil && c.Kind != store.KindSAML {
		err = apierr.NotFound("saml_connection_not_found", "SAML connection "+apierr.Quote(c.ID)+" was not found in this organization.")
	}
	if err != nil {
		s.setupRefuse(w, r, err)
		return nil, false
	}
	return c, true
}

func (s *Server) setupMetadataURL(w http.ResponseWriter, r *http.Request) {
	c, ok := s.setupSAMLConn(w, r)
	if !ok {
		return
	}
	acc := setupFrom(r)
	updated, err := s.sso.UpdateSAMLByURL(r.Context(), acc.Project, acc.Organization, c.ID, sso.SAMLMetadataURL{MetadataURL: r.PostForm.Get("metadata_url")})
	s.afterMetadata(w, r, c, updated, err)
}

func (s *Server) setupMetadataXML(w http.ResponseWriter, r *http.Request) {
	c, ok := s.setupSAMLConn(w, r)
	if !ok {
		return
	}
	acc := setupFrom(r)
	updated, err := s.sso.UpdateSAMLByMetadata(r.Context(), acc.Project, acc.Organization, c.ID, []byte(r.PostForm.Get("metadata_xml")))
	s.afterMetadata(w, r, c, updated, err)
}

// afterMetadata opens the guide of the IdP the metadata comes from, and
// records it as the connection's identity_provider when that was generic.
func (s *Server) afterMetadata(w http.ResponseWriter, r *http.Request, c *store.Connection, updated *sso.Updated, err error) {
	if err == nil {
		v, verr := s.sso.SAMLView(updated.Connection)
		if verr != nil {
			err = apierr.Internal(verr)
		} else if det := setup.DetectIdP(v.IDPEntityID, v.IDPSSOURL); det.Name != "" {
			r.PostForm.Set("guide", det.Guide)
			if v.IdentityProvider == "generic" && det.IdentityProvider != "generic" {
				acc := setupFrom(r)
				_, err = s.sso.UpdateSAML(r.Context(), acc.Project, acc.Organization, c.ID, sso.SAMLUpdate{IdentityProvider: opt.Of(det.IdentityProvider)})
			}
		}
	}
	s.setupChanged(w, r, c, "metadata", err)
}

func (s *Server) setupSAMLManual(w http.ResponseWriter, r *http.Request) {
	c, ok := s.setupSAMLConn(w, r)
	if !ok {
		return
	}
	acc := setupFrom(r)
	in := sso.SAMLUpdate{}
	set := func(field string, dst *opt.Value[string]) {
		if v := strings.TrimSpace(r.PostForm.Get(field)); v != "" {
			*dst = opt.Of(v)
		}
	}
	set("idp_sso_url", &in.IDPSSOURL)
	set("idp_entity_id", &in.IDPEntityID)
	set("x509_certificate", &in.X509Certificate)
	_, err := s.sso.UpdateSAML(r.Context(), acc.Project, acc.Organization, c.ID, in)
	s.setupChanged(w, r, c, "manual", err)
}

func (s *Server) setupOIDC(w http.ResponseWriter, r *http.Request) {
	c, err := s.setupConn(r)
	if err == nil && c.Kind != store.KindOIDC {
		err = apierr.NotFound("oidc_connection_not_found", "OIDC connection "+apierr.Quote(c.ID)+" was not found in this organization.")
	}
	if err != nil {
		s.setupRefuse(w, r, err)
		return
	}
	acc := setupFrom(r)
	in := sso.OIDCUpdate{}
	for _, f := range []struct {
		field string
		dst   *opt.Value[string]
	}{{"issuer", &in.Issuer}, {"client_id", &in.ClientID}, {"client_secret", &in.ClientSecret}} {
		// An empty field keeps the saved value: the client secret is never
		// sent back to the page, so its field is always empty.
		if v := strings.TrimSpace(r.PostForm.Get(f.field)); v != "" {
			*f.dst = opt.Of(v)
		}
	}
	updated, warning, err := s.sso.UpdateOIDC(r.Context(), acc.Project, acc.Organization, c.ID, in)
	if err == nil && warning != "" {
		// Saved, but discovery failed: show the warning on the page itself.
		// events (issue 13): a saved change, as in setupSaved.
		s.setupConnectionPage(w, r, updated.Connection, http.StatusOK, &setup.Page{Notice: "Saved, with a warning: " + warning})
		return
	}
	s.setupChanged(w, r, c, "oidc", err)
}

func (s *Server) setupAttributes(w http.ResponseWriter, r *http.Request) {
	c, err := s.setupConn(r)
	if err != nil {
		s.setupRefuse(w, r, err)
		return
	}
	acc := setupFrom(r)
	m := map[string]any{}
	for _, k := range []string{"email", "first_name", "last_name", "full_name", "groups"} {
		if v := strings.TrimSpace(r.PostForm.Get(k)); v != "" {
			m[k] = v
		}
	}
	if c.Kind == store.KindSAML {
		_, err = s.sso.UpdateSAML(r.Context(), acc.Project, acc.Organization, c.ID, sso.SAMLUpdate{AttributeMapping: opt.Of(m)})
	} else {
		_, _, err = s.sso.UpdateOIDC(r.Context(), acc.Project, acc.Organization, c.ID, sso.OIDCUpdate{AttributeMapping: opt.Of(m)})
	}
	s.setupChanged(w, r, c, "attributes", err)
}

func (s *Server) setupTest(w http.ResponseWriter, r *http.Request) {
	c, err := s.setupConn(r)
	if err != nil {
		s.setupRefuse(w, r, err)
		return
	}
	acc := setupFrom(r)
	back := setup.PathPrefix + "/" + acc.Token + "/connections/" + c.ID + "/tests/"
	res, err := s.login.StartTest(r.Context(), acc.Project, c, acc.Link.ID, back)
	if err != nil {
		s.setupChanged(w, r, c, "", err)
		return
	}
	http.SetCookie(w, res.Cookie)
	setupHeaders(w, "")
	http.Redirect(w, r, res.RedirectURL, http.StatusSeeOther)
}

func (s *Server) setupTestResult(w http.ResponseWriter, r *http.Request) {
	c, err := s.setupConn(r)
	if err != nil {
		s.setupRefuse(w, r, err)
		return
	}
	as, err := s.store.ListLoginAttempts(r.Context(), c.ProjectID, c.ID, 100)
	if err != nil {
		s.setupRefuse(w, r, apierr.Internal(err))
		return
	}
	id := r.PathValue("attempt_id")
	var a *store.LoginAttempt
	for _, x := range as {
		if x.ID == id && setup.IsTest(x.Facts) {
			a = x
		}
	}
	if a == nil {
		s.setupRefuse(w, r, apierr.NotFound("test_login_not_found", "This test sign-in is not one of the connection's recent tests. Run a new test from the connection's page."))
		return
	}
	v, err := s.setupView(r, c)
	if err != nil {
		s.setupRefuse(w, r, err)
		return
	}
	o := setup.Explain(a.Outcome, a.ErrorType, a.Detail, a.Facts, v.Expected)
	s.setupRender(w, r, http.StatusOK, "result", &setup.Page{Title: o.Title, Conn: v, Result: &o}, "")
}

func (s *Server) setupSPMetadata(w http.ResponseWriter, r *http.Request) {
	c, ok := s.setupSAMLConn(w, r)
	if !ok {
		return
	}
	doc, err := s.sso.SPMetadata(r.Context(), setupFrom(r).Organization, c.ID)
	if err != nil {
		s.setupRefuse(w, r, err)
		return
	}
	setupHeaders(w, "")
	w.Header().Set("Content-Type", "application/samlmetadata+xml")
	w.Header().Set("Content-Disposition", `attachment; filename="seam-sp-metadata.xml"`)
	_, _ = w.Write(doc)
}

// setupPublicMetadata serves a SAML connection's SP metadata without
// credentials: it holds only what the IdP is given anyway (entity ID, ACS
// URL, public certificates), and IdPs such as Entra ID and Okta import it
// from a URL.
func (s *Server) setupPublicMetadata(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("connection_id")
	notFound := apierr.NotFound("saml_connection_not_found", "SAML connection "+apierr.Quote(id)+" was not found.")
	if !sso.IsConnectionID(store.KindSAML, id) {
		return notFound
	}
	c, err := s.store.GetConnectionByID(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return notFound
	}
	if err != nil {
		return apierr.Internal(err)
	}
	org, err := s.store.GetOrganization(r.Context(), c.ProjectID, c.OrganizationID)
	if err != nil {
		return apierr.Internal(err)
	}
	doc, err := s.sso.SPMetadata(r.Context(), org, c.ID)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/samlmetadata+xml")
	w.Header().Set("Cache-Control", "no-cache")
	_, err = w.Write(doc)
	return err
}
