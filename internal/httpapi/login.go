package httpapi

import (
	"errors"
	"html/template"
	"net/http"
	"strconv"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/logctx"
	"github.com/seamsso/seam/internal/login"
	"github.com/seamsso/seam/internal/sessions"
	"github.com/seamsso/seam/internal/store"
)

func (s *Server) loginRoutes() []route {
	redirect := redirectJSON{startResponse{}}
	page := nonJSON{302, "text/html", "Redirects the browser to the application with the SSO token; a failure is an HTML page with the error type and request ID."}
	logins := func(kind, summary string) route {
		return route{pattern: "GET /v1/b2b/sso/" + kind + "/{organization_id}/connections/{connection_id}/logins", auth: authProject,
			access: rbacRoute(resourceSSO, "get"), summary: summary, out: loginsResponse{}, handler: s.listLogins(kind)}
	}
	return []route{
		{pattern: "GET /v1/public/sso/start", summary: "Start an SSO login: redirects the browser to the IdP (302, body {redirect_url}).",
			out: redirect, limit: limitStart(), handler: http.HandlerFunc(s.ssoStart)},
		{pattern: "GET /b2b/public/sso/start", summary: "Start an SSO login (path used by Stytch's mobile SDKs).", out: redirect, limit: limitStart(), handler: http.HandlerFunc(s.ssoStart)},
		{pattern: "POST /v1/b2b/sso/callback/{connection_id}", summary: "SAML assertion consumer service (HTTP-POST binding).",
			in: formBody{fields: []string{"SAMLResponse"}}, out: page, limit: limitCallback(), handler: http.HandlerFunc(s.samlACS)},
		{pattern: "GET /v1/b2b/sso/callback/{connection_id}", summary: "OIDC redirect URL.", out: page, limit: limitCallback(), handler: http.HandlerFunc(s.oidcCallback)},
		{pattern: "POST /v1/b2b/sso/authenticate", auth: authProject, access: ignoresSessions(), summary: "Exchange an SSO token for a member and a session.",
			in: login.AuthenticateParams{}, out: ssoAuthenticateResponse{}, limit: limitAuthenticate(), handler: apiFunc(s.ssoAuthenticate)},
		logins(store.KindSAML, "Recent login attempts of a SAML connection with their outcomes (Seam extension)."),
		logins(store.KindOIDC, "Recent login attempts of an OIDC connection with their outcomes (Seam extension)."),
		logins(store.KindExternal, "Identity-linking records of an External connection: relinks of its members (Seam extension)."),
	}
}

// ssoStart redirects to the IdP, or answers a JSON error: the start URL is
// built by the application, so its errors are for the developer.
func (s *Server) ssoStart(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	res, err := s.login.Start(r.Context(), login.StartParams{
		ConnectionID: q.Get("connection_id"), OrganizationID: q.Get("organization_id"), PublicToken: q.Get("public_token"),
		LoginRedirectURL: q.Get("login_redirect_url"), SignupRedirectURL: q.Get("signup_redirect_url"),
		PKCECodeChallenge: q.Get("pkce_code_challenge"), CustomScopes: q.Get("custom_scopes"),
	})
	if err != nil {
		writeError(w, r, err)
		return
	}
	http.SetCookie(w, res.Cookie)
	w.Header().Set("Location", res.RedirectURL)
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, r, http.StatusFound, startResponse{RedirectURL: res.RedirectURL})
}

// maxACSBody caps the ACS form: SAML responses with several certificates
// and encrypted assertions stay far below it.
const maxACSBody = 1 << 20

func (s *Server) samlACS(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxACSBody)
	if err := r.ParseForm(); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			s.loginFailure(w, r, &login.Failure{Status: http.StatusRequestEntityTooLarge, ErrorType: "invalid_saml_response",
				Reason: "too_large", Detail: "The SAML response is larger than 1 MiB."})
			return
		}
		s.loginFailure(w, r, &login.Failure{Status: http.StatusBadRequest, ErrorType: "missing_saml_response", Reason: "missing_response",
			Detail: "The callback expects an HTML form post with SAMLResponse."})
		return
	}
	res, err := s.login.HandleSAML(r.Context(), login.SAMLCallback{
		ConnectionID: r.PathValue("connection_id"), SAMLResponse: r.PostForm.Get("SAMLResponse"),
		Cookies: r.Cookies(), RequestID: requestID(r.Context()),
	})
	s.finishCallback(w, r, res, err)
}

func (s *Server) oidcCallback(w http.ResponseWriter, r *http.Request) {
	res, err := s.login.HandleOIDC(r.Context(), login.OIDCCallback{
		ConnectionID: r.PathValue("connection_id"), Query: r.URL.Query(), Cookies: r.Cookies(), RequestID: requestID(r.Context()),
	})
	s.finishCallback(w, r, res, err)
}

func (s *Server) finishCallback(w http.ResponseWriter, r *http.Request, res *login.CallbackResult, err error) {
	if err != nil {
		var f *login.Failure
		if errors.As(err, &f) {
			if unavailableFailure(w, r, f) {
				s.loginFailure(w, r, f)
				return
			}
			if f.Status >= 500 {
				loggerFrom(r.Context()).Error("callback failed", "error_type", f.ErrorType, "error", errString(f.Cause))
			}
			s.loginFailure(w, r, f)
			return
		}
		e := apierr.As(err)
		if ue, ok := unavailable(r, err); ok {
			w.Header().Set("Retry-After", outageRetryAfterHeader)
			e = ue
		} else if e.Status >= 500 {
			loggerFrom(r.Context()).Error("callback failed", "error", errString(e.Cause))
		}
		s.loginFailure(w, r, &login.Failure{Status: e.Status, ErrorType: e.Type, Reason: e.Type, Detail: e.Message})
		return
	}
	if res.ClearCookie != nil {
		http.SetCookie(w, res.ClearCookie)
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, res.RedirectURL, http.StatusFound)
}

var failurePage = template.Must(template.New("failure").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign-in failed</title>
<meta name="viewport" content="width=device-width,initial-scale=1">
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#222}code{background:#f3f3f3;padding:.1rem .3rem}</style>
</head><body>
<h1>Sign-in failed</h1>
<p>{{.Detail}}</p>
<p>Error: <code>{{.ErrorType}}</code><br>Request ID: <code>{{.RequestID}}</code></p>
<p>Your IT administrator can look this request up in the connection's login attempts.</p>
</body></html>
`))

// loginFailure renders the browser-facing error page: the typed error and
// request ID, never internals.
func (s *Server) loginFailure(w http.ResponseWriter, r *http.Request, f *login.Failure) {
	reason := f.Reason
	if reason == f.ErrorType {
		reason = ""
	}
	logctx.Note(r.Context(), logctx.What{ErrorType: f.ErrorType, Reason: reason})
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	w.WriteHeader(f.Status)
	_ = failurePage.Execute(w, map[string]string{"Detail": f.Detail, "ErrorType": f.ErrorType, "RequestID": requestID(r.Context())})
}

type loginAttemptView struct {
	AttemptID    string         `json:"attempt_id"`
	ConnectionID string         `json:"connection_id"`
	RequestID    string         `json:"request_id"`
	Outcome      string         `json:"outcome"`
	ErrorType    string         `json:"error_type"`
	Detail       string         `json:"detail"`
	Facts        map[string]any `json:"facts"`
	CreatedAt    string         `json:"created_at"`
}

func (s *Server) listLogins(kind string) apiFunc {
	return func(r *http.Request) (int, any, error) { return s.logins(r, kind) }
}

func (s *Server) logins(r *http.Request, kind string) (int, any, error) {
	org := pathOrg(r)
	c, err := s.sso.Get(r.Context(), org, kind, r.PathValue("connection_id"))
	if err != nil {
		return 0, nil, err
	}
	limit := 50
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			return 0, nil, apierr.BadRequest("invalid_limit", "limit must be between 1 and 500.")
		}
		limit = n
	}
	attempts, err := s.store.ListLoginAttempts(r.Context(), org.ProjectID, c.ID, limit)
	if err != nil {
		return 0, nil, apierr.Internal(err)
	}
	out := []loginAttemptView{}
	for _, a := range attempts {
		out = append(out, attemptView(a))
	}
	return http.StatusOK, loginsResponse{Logins: out}, nil
}

func attemptView(a *store.LoginAttempt) loginAttemptView {
	v := loginAttemptView{AttemptID: a.ID, ConnectionID: a.ConnectionID, RequestID: a.RequestID, Outcome: a.Outcome,
		ErrorType: a.ErrorType, Detail: a.Detail, CreatedAt: a.CreatedAt.Format("2006-01-02T15:04:05.000000Z07:00")}
	_ = jsonUnmarshal(a.Facts, &v.Facts)
	return v
}

// ssoAuthenticateResponse is Stytch's SSO Authenticate response.
type ssoAuthenticateResponse struct {
	MemberID                 string                  `json:"member_id"`
	OrganizationID           string                  `json:"organization_id"`
	Member                   any                     `json:"member"`
	Organization             any                     `json:"organization"`
	SessionToken             string                  `json:"session_token"`
	SessionJWT               string                  `json:"session_jwt"`
	MemberSession            *sessions.MemberSession `json:"member_session"`
	MemberAuthenticated      bool                    `json:"member_authenticated"`
	IntermediateSessionToken string                  `json:"intermediate_session_token"`
	ResetSession             bool                    `json:"reset_session"`
	MFARequired              *struct{}               `json:"mfa_required"`
	PrimaryRequired          *struct{}               `json:"primary_required"`
}

func (s *Server) ssoAuthenticate(r *http.Request) (int, any, error) {
	var p login.AuthenticateParams
	if err := decodeJSON(r, &p); err != nil {
		return 0, nil, err
	}
	p.RequestID = requestID(r.Context())
	a, err := s.login.Authenticate(r.Context(), projectFrom(r.Context()), p)
	if err != nil {
		return 0, nil, err
	}
	ov, err := s.orgView(r, a.Org)
	if err != nil {
		return 0, nil, err
	}
	mv := a.View // rendered in the login's transaction
	return http.StatusOK, ssoAuthenticateResponse{
		MemberID: a.Member.ID, OrganizationID: a.Org.ID, Member: mv, Organization: ov,
		SessionToken: a.Session.Token, SessionJWT: a.Session.JWT,
		MemberSession:       sessions.View(a.Session.Session, a.Org, a.Session.Roles),
		MemberAuthenticated: true,
	}, nil
}
