package testidp_test

import (
	"bytes"
	"compress/flate"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/apptest"
	"github.com/seamsso/seam/internal/ids"
	"github.com/seamsso/seam/internal/testidp"
)

func newEnv(t *testing.T) (*apptest.Env, *testidp.Service, *testidp.IdP) {
	t.Helper()
	env := apptest.New(t, "sqlite")
	svc := env.App.TestIdP
	idp, err := svc.Open(context.Background(), env.Creds.ProjectID)
	if err != nil {
		t.Fatal(err)
	}
	return env, svc, idp
}

func TestKeysSealedAndStable(t *testing.T) {
	env, svc, idp := newEnv(t)
	row, err := env.App.Store.GetTestIdPKeys(context.Background(), env.Creds.ProjectID)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"PRIVATE KEY", idp.ClientSecret} {
		if strings.Contains(row.SealedPrivateKey, secret) || strings.Contains(row.SealedClientSecret, secret) {
			t.Fatalf("a secret is stored in the clear")
		}
	}
	again, err := svc.Open(context.Background(), env.Creds.ProjectID)
	if err != nil || again.KID != idp.KID || !again.Key.Equal(idp.Key) || again.ClientSecret != idp.ClientSecret {
		t.Fatalf("second open gave other keys: %v", err)
	}
	other, err := svc.Open(context.Background(), env.NewProject(ids.Test).ProjectID)
	if err != nil || other.Key.Equal(idp.Key) {
		t.Fatalf("two projects share a key: %v", err)
	}
	if strings.Contains(idp.String(), idp.ClientSecret) {
		t.Fatal("String shows the client secret")
	}
	_, err = svc.Open(context.Background(), env.NewProject(ids.Live).ProjectID)
	if e := apierr.As(err); e.Status != 403 || e.Type != "test_idp_not_available" {
		t.Fatalf("live project: %v", err)
	}
	if _, err := svc.Open(context.Background(), "project-test-nope"); apierr.As(err).Status != 404 {
		t.Fatalf("unknown project: %v", err)
	}
}

func deflate(s string) string {
	var b bytes.Buffer
	w, _ := flate.NewWriter(&b, flate.BestCompression)
	_, _ = w.Write([]byte(s))
	_ = w.Close()
	return base64.StdEncoding.EncodeToString(b.Bytes())
}

func TestParseAuthnRequest(t *testing.T) {
	env, svc, _ := newEnv(t)
	acs := env.URL + "/v1/b2b/sso/callback/saml-connection-test-1"
	req := func(acs string) string {
		return `<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_abc" Version="2.0" AssertionConsumerServiceURL="` +
			acs + `"><saml:Issuer>` + env.URL + `/sp</saml:Issuer></samlp:AuthnRequest>`
	}
	got, err := svc.ParseAuthnRequest(deflate(req(acs)), true)
	if err != nil || got.ID != "_abc" || got.ACSURL != acs || got.Issuer != env.URL+"/sp" {
		t.Fatalf("valid request: %+v %v", got, err)
	}
	if _, err := svc.ParseAuthnRequest(base64.StdEncoding.EncodeToString([]byte(req(acs))), false); err != nil {
		t.Fatalf("POST binding: %v", err)
	}
	for name, value := range map[string]string{
		"ACS elsewhere":  deflate(req("https://evil.example/acs")),
		"ACS sub-path":   deflate(req(acs + "/x")),
		"ACS with query": deflate(req(acs + "?x=1")),
		"doctype":        deflate(`<!DOCTYPE x>` + req(acs)),
		"not deflated":   base64.StdEncoding.EncodeToString([]byte(req(acs))),
		"not base64":     "%%%",
		"other element":  deflate(`<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_a"/>`),
		"empty":          "",
		"inflation bomb": deflate(strings.Repeat(" ", 1<<20)),
		"missing issuer": deflate(strings.Replace(req(acs), "<saml:Issuer>"+env.URL+"/sp</saml:Issuer>", "", 1)),
	} {
		if _, err := svc.ParseAuthnRequest(value, true); apierr.As(err).Status != 400 {
			t.Errorf("%s: %v, want 400", name, err)
		}
	}
}

func TestTokenEndpoint(t *testing.T) {
	env, svc, idp := newEnv(t)
	redirect := env.URL + "/v1/b2b/sso/callback/oidc-connection-test-1"
	verifier := strings.Repeat("v", 50)
	sum := sha256.Sum256([]byte(verifier))
	q := url.Values{"client_id": {testidp.ClientID}, "redirect_uri": {redirect}, "response_type": {"code"}, "scope": {"openid email"},
		"state": {"s"}, "nonce": {"n"}, "code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"}}
	areq, err := svc.ParseAuthorize(q)
	if err != nil {
		t.Fatal(err)
	}
	ada, _ := testidp.UserByID("ada")
	to, err := svc.Authorize(idp, areq, ada, testidp.Valid)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(to)
	code := u.Query().Get("code")
	if u.Query().Get("state") != "s" || u.Query().Get("iss") != idp.Issuer() || code == "" {
		t.Fatalf("redirect %s", to)
	}
	form := func(kv ...string) url.Values {
		f := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirect}, "code_verifier": {verifier}}
		for i := 0; i < len(kv); i += 2 {
			f.Set(kv[i], kv[i+1])
		}
		return f
	}
	basic := func(f url.Values) testidp.TokenRequest {
		return testidp.TokenRequest{Form: f, HasBasic: true, BasicID: testidp.ClientID, BasicSecret: idp.ClientSecret}
	}
	if res, err := svc.Token(idp, basic(form())); err != nil || res.IDToken == "" || res.AccessToken == "" {
		t.Fatalf("valid exchange: %v", err)
	}
	post := form("client_id", testidp.ClientID, "client_secret", idp.ClientSecret)
	res, err := svc.Token(idp, testidp.TokenRequest{Form: post})
	if err != nil {
		t.Fatalf("client_secret_post: %v", err)
	}
	if claims, err := svc.Userinfo(idp, res.AccessToken); err != nil || claims["email"] != "ada@example.com" {
		t.Fatalf("userinfo: %v %v", claims, err)
	}
	otherIdP, err := svc.Open(context.Background(), env.NewProject(ids.Test).ProjectID)
	if err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		idp  *testidp.IdP
		req  testidp.TokenRequest
		want string
	}{
		"wrong secret":     {idp, testidp.TokenRequest{Form: form(), HasBasic: true, BasicID: testidp.ClientID, BasicSecret: "nope"}, "invalid_client"},
		"no credentials":   {idp, testidp.TokenRequest{Form: form()}, "invalid_client"},
		"wrong verifier":   {idp, basic(form("code_verifier", strings.Repeat("w", 50))), "invalid_grant"},
		"wrong redirect":   {idp, basic(form("redirect_uri", redirect+"x")), "invalid_grant"},
		"forged code":      {idp, basic(form("code", "v1.AAAA")), "invalid_grant"},
		"other project":    {otherIdP, testidp.TokenRequest{Form: form(), HasBasic: true, BasicID: testidp.ClientID, BasicSecret: otherIdP.ClientSecret}, "invalid_grant"},
		"wrong grant type": {idp, basic(form("grant_type", "password")), "unsupported_grant_type"},
	} {
		_, err := svc.Token(tc.idp, tc.req)
		te, ok := err.(*testidp.TokenError)
		if !ok || te.Code != tc.want {
			t.Errorf("%s: %v, want %s", name, err, tc.want)
		}
	}
	env.Clock.Advance(2 * time.Minute)
	if _, err := svc.Token(idp, basic(form())); err == nil || err.(*testidp.TokenError).Code != "invalid_grant" {
		t.Fatalf("expired code: %v", err)
	}
	for name, bad := range map[string]url.Values{
		"client":   {"client_id": {"x"}},
		"redirect": {"redirect_uri": {"https://evil.example/cb"}},
		"response": {"response_type": {"token"}},
		"scope":    {"scope": {"email"}},
		"method":   {"code_challenge_method": {"plain"}},
	} {
		q2 := url.Values{}
		for k, v := range q {
			q2[k] = v
		}
		for k, v := range bad {
			q2[k] = v
		}
		if _, err := svc.ParseAuthorize(q2); apierr.As(err).Status != 400 {
			t.Errorf("authorize with bad %s: %v", name, err)
		}
	}
}
