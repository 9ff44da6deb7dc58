package oidc

// An in-process OpenID Provider for the tests: discovery, JWKS (several keys,
// rotation), an authorization endpoint issuing single-use codes bound to a
// PKCE S256 challenge, a token endpoint that authenticates the client and
// checks PKCE and redirect_uri, and userinfo. It signs real ID tokens with
// go-jose so the relying party code under test meets real cryptography.

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// testKeyPool is generated once: RSA key generation under -race is slow and
// the keys carry no state between tests.
type testKeyPool struct {
	rsa  []*rsa.PrivateKey
	ec   *ecdsa.PrivateKey
	weak *rsa.PrivateKey // 1024-bit, must be ignored by the RP
}

var sharedKeys = sync.OnceValue(func() testKeyPool {
	var p testKeyPool
	for range 4 {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		p.rsa = append(p.rsa, k)
	}
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	p.ec = ec
	weak, err := rsa.GenerateKey(rand.Reader, 1024) //nolint:gosec // deliberately weak test key
	if err != nil {
		panic(err)
	}
	p.weak = weak
	return p
})

type opKey struct {
	priv crypto.Signer
	alg  jose.SignatureAlgorithm
}

type opGrant struct {
	clientID, redirectURI, challenge, nonce, sub string
	used                                         bool
}

type testOP struct {
	t            testing.TB
	srv          *httptest.Server
	issuer       string
	clientID     string
	clientSecret string
	redirectURL  string
	// authMethods is token_endpoint_auth_methods_supported; the token
	// endpoint accepts exactly these.
	authMethods []string

	mu        sync.Mutex
	keys      map[string]opKey
	published []string // kids in the JWKS, in order
	activeKid string
	codes     map[string]*opGrant
	access    map[string]string // access token -> sub
	now       time.Time
	docIssuer string            // issuer written into discovery; "" = issuer
	oversize  map[string]bool   // path -> answer with > MaxResponseBytes
	status    map[string]int    // path -> forced status code
	rawBody   map[string]string // path -> forced body
	infoSub   string            // userinfo sub override
	hits      map[string]int
	lastAuth  string // "basic" or "post" as used by the last token request
}

func newTestOP(t testing.TB) *testOP {
	t.Helper()
	pool := sharedKeys()
	op := &testOP{
		t:            t,
		clientID:     "client-123",
		clientSecret: "s3cr3t:with%special&chars",
		redirectURL:  "https://seam.example/v1/b2b/sso/callback/oidc-connection-test-1",
		authMethods:  []string{AuthMethodClientSecretBasic, AuthMethodClientSecretPost},
		keys: map[string]opKey{
			"k1": {pool.rsa[0], jose.RS256},
			"k2": {pool.rsa[1], jose.RS256},
			"ec": {pool.ec, jose.ES256},
		},
		published: []string{"k1", "k2", "ec"},
		activeKid: "k1",
		codes:     map[string]*opGrant{},
		access:    map[string]string{},
		now:       time.Unix(1_750_000_000, 0),
		oversize:  map[string]bool{},
		status:    map[string]int{},
		rawBody:   map[string]string{},
		hits:      map[string]int{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/.well-known/openid-configuration", op.discovery)
	mux.HandleFunc("/jwks", op.jwks)
	mux.HandleFunc("/authorize", op.authorize)
	mux.HandleFunc("/token", op.token)
	mux.HandleFunc("/userinfo", op.userinfo)
	op.srv = httptest.NewServer(op.intercept(mux))
	op.issuer = op.srv.URL
	t.Cleanup(op.srv.Close)
	return op
}

// intercept applies forced statuses, bodies and oversized answers.
func (op *testOP) intercept(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		op.mu.Lock()
		op.hits[r.URL.Path]++
		big := op.oversize[r.URL.Path]
		st := op.status[r.URL.Path]
		body, forced := op.rawBody[r.URL.Path]
		op.mu.Unlock()
		switch {
		case big:
			w.Header().Set("Content-Type", "application/json")
			// No Content-Length: the RP must cap while reading.
			chunk := []byte(strings.Repeat(" ", 64<<10))
			_, _ = w.Write([]byte(`{"pad":"`))
			for range (MaxResponseBytes / len(chunk)) + 2 {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
			return
		case forced:
			w.Header().Set("Content-Type", "application/json")
			if st == 0 {
				st = http.StatusOK
			}
			w.WriteHeader(st)
			_, _ = w.Write([]byte(body))
			return
		case st != 0:
			http.Error(w, "forced", st)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (op *testOP) set(f func(op *testOP)) {
	op.mu.Lock()
	defer op.mu.Unlock()
	f(op)
}

func (op *testOP) hitCount(path string) int {
	op.mu.Lock()
	defer op.mu.Unlock()
	return op.hits[path]
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (op *testOP) discovery(w http.ResponseWriter, _ *http.Request) {
	op.mu.Lock()
	iss := op.docIssuer
	methods := op.authMethods
	op.mu.Unlock()
	if iss == "" {
		iss = op.issuer
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                iss,
		"authorization_endpoint":                op.issuer + "/authorize",
		"token_endpoint":                        op.issuer + "/token",
		"userinfo_endpoint":                     op.issuer + "/userinfo",
		"jwks_uri":                              op.issuer + "/jwks",
		"response_types_supported":              []string{"code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256", "ES256"},
		"token_endpoint_auth_methods_supported": methods,
		"code_challenge_methods_supported":      []string{"S256"},
		"scopes_supported":                      []string{"openid", "email", "profile"},
	})
}

func (op *testOP) jwks(w http.ResponseWriter, _ *http.Request) {
	op.mu.Lock()
	defer op.mu.Unlock()
	set := jose.JSONWebKeySet{}
	for _, kid := range op.published {
		k := op.keys[kid]
		set.Keys = append(set.Keys, jose.JSONWebKey{Key: k.priv.Public(), KeyID: kid, Algorithm: string(k.alg), Use: "sig"})
	}
	writeJSON(w, http.StatusOK, set)
}

func (op *testOP) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	redirect, err := url.Parse(q.Get("redirect_uri"))
	if err != nil || q.Get("redirect_uri") != op.redirectURL || q.Get("client_id") != op.clientID {
		http.Error(w, "unknown client or redirect_uri", http.StatusBadRequest)
		return
	}
	back := redirect.Query()
	back.Set("state", q.Get("state"))
	switch {
	case q.Get("response_type") != "code",
		q.Get("code_challenge_method") != "S256",
		q.Get("code_challenge") == "",
		!strings.Contains(" "+q.Get("scope")+" ", " openid "):
		back.Set("error", "invalid_request")
	default:
		code := RandomToken(rand.Reader)
		op.mu.Lock()
		op.codes[code] = &opGrant{clientID: op.clientID, redirectURI: q.Get("redirect_uri"),
			challenge: q.Get("code_challenge"), nonce: q.Get("nonce"), sub: "user-42"}
		op.mu.Unlock()
		back.Set("code", code)
		back.Set("iss", op.issuer)
	}
	redirect.RawQuery = back.Encode()
	http.Redirect(w, r, redirect.String(), http.StatusFound)
}

func oauthErr(w http.ResponseWriter, status int, code, desc string) {
	writeJSON(w, status, map[string]string{"error": code, "error_description": desc})
}

// clientAuth authenticates the client by whichever allowed method it used.
func (op *testOP) clientAuth(r *http.Request) (string, bool) {
	methods := op.authMethods
	if len(methods) == 0 {
		methods = []string{AuthMethodClientSecretBasic} // OIDC Discovery §3 default
	}
	if u, p, ok := r.BasicAuth(); ok {
		if !contains(methods, AuthMethodClientSecretBasic) {
			return "", false
		}
		id, err1 := url.QueryUnescape(u)
		secret, err2 := url.QueryUnescape(p)
		return "basic", err1 == nil && err2 == nil && id == op.clientID &&
			subtle.ConstantTimeCompare([]byte(secret), []byte(op.clientSecret)) == 1
	}
	if r.PostForm.Get("client_secret") != "" {
		if !contains(methods, AuthMethodClientSecretPost) {
			return "", false
		}
		return "post", r.PostForm.Get("client_id") == op.clientID &&
			subtle.ConstantTimeCompare([]byte(r.PostForm.Get("client_secret")), []byte(op.clientSecret)) == 1
	}
	return "", false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (op *testOP) token(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.ParseForm() != nil {
		oauthErr(w, http.StatusBadRequest, "invalid_request", "POST a form")
		return
	}
	op.mu.Lock()
	defer op.mu.Unlock()
	method, ok := op.clientAuth(r)
	op.lastAuth = method
	if !ok {
		w.Header().Set("WWW-Authenticate", `Basic realm="op"`)
		oauthErr(w, http.StatusUnauthorized, "invalid_client", "client authentication failed")
		return
	}
	if r.PostForm.Get("grant_type") != "authorization_code" {
		oauthErr(w, http.StatusBadRequest, "unsupported_grant_type", "")
		return
	}
	g := op.codes[r.PostForm.Get("code")]
	if g == nil || g.used {
		if g != nil {
			// RFC 6749 §4.1.2: revoke what the reused code issued.
			for tok, sub := range op.access {
				if sub == g.sub {
					delete(op.access, tok)
				}
			}
		}
		oauthErr(w, http.StatusBadRequest, "invalid_grant", "code is invalid or was already used")
		return
	}
	g.used = true
	if r.PostForm.Get("redirect_uri") != g.redirectURI {
		oauthErr(w, http.StatusBadRequest, "invalid_grant", "redirect_uri mismatch")
		return
	}
	verifier := r.PostForm.Get("code_verifier")
	sum := sha256.Sum256([]byte(verifier))
	if verifier == "" || base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge {
		oauthErr(w, http.StatusBadRequest, "invalid_grant", "PKCE verification failed")
		return
	}
	idt := op.signLocked(op.standardClaims(g.sub, g.nonce), op.activeKid)
	at := RandomToken(rand.Reader)
	op.access[at] = g.sub
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": at, "token_type": "Bearer", "expires_in": 3600, "id_token": idt, "scope": "openid email profile",
	})
}

func (op *testOP) userinfo(w http.ResponseWriter, r *http.Request) {
	op.mu.Lock()
	defer op.mu.Unlock()
	at, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	sub, known := op.access[at]
	if !ok || !known {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	if op.infoSub != "" {
		sub = op.infoSub
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"sub": sub, "email": "ada@example.com", "email_verified": true, "name": "Ada Lovelace",
		"groups": []string{"engineering"},
	})
}

func (op *testOP) standardClaims(sub, nonce string) map[string]any {
	return map[string]any{
		"iss":            op.issuer,
		"sub":            sub,
		"aud":            op.clientID,
		"exp":            op.now.Add(5 * time.Minute).Unix(),
		"iat":            op.now.Unix(),
		"nonce":          nonce,
		"email":          "ada@example.com",
		"email_verified": true,
		"name":           "Ada Lovelace",
		"given_name":     "Ada",
		"family_name":    "Lovelace",
	}
}

// sign makes a compact JWS of claims with the OP's key kid.
func (op *testOP) sign(claims map[string]any, kid string) string {
	op.mu.Lock()
	defer op.mu.Unlock()
	return op.signLocked(claims, kid)
}

func (op *testOP) signLocked(claims map[string]any, kid string) string {
	k, ok := op.keys[kid]
	if !ok {
		op.t.Fatalf("test OP has no key %q", kid)
	}
	return signWith(op.t, k.priv, k.alg, kid, claims)
}

func signWith(t testing.TB, priv crypto.Signer, alg jose.SignatureAlgorithm, kid string, claims map[string]any) string {
	t.Helper()
	opts := (&jose.SignerOptions{}).WithType("JWT")
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: jose.JSONWebKey{Key: priv, KeyID: kid}}, opts)
	if err != nil {
		t.Fatalf("signer: %v", err)
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		t.Fatalf("claims: %v", err)
	}
	obj, err := signer.Sign(payload)
	if err != nil {
		t.Fatalf("sign: %v", err)
	}
	s, err := obj.CompactSerialize()
	if err != nil {
		t.Fatalf("serialize: %v", err)
	}
	return s
}

// config is the RP configuration matching this OP, as an admin would enter
// it (no discovery).
func (op *testOP) config() Config {
	return Config{
		Issuer:           op.issuer,
		ClientID:         op.clientID,
		ClientSecret:     op.clientSecret,
		AuthorizationURL: op.issuer + "/authorize",
		TokenURL:         op.issuer + "/token",
		UserinfoURL:      op.issuer + "/userinfo",
		JWKSURL:          op.issuer + "/jwks",
		RedirectURL:      op.redirectURL,
	}
}

// fakeClock is a settable clock for KeyCache.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func (op *testOP) keyCache() (*KeyCache, *fakeClock) {
	clk := &fakeClock{t: op.now}
	return NewKeyCache(KeyCacheOptions{Now: clk.Now}), clk
}

// login drives a full authorization: builds the URL, lets the OP issue a
// code through its /authorize redirect, and parses the callback.
func (op *testOP) login(t *testing.T, cfg Config) (cb *Callback, state, nonce, verifier string) {
	t.Helper()
	state, nonce = RandomToken(rand.Reader), RandomToken(rand.Reader)
	verifier, challenge := PKCE(rand.Reader)
	u, err := AuthCodeURL(cfg, state, nonce, challenge, nil)
	if err != nil {
		t.Fatalf("AuthCodeURL: %v", err)
	}
	browser := op.srv.Client()
	browser.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := browser.Get(u)
	if err != nil {
		t.Fatalf("authorize: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("authorize status %d", resp.StatusCode)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatalf("location: %v", err)
	}
	cb, err = ParseCallback(loc.Query())
	if err != nil {
		t.Fatalf("ParseCallback: %v", err)
	}
	return cb, state, nonce, verifier
}
