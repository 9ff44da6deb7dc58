// Package oidc is Seam's OpenID Connect relying party: discovery, the
// authorization request (code flow with PKCE S256), the code exchange, ID
// token verification against the provider's JWKS, and userinfo.
//
// It is a pure library: no database, no HTTP handlers, no package state.
// Every outbound request goes through the *http.Client the caller passes in
// (Seam passes its SSRF-guarded client; a nil client is refused rather than
// replaced with http.DefaultClient), and every response body is capped at
// MaxResponseBytes. Time is passed in (VerifyIDToken's now, KeyCache's Now)
// and randomness comes from the io.Reader given to RandomToken and PKCE.
//
// # Login flow
//
//	state, nonce := oidc.RandomToken(rand), oidc.RandomToken(rand)
//	verifier, challenge := oidc.PKCE(rand)          // "" on reader failure
//	url, err := oidc.AuthCodeURL(cfg, state, nonce, challenge, extraScopes)
//	// ... store state, nonce, verifier with the login request; redirect ...
//	cb, err := oidc.ParseCallback(r.URL.Query())    // provider error => ReasonAuthorizationError
//	err = oidc.CheckState(stored.State, cb.State)
//	err = cb.CheckIssuer(cfg)                         // RFC 9207, when the provider sends iss
//	tok, err := oidc.Exchange(ctx, hc, cfg, cb.Code, stored.Verifier)
//	id, err := oidc.VerifyIDToken(ctx, hc, keyCache, cfg, tok.IDToken, stored.Nonce, now)
//	info, err := oidc.UserInfo(ctx, hc, cfg, tok.AccessToken)
//	err = oidc.CheckUserInfoSubject(id.Subject, info)
//
// # Choices
//
//   - Discovery requires the document's issuer to equal the configured one
//     exactly; the ID token's iss must too.
//   - Scopes: Config.Scopes (a connection's custom_scopes, see ParseScopes)
//     replace the default "openid email profile"; per-request extra scopes
//     are appended; "openid" is always sent; duplicates are dropped; every
//     scope must be an RFC 6749 scope-token.
//   - Token endpoint authentication is client_secret_basic, or
//     client_secret_post when Config.TokenAuthMethod says so; use
//     ChooseTokenAuthMethod on the discovered methods to decide.
//   - ID tokens: signature algorithms RS256, RS384, RS512, ES256, ES384,
//     PS256 only. JWKS keys must be RSA of 2048-8192 bits or EC P-256/P-384;
//     encryption keys and keys of other types are ignored; a JWKS that
//     publishes private or symmetric key material is refused entirely.
//     Encrypted (JWE) ID tokens and JWS "crit"/"b64" headers are refused.
//     aud must contain client_id; azp, when present, must be client_id and
//     is required when aud has several values; exp, iat (and nbf when
//     present) are checked with Config.ClockSkew (default one minute);
//     nonce is required and compared in constant time.
//   - KeyCache: one per server, keyed by JWKS URL, sets live for TTL
//     (default 1 h); an unknown kid, or a kid-less token that no cached key
//     verifies, triggers a refetch, but any URL is fetched at most once per
//     MinRefetchInterval (default 30 s) and failures are cached for that
//     interval too. Concurrent callers share one fetch. When a refetch
//     fails, the previous set stays in use until its TTL ends.
//   - at_hash is not checked: in the code flow the access token comes from
//     the token endpoint over TLS, not through the browser (OIDC Core
//     §3.1.3.8 makes it optional there).
//   - The token request does not follow redirects, so a 307/308 cannot make
//     net/http replay the client secret elsewhere.
//   - UserInfo accepts JSON only (no signed userinfo) and must be followed
//     by CheckUserInfoSubject.
//
// # Errors
//
// Every error is an *Error whose Reason is stored with the login attempt and
// whose ErrorType is the Stytch error_type sent to clients (APIError builds
// the 400 apierr.Error). Where Stytch's catalogue has a matching type it is
// used; otherwise the type is a new oidc_* name. Messages never contain
// tokens, codes, verifiers or the client secret.
//
//	Reason                          error_type
//	discovery_failed                oidc_discovery_failed               outbound failure or non-200 (see below)
//	discovery_invalid_document      oidc_discovery_invalid_document     bad JSON, missing fields, too large
//	discovery_issuer_mismatch       oidc_discovery_issuer_mismatch
//	config_invalid                  oidc_invalid_configuration          missing or malformed Config field
//	invalid_argument                invalid_argument                    bad state/nonce/challenge/code/verifier
//	invalid_scope                   oidc_invalid_scope                  not an RFC 6749 scope-token, too many
//	authorization_error             oidc_auth_code_error                provider redirected with error=...
//	callback_invalid                oidc_invalid_callback_request       no code, repeated or oversized params
//	state_missing                   missing_oidc_state_param
//	state_mismatch                  oidc_state_mismatch                 CheckState failed
//	unsolicited_response            unsolicited_oidc_response           (caller) no stored request for state
//	request_expired                 expired_oidc_response               (caller) stored request expired
//	token_exchange_failed           oidc_token_exchange_failed          outbound failure, non-200, bad JSON
//	token_exchange_invalid_client   oidc_token_exchange_invalid_client  error=invalid_client/unauthorized_client
//	invalid_grant                   oidc_invalid_grant                  code reused, expired, PKCE mismatch
//	id_token_missing                id_token_invalid                    token response without id_token
//	id_token_malformed              id_token_invalid                    not a JWS, bad claims shape, JWE
//	id_token_alg_not_allowed        oidc_id_token_alg_not_allowed       none, HS*, anything off the list
//	id_token_unknown_key            oidc_id_token_unknown_key           kid absent from JWKS after refetch
//	id_token_invalid_signature      oidc_id_token_invalid_signature
//	jwks_fetch_failed               oidc_jwks_fetch_failed              outbound failure, non-200, bad or no keys
//	id_token_wrong_issuer           oidc_id_token_invalid_issuer
//	id_token_wrong_audience         id_token_incorrect_audience         aud or azp
//	id_token_expired                id_token_expired
//	id_token_not_yet_valid          oidc_id_token_not_yet_valid         iat or nbf in the future
//	id_token_nonce_mismatch         id_token_nonce_invalid
//	id_token_subject_missing        oidc_response_subject_missing
//	userinfo_failed                 oidc_invalid_userinfo               outbound failure, non-200, not JSON
//	userinfo_subject_mismatch       oidc_response_subject_mismatch
//
// # Outbound failures
//
// When a provider URL gives no usable answer, the Reason says which step
// failed and Error.Outbound says how, with the kind names of the outbound
// package (the *http.Client need not be Seam's guarded one: any transport
// error is classified the same way); Host is the URL's host, RedirectHost the
// redirect target where it failed, HTTPStatus the status for http_status.
// Detail is the matching client-safe sentence, for example:
//
//	Outbound          Detail
//	timeout           the token endpoint timed out
//	canceled          the request to the token endpoint was canceled
//	dns               the token endpoint's host name could not be resolved
//	connect           the connection to the token endpoint failed (the connection was refused)
//	tls_handshake     the TLS handshake with the token endpoint failed
//	tls_certificate   the token endpoint's TLS certificate is not trusted (...)
//	refused_address   the token endpoint is at a refused address (...)
//	refused_redirect  the discovery endpoint redirected to a refused address (10.0.0.7: ...)
//	http_status       the token endpoint answered HTTP 503
//	too_large         (the document's own detail, e.g. the key set is too large)
//	bad_url, too_many_redirects
//
// An OAuth error response from the token endpoint (invalid_grant, ...) is
// the provider answering in the protocol, so Outbound stays empty. The token
// request never follows redirects: a 3xx is http_status.
package oidc
