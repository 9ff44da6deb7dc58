package interop

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/seamsso/seam/internal/apptest"
)

// oidcSetup is Seam with an OIDC connection whose issuer is an
// oidc-provider (Node) OpenID Provider on loopback; Seam reads the
// provider's discovery document through its guarded outbound client.
type oidcSetup struct {
	env         *apptest.Env
	orgID, id   string
	redirectURL string
	op          *nodeHelper
	body        map[string]any
}

const oidcSubject = "alice-0001"

func newOIDCSetup(t *testing.T, slug string) *oidcSetup {
	t.Helper()
	return newOIDCSetupFor(t, slug, map[string]any{"sub": oidcSubject, "email": userEmail, "name": userFullName, "givenName": "Alice", "familyName": "Example"})
}

// newOIDCSetupFor is newOIDCSetup with the provider's one account given
// (op.mjs: sub, email, name, givenName, familyName, emailVerified).
func newOIDCSetupFor(t *testing.T, slug string, account map[string]any) *oidcSetup {
	t.Helper()
	env := newSeam(t)
	org := env.CreateOrg("Interop "+slug, slug)
	orgID := org["organization_id"].(string)
	env.MustOK(env.Call("PUT", "/v1/b2b/organizations/"+orgID, map[string]any{"sso_jit_provisioning": "ALL_ALLOWED"}))
	r := env.MustOK(env.Call("POST", "/v1/b2b/sso/oidc/"+orgID, map[string]any{"display_name": "oidc-provider"}))
	conn := r.Obj("connection")
	s := &oidcSetup{env: env, orgID: orgID, id: conn["connection_id"].(string), redirectURL: conn["redirect_url"].(string)}
	if want := env.URL + "/v1/b2b/sso/callback/" + s.id; s.redirectURL != want {
		t.Fatalf("redirect_url = %q, want %q", s.redirectURL, want)
	}
	const clientID, clientSecret = "seam-interop", "a-client-secret-of-some-length-0123456789"
	s.op = startNode(t, "oidc-op", "server.mjs", map[string]any{
		"clientId": clientID, "clientSecret": clientSecret, "redirectURIs": []string{s.redirectURL},
		"account": account,
	})
	r = env.MustOK(env.Call("PUT", "/v1/b2b/sso/oidc/"+orgID+"/connections/"+s.id, map[string]any{
		"client_id": clientID, "client_secret": clientSecret, "issuer": s.op.URL(),
	}))
	s.body = r.Obj("connection")
	if w := r.Str("warning"); w != "" {
		t.Fatalf("discovery warning: %s", w)
	}
	for field, want := range map[string]string{
		"status": "active", "issuer": s.op.URL(), "authorization_url": s.op.URL() + "/auth",
		"token_url": s.op.URL() + "/token", "userinfo_url": s.op.URL() + "/me", "jwks_url": s.op.URL() + "/jwks",
	} {
		if s.body[field] != want {
			t.Fatalf("connection %s = %v, want %s (discovery through the guarded client): %v", field, s.body[field], want, s.body)
		}
	}
	return s
}

func (s *oidcSetup) start(t *testing.T, b *Browser, extra url.Values) *Page {
	t.Helper()
	q := url.Values{"login_redirect_url": {loginURL}, "signup_redirect_url": {signupURL}}
	for k, v := range extra {
		q[k] = v
	}
	return b.Get(startURL(s.env, s.id, q))
}

func (s *oidcSetup) logins(t *testing.T) []map[string]any {
	t.Helper()
	return listLogins(t, s.env, "/v1/b2b/sso/oidc/"+s.orgID+"/connections/"+s.id+"/logins")
}

// stopAtCallback makes the browser stop when the provider sends it back to
// Seam, so a test can tamper with or replay the callback URL.
func (s *oidcSetup) stopAtCallback(b *Browser) {
	cb, _ := url.Parse(s.redirectURL)
	b.Stop = func(u *url.URL) bool { return u.Path == cb.Path || u.Hostname() == "app.test" }
}

func (s *oidcSetup) lastAuthorization(t *testing.T) map[string]any {
	t.Helper()
	resp, err := http.Get(s.op.URL() + "/test/last-authorization")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

// withQuery returns u with one query parameter replaced.
func withQuery(u *url.URL, key, value string) string {
	c := *u
	q := c.Query()
	q.Set(key, value)
	c.RawQuery = q.Encode()
	return c.String()
}

func TestOIDCLogin(t *testing.T) {
	s := newOIDCSetup(t, "oidc-login")
	b := NewBrowser(t)
	token := landing(t, b, s.start(t, b, nil), signupURL)

	az := s.lastAuthorization(t)
	if az["code_challenge_method"] != "S256" || az["code_challenge"] == "" || az["nonce"] == "" || az["state"] == "" {
		t.Fatalf("authorization request lacks PKCE S256, nonce or state: %v", az)
	}
	if az["response_type"] != "code" || az["redirect_uri"] != s.redirectURL {
		t.Fatalf("authorization request: %v", az)
	}
	for _, sc := range []string{"openid", "email", "profile"} {
		if !strings.Contains(" "+az["scope"].(string)+" ", " "+sc+" ") {
			t.Fatalf("scope %q lacks %s", az["scope"], sc)
		}
	}
	a := wantLatestLogin(t, s.logins(t), "success")
	facts := a["facts"].(map[string]any)
	if facts["issuer"] != s.op.URL() || facts["subject"] != oidcSubject {
		t.Fatalf("facts = %v", facts)
	}
	// oidc-provider puts email and name only in userinfo for the code
	// flow; Seam read them from there.
	claims := facts["claims"].(map[string]any)
	if claims["email"] != userEmail || claims["name"] != userFullName {
		t.Fatalf("claims seen = %v", claims)
	}
	for _, c := range b.Cookies(s.redirectURL) {
		if strings.HasPrefix(c.Name, "seam_sso_") {
			t.Fatalf("request cookie %s still set after the login", c.Name)
		}
	}

	r := authenticate(t, s.env, map[string]any{"sso_token": token})
	member := wantMember(t, r, userEmail, userFullName)
	wantRegistration(t, member, s.id, oidcSubject)
	wantSSOFactor(t, r, "sso_oidc", "oidc_sso_factor", s.id, oidcSubject)
	wantTokenUsed(t, s.env, token)

	// A second login finds the member (by its registration) and lands on
	// the login URL.
	b = NewBrowser(t)
	token = landing(t, b, s.start(t, b, nil), loginURL)
	if again := authenticate(t, s.env, map[string]any{"sso_token": token}); again.Str("member_id") != r.Str("member_id") {
		t.Fatalf("second login: member %s, want %s", again.Str("member_id"), r.Str("member_id"))
	}
}

func TestOIDCStateMismatch(t *testing.T) {
	s := newOIDCSetup(t, "oidc-state")
	b := NewBrowser(t)
	s.stopAtCallback(b)
	p := s.start(t, b, nil)
	if !p.Stopped || p.URL.Query().Get("code") == "" {
		t.Fatalf("did not come back with a code: %s", p.URL)
	}
	callback := p.URL
	b.Stop = func(u *url.URL) bool { return u.Hostname() == "app.test" }

	// Without the login cookie for that state, the browser is refused first.
	forged := withQuery(callback, "state", "forged-state-0123456789")
	errorPage(t, b, b.Get(forged), http.StatusBadRequest, "oidc_csrf_cookie_missing")
	wantLatestLogin(t, s.logins(t), "missing_request_cookie")
	// With a planted cookie, the state itself is checked and refused.
	cb, _ := url.Parse(forged)
	b.Client.Jar.SetCookies(cb, []*http.Cookie{{Name: "seam_sso_forged-state-0123456789", Value: "1", Path: cb.Path}})
	errorPage(t, b, b.Get(forged), http.StatusBadRequest, "oidc_state_mismatch")
	wantLatestLogin(t, s.logins(t), "state_mismatch")

	// The forged state used nothing up: the real callback still completes.
	landing(t, b, b.Get(callback.String()), signupURL)
	wantLatestLogin(t, s.logins(t), "success")
}

func TestOIDCCallbackReplay(t *testing.T) {
	s := newOIDCSetup(t, "oidc-replay")
	b := NewBrowser(t)
	s.stopAtCallback(b)
	p := s.start(t, b, nil)
	callback := p.URL
	b.Stop = func(u *url.URL) bool { return u.Hostname() == "app.test" }
	landing(t, b, b.Get(callback.String()), signupURL)

	// The same callback URL again: the login cleared its cookie...
	errorPage(t, b, b.Get(callback.String()), http.StatusBadRequest, "oidc_csrf_cookie_missing")
	wantLatestLogin(t, s.logins(t), "missing_request_cookie")
	// ...and its state was used up with the login.
	b.Client.Jar.SetCookies(callback, []*http.Cookie{{Name: "seam_sso_" + callback.Query().Get("state"), Value: "1", Path: callback.Path}})
	errorPage(t, b, b.Get(callback.String()), http.StatusBadRequest, "oidc_state_mismatch")
	wantLatestLogin(t, s.logins(t), "state_mismatch")
}

// TestOIDCCodeReuse brings a redeemed authorization code back under a fresh
// login's state: Seam redeems it at the provider, which refuses it.
func TestOIDCCodeReuse(t *testing.T) {
	s := newOIDCSetup(t, "oidc-code")
	b := NewBrowser(t)
	s.stopAtCallback(b)
	first := s.start(t, b, nil).URL
	b.Stop = func(u *url.URL) bool { return u.Hostname() == "app.test" }
	landing(t, b, b.Get(first.String()), signupURL)

	s.stopAtCallback(b)
	second := s.start(t, b, nil).URL
	if second.Query().Get("code") == first.Query().Get("code") {
		t.Fatal("the provider issued the same code twice")
	}
	b.Stop = func(u *url.URL) bool { return u.Hostname() == "app.test" }
	errorPage(t, b, b.Get(withQuery(second, "code", first.Query().Get("code"))), http.StatusBadRequest, "oidc_invalid_grant")
	wantLatestLogin(t, s.logins(t), "invalid_grant")
}

// TestOIDCOtherBrowser sends the callback to a browser that did not start
// the login: refused, and (as for SAML) the pending login of the browser
// that did start it must survive.
func TestOIDCOtherBrowser(t *testing.T) {
	s := newOIDCSetup(t, "oidc-csrf")
	b := NewBrowser(t)
	s.stopAtCallback(b)
	callback := s.start(t, b, nil).URL
	other := NewBrowser(t)
	errorPage(t, other, other.Get(callback.String()), http.StatusBadRequest, "oidc_csrf_cookie_missing")
	wantLatestLogin(t, s.logins(t), "missing_request_cookie")

	b.Stop = func(u *url.URL) bool { return u.Hostname() == "app.test" }
	landing(t, b, b.Get(callback.String()), signupURL)
}

// TestOIDCUnverifiedEmailCannotTakeOver runs the nOAuth attack end to end:
// a provider that lets a user claim any address sends email_verified false
// with a new subject and an existing member's email. Seam refuses the login
// (failure page and diagnostics), creates nobody, and leaves the member as
// it was.
func TestOIDCUnverifiedEmailCannotTakeOver(t *testing.T) {
	s := newOIDCSetupFor(t, "oidc-noauth", map[string]any{"sub": "attacker-0666", "email": userEmail, "name": "Mallory", "emailVerified": false})

	// No member yet, JIT allowed: no member is created for an unverified address.
	b := NewBrowser(t)
	b.Stop = func(u *url.URL) bool { return u.Hostname() == "app.test" }
	errorPage(t, b, s.start(t, b, nil), http.StatusForbidden, "sso_email_not_verified")
	wantLatestLogin(t, s.logins(t), "email_not_verified")
	search := s.env.MustOK(s.env.Call("POST", "/v1/b2b/organizations/members/search", map[string]any{"organization_ids": []string{s.orgID}}))
	if n, _ := search.Body["members"].([]any); len(n) != 0 {
		t.Fatalf("%d members after a refused login", len(n))
	}

	// The victim exists (invited, never logged in): the login is refused and
	// the page says why.
	victim := s.env.MustOK(s.env.Call("POST", "/v1/b2b/organizations/"+s.orgID+"/members", map[string]any{"email_address": userEmail, "name": userFullName}))
	memberID := victim.Str("member_id")
	b = NewBrowser(t)
	b.Stop = func(u *url.URL) bool { return u.Hostname() == "app.test" }
	p := s.start(t, b, nil)
	errorPage(t, b, p, http.StatusForbidden, "sso_email_not_verified")
	if !strings.Contains(p.Body, "email_verified is false") {
		t.Fatalf("failure page does not say why:\n%s", snippet(p.Body))
	}
	a := wantLatestLogin(t, s.logins(t), "email_not_verified")
	link, _ := a["facts"].(map[string]any)["identity_link"].(map[string]any)
	if link["email_trust"] != "unverified" || link["member_id"] != memberID || link["refused"] != "email_not_verified" {
		t.Fatalf("diagnostics identity_link = %v", link)
	}
	got := s.env.MustOK(s.env.Call("GET", "/v1/b2b/organizations/"+s.orgID+"/member?member_id="+memberID, nil)).Obj("member")
	if got["email_address_verified"] != false || len(got["sso_registrations"].([]any)) != 0 || got["name"] != userFullName {
		t.Fatalf("the victim changed: %v", got)
	}
}

// TestOIDCMissingEmailVerified: a provider that sends no email_verified
// claim is untrusted by default (identity_provider generic): the refusal
// names the setting, and once the connection trusts the provider the login
// creates a member whose email is not marked verified.
func TestOIDCMissingEmailVerified(t *testing.T) {
	s := newOIDCSetupFor(t, "oidc-noclaim", map[string]any{"sub": oidcSubject, "email": userEmail, "name": userFullName, "emailVerified": nil})
	if il, _ := s.body["identity_linking"].(map[string]any); il["missing_email_verified"] != "UNTRUSTED" || il["subject_change"] != "REFUSE" {
		t.Fatalf("default identity_linking = %v", s.body["identity_linking"])
	}
	b := NewBrowser(t)
	b.Stop = func(u *url.URL) bool { return u.Hostname() == "app.test" }
	p := s.start(t, b, nil)
	errorPage(t, b, p, http.StatusForbidden, "sso_email_not_verified")
	if !strings.Contains(p.Body, "missing_email_verified to TRUSTED") {
		t.Fatalf("the refusal does not name the fix:\n%s", snippet(p.Body))
	}

	r := s.env.MustOK(s.env.Call("PUT", "/v1/b2b/sso/oidc/"+s.orgID+"/connections/"+s.id,
		map[string]any{"identity_linking": map[string]any{"missing_email_verified": "TRUSTED"}}))
	if il, _ := r.Obj("connection")["identity_linking"].(map[string]any); il["missing_email_verified"] != "TRUSTED" {
		t.Fatalf("identity_linking after update = %v", il)
	}
	b = NewBrowser(t)
	token := landing(t, b, s.start(t, b, nil), signupURL)
	member := wantMember(t, authenticate(t, s.env, map[string]any{"sso_token": token}), userEmail, userFullName)
	if member["email_address_verified"] != false {
		t.Fatalf("an absent email_verified marked the member verified: %v", member)
	}
	if link := wantLatestLogin(t, s.logins(t), "success")["facts"].(map[string]any)["identity_link"].(map[string]any); link["email_trust"] != "unstated" || link["action"] != "created" {
		t.Fatalf("diagnostics identity_link = %v", link)
	}
}

// TestOIDCProviderErrorText: the provider's error text is shown only for a
// login this browser started; a crafted link to the callback gets a
// generic page that repeats none of its text.
func TestOIDCProviderErrorText(t *testing.T) {
	s := newOIDCSetup(t, "oidc-errtext")
	crafted := s.redirectURL + "?" + url.Values{"error": {"access_denied"}, "error_description": {"Call +1-555-0100 to restore access"}, "state": {"whatever"}}.Encode()
	b := NewBrowser(t)
	p := b.Get(crafted)
	errorPage(t, b, p, http.StatusBadRequest, "oidc_auth_code_error")
	if strings.Contains(p.Body, "555-0100") || strings.Contains(p.Body, "access_denied") {
		t.Fatalf("a crafted callback's text reached the page:\n%s", snippet(p.Body))
	}
	if a := wantLatestLogin(t, s.logins(t), "authorization_error"); strings.Contains(a["detail"].(string), "555") {
		t.Fatalf("a crafted callback's text reached the diagnostics: %v", a)
	}

	// The same error for the login this browser started is shown.
	s.stopAtCallback(b)
	cb := s.start(t, b, nil).URL
	q := url.Values{"error": {"access_denied"}, "error_description": {"The user declined"}, "state": {cb.Query().Get("state")}}
	b.Stop = nil
	p = b.Get(s.redirectURL + "?" + q.Encode())
	errorPage(t, b, p, http.StatusBadRequest, "oidc_auth_code_error")
	if !strings.Contains(p.Body, "The user declined") || !strings.Contains(p.Body, "access_denied") {
		t.Fatalf("the provider's error for this browser's login is not shown:\n%s", snippet(p.Body))
	}
}
