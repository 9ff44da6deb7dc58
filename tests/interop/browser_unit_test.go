package interop

import (
	"net/url"
	"testing"
)

func TestParseForms(t *testing.T) {
	page, _ := url.Parse("http://idp.test/sso?x=1")
	for _, tc := range []struct {
		name        string
		html        string
		wantN       int
		action      string
		method      string
		fields      url.Values
		wantVisible []string
	}{
		{
			name: "auto-post form with entities and single quotes",
			html: `<html><body onload="document.forms[0].submit()"><FORM method='post' action="https://sp.test/acs?a=1&amp;b=2">` +
				`<input type="hidden" name="SAMLResponse" value="PD94&#43;bWw="/><input type=hidden name=RelayState value=''>` +
				`<input type="submit" value="Continue"/></FORM></body></html>`,
			wantN: 1, action: "https://sp.test/acs?a=1&b=2", method: "POST",
			fields: url.Values{"SAMLResponse": {"PD94+bWw="}, "RelayState": {""}},
		},
		{
			name: "login form with visible fields and a relative action",
			html: `<form method="post" action="/sso"><input type="text" name="user" value="" />` +
				`<input type="password" name="password"/><input type="hidden" name="SAMLRequest" value="abc"/></form>`,
			wantN: 1, action: "http://idp.test/sso", method: "POST",
			fields:      url.Values{"user": {""}, "password": {""}, "SAMLRequest": {"abc"}},
			wantVisible: []string{"user", "password"},
		},
		{
			name:  "GET form by default, inputs without names ignored",
			html:  `<form action="next"><input value="x"><input name="q" value="1"></form>`,
			wantN: 1, action: "http://idp.test/next", method: "GET",
			fields: url.Values{"q": {"1"}}, wantVisible: []string{"q"},
		},
		{name: "no form", html: `<p>Sign-in failed</p>`, wantN: 0},
		{name: "two forms", html: `<form action="a"></form><form action="b"></form>`, wantN: 2, action: "http://idp.test/a", method: "GET", fields: url.Values{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			forms := ParseForms(page, tc.html)
			if len(forms) != tc.wantN {
				t.Fatalf("%d forms, want %d", len(forms), tc.wantN)
			}
			if tc.wantN == 0 {
				return
			}
			f := forms[0]
			if f.Action.String() != tc.action || f.Method != tc.method {
				t.Fatalf("form %s %s, want %s %s", f.Method, f.Action, tc.method, tc.action)
			}
			if f.Fields.Encode() != tc.fields.Encode() {
				t.Fatalf("fields %v, want %v", f.Fields, tc.fields)
			}
			if len(f.Visible) != len(tc.wantVisible) {
				t.Fatalf("visible %v, want %v", f.Visible, tc.wantVisible)
			}
			for i := range f.Visible {
				if f.Visible[i] != tc.wantVisible[i] {
					t.Fatalf("visible %v, want %v", f.Visible, tc.wantVisible)
				}
			}
		})
	}
}

func TestBrowserCanSubmit(t *testing.T) {
	page, _ := url.Parse("http://idp.test/")
	login := ParseForms(page, `<form method="post" action="/sso"><input name="user"><input type="password" name="password"><input type="hidden" name="RelayState" value=""></form>`)[0]
	b := &Browser{}
	if b.canSubmit(login) {
		t.Fatal("a login form without credentials to fill was submitted")
	}
	b.Fill = map[string]string{"user": "alice", "password": "pw"}
	if !b.canSubmit(login) || login.Fields.Get("user") != "alice" || login.Fields.Get("password") != "pw" {
		t.Fatalf("login form not filled: %v", login.Fields)
	}
}
