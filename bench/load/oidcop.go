package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// benchOP is the OpenID provider of the oidc-login scenario: a small but
// real one, run by the load generator on loopback so that Seam does its
// whole relying-party work (discovery, the code exchange with PKCE, the ID
// token's signature, nonce and claims, userinfo) against it. It signs ID
// tokens with ES256 (P-256), which Seam accepts and the generator, sharing
// the machine with the server, signs in tens of microseconds.
//
// The "browser" picks the person by adding login_hint to the authorization
// request, standing in for the IdP's login form.
type benchOP struct {
	issuer       string
	clientID     string
	clientSecret string
	signer       jose.Signer
	jwks         []byte
	srv          *http.Server

	mu     sync.Mutex
	codes  map[string]opGrant  // one-time authorization codes
	access map[string]opAccess // access tokens, used up by userinfo
}

// opAccess is whom an access token speaks for, until when.
type opAccess struct {
	email   string
	expires time.Time
}

// opGrant is what an authorization code stands for.
type opGrant struct {
	clientID, redirectURI, nonce, challenge, email string
	expires                                        time.Time
}

const (
	opCodeTTL  = time.Minute
	opTokenTTL = 5 * time.Minute
	// opMaxPending bounds the codes and the access tokens held: logins
	// abandoned half-way (a failed callback) leave theirs behind.
	opMaxPending = 100_000
)

// startBenchOP listens on a loopback port and serves until close.
func startBenchOP() (*benchOP, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	kid := opRandom()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: jose.JSONWebKey{Key: key, KeyID: kid}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return nil, err
	}
	jwks, err := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{
		{Key: &key.PublicKey, KeyID: kid, Algorithm: string(jose.ES256), Use: "sig"},
	}})
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	op := &benchOP{
		issuer: "http://" + ln.Addr().String(), clientID: "bench-client-" + opRandom(), clientSecret: opRandom(),
		signer: signer, jwks: jwks, codes: map[string]opGrant{}, access: map[string]opAccess{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", op.discovery)
	mux.HandleFunc("GET /jwks", func(w http.ResponseWriter, _ *http.Request) { opWrite(w, http.StatusOK, op.jwks) })
	mux.HandleFunc("GET /authorize", op.authorize)
	mux.HandleFunc("POST /token", op.token)
	mux.HandleFunc("GET /userinfo", op.userinfo)
	op.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go op.srv.Serve(ln) //nolint:errcheck // ends with ErrServerClosed on close
	return op, nil
}

func (op *benchOP) close() { op.srv.Close() }

// opRandom is 128 random bits, base64url.
func opRandom() string {
	var b [16]byte
	rand.Read(b[:]) //nolint:errcheck // crypto/rand does not fail
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func opWrite(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(body) //nolint:errcheck // the client went away
}

func opJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	opWrite(w, status, b)
}

func opError(w http.ResponseWriter, status int, code string) {
	opJSON(w, status, map[string]string{"error": code})
}

func (op *benchOP) discovery(w http.ResponseWriter, _ *http.Request) {
	opJSON(w, http.StatusOK, map[string]any{
		"issuer": op.issuer, "authorization_endpoint": op.issuer + "/authorize", "token_endpoint": op.issuer + "/token",
		"userinfo_endpoint": op.issuer + "/userinfo", "jwks_uri": op.issuer + "/jwks",
		"response_types_supported": []string{"code"}, "subject_types_supported": []string{"public"},
		"id_token_signing_alg_values_supported": []string{"ES256"}, "code_challenge_methods_supported": []string{"S256"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic"}, "scopes_supported": []string{"openid", "email", "profile"},
	})
}

// authorize answers a valid request at once with a redirect carrying a
// one-time code (the person is already signed in at the IdP).
func (op *benchOP) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	g := opGrant{clientID: q.Get("client_id"), redirectURI: q.Get("redirect_uri"), nonce: q.Get("nonce"),
		challenge: q.Get("code_challenge"), email: q.Get("login_hint"), expires: time.Now().Add(opCodeTTL)}
	back, err := url.Parse(g.redirectURI)
	switch {
	case err != nil || back.Scheme == "" || g.clientID != op.clientID:
		http.Error(w, "unknown client or redirect_uri", http.StatusBadRequest)
		return
	case q.Get("response_type") != "code" || !strings.Contains(" "+q.Get("scope")+" ", " openid ") ||
		q.Get("state") == "" || g.nonce == "" || q.Get("code_challenge_method") != "S256" || len(g.challenge) != 43 || g.email == "":
		http.Error(w, "invalid authorization request", http.StatusBadRequest)
		return
	}
	code := opRandom()
	op.mu.Lock()
	full := !roomFor(op.codes, func(g opGrant) time.Time { return g.expires })
	if !full {
		op.codes[code] = g
	}
	op.mu.Unlock()
	if full {
		http.Error(w, "too many pending codes", http.StatusServiceUnavailable)
		return
	}
	v := back.Query()
	v.Set("code", code)
	v.Set("state", q.Get("state"))
	v.Set("iss", op.issuer) // RFC 9207
	back.RawQuery = v.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

// take uses up an authorization code.
func (op *benchOP) take(code string) (opGrant, bool) {
	op.mu.Lock()
	defer op.mu.Unlock()
	g, ok := op.codes[code]
	delete(op.codes, code)
	return g, ok && time.Now().Before(g.expires)
}

// token exchanges a code: client_secret_basic, redirect_uri and the PKCE
// verifier must match the authorization request.
func (op *benchOP) token(w http.ResponseWriter, r *http.Request) {
	id, secret, ok := r.BasicAuth()
	id, _ = url.QueryUnescape(id)
	secret, _ = url.QueryUnescape(secret)
	if !ok || id != op.clientID || subtle.ConstantTimeCompare([]byte(secret), []byte(op.clientSecret)) != 1 {
		opError(w, http.StatusUnauthorized, "invalid_client")
		return
	}
	if err := r.ParseForm(); err != nil || r.PostForm.Get("grant_type") != "authorization_code" {
		opError(w, http.StatusBadRequest, "unsupported_grant_type")
		return
	}
	g, ok := op.take(r.PostForm.Get("code"))
	sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
	if !ok || g.clientID != id || g.redirectURI != r.PostForm.Get("redirect_uri") ||
		base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge {
		opError(w, http.StatusBadRequest, "invalid_grant")
		return
	}
	idToken, err := op.idToken(g)
	if err != nil {
		opError(w, http.StatusInternalServerError, "server_error")
		return
	}
	access := opRandom()
	op.mu.Lock()
	full := !roomFor(op.access, func(a opAccess) time.Time { return a.expires })
	if !full {
		op.access[access] = opAccess{email: g.email, expires: time.Now().Add(opTokenTTL)}
	}
	op.mu.Unlock()
	if full {
		opError(w, http.StatusServiceUnavailable, "temporarily_unavailable")
		return
	}
	opJSON(w, http.StatusOK, map[string]any{"access_token": access, "token_type": "Bearer",
		"expires_in": int(opTokenTTL.Seconds()), "id_token": idToken})
}

func (op *benchOP) idToken(g opGrant) (string, error) {
	now := time.Now()
	claims, err := json.Marshal(map[string]any{
		"iss": op.issuer, "sub": opSubject(g.email), "aud": op.clientID, "nonce": g.nonce,
		"iat": now.Unix(), "exp": now.Add(opTokenTTL).Unix(), "email": g.email, "email_verified": true, "name": "Bench User",
	})
	if err != nil {
		return "", err
	}
	jws, err := op.signer.Sign(claims)
	if err != nil {
		return "", err
	}
	return jws.CompactSerialize()
}

func opSubject(email string) string { return "sub-" + email }

// userinfo answers once per access token (Seam asks once per login).
func (op *benchOP) userinfo(w http.ResponseWriter, r *http.Request) {
	bearer, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	op.mu.Lock()
	a, known := op.access[bearer]
	delete(op.access, bearer)
	op.mu.Unlock()
	if !ok || !known || !time.Now().Before(a.expires) {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		opError(w, http.StatusUnauthorized, "invalid_token")
		return
	}
	opJSON(w, http.StatusOK, map[string]any{"sub": opSubject(a.email), "email": a.email, "name": "Bench User"})
}

// roomFor reports whether m may take one more entry, first dropping the
// expired ones when it is full. The caller holds op.mu.
func roomFor[V any](m map[string]V, expires func(V) time.Time) bool {
	if len(m) < opMaxPending {
		return true
	}
	now := time.Now()
	for k, v := range m {
		if !now.Before(expires(v)) {
			delete(m, k)
		}
	}
	return len(m) < opMaxPending
}
