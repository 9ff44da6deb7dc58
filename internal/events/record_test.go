package events

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/seamsso/seam/internal/ids"
	"github.com/seamsso/seam/internal/store"
)

func TestType(t *testing.T) {
	for _, c := range []struct {
		s    Source
		obj  string
		a    Action
		want string
	}{
		{SourceDirect, ObjectOrganization, Create, "direct.organization.create"},
		{SourceSCIM, ObjectMember, Update, "scim.member.update"},
		{SourceSetupLink, ObjectSAMLConnection, Delete, "setup_link.saml_connection.delete"},
		{SourceOperator, ObjectRedirectURL, Create, "operator.redirect_url.create"},
	} {
		if got := Type(c.s, c.obj, c.a); got != c.want {
			t.Errorf("Type(%s, %s, %s) = %q, want %q", c.s, c.obj, c.a, got, c.want)
		}
	}
}

func TestOrigin(t *testing.T) {
	if o := OriginFrom(context.Background()); o.Source != SourceOperator || o.Actor.Type != ActorSystem {
		t.Errorf("no origin: %+v", o)
	}
	ctx := WithOrigin(context.Background(), Origin{Source: SourceDirect, Actor: Actor{Type: ActorAPIKey, ID: "project-test-1"}})
	NoteMember(ctx, "member-test-1")
	o := OriginFrom(ctx)
	if o.Actor.Type != ActorMemberSession || o.Actor.MemberID != "member-test-1" || o.Actor.ID != "project-test-1" || o.Source != SourceDirect {
		t.Errorf("after NoteMember: %+v", o)
	}
	NoteMember(context.Background(), "member-test-2") // no origin: nothing to note, no panic
}

// captureQueries is a store.Queries that keeps the inserted events; the
// other methods are never called by Record (nil embedded interface).
type captureQueries struct {
	store.Queries
	got []*store.Event
}

func (c *captureQueries) InsertEvent(_ context.Context, e *store.Event) error {
	c.got = append(c.got, e)
	return nil
}

func TestRecordPayload(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 678901000, time.UTC)
	r := &Recorder{Now: func() time.Time { return now }, IDs: ids.Generator{Rand: strings.NewReader(strings.Repeat("x", 64))}}
	q := &captureQueries{}
	ctx := WithOrigin(context.Background(), Origin{Source: SourceDirect, Actor: Actor{Type: ActorAPIKey, ID: "project-live-1"}})
	obj := map[string]any{"organization_id": "organization-live-1", "organization_name": "Acme"}
	if err := r.Record(ctx, q, Change{ProjectID: "project-live-1", OrganizationID: "organization-live-1",
		ObjectType: ObjectOrganization, ObjectID: "organization-live-1", Action: Create, Object: obj}); err != nil {
		t.Fatal(err)
	}
	if err := r.Record(ctx, q, Change{ProjectID: "project-live-1", OrganizationID: "organization-live-1",
		ObjectType: ObjectOrganization, ObjectID: "organization-live-1", Action: Delete}); err != nil {
		t.Fatal(err)
	}
	if len(q.got) != 2 {
		t.Fatalf("%d events", len(q.got))
	}
	var body map[string]any
	if err := json.Unmarshal(q.got[0].Payload, &body); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"project_id": "project-live-1", "action": "CREATE", "object_type": "organization", "source": "DIRECT",
		"id": "organization-live-1", "timestamp": "2026-01-02T03:04:05.678901Z", "vertical": "B2B"}
	for k, v := range want {
		if body[k] != v {
			t.Errorf("%s = %v, want %v", k, body[k], v)
		}
	}
	if id, _ := body["event_id"].(string); !strings.HasPrefix(id, "webhook-event-live-") || id != q.got[0].ID {
		t.Errorf("event_id %q (stored %q)", id, q.got[0].ID)
	}
	if o, _ := body["organization"].(map[string]any); o["organization_name"] != "Acme" {
		t.Errorf("object under its type's key: %v", body["organization"])
	}
	if q.got[0].Type != "direct.organization.create" || q.got[0].ActorType != ActorAPIKey {
		t.Errorf("stored facts: %+v", q.got[0])
	}
	var del map[string]any
	_ = json.Unmarshal(q.got[1].Payload, &del)
	if _, has := del["organization"]; has || del["action"] != "DELETE" {
		t.Errorf("a DELETE carries no object: %v", del)
	}
	// An UPDATE without its object is a programming error, refused.
	if err := r.Record(ctx, q, Change{ProjectID: "p", ObjectType: ObjectMember, ObjectID: "m", Action: Update}); err == nil {
		t.Error("update without object recorded")
	}
	var nilRec *Recorder
	if err := nilRec.Record(ctx, q, Change{}); err != nil || len(q.got) != 2 {
		t.Errorf("nil recorder: %v, %d events", err, len(q.got))
	}
}

func TestValidType(t *testing.T) {
	for typ, want := range map[string]bool{
		"direct.organization.create": true, "scim.member.update": true, "setup_link.saml_connection.delete": true,
		"operator.webhook_endpoint.create": true, "dashboard.member.create": false, "direct.session.create": false,
		"direct.member.revoke": false, "direct.member": false, "": false, "direct.member.create.x": false,
	} {
		if got := ValidType(typ); got != want {
			t.Errorf("ValidType(%q) = %v", typ, got)
		}
	}
}

// mapPayload is the payload as it was encoded before it was written member
// by member: a map with the object under its type's key.
func mapPayload(e *store.Event, c Change) ([]byte, error) {
	m := map[string]any{
		"project_id": e.ProjectID, "event_id": e.ID, "action": e.Action, "object_type": e.ObjectType,
		"source": e.Source, "id": e.ObjectID, "timestamp": e.CreatedAt.Format(TimestampLayout), "vertical": "B2B",
	}
	if c.Action != Delete {
		m[c.ObjectType] = c.Object
	}
	return json.Marshal(m)
}

// TestPayloadIsTheMapEncoding: the payload written member by member equals,
// key by key and byte for byte, the map encoding it replaced, for every
// object type (its key sorts at a different place among the envelope's),
// an object given as a value or already encoded, DELETE, and values that
// need escaping.
func TestPayloadIsTheMapEncoding(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 678901000, time.UTC)
	view := struct {
		ID   string         `json:"id"`
		Name string         `json:"name"`
		Meta map[string]any `json:"meta"`
	}{"x-1", "A <b> & \"c\" \u2028 é", map[string]any{"z": 1, "a": []int{}}}
	raw, err := json.Marshal(view)
	if err != nil {
		t.Fatal(err)
	}
	types := []string{ObjectOrganization, ObjectMember, ObjectSAMLConnection, ObjectOIDCConnection,
		ObjectExternalConnection, ObjectSCIMConnection, ObjectSetupLink, ObjectProject, ObjectRedirectURL,
		ObjectProjectSecret, ObjectPublicToken, ObjectWebhookEndpoint, ObjectRBACPolicy, "a", "zz"}
	for _, typ := range types {
		for _, a := range []Action{Create, Update, Delete} {
			for _, obj := range []any{view, json.RawMessage(raw)} {
				e := &store.Event{ID: "webhook-event-test-1", ProjectID: "project-test-<&>", ObjectType: typ,
					ObjectID: "id\n\"1\"", Action: string(a), Source: string(SourceDirect), CreatedAt: now}
				c := Change{ObjectType: typ, Action: a, Object: obj}
				got, err := payload(e, c)
				if err != nil {
					t.Fatal(err)
				}
				want, err := mapPayload(e, c)
				if err != nil {
					t.Fatal(err)
				}
				var g, w map[string]json.RawMessage
				if err := json.Unmarshal(got, &g); err != nil {
					t.Fatalf("%s %s: %v in %s", typ, a, err, got)
				}
				_ = json.Unmarshal(want, &w)
				if len(g) != len(w) {
					t.Errorf("%s %s: %d keys, want %d", typ, a, len(g), len(w))
				}
				for k, v := range w {
					if string(g[k]) != string(v) {
						t.Errorf("%s %s: %s = %s, want %s", typ, a, k, g[k], v)
					}
				}
				if string(got) != string(want) {
					t.Errorf("%s %s: bytes\n%s\nwant\n%s", typ, a, got, want)
				}
			}
		}
	}
}
