package httpapi_test

import (
	"testing"

	"github.com/seamsso/seam/internal/apptest"
)

// TestSSOLoginRecordsMemberEvents: the first SSO login provisions the member
// just in time, which records direct.member.create with the member object;
// a returning login that changes nothing on the member records nothing.
func TestSSOLoginRecordsMemberEvents(t *testing.T) {
	apptest.ForEachBackend(t, func(t *testing.T, backend string) {
		f := newSAMLFixture(t, backend)
		e := f.e
		login := func() string {
			b := e.Browser()
			reqID, _ := f.start(t, b, "")
			resp, body := f.post(t, b, f.response(t, respOpts{inResponseTo: reqID}))
			token, _ := tokenFrom(t, resp, body)
			return e.MustOK(e.Call("POST", "/v1/b2b/sso/authenticate", map[string]any{"sso_token": token})).Str("member_id")
		}
		before := maxSeq(t, e)
		member := login()
		got := eventsAfter(t, e, before)
		if len(got) != 1 || got[0].typ != "direct.member.create" || got[0].actor != "api_key" {
			t.Fatalf("first login recorded %+v, want one direct.member.create", got)
		}
		r := e.MustOK(e.Call("GET", "/v1/events?object_id="+member, nil))
		evs := r.Body["events"].([]any)
		payload := evs[0].(map[string]any)["payload"].(map[string]any)
		if payload["member"].(map[string]any)["email_address"] != "ada@acme.example" {
			t.Errorf("member.create payload %v", payload)
		}
		before = maxSeq(t, e)
		if login() != member {
			t.Fatal("returning login made another member")
		}
		if got := eventsAfter(t, e, before); len(got) != 0 {
			t.Errorf("a returning login that changed nothing recorded %+v", got)
		}
	})
}
