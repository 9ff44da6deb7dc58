package oidc

import (
	"bytes"
	"errors"
	"io"
	"net/url"
	"strings"
	"testing"
)

func TestPKCERFC7636Vector(t *testing.T) {
	// RFC 7636 Appendix B.
	if got := S256Challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"); got != "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM" {
		t.Fatalf("challenge = %s", got)
	}
	// The same 32 octets as the RFC's example produce its verifier.
	octets := []byte{116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173,
		187, 186, 22, 212, 37, 77, 105, 214, 191, 240, 91, 88, 5, 88, 83,
		132, 141, 121}
	v, c := PKCE(bytes.NewReader(octets))
	if v != "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk" || c != "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM" {
		t.Fatalf("PKCE = %s %s", v, c)
	}
	if !validVerifier(v) {
		t.Fatal("own verifier is invalid")
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("entropy exhausted") }

func TestRandomnessFailure(t *testing.T) {
	if RandomToken(failingReader{}) != "" || RandomToken(nil) != "" || RandomToken(strings.NewReader("short")) != "" {
		t.Fatal("RandomToken must return empty on reader failure")
	}
	if v, c := PKCE(io.LimitReader(strings.NewReader(strings.Repeat("x", 64)), 10)); v != "" || c != "" {
		t.Fatal("PKCE must return empty on short read")
	}
	cfg := Config{ClientID: "c", AuthorizationURL: "https://idp/authorize", RedirectURL: "https://seam/cb"}
	_, c := PKCE(strings.NewReader(strings.Repeat("x", 32)))
	if _, err := AuthCodeURL(cfg, RandomToken(failingReader{}), "n", c, nil); ReasonOf(err) != ReasonInvalidArgument {
		t.Fatalf("empty state accepted: %v", err)
	}
}

func TestAuthCodeURL(t *testing.T) {
	_, challenge := PKCE(strings.NewReader(strings.Repeat("p", 32)))
	base := Config{
		ClientID:         "client 1",
		AuthorizationURL: "https://idp.example.com/oauth2/authorize?p=B2C_1_signin&scope=ignored",
		RedirectURL:      "https://seam.example/v1/b2b/sso/callback/oidc-connection-test-1",
	}
	for _, tc := range []struct {
		name      string
		scopes    []string
		extra     []string
		wantScope string
		wantErr   Reason
	}{
		{name: "default scopes", wantScope: "openid email profile"},
		{name: "custom scopes replace the default", scopes: []string{"openid", "groups"}, wantScope: "openid groups"},
		{name: "openid is forced first", scopes: []string{"email"}, wantScope: "openid email"},
		{name: "extra scopes appended and deduplicated", extra: []string{"offline_access", "email"}, wantScope: "openid email profile offline_access"},
		{name: "custom plus extra", scopes: []string{"openid", "a"}, extra: []string{"b"}, wantScope: "openid a b"},
		{name: "scope with space", extra: []string{"a b"}, wantErr: ReasonInvalidScope},
		{name: "scope with quote", extra: []string{`a"b`}, wantErr: ReasonInvalidScope},
		{name: "empty scope", extra: []string{""}, wantErr: ReasonInvalidScope},
		{name: "non-ascii scope", extra: []string{"é"}, wantErr: ReasonInvalidScope},
		{name: "too many scopes", extra: strings.Fields(manyScopes(60)), wantErr: ReasonInvalidScope},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := base
			cfg.Scopes = tc.scopes
			raw, err := AuthCodeURL(cfg, "state-1", "nonce-1", challenge, tc.extra)
			if tc.wantErr != "" {
				if ReasonOf(err) != tc.wantErr {
					t.Fatalf("err = %v, want %s", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			u, err := url.Parse(raw)
			if err != nil {
				t.Fatal(err)
			}
			q := u.Query()
			want := map[string]string{
				"response_type": "code", "client_id": "client 1", "redirect_uri": cfg.RedirectURL,
				"state": "state-1", "nonce": "nonce-1", "code_challenge": challenge,
				"code_challenge_method": "S256", "scope": tc.wantScope, "p": "B2C_1_signin",
			}
			for k, v := range want {
				if got := q[k]; len(got) != 1 || got[0] != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
			if u.Host != "idp.example.com" || u.Path != "/oauth2/authorize" {
				t.Errorf("url = %s", raw)
			}
		})
	}
}

func manyScopes(n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString("s")
		b.WriteString(strings.Repeat("x", i%5))
		b.WriteByte(byte('a' + i%26))
		b.WriteString(string(rune('0' + i/26)))
		b.WriteByte(' ')
	}
	return b.String()
}

func TestAuthCodeURLArgumentChecks(t *testing.T) {
	_, challenge := PKCE(strings.NewReader(strings.Repeat("p", 32)))
	good := Config{ClientID: "c", AuthorizationURL: "https://idp/authorize", RedirectURL: "https://seam/cb"}
	for _, tc := range []struct {
		name                    string
		cfg                     func(*Config)
		state, nonce, challenge string
		want                    Reason
	}{
		{"no authorization url", func(c *Config) { c.AuthorizationURL = "" }, "s", "n", challenge, ReasonConfigInvalid},
		{"authorization url with fragment", func(c *Config) { c.AuthorizationURL = "https://idp/a#x" }, "s", "n", challenge, ReasonConfigInvalid},
		{"authorization url with userinfo", func(c *Config) { c.AuthorizationURL = "https://u:p@idp/a" }, "s", "n", challenge, ReasonConfigInvalid},
		{"no client id", func(c *Config) { c.ClientID = "" }, "s", "n", challenge, ReasonConfigInvalid},
		{"no redirect", func(c *Config) { c.RedirectURL = "" }, "s", "n", challenge, ReasonConfigInvalid},
		{"no nonce", nil, "s", "", challenge, ReasonInvalidArgument},
		{"no challenge", nil, "s", "n", "", ReasonInvalidArgument},
		{"plain challenge", nil, "s", "n", "short", ReasonInvalidArgument},
		{"huge state", nil, strings.Repeat("s", 513), "n", challenge, ReasonInvalidArgument},
	} {
		cfg := good
		if tc.cfg != nil {
			tc.cfg(&cfg)
		}
		if _, err := AuthCodeURL(cfg, tc.state, tc.nonce, tc.challenge, nil); ReasonOf(err) != tc.want {
			t.Errorf("%s: err = %v, want %s", tc.name, err, tc.want)
		}
	}
}

func TestParseScopes(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
		err  bool
	}{
		{"", nil, false},
		{"   ", nil, false},
		{"openid groups", []string{"openid", "groups"}, false},
		{" openid\tgroups  groups ", []string{"openid", "groups"}, false},
		{"openid a\\b", nil, true},
		{strings.Repeat("x", maxScopeLength+1), nil, true},
		{strings.Repeat("x ", maxScopes*(maxScopeLength+1)), nil, true},
	} {
		got, err := ParseScopes(tc.in)
		if (err != nil) != tc.err || strings.Join(got, " ") != strings.Join(tc.want, " ") {
			t.Errorf("%q: %v %v", tc.in, got, err)
		}
	}
}

func TestParseCallback(t *testing.T) {
	for _, tc := range []struct {
		name      string
		query     string
		want      Reason
		oauth     string
		wantState string
	}{
		{name: "ok", query: "code=abc&state=xyz", wantState: "xyz"},
		{name: "provider error", query: "error=access_denied&error_description=User+cancelled&state=xyz", want: ReasonAuthorizationError, oauth: "access_denied", wantState: "xyz"},
		{name: "provider error with hostile code", query: "error=%0Aevil%22&state=xyz", want: ReasonAuthorizationError, oauth: "invalid_error_code", wantState: "xyz"},
		{name: "no state", query: "code=abc", want: ReasonStateMissing},
		{name: "no code", query: "state=xyz", want: ReasonCallbackInvalid},
		{name: "repeated code", query: "code=a&code=b&state=xyz", want: ReasonCallbackInvalid},
		{name: "huge code", query: "state=xyz&code=" + strings.Repeat("c", maxCodeLength+1), want: ReasonCallbackInvalid},
		{name: "repeated iss", query: "code=abc&state=xyz&iss=a&iss=b", want: ReasonCallbackInvalid},
		{name: "huge state", query: "code=c&state=" + strings.Repeat("s", maxTokenParam+1), want: ReasonCallbackInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q, err := url.ParseQuery(tc.query)
			if err != nil {
				t.Fatal(err)
			}
			cb, err := ParseCallback(q)
			if ReasonOf(err) != tc.want {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			var e *Error
			if errors.As(err, &e) && e.OAuthError != tc.oauth {
				t.Errorf("oauth error = %q, want %q", e.OAuthError, tc.oauth)
			}
			if tc.wantState != "" && (cb == nil || cb.State != tc.wantState) {
				t.Errorf("callback = %+v", cb)
			}
			if tc.want == "" && cb.Code != "abc" {
				t.Errorf("code = %q", cb.Code)
			}
		})
	}
}

func TestCheckState(t *testing.T) {
	if err := CheckState("abc", "abc"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		expected, got string
		want          Reason
	}{
		{"abc", "abd", ReasonStateMismatch},
		{"abc", "ab", ReasonStateMismatch},
		{"", "abc", ReasonStateMismatch},
		{"abc", "", ReasonStateMissing},
	} {
		if err := CheckState(tc.expected, tc.got); ReasonOf(err) != tc.want {
			t.Errorf("%q vs %q: %v", tc.expected, tc.got, err)
		}
	}
}
