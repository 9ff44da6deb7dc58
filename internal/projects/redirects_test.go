package projects

import (
	"testing"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/store"
)

func TestRedirectTargets(t *testing.T) {
	ty := func(typ string, def bool) store.RedirectURLType {
		return store.RedirectURLType{Type: typ, IsDefault: def}
	}
	list := []*store.RedirectURL{
		{URL: "https://a.example/login", ValidTypes: []store.RedirectURLType{ty(TypeLogin, false), ty(TypeSignup, true)}},
		{URL: "https://a.example/default", ValidTypes: []store.RedirectURLType{ty(TypeLogin, true)}},
		{URL: "https://a.example/invite", ValidTypes: []store.RedirectURLType{ty(TypeInvite, true)}},
	}
	noDefault := []*store.RedirectURL{{URL: "https://a.example/x", ValidTypes: []store.RedirectURLType{ty(TypeLogin, false), ty(TypeSignup, false)}}}
	cases := []struct {
		name                  string
		list                  []*store.RedirectURL
		login, signup         string
		wantLogin, wantSignup string
		wantErr               string
	}{
		{"defaults per type", list, "", "", "https://a.example/default", "https://a.example/login", ""},
		{"registered login", list, "https://a.example/login", "", "https://a.example/login", "https://a.example/login", ""},
		{"login URL of another type", list, "https://a.example/invite", "", "", "", "no_match_for_provided_sso_url"},
		{"signup URL registered for LOGIN only", list, "", "https://a.example/default", "", "", "no_match_for_provided_sso_url"},
		{"unregistered", list, "https://evil.example/", "", "", "", "no_match_for_provided_sso_url"},
		{"not a URL", list, "notaurl", "", "", "", "invalid_login_sso_url"},
		{"no URLs", nil, "", "", "", "", "invalid_login_sso_url"},
		{"no default", noDefault, "", "", "", "", "invalid_login_sso_url"},
		{"no default but explicit", noDefault, "https://a.example/x", "https://a.example/x", "https://a.example/x", "https://a.example/x", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l, s, err := RedirectTargets(c.list, c.login, c.signup)
			if apierr.TypeOf(err) != c.wantErr || l != c.wantLogin || s != c.wantSignup {
				t.Errorf("= %q, %q, %v; want %q, %q, %s", l, s, err, c.wantLogin, c.wantSignup, c.wantErr)
			}
		})
	}
}

func TestPromote(t *testing.T) {
	a := &store.RedirectURL{URL: "a", ValidTypes: []store.RedirectURLType{{Type: TypeLogin}, {Type: TypeSignup, IsDefault: true}}}
	b := &store.RedirectURL{URL: "b", ValidTypes: []store.RedirectURLType{{Type: TypeLogin}, {Type: TypeDiscovery}}}
	promote([]*store.RedirectURL{a, b}, b)
	if a.ValidTypes[0].IsDefault || !b.ValidTypes[0].IsDefault || !b.ValidTypes[1].IsDefault || !a.ValidTypes[1].IsDefault {
		t.Errorf("after promote: %+v %+v", a.ValidTypes, b.ValidTypes)
	}
	clearDefault([]*store.RedirectURL{a, b}, TypeLogin, a)
	if b.ValidTypes[0].IsDefault {
		t.Errorf("clearDefault left b the LOGIN default")
	}
}
