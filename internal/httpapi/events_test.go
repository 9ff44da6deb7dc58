package httpapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/seamsso/seam/internal/apptest"
	"github.com/seamsso/seam/internal/httpapi"
	"github.com/seamsso/seam/internal/projects"
)

// eventExempt lists the mutating (non-GET) routes whose success records no
// event, each with the reason. Everything else that is not a GET must
// record at least one event when it succeeds.
// setupForm is the reason setup-page forms are not driven here: they need the
// page's CSRF token. Their changes go through the sso services like the API's
// and are recorded with source SETUP_LINK and the link as actor
// (TestSetupPageConfigureByUploadAndHand counts them).
const setupForm = "a setup-page form (needs the page's CSRF token): recorded as setup_link.* events, counted by TestSetupPageConfigureByUploadAndHand"

func eventExempt() map[string]string {
	return map[string]string{
		"POST /v1/b2b/organizations/search":         "a search: reads only (POST for its body)",
		"POST /v1/b2b/organizations/members/search": "a search: reads only (POST for its body)",
		"POST /v1/b2b/sessions/authenticate":        "authenticates (and may extend) a session: sessions are not objects of Stytch's event catalogue",
		"POST /v1/b2b/sessions/revoke":              "revokes sessions: not objects of Stytch's event catalogue",
		"POST /v1/b2b/sessions/exchange":            "starts a session in another organization: sessions are not objects of Stytch's event catalogue",
		"DELETE /pwa/v3/projects/{project_slug}": "deletes the project's environments and with them their events and webhook endpoints " +
			"(ON DELETE CASCADE): no event could outlive it to be read or delivered",
		"DELETE /pwa/v3/projects/{project_slug}/environments/{environment_slug}": "deletes the environment (a Seam project) and with it " +
			"its events and webhook endpoints (ON DELETE CASCADE): no event could outlive it to be read or delivered",
		"POST /v1/b2b/sso/authenticate": "exchanges a token for a session; the member it provisions or links records member events, " +
			"tested by TestSSOLoginRecordsMemberEvents",
		"POST /v1/b2b/sso/callback/{connection_id}":        "the IdP's browser post: records a login attempt, changes no object",
		"POST /v1/webhooks/endpoints/{endpoint_id}/replay": "queues deliveries of existing events; changes no object",
		"POST /v1/b2b/sso/saml/{organization_id}/connections/{connection_id}/metadata_refreshes": "fetches the metadata URL now: " +
			"a document that changes the connection (certificate rollover, new SSO URL) is applied through the connection " +
			"update, which records saml_connection.update; an unchanged one (as here) records only the refresh outcome",
		"POST /setup/{setup_token}/connections":                              setupForm,
		"POST /setup/{setup_token}/connections/{connection_id}/saml":         setupForm,
		"POST /setup/{setup_token}/connections/{connection_id}/oidc":         setupForm,
		"POST /setup/{setup_token}/connections/{connection_id}/metadata_url": setupForm,
		"POST /setup/{setup_token}/connections/{connection_id}/metadata_xml": setupForm,
		"POST /setup/{setup_token}/connections/{connection_id}/attributes":   setupForm,
		"POST /setup/{setup_token}/connections/{connection_id}/test": "starts a test login from the setup page: stores a login request, " +
			"changes no object (and a test login provisions no member)",
		"POST /v1/test_idp/{project_id}/saml/sso":   "built-in test IdP page (development only)",
		"POST /v1/test_idp/{project_id}/saml/login": "built-in test IdP page (development only)",
		"POST /v1/test_idp/{project_id}/oidc/login": "built-in test IdP page (development only)",
		"POST /v1/test_idp/{project_id}/oidc/token": "built-in test IdP token endpoint (development only)",
	}
}

// pwaEventRoutes are how the events test calls each mutating
// administration (workspace-key) route successfully.
func pwaEventRoutes(e *apptest.Env, env string, key *projects.Credentials) map[string]func() isoCall {
	n := 0
	uniq := func(p string) string {
		n++
		return p + strings.Repeat("x", n)
	}
	addURL := func() string {
		u := "https://" + uniq("app") + ".example/cb"
		return u
	}
	return map[string]func() isoCall{
		"POST /pwa/v3/projects": func() isoCall {
			return isoCall{"POST", "/pwa/v3/projects", map[string]any{"name": uniq("p"), "vertical": "B2B"}}
		},
		"POST /pwa/v3/projects/{project_slug}/environments": func() isoCall {
			return isoCall{"POST", strings.TrimSuffix(env, "/environments/test") + "/environments",
				map[string]any{"name": "Staging", "type": "TEST", "environment_slug": uniq("staging")}}
		},
		"PATCH /pwa/v3/projects/{project_slug}": func() isoCall {
			return isoCall{"PATCH", strings.TrimSuffix(env, "/environments/test"), map[string]any{"name": uniq("renamed")}}
		},
		"PATCH /pwa/v3/projects/{project_slug}/environments/{environment_slug}": func() isoCall {
			return isoCall{"PATCH", env, map[string]any{"name": uniq("env")}}
		},
		"POST /pwa/v3/projects/{project_slug}/environments/{environment_slug}/redirect_urls": func() isoCall {
			return isoCall{"POST", env + "/redirect_urls", map[string]any{"url": addURL()}}
		},
		"PUT /pwa/v3/projects/{project_slug}/environments/{environment_slug}/redirect_urls": func() isoCall {
			u := addURL()
			e.MustOK(e.Do(apptest.Request{Method: "POST", Path: env + "/redirect_urls", Body: map[string]any{"url": u}, Creds: key}))
			return isoCall{"PUT", env + "/redirect_urls?url=" + u, map[string]any{"url": u, "valid_types": []any{map[string]any{"type": "LOGIN", "is_default": false}}}}
		},
		"DELETE /pwa/v3/projects/{project_slug}/environments/{environment_slug}/redirect_urls": func() isoCall {
			u := addURL()
			e.MustOK(e.Do(apptest.Request{Method: "POST", Path: env + "/redirect_urls", Body: map[string]any{"url": u}, Creds: key}))
			return isoCall{"DELETE", env + "/redirect_urls?url=" + u, nil}
		},
		"PUT /pwa/v3/projects/{project_slug}/environments/{environment_slug}/rbac_policy": func() isoCall {
			return isoCall{"PUT", env + "/rbac_policy", map[string]any{"policy": map[string]any{
				"stytch_member": map[string]any{"permissions": []any{}},
				"stytch_admin":  map[string]any{"permissions": []any{map[string]any{"resource_id": "stytch.member", "actions": []string{"*"}}}},
			}}}
		},
		"POST /pwa/v3/projects/{project_slug}/environments/{environment_slug}/secrets": func() isoCall {
			return isoCall{"POST", env + "/secrets", map[string]any{}}
		},
		"DELETE /pwa/v3/projects/{project_slug}/environments/{environment_slug}/secrets/{secret_id}": func() isoCall {
			r := e.MustOK(e.Do(apptest.Request{Method: "POST", Path: env + "/secrets", Body: map[string]any{}, Creds: key}))
			return isoCall{"DELETE", env + "/secrets/" + r.Obj("secret")["secret_id"].(string), nil}
		},
		"POST /pwa/v3/projects/{project_slug}/environments/{environment_slug}/public_tokens": func() isoCall {
			return isoCall{"POST", env + "/public_tokens", map[string]any{}}
		},
		"DELETE /pwa/v3/projects/{project_slug}/environments/{environment_slug}/public_tokens/{public_token}": func() isoCall {
			r := e.MustOK(e.Do(apptest.Request{Method: "POST", Path: env + "/public_tokens", Body: map[string]any{}, Creds: key}))
			return isoCall{"DELETE", env + "/public_tokens/" + r.Obj("public_token")["public_token"].(string), nil}
		},
	}
}

// maxSeq is the newest event's position (0 without events).
func maxSeq(t *testing.T, e *apptest.Env) int64 {
	t.Helper()
	var n int64
	if err := e.App.Store.DB().QueryRowContext(context.Background(), `SELECT COALESCE(MAX(seq), 0) FROM events`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

type recorded struct{ typ, source, actor, payload string }

// eventsAfter lists the events recorded after seq, every project.
func eventsAfter(t *testing.T, e *apptest.Env, seq int64) []recorded {
	t.Helper()
	rows, err := e.App.Store.DB().QueryContext(context.Background(),
		`SELECT event_type, source, actor_type, payload FROM events WHERE seq > $1 ORDER BY seq`, seq)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []recorded
	for rows.Next() {
		var r recorded
		var payload any
		if err := rows.Scan(&r.typ, &r.source, &r.actor, &payload); err != nil {
			t.Fatal(err)
		}
		switch p := payload.(type) {
		case string:
			r.payload = p
		case []byte:
			r.payload = string(p)
		}
		out = append(out, r)
	}
	return out
}

// TestEveryMutatingRouteRecordsAnEvent is generated from the route table:
// every route that is not a GET and not in eventExempt is called
// successfully and must record at least one event, of its surface's source,
// whose payload is in Stytch's format. A new mutating route fails here until
// it records its change (or is exempted with a reason).
func TestEveryMutatingRouteRecordsAnEvent(t *testing.T) {
	apptest.ForEachBackend(t, func(t *testing.T, backend string) {
		e, w := newIsoWorld(t, backend, "events-idp")
		k, err := e.App.Admin.CreateKey(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		key := &projects.Credentials{ProjectID: k.KeyID, Secret: k.Secret}
		env := "/pwa/v3/projects/" + e.Creds.ProjectID + "/environments/test"

		iso, pwa, exempt, scimCalls := isoRoutes(), pwaEventRoutes(e, env, key), eventExempt(), scimEventRoutes(e)
		seen := map[string]bool{}
		for _, rt := range httpapi.Routes(e.App.Server) {
			method, _, _ := strings.Cut(rt.Pattern, " ")
			if method == http.MethodGet {
				continue
			}
			seen[rt.Pattern] = true
			if _, ok := exempt[rt.Pattern]; ok {
				continue
			}
			t.Run(rt.Pattern, func(t *testing.T) {
				w.t = t
				var call isoCall
				var creds *projects.Credentials
				var scimCall func() scimResp
				var scimStatus int
				wantSource := "DIRECT"
				switch {
				case scimCalls[rt.Pattern] != nil:
					scimCall, scimStatus = scimCalls[rt.Pattern]()
					wantSource = "SCIM"
				case iso[rt.Pattern].build != nil:
					call = iso[rt.Pattern].build(w)
				case pwa[rt.Pattern] != nil:
					call, creds, wantSource = pwa[rt.Pattern](), key, "OPERATOR"
				default:
					t.Fatalf("mutating route %q has no event test: describe how to call it (isoRoutes or pwaEventRoutes), or exempt it with a reason (eventExempt)", rt.Pattern)
				}
				before := maxSeq(t, e)
				if scimCall != nil {
					if r := scimCall(); r.Status != scimStatus {
						t.Fatalf("%s: status %d, want %d: %s", rt.Pattern, r.Status, scimStatus, r.Raw)
					}
				} else {
					e.MustOK(e.Do(apptest.Request{Method: call.method, Path: call.path, Body: call.body, Creds: creds}))
				}
				got := eventsAfter(t, e, before)
				if len(got) == 0 {
					t.Fatalf("%s (%s %s) succeeded without recording an event", rt.Pattern, call.method, call.path)
				}
				for _, ev := range got {
					if ev.source != wantSource || !strings.HasPrefix(ev.typ, strings.ToLower(wantSource)+".") {
						t.Errorf("event %s from source %s, want %s", ev.typ, ev.source, wantSource)
					}
					var body map[string]any
					if err := json.Unmarshal([]byte(ev.payload), &body); err != nil {
						t.Fatalf("payload %q: %v", ev.payload, err)
					}
					for _, f := range []string{"project_id", "event_id", "action", "object_type", "source", "id", "timestamp", "vertical"} {
						if _, ok := body[f]; !ok {
							t.Errorf("%s payload lacks %s: %s", ev.typ, f, ev.payload)
						}
					}
					if body["action"] != "DELETE" && body[body["object_type"].(string)] == nil {
						t.Errorf("%s payload lacks its object under %q", ev.typ, body["object_type"])
					}
					for _, secret := range []string{"BEGIN RSA PRIVATE KEY", "PRIVATE KEY-----", "whsec_", "client_secret\":\"s", "\"secret\":\"secret-"} {
						if strings.Contains(ev.payload, secret) {
							t.Errorf("%s payload holds a secret (%s): %s", ev.typ, secret, ev.payload)
						}
					}
				}
			})
		}
		for p := range exempt {
			if !seen[p] {
				t.Errorf("eventExempt names %q, which is not a mutating route", p)
			}
		}
	})
}
