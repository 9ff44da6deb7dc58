package testidp

import (
	"html/template"
	"io"
)

// The pages load their script and style from AssetsPath, so they work under
// a Content-Security-Policy without 'unsafe-inline' (PageCSP).
const (
	AssetsPath = PathPrefix + "/assets"
	// PageCSP is the Content-Security-Policy of every test IdP page. It has
	// no form-action: the forms lead, through redirects, to the
	// application's redirect URL, which is on another origin, and browsers
	// apply form-action to every hop of a redirect chain.
	PageCSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; base-uri 'none'; frame-ancestors 'none'"
)

// Script submits a form marked data-autosubmit (the SAML HTTP-POST binding).
const Script = `"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var f = document.querySelector("form[data-autosubmit]");
  if (f) { f.submit(); }
});
`

// Style is the pages' stylesheet.
const Style = `body{font-family:system-ui,sans-serif;max-width:44rem;margin:2rem auto;padding:0 1rem;color:#1b1f24;line-height:1.45}
.banner{background:#fff4ce;border:1px solid #e0c36a;padding:.6rem .8rem;border-radius:6px;margin-bottom:1rem}
fieldset{border:1px solid #ccd;border-radius:6px;margin:0 0 1rem;padding:.6rem 1rem}
label{display:block;margin:.25rem 0}
.groups{color:#57606a;font-size:.9em}
button{font-size:1rem;padding:.45rem 1.1rem;border-radius:6px;border:1px solid #1f6feb;background:#1f6feb;color:#fff;cursor:pointer}
code,pre{background:#f3f4f6;padding:.1rem .3rem;border-radius:4px;overflow-wrap:anywhere;white-space:pre-wrap}
.error{border-color:#d1242f;background:#ffebe9}
`

// LoginPage is the data of the user picker.
type LoginPage struct {
	Protocol  string // "SAML" or "OIDC"
	ProjectID string
	Action    string
	CSRF      string
	Hidden    []Field // the request, carried through the form
	Users     []User
	Modes     []ModeOption
	// Destination is where the answer goes (ACS or redirect URI).
	Destination string
}

// Field is a hidden form field.
type Field struct{ Name, Value string }

// PostPage is the SAML HTTP-POST binding's auto-submitting form.
type PostPage struct {
	Action string
	Fields []Field
}

// ErrorPage explains a refused request.
type ErrorPage struct {
	Status    int
	Message   string
	ErrorType string // the typed error, as Seam's other error pages show it
	RequestID string
}

// LandingPage shows the SSO token the login produced.
type LandingPage struct {
	TokenType string
	Token     string
	BaseURL   string
}

// Pages renders the test IdP's HTML.
type Pages struct{ t *template.Template }

// NewPages parses the templates.
func NewPages() *Pages {
	return &Pages{t: template.Must(template.New("pages").Parse(pageTemplates))}
}

// Login writes the user picker.
func (p *Pages) Login(w io.Writer, d LoginPage) error { return p.t.ExecuteTemplate(w, "login", d) }

// Post writes the auto-submitting form.
func (p *Pages) Post(w io.Writer, d PostPage) error { return p.t.ExecuteTemplate(w, "post", d) }

// Error writes an error page.
func (p *Pages) Error(w io.Writer, d ErrorPage) error { return p.t.ExecuteTemplate(w, "error", d) }

// Landing writes the demo landing page.
func (p *Pages) Landing(w io.Writer, d LandingPage) error {
	return p.t.ExecuteTemplate(w, "landing", d)
}

const pageTemplates = `
{{define "head"}}<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>{{.}}</title><link rel="stylesheet" href="` + AssetsPath + `/testidp.css"></head><body>
<p class="banner"><strong>Seam test IdP</strong> — a development tool for test projects. Anybody can sign in here as any test user; never use it for a real application.</p>
{{end}}

{{define "login"}}{{template "head" "Seam test IdP: sign in"}}
<h1>Sign in ({{.Protocol}})</h1>
<p>Project <code>{{.ProjectID}}</code>. The answer goes to <code>{{.Destination}}</code>.</p>
<form method="post" action="{{.Action}}">
<input type="hidden" name="csrf_token" value="{{.CSRF}}">
{{range .Hidden}}<input type="hidden" name="{{.Name}}" value="{{.Value}}">
{{end}}<fieldset><legend>Test user</legend>
{{range $i, $u := .Users}}<label><input type="radio" name="user" value="{{$u.ID}}"{{if eq $i 0}} checked{{end}}> {{$u.Name}} &lt;{{$u.Email}}&gt; <span class="groups">{{if $u.Groups}}groups: {{range $j, $g := $u.Groups}}{{if $j}}, {{end}}{{$g}}{{end}}{{else}}no groups{{end}}</span></label>
{{end}}</fieldset>
<fieldset><legend>Response</legend>
{{range $i, $m := .Modes}}<label><input type="radio" name="response" value="{{$m.Mode}}"{{if eq $i 0}} checked{{end}}> {{$m.Label}}</label>
{{end}}</fieldset>
<button type="submit">Sign in</button>
</form>
<p>A broken response shows how Seam reports a failed login: see the connection's login attempts (<code>GET /v1/b2b/sso/{saml|oidc}/{organization_id}/connections/{connection_id}/logins</code>).</p>
</body></html>
{{end}}

{{define "post"}}{{template "head" "Seam test IdP: continuing"}}
<form method="post" action="{{.Action}}" data-autosubmit>
{{range .Fields}}<input type="hidden" name="{{.Name}}" value="{{.Value}}">
{{end}}<p>Sending the SAML response to the service provider…</p>
<button type="submit">Continue</button>
</form>
<script src="` + AssetsPath + `/testidp.js"></script>
</body></html>
{{end}}

{{define "error"}}{{template "head" "Seam test IdP: request refused"}}
<h1>Request refused</h1>
<p class="banner error">{{.Message}}</p>
<p>Error: <code>{{.ErrorType}}</code><br>Request ID: <code>{{.RequestID}}</code></p>
</body></html>
{{end}}

{{define "landing"}}{{template "head" "Seam demo: login complete"}}
<h1>The SSO login worked</h1>
<p>Seam verified the IdP's answer and redirected here, to the demo's redirect URL, with a one-time SSO token (type <code>{{.TokenType}}</code>):</p>
<pre>{{.Token}}</pre>
<p>An application now exchanges it, with the project's secret, for a member and a session (within 10 minutes, once):</p>
<pre>curl -s -u "$PROJECT_ID:$SECRET" -H 'Content-Type: application/json' \
  -d '{"sso_token":"{{.Token}}","session_duration_minutes":60}' \
  {{.BaseURL}}/v1/b2b/sso/authenticate</pre>
<p>This page belongs to Seam's test IdP; in your application the redirect URL is one of your own pages.</p>
</body></html>
{{end}}
`
