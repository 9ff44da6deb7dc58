package httpapi

import (
	"bytes"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/testidp"
)

// The built-in test IdP of test projects (a development tool; see
// internal/testidp and docs/getting-started.md). Its pages are HTML under
// testidp.PageCSP, with no inline script; their forms carry a CSRF token
// that must equal a cookie set with the page (double submit, SameSite=Strict).

const (
	tidpCSRFCookie = "seam_test_idp_csrf"
	tidpMaxForm    = 256 << 10
)

func (s *Server) testIdPRoutes() []route {
	if s.testIdP == nil {
		return nil
	}
	const p = testidp.PathPrefix + "/{project_id}"
	page := func(h http.HandlerFunc) http.Handler { return http.HandlerFunc(h) }
	picker := nonJSON{200, "text/html", "The test IdP's page: pick a test user and a valid or deliberately broken answer. Errors are HTML pages."}
	doc := func(what string) nonJSON {
		return nonJSON{200, "application/json", what + " (plain JSON, not Stytch's envelope)."}
	}
	const dev = " (Seam extension, development tool; test projects only)."
	routes := []route{
		{pattern: "GET " + p + "/saml/metadata", summary: "Test IdP: SAML IdP metadata" + dev,
			out: nonJSON{200, "application/samlmetadata+xml", "The IdP's EntityDescriptor: entity ID, SSO URL, signing certificate."}, handler: apiHandler(s.tidpSAMLMetadata)},
		{pattern: "GET " + p + "/saml/sso", summary: "Test IdP: SAML SSO URL, HTTP-Redirect binding" + dev, out: picker, handler: page(s.tidpSAMLSSO)},
		{pattern: "POST " + p + "/saml/sso", summary: "Test IdP: SAML SSO URL, HTTP-POST binding" + dev,
			in: formBody{fields: []string{"SAMLRequest", "RelayState"}}, out: picker, handler: page(s.tidpSAMLSSO)},
		{pattern: "POST " + p + "/saml/login", summary: "Test IdP: the picker's form; answers with the SAML response for the ACS" + dev,
			in:  formBody{fields: []string{"SAMLRequest", "binding", "RelayState", "user", "response", "csrf_token"}},
			out: nonJSON{200, "text/html", "A form that posts the SAML response to the ACS (submitted by the page's script)."}, handler: page(s.tidpSAMLLogin)},
		{pattern: "GET " + p + "/oidc/.well-known/openid-configuration", summary: "Test IdP: OpenID provider discovery" + dev,
			out: doc("The OpenID provider configuration"), handler: apiHandler(s.tidpDiscovery)},
		{pattern: "GET " + p + "/oidc/jwks", summary: "Test IdP: OpenID provider key set" + dev, out: doc("The JWK Set"), handler: apiHandler(s.tidpJWKS)},
		{pattern: "GET " + p + "/oidc/authorize", summary: "Test IdP: OIDC authorization endpoint" + dev, out: picker, handler: page(s.tidpAuthorize)},
		{pattern: "POST " + p + "/oidc/login", summary: "Test IdP: the picker's form; redirects to the client with a code" + dev,
			in:  formBody{fields: []string{"client_id", "redirect_uri", "response_type", "scope", "state", "nonce", "code_challenge", "code_challenge_method", "user", "response", "csrf_token"}},
			out: nonJSON{303, "", "Redirects to redirect_uri with code, state and iss."}, handler: page(s.tidpOIDCLogin)},
		{pattern: "POST " + p + "/oidc/token", summary: "Test IdP: OIDC token endpoint (form body; client_secret_basic or client_secret_post)" + dev,
			in:  formBody{fields: []string{"grant_type", "code", "redirect_uri", "code_verifier", "client_id", "client_secret"}},
			out: doc("The token response (access_token, id_token, token_type, expires_in)"), handler: http.HandlerFunc(s.tidpToken)},
		{pattern: "GET " + p + "/oidc/userinfo", summary: "Test IdP: OIDC userinfo endpoint (Bearer access token)" + dev,
			out: doc("The user's claims"), handler: http.HandlerFunc(s.tidpUserinfo)},
		{pattern: "GET " + testidp.LandingPath, summary: "Test IdP: the demo's landing page, showing the SSO token" + dev,
			out: nonJSON{200, "text/html", "A page showing the SSO token and how to exchange it."}, handler: page(s.tidpLanding)},
		{pattern: "GET " + testidp.AssetsPath + "/testidp.js", summary: "Test IdP: page script" + dev,
			out: nonJSON{200, "text/javascript", "Script."}, handler: tidpAsset("text/javascript; charset=utf-8", testidp.Script)},
		{pattern: "GET " + testidp.AssetsPath + "/testidp.css", summary: "Test IdP: page style" + dev,
			out: nonJSON{200, "text/css", "Stylesheet."}, handler: tidpAsset("text/css; charset=utf-8", testidp.Style)},
	}
	for i := range routes {
		routes[i].limit = limitByProjectPath("test_idp") // every test IdP route is public
	}
	return routes
}

// apiHandler adapts a JSON-or-raw handler that may fail with an API error.
func apiHandler(f func(w http.ResponseWriter, r *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := f(w, r); err != nil {
			writeError(w, r, err)
		}
	})
}

func tidpAsset(contentType, body string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.Header().Set("Cache-Control", "public, max-age=3600")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		_, _ = io.WriteString(w, body)
	})
}

func (s *Server) tidpSAMLMetadata(w http.ResponseWriter, r *http.Request) error {
	idp, err := s.testIdP.Open(r.Context(), r.PathValue("project_id"))
	if err != nil {
		return err
	}
	md, err := testidp.SAMLMetadata(idp)
	if err != nil {
		return apierr.Internal(err)
	}
	w.Header().Set("Content-Type", "application/samlmetadata+xml")
	_, err = w.Write(md)
	return err
}

func (s *Server) tidpSAMLSSO(w http.ResponseWriter, r *http.Request) {
	idp, err := s.testIdP.Open(r.Context(), r.PathValue("project_id"))
	if err != nil {
		s.tidpError(w, r, err)
		return
	}
	var value, relay string
	deflated := r.Method == http.MethodGet
	if deflated {
		value, relay = r.URL.Query().Get("SAMLRequest"), r.URL.Query().Get("RelayState")
	} else {
		if err := s.tidpParseForm(w, r); err != nil {
			s.tidpError(w, r, err)
			return
		}
		value, relay = r.PostForm.Get("SAMLRequest"), r.PostForm.Get("RelayState")
	}
	req, err := s.testIdP.ParseAuthnRequest(value, deflated)
	if err != nil {
		s.tidpError(w, r, err)
		return
	}
	binding := "post"
	if deflated {
		binding = "redirect"
	}
	s.tidpLoginPage(w, r, testidp.LoginPage{
		Protocol: "SAML", ProjectID: idp.Project.ID, Action: "login", Destination: req.ACSURL,
		Hidden: []testidp.Field{{Name: "SAMLRequest", Value: value}, {Name: "RelayState", Value: relay}, {Name: "binding", Value: binding}},
		Users:  testidp.Users(), Modes: testidp.SAMLModes(),
	})
}

func (s *Server) tidpSAMLLogin(w http.ResponseWriter, r *http.Request) {
	idp, user, mode, ok := s.tidpLoginForm(w, r)
	if !ok {
		return
	}
	req, err := s.testIdP.ParseAuthnRequest(r.PostForm.Get("SAMLRequest"), r.PostForm.Get("binding") == "redirect")
	if err != nil {
		s.tidpError(w, r, err)
		return
	}
	resp, err := s.testIdP.SAMLResponse(idp, req, user, mode)
	if err != nil {
		s.tidpError(w, r, err)
		return
	}
	fields := []testidp.Field{{Name: "SAMLResponse", Value: resp}}
	if relay := r.PostForm.Get("RelayState"); relay != "" {
		fields = append(fields, testidp.Field{Name: "RelayState", Value: relay})
	}
	s.tidpRender(w, http.StatusOK, func(b *bytes.Buffer) error {
		return s.idpPages.Post(b, testidp.PostPage{Action: req.ACSURL, Fields: fields})
	})
}

func (s *Server) tidpDiscovery(w http.ResponseWriter, r *http.Request) error {
	idp, err := s.testIdP.Open(r.Context(), r.PathValue("project_id"))
	if err != nil {
		return err
	}
	return tidpJSON(w, http.StatusOK, testidp.Discovery(idp))
}

func (s *Server) tidpJWKS(w http.ResponseWriter, r *http.Request) error {
	idp, err := s.testIdP.Open(r.Context(), r.PathValue("project_id"))
	if err != nil {
		return err
	}
	return tidpJSON(w, http.StatusOK, testidp.JWKS(idp))
}

func (s *Server) tidpAuthorize(w http.ResponseWriter, r *http.Request) {
	idp, err := s.testIdP.Open(r.Context(), r.PathValue("project_id"))
	if err != nil {
		s.tidpError(w, r, err)
		return
	}
	q := r.URL.Query()
	req, err := s.testIdP.ParseAuthorize(q)
	if err != nil {
		s.tidpError(w, r, err)
		return
	}
	var hidden []testidp.Field
	for _, k := range []string{"response_type", "client_id", "redirect_uri", "scope", "state", "nonce", "code_challenge", "code_challenge_method"} {
		if v := q.Get(k); v != "" {
			hidden = append(hidden, testidp.Field{Name: k, Value: v})
		}
	}
	s.tidpLoginPage(w, r, testidp.LoginPage{
		Protocol: "OIDC", ProjectID: idp.Project.ID, Action: "login", Destination: req.RedirectURI,
		Hidden: hidden, Users: testidp.Users(), Modes: testidp.OIDCModes(),
	})
}

func (s *Server) tidpOIDCLogin(w http.ResponseWriter, r *http.Request) {
	idp, user, mode, ok := s.tidpLoginForm(w, r)
	if !ok {
		return
	}
	req, err := s.testIdP.ParseAuthorize(r.PostForm)
	if err != nil {
		s.tidpError(w, r, err)
		return
	}
	to, err := s.testIdP.Authorize(idp, req, user, mode)
	if err != nil {
		s.tidpError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, to, http.StatusSeeOther)
}

func (s *Server) tidpToken(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	idp, err := s.testIdP.Open(r.Context(), r.PathValue("project_id"))
	if err != nil {
		writeError(w, r, err)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, tidpMaxForm)
	if err := r.ParseForm(); err != nil {
		_ = tidpJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request", "error_description": "The body is not a form."})
		return
	}
	tr := testidp.TokenRequest{Form: r.PostForm}
	if id, secret, ok := r.BasicAuth(); ok {
		// RFC 6749 2.3.1: the credentials are form-urlencoded first.
		tr.HasBasic = true
		tr.BasicID, _ = url.QueryUnescape(id)
		tr.BasicSecret, _ = url.QueryUnescape(secret)
	}
	res, err := s.testIdP.Token(idp, tr)
	if err != nil {
		s.tidpOAuthError(w, r, err)
		return
	}
	_ = tidpJSON(w, http.StatusOK, res)
}

func (s *Server) tidpUserinfo(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	idp, err := s.testIdP.Open(r.Context(), r.PathValue("project_id"))
	if err != nil {
		writeError(w, r, err)
		return
	}
	bearer, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		_ = tidpJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_token", "error_description": "A Bearer access token is required."})
		return
	}
	claims, err := s.testIdP.Userinfo(idp, bearer)
	if err != nil {
		s.tidpOAuthError(w, r, err)
		return
	}
	_ = tidpJSON(w, http.StatusOK, claims)
}

func (s *Server) tidpLanding(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	token := q.Get("token")
	if token == "" || len(token) > 512 {
		s.tidpError(w, r, apierr.BadRequest("test_idp_invalid_request", "This is the demo's landing page: a login redirects here with ?stytch_token_type=sso&token=..."))
		return
	}
	s.tidpRender(w, http.StatusOK, func(b *bytes.Buffer) error {
		return s.idpPages.Landing(b, testidp.LandingPage{TokenType: q.Get("stytch_token_type"), Token: token, BaseURL: s.baseURL})
	})
}

// tidpLoginForm checks a picker submission: project, CSRF token, user and
// response mode.
func (s *Server) tidpLoginForm(w http.ResponseWriter, r *http.Request) (*testidp.IdP, testidp.User, testidp.Mode, bool) {
	idp, err := s.testIdP.Open(r.Context(), r.PathValue("project_id"))
	if err != nil {
		s.tidpError(w, r, err)
		return nil, testidp.User{}, "", false
	}
	if err := s.tidpParseForm(w, r); err != nil {
		s.tidpError(w, r, err)
		return nil, testidp.User{}, "", false
	}
	if !s.tidpCSRFValid(r) {
		s.tidpError(w, r, apierr.Forbidden("test_idp_csrf",
			"The form's CSRF token does not match this browser's: reload the sign-in page (start the login again) and submit it from there."))
		return nil, testidp.User{}, "", false
	}
	user, ok := testidp.UserByID(r.PostForm.Get("user"))
	if !ok {
		s.tidpError(w, r, apierr.BadRequest("test_idp_invalid_request", "Pick one of the test users."))
		return nil, testidp.User{}, "", false
	}
	mode := testidp.Mode(r.PostForm.Get("response"))
	if mode == "" {
		mode = testidp.Valid
	}
	return idp, user, mode, true
}

func (s *Server) tidpParseForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, tidpMaxForm)
	if err := r.ParseForm(); err != nil {
		return apierr.BadRequest("test_idp_invalid_request", "The form is malformed or larger than 256 KiB.")
	}
	return nil
}

// tidpCSRFValid: the form's token equals the cookie's, and a browser that
// names the request's origin names this Seam's.
func (s *Server) tidpCSRFValid(r *http.Request) bool {
	if origin := r.Header.Get("Origin"); origin != "" && origin != "null" && origin != tidpOrigin(s.baseURL) {
		return false
	}
	if r.Header.Get("Sec-Fetch-Site") == "cross-site" {
		return false
	}
	c, err := r.Cookie(tidpCSRFCookie)
	form := r.PostForm.Get("csrf_token")
	return err == nil && len(c.Value) == 64 && subtle.ConstantTimeCompare([]byte(c.Value), []byte(form)) == 1
}

func tidpOrigin(base string) string {
	u, err := url.Parse(base)
	if err != nil {
		return base
	}
	return u.Scheme + "://" + u.Host
}

// tidpLoginPage renders the picker with a CSRF token: the browser's cookie
// when it has a valid one, else a new one.
func (s *Server) tidpLoginPage(w http.ResponseWriter, r *http.Request, d testidp.LoginPage) {
	token := ""
	if c, err := r.Cookie(tidpCSRFCookie); err == nil && len(c.Value) == 64 {
		if _, err := hex.DecodeString(c.Value); err == nil {
			token = c.Value
		}
	}
	if token == "" {
		b := make([]byte, 32)
		if _, err := io.ReadFull(s.testIdP.Rand, b); err != nil {
			s.tidpError(w, r, apierr.Internal(err))
			return
		}
		token = hex.EncodeToString(b)
		http.SetCookie(w, &http.Cookie{
			Name: tidpCSRFCookie, Value: token, Path: testidp.PathPrefix + "/", HttpOnly: true,
			SameSite: http.SameSiteStrictMode, Secure: strings.HasPrefix(s.baseURL, "https://"),
		})
	}
	d.CSRF = token
	s.tidpRender(w, http.StatusOK, func(b *bytes.Buffer) error { return s.idpPages.Login(b, d) })
}

// tidpError answers a browser with an HTML page naming what is wrong.
func (s *Server) tidpError(w http.ResponseWriter, r *http.Request, err error) {
	e := apierr.As(err)
	msg := e.Message
	if e.Status >= 500 {
		loggerFrom(r.Context()).LogAttrs(r.Context(), slog.LevelError, "test IdP request failed",
			slog.String("error_type", e.Type), slog.String("error", errString(e.Cause)))
		msg = "The test IdP failed; the server log has the details (request " + requestID(r.Context()) + ")."
	}
	s.tidpRender(w, e.Status, func(b *bytes.Buffer) error {
		return s.idpPages.Error(b, testidp.ErrorPage{Status: e.Status, Message: msg, ErrorType: e.Type, RequestID: requestID(r.Context())})
	})
}

func (s *Server) tidpRender(w http.ResponseWriter, status int, render func(*bytes.Buffer) error) {
	var b bytes.Buffer
	if err := render(&b); err != nil {
		http.Error(w, "page rendering failed", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", testidp.PageCSP)
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}

func (s *Server) tidpOAuthError(w http.ResponseWriter, r *http.Request, err error) {
	var te *testidp.TokenError
	if errors.As(err, &te) {
		if te.Status == http.StatusUnauthorized {
			w.Header().Set("WWW-Authenticate", `Basic realm="test-idp"`)
		}
		_ = tidpJSON(w, te.Status, map[string]string{"error": te.Code, "error_description": te.Desc})
		return
	}
	writeError(w, r, err)
}

func tidpJSON(w http.ResponseWriter, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return apierr.Internal(err)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, err = w.Write(b)
	return err
}
