package httpapi_test

import (
	"github.com/seamsso/seam/internal/sessions"
	"github.com/seamsso/seam/internal/store"
)

// lifecycleIsoRoutes are the tenant-isolation matrix entries of the member
// lifecycle routes (lifecycle.go).
func lifecycleIsoRoutes() map[string]isoRoute {
	org := "/v1/b2b/organizations/"
	deleted := func(w *isoWorld) string {
		m := w.member()
		verifyEmail(w.e, m)
		w.e.MustOK(w.e.Call("DELETE", memberPath(w.o1, m), nil))
		return m
	}
	return map[string]isoRoute{
		"PUT /v1/b2b/organizations/{organization_id}/members/{member_id}/reactivate": {build: func(w *isoWorld) isoCall {
			return isoCall{"PUT", memberPath(w.o1, deleted(w)) + "/reactivate", map[string]any{}}
		}},
		"GET /v1/b2b/organizations/members/dangerously_get/{member_id}": {build: func(w *isoWorld) isoCall {
			return isoCall{"GET", "/v1/b2b/organizations/members/dangerously_get/" + deleted(w) + "?include_deleted=true", nil}
		}},
		"DELETE /v1/b2b/organizations/{organization_id}/members/{member_id}/external_id": {build: func(w *isoWorld) isoCall {
			m := w.member()
			w.e.MustOK(w.e.Call("PUT", memberPath(w.o1, m), map[string]any{"external_id": w.uniq("ext")}))
			return isoCall{"DELETE", memberPath(w.o1, m) + "/external_id", nil}
		}},
		"POST /v1/b2b/organizations/{organization_id}/members/{member_id}/unlink_retired_email": {build: func(w *isoWorld) isoCall {
			m := w.member()
			old := w.e.MustOK(w.e.Call("GET", org+w.o1+"/member?member_id="+m, nil)).Obj("member")["email_address"].(string)
			w.e.MustOK(w.e.Call("PUT", memberPath(w.o1, m), map[string]any{"email_address": w.uniq("renamed") + "@one.example"}))
			return isoCall{"POST", memberPath(w.o1, m) + "/unlink_retired_email", map[string]any{"email_address": old}}
		}},
		"GET /v1/b2b/organizations/{organization_id}/metrics": {build: func(w *isoWorld) isoCall {
			w.member()
			return isoCall{"GET", org + w.o1 + "/metrics", nil}
		}},
		"DELETE /v1/b2b/organizations/{organization_id}/external_id": {build: func(w *isoWorld) isoCall {
			w.e.MustOK(w.e.Call("PUT", org+w.o1, map[string]any{"organization_external_id": w.uniq("ext-org")}))
			return isoCall{"DELETE", org + w.o1 + "/external_id", nil}
		}},
		// Exchanging into the session's own organization is the one exchange
		// that needs no second organization: it is enough for the control.
		"POST /v1/b2b/sessions/exchange": {build: func(w *isoWorld) isoCall {
			conn := w.keep(activeOIDC(w.e, w.o1))
			m := w.member()
			reg := registration(w.e, m, conn, w.uniq("subject"))
			s := mintSession(w.e, nil, w.o1, m, sessions.SSOFactor(store.KindOIDC, reg, w.e.Clock.Now()))
			w.keep(s.ID)
			return isoCall{"POST", "/v1/b2b/sessions/exchange", map[string]any{"organization_id": w.o1, "session_token": s.Token}}
		}},
	}
}
