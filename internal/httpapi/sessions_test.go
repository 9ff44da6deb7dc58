package httpapi_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/seamsso/seam/internal/apptest"
)

// verifyWithJWKS checks a session JWT the way an SDK does: fetch the JWK Set
// without credentials and verify the RS256 signature with go-jose.
func verifyWithJWKS(t *testing.T, e *apptest.Env, projectID, tok string) map[string]any {
	t.Helper()
	r := e.Do(apptest.Request{Method: "GET", Path: "/v1/b2b/sessions/jwks/" + projectID, NoAuth: true})
	if r.Status != http.StatusOK {
		t.Fatalf("jwks: %d %s", r.Status, r.Raw)
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(r.Raw, &set); err != nil {
		t.Fatal(err)
	}
	for _, k := range set.Keys {
		if !k.IsPublic() || k.Algorithm != "RS256" || k.Use != "sig" {
			t.Fatalf("published key %s is not a public RS256 signing key", k.KeyID)
		}
	}
	jws, err := jose.ParseSigned(tok, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		t.Fatal(err)
	}
	keys := set.Key(jws.Signatures[0].Header.KeyID)
	if len(keys) != 1 {
		t.Fatalf("kid %q not in the JWKS (%d keys)", jws.Signatures[0].Header.KeyID, len(set.Keys))
	}
	payload, err := jws.Verify(keys[0])
	if err != nil {
		t.Fatalf("signature: %v", err)
	}
	var claims map[string]any
	if err := json.Unmarshal(payload, &claims); err != nil {
		t.Fatal(err)
	}
	return claims
}

func TestSessionLifecycle(t *testing.T) {
	apptest.ForEachBackend(t, func(t *testing.T, backend string) {
		e := apptest.New(t, backend)
		org := e.CreateOrg("Acme", "acme")
		orgID := org["organization_id"].(string)
		alice := createMember(e, "acme", "alice@acme.example", "stytch_admin")
		s := mintSession(e, nil, "acme", alice)

		if len(s.Token) < 44 || strings.ContainsAny(s.Token, "+/=") {
			t.Fatalf("token %q is not 44+ characters of base64url", s.Token)
		}
		// JWT claims as the SDKs expect them, verified with the JWKS.
		c := verifyWithJWKS(t, e, e.Creds.ProjectID, s.JWT)
		if c["iss"] != e.URL || c["sub"] != alice || !slices.Equal(toStrings(c["aud"]), []string{e.Creds.ProjectID}) {
			t.Fatalf("iss/sub/aud = %v %v %v", c["iss"], c["sub"], c["aud"])
		}
		if c["exp"].(float64)-c["iat"].(float64) != 300 || c["nbf"] != c["iat"] {
			t.Errorf("JWT lifetime: iat %v nbf %v exp %v", c["iat"], c["nbf"], c["exp"])
		}
		sc := c["https://stytch.com/session"].(map[string]any)
		if sc["id"] != s.ID || !slices.Equal(toStrings(sc["roles"]), []string{"stytch_member", "stytch_admin"}) {
			t.Errorf("session claim = %v", sc)
		}
		for _, k := range []string{"started_at", "last_accessed_at", "expires_at"} {
			if _, err := time.Parse(time.RFC3339, sc[k].(string)); err != nil || !strings.HasSuffix(sc[k].(string), "Z") {
				t.Errorf("%s = %v is not RFC 3339 UTC", k, sc[k])
			}
		}
		if f := sc["authentication_factors"].([]any); len(f) != 1 || f[0].(map[string]any)["type"] != "impersonated" {
			t.Errorf("factors = %v", f)
		}
		if oc := c["https://stytch.com/organization"].(map[string]any); oc["organization_id"] != orgID || oc["slug"] != "acme" {
			t.Errorf("organization claim = %v", oc)
		}

		// Only the token's SHA-256 is stored.
		var hash []byte
		if err := e.App.Store.DB().QueryRow(`SELECT token_hash FROM member_sessions WHERE id = $1`, s.ID).Scan(&hash); err != nil {
			t.Fatal(err)
		}
		if want := sha256.Sum256([]byte(s.Token)); !bytes.Equal(hash, want[:]) {
			t.Error("stored token hash is not SHA-256 of the token")
		}
		if dump := tableText(t, e, "member_sessions"); strings.Contains(dump, s.Token) || strings.Contains(dump, base64.StdEncoding.EncodeToString([]byte(s.Token))) {
			t.Error("the session token is stored in member_sessions")
		}

		// Authenticate by token: same token back, a fresh JWT, the session and member.
		r := e.MustOK(e.Call("POST", "/v1/b2b/sessions/authenticate", map[string]any{"session_token": s.Token}))
		ms := r.Obj("member_session")
		if r.Str("session_token") != s.Token || r.Str("session_jwt") == "" || ms["member_session_id"] != s.ID ||
			ms["member_id"] != alice || ms["organization_id"] != orgID || ms["organization_slug"] != "acme" ||
			r.Obj("member")["member_id"] != alice || r.Obj("organization")["organization_id"] != orgID || r.Body["verdict"] != nil {
			t.Fatalf("authenticate = %s", r.Raw)
		}
		// Authenticate by JWT: the token cannot be recovered from its hash.
		r = e.MustOK(e.Call("POST", "/v1/b2b/sessions/authenticate", map[string]any{"session_jwt": s.JWT}))
		if r.Str("session_token") != "" || r.Obj("member_session")["member_session_id"] != s.ID {
			t.Fatalf("authenticate by JWT = %s", r.Raw)
		}
		e.WantError(e.Call("POST", "/v1/b2b/sessions/authenticate", map[string]any{"session_token": s.Token, "session_jwt": s.JWT}),
			400, "too_many_session_arguments")
		e.WantError(e.Call("POST", "/v1/b2b/sessions/authenticate", map[string]any{}), 400, "invalid_argument")
		e.WantError(e.Call("POST", "/v1/b2b/sessions/authenticate", map[string]any{"session_token": "nope"}), 404, "session_not_found")
		e.WantError(e.Call("POST", "/v1/b2b/sessions/authenticate", map[string]any{"session_token": strings.Repeat("a", 5000)}), 404, "session_not_found")
		for _, d := range []int{4, 527041, -1} {
			e.WantError(e.Call("POST", "/v1/b2b/sessions/authenticate", map[string]any{"session_token": s.Token, "session_duration_minutes": d}),
				400, "invalid_session_duration")
		}

		// Extension.
		r = e.MustOK(e.Call("POST", "/v1/b2b/sessions/authenticate", map[string]any{"session_token": s.Token, "session_duration_minutes": 180}))
		exp, _ := time.Parse(time.RFC3339Nano, r.Obj("member_session")["expires_at"].(string))
		if d := exp.Sub(e.Clock.Now()); d < 179*time.Minute || d > 180*time.Minute {
			t.Errorf("extended expiry is %s from now, want 180m", d)
		}

		// Authorization check and verdict.
		r = e.MustOK(e.Call("POST", "/v1/b2b/sessions/authenticate", map[string]any{"session_token": s.Token,
			"authorization_check": map[string]string{"organization_id": orgID, "resource_id": "stytch.sso", "action": "update"}}))
		if v := r.Obj("verdict"); v["authorized"] != true || !slices.Equal(toStrings(v["granting_roles"]), []string{"stytch_admin"}) {
			t.Errorf("verdict = %v", v)
		}
		e.WantError(e.Call("POST", "/v1/b2b/sessions/authenticate", map[string]any{"session_token": s.Token,
			"authorization_check": map[string]string{"organization_id": "organization-test-other", "resource_id": "stytch.sso", "action": "update"}}),
			403, "session_authorization_tenancy_error")
		e.WantError(e.Call("POST", "/v1/b2b/sessions/authenticate", map[string]any{"session_token": s.Token,
			"authorization_check": map[string]string{"organization_id": orgID, "resource_id": "documents", "action": "read"}}),
			403, "session_authorization_error")

		// Custom claims: reserved names ignored, null deletes, 4 KB cap.
		r = e.MustOK(e.Call("POST", "/v1/b2b/sessions/authenticate", map[string]any{"session_token": s.Token,
			"session_custom_claims": map[string]any{"tier": "gold", "n": 3, "iss": "evil", "https://stytch.com/session": "x"}}))
		c = jwtPayload(t, r.Str("session_jwt"))
		if c["tier"] != "gold" || c["n"] != float64(3) || c["iss"] != e.URL || c["https://stytch.com/session"].(map[string]any)["id"] != s.ID {
			t.Errorf("claims after custom claims = %v", c)
		}
		if cc := r.Obj("member_session")["custom_claims"].(map[string]any); cc["tier"] != "gold" || cc["iss"] != nil {
			t.Errorf("custom_claims = %v", cc)
		}
		r = e.MustOK(e.Call("POST", "/v1/b2b/sessions/authenticate", map[string]any{"session_token": s.Token,
			"session_custom_claims": map[string]any{"tier": nil}}))
		if c = jwtPayload(t, r.Str("session_jwt")); c["tier"] != nil || c["n"] != float64(3) {
			t.Errorf("claims after deleting tier = %v", c)
		}
		e.WantError(e.Call("POST", "/v1/b2b/sessions/authenticate", map[string]any{"session_token": s.Token,
			"session_custom_claims": map[string]any{"big": strings.Repeat("x", 5000)}}), 400, "invalid_session_custom_claims")

		// Listing.
		other := mintSession(e, nil, "acme", alice)
		r = e.MustOK(e.Call("GET", "/v1/b2b/sessions?organization_id=acme&member_id="+alice, nil))
		if list := r.Body["member_sessions"].([]any); len(list) != 2 {
			t.Fatalf("list = %s", r.Raw)
		}
		e.WantError(e.Call("GET", "/v1/b2b/sessions?organization_id=acme", nil), 400, "invalid_argument")
		e.WantError(e.Call("GET", "/v1/b2b/sessions?organization_id=acme&member_id=member-test-nope", nil), 404, "member_not_found")

		// A JWT past its exp still names a live session and is answered with
		// a fresh JWT, as Stytch does.
		e.Clock.Advance(6 * time.Minute)
		r = e.MustOK(e.Call("POST", "/v1/b2b/sessions/authenticate", map[string]any{"session_jwt": s.JWT}))
		if r.Str("session_jwt") == s.JWT {
			t.Error("no fresh JWT for an expired one")
		}

		// Expiry: `other` lasts 60 minutes, s was extended to 180.
		e.Clock.Advance(60 * time.Minute)
		e.WantError(e.Call("POST", "/v1/b2b/sessions/authenticate", map[string]any{"session_token": other.Token}), 404, "session_not_found")
		e.WantError(e.Call("POST", "/v1/b2b/sessions/authenticate", map[string]any{"session_jwt": other.JWT}), 404, "session_not_found")
		if list := e.MustOK(e.Call("GET", "/v1/b2b/sessions?organization_id=acme&member_id="+alice, nil)).Body["member_sessions"].([]any); len(list) != 1 {
			t.Errorf("expired session still listed: %d", len(list))
		}
		e.MustOK(e.Call("POST", "/v1/b2b/sessions/authenticate", map[string]any{"session_token": s.Token}))
	})
}

func TestSessionRevoke(t *testing.T) {
	apptest.ForEachBackend(t, func(t *testing.T, backend string) {
		e := apptest.New(t, backend)
		e.CreateOrg("Acme", "acme")
		alice := createMember(e, "acme", "alice@acme.example")
		bob := createMember(e, "acme", "bob@acme.example")
		gone := func(s minted) {
			t.Helper()
			e.WantError(e.Call("POST", "/v1/b2b/sessions/authenticate", map[string]any{"session_token": s.Token}), 404, "session_not_found")
			e.WantError(e.Call("POST", "/v1/b2b/sessions/authenticate", map[string]any{"session_jwt": s.JWT}), 404, "session_not_found")
		}
		for _, by := range []string{"session_token", "session_jwt", "member_session_id"} {
			s := mintSession(e, nil, "acme", alice)
			v := map[string]string{"session_token": s.Token, "session_jwt": s.JWT, "member_session_id": s.ID}[by]
			r := e.MustOK(e.Call("POST", "/v1/b2b/sessions/revoke", map[string]any{by: v}))
			if len(r.Body) != 2 { // request_id and status_code only
				t.Errorf("revoke response = %s", r.Raw)
			}
			gone(s)
			e.WantError(e.Call("POST", "/v1/b2b/sessions/revoke", map[string]any{by: v}), 404, "session_not_found")
		}
		a1, a2, b1 := mintSession(e, nil, "acme", alice), mintSession(e, nil, "acme", alice), mintSession(e, nil, "acme", bob)
		e.MustOK(e.Call("POST", "/v1/b2b/sessions/revoke", map[string]any{"member_id": alice}))
		gone(a1)
		gone(a2)
		e.MustOK(e.Call("POST", "/v1/b2b/sessions/authenticate", map[string]any{"session_token": b1.Token}))
		e.WantError(e.Call("POST", "/v1/b2b/sessions/revoke", map[string]any{"member_id": "member-test-nope"}), 404, "member_not_found")
		e.WantError(e.Call("POST", "/v1/b2b/sessions/revoke", map[string]any{}), 400, "invalid_argument")
		e.WantError(e.Call("POST", "/v1/b2b/sessions/revoke", map[string]any{"member_id": bob, "session_token": b1.Token}), 400, "too_many_session_arguments")

		// Deleting the member ends its sessions.
		e.MustOK(e.Call("DELETE", "/v1/b2b/organizations/acme/members/"+bob, nil))
		gone(b1)
	})
}

func TestSessionJWKS(t *testing.T) {
	apptest.ForEachBackend(t, func(t *testing.T, backend string) {
		e := apptest.New(t, backend)
		r := e.Do(apptest.Request{Method: "GET", Path: "/v1/b2b/sessions/jwks/" + e.Creds.ProjectID, NoAuth: true})
		if r.Status != 200 || len(r.Body["keys"].([]any)) != 1 {
			t.Fatalf("jwks of a fresh project = %d %s", r.Status, r.Raw)
		}
		if strings.Contains(string(r.Raw), `"d"`) || strings.Contains(string(r.Raw), `"p"`) {
			t.Fatalf("JWKS leaks private parameters: %s", r.Raw)
		}
		again := e.Do(apptest.Request{Method: "GET", Path: "/v1/b2b/sessions/jwks/" + e.Creds.ProjectID, NoAuth: true})
		if stripRequestID(again.Raw) != stripRequestID(r.Raw) {
			t.Error("JWKS changed between two reads")
		}
		e.WantError(e.Do(apptest.Request{Method: "GET", Path: "/v1/b2b/sessions/jwks/project-test-00000000-0000-4000-8000-000000000000", NoAuth: true}),
			404, "project_not_found")
	})
}

func toStrings(v any) []string {
	var out []string
	switch l := v.(type) {
	case []any:
		for _, x := range l {
			s, _ := x.(string)
			out = append(out, s)
		}
	case string:
		out = append(out, l)
	}
	return out
}

// tableText renders every row of a table as text, for "is this secret
// stored anywhere" checks.
func tableText(t *testing.T, e *apptest.Env, table string) string {
	t.Helper()
	rows, err := e.App.Store.DB().QueryContext(context.Background(), "SELECT * FROM "+table)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var b strings.Builder
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for _, v := range vals {
			switch x := v.(type) {
			case []byte:
				b.Write(x)
			default:
				b.WriteString(strings.TrimSpace(strings.ReplaceAll(msJSONText(x), "\n", " ")))
			}
			b.WriteByte('|')
		}
	}
	return b.String()
}

func msJSONText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
