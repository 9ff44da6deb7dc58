package httpapi_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/seamsso/seam/internal/apptest"
)

// TestEventObjectIsTheResponseObject: the writes that carry their event
// (an organization create, a connection update) build the event's object
// before the write, from the values in memory; it must be the object the
// API answers with.
func TestEventObjectIsTheResponseObject(t *testing.T) {
	apptest.ForEachBackend(t, func(t *testing.T, backend string) {
		e, w := newIsoWorld(t, backend, "events-idp")
		iso := isoRoutes()
		tests := []struct{ route, key string }{
			{"POST /v1/b2b/organizations", "organization"},
			{"PUT /v1/b2b/sso/saml/{organization_id}/connections/{connection_id}", "connection"},
			{"PUT /v1/b2b/sso/saml/{organization_id}/connections/{connection_id}/url", "connection"},
			{"PUT /v1/b2b/sso/oidc/{organization_id}/connections/{connection_id}", "connection"},
			{"PUT /v1/b2b/sso/external/{organization_id}/connections/{connection_id}", "connection"},
		}
		for _, tt := range tests {
			t.Run(tt.route, func(t *testing.T) {
				w.t = t
				call := iso[tt.route].build(w)
				before := maxSeq(t, e)
				resp := e.MustOK(e.Do(apptest.Request{Method: call.method, Path: call.path, Body: call.body}))
				got := eventsAfter(t, e, before)
				if len(got) != 1 {
					t.Fatalf("%d events, want 1", len(got))
				}
				var payload map[string]any
				if err := json.Unmarshal([]byte(got[0].payload), &payload); err != nil {
					t.Fatal(err)
				}
				obj := payload[payload["object_type"].(string)]
				if want := resp.Body[tt.key]; obj == nil || !reflect.DeepEqual(obj, want) {
					t.Errorf("event object\n%v\nresponse %s\n%v", obj, tt.key, want)
				}
			})
		}
	})
}
