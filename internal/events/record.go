package events

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/ids"
	"github.com/seamsso/seam/internal/store"
)

// Action is what happened to the object.
type Action string

const (
	Create Action = "CREATE"
	Update Action = "UPDATE"
	Delete Action = "DELETE"
)

// Object types. Stytch's own: organization, member, saml_connection,
// oidc_connection, scim_connection. Seam's: external_connection, and the
// project settings (project, redirect_url, project_secret, public_token),
// webhook_endpoint, setup_link.
const (
	ObjectOrganization       = "organization"
	ObjectMember             = "member"
	ObjectSAMLConnection     = "saml_connection"
	ObjectOIDCConnection     = "oidc_connection"
	ObjectExternalConnection = "external_connection"
	ObjectSCIMConnection     = "scim_connection"
	ObjectSetupLink          = "setup_link"
	ObjectProject            = "project"
	ObjectRedirectURL        = "redirect_url"
	ObjectProjectSecret      = "project_secret"
	ObjectPublicToken        = "public_token"
	ObjectWebhookEndpoint    = "webhook_endpoint"
	// ObjectRBACPolicy is a project's RBAC policy; its object ID is the
	// project ID.
	ObjectRBACPolicy = "rbac_policy"
)

// Change is one committed change to record.
type Change struct {
	ProjectID      string
	OrganizationID string // "" for project-level objects
	ObjectType     string
	ObjectID       string
	Action         Action
	// Object is the object's API JSON after the change (the value the API
	// returns for it, which never holds a secret or private key); it goes
	// under the object type's key for CREATE and UPDATE. Ignored for DELETE.
	Object any
}

// Recorder writes events. Time and identifiers are injected.
type Recorder struct {
	Now func() time.Time
	IDs ids.Generator
}

// EventIDPrefix is the prefix of event IDs (Stytch's "webhook-event-test-…").
const EventIDPrefix = "webhook-event"

// Record writes the event of c through q, which must be the transaction that
// makes the change. A nil Recorder records nothing (services built without
// events, in unit tests of other packages).
func (r *Recorder) Record(ctx context.Context, q store.Queries, c Change) error {
	e, err := r.Event(ctx, c)
	if e == nil || err != nil {
		return err
	}
	if err := q.InsertEvent(ctx, e); err != nil {
		return apierr.Internal(err)
	}
	return nil
}

// Event builds the event of c without writing it, for a store write that
// carries its event (store.Queries.CreateOrganization, UpdateConnection):
// c's object is the object as the write will leave it. A nil Recorder
// returns nil, which such a write takes as "no event".
func (r *Recorder) Event(ctx context.Context, c Change) (*store.Event, error) {
	if r == nil {
		return nil, nil
	}
	if c.ProjectID == "" || c.ObjectType == "" || c.ObjectID == "" || c.Action == "" {
		return nil, apierr.Internal(errors.New("events: incomplete change"))
	}
	o := OriginFrom(ctx)
	now := r.Now().UTC()
	e := &store.Event{
		ID:        r.IDs.New(EventIDPrefix, environmentOf(c.ProjectID)),
		ProjectID: c.ProjectID, OrganizationID: c.OrganizationID,
		ObjectType: c.ObjectType, ObjectID: c.ObjectID, Action: string(c.Action), Source: string(o.Source),
		Type:      Type(o.Source, c.ObjectType, c.Action),
		ActorType: o.Actor.Type, ActorID: o.Actor.ID, ActorMemberID: o.Actor.MemberID,
		CreatedAt: now,
	}
	body, err := payload(e, c)
	if err != nil {
		return nil, apierr.Internal(err)
	}
	e.Payload = body
	return e, nil
}

// Type is the event type: source.object_type.action, lower case.
func Type(s Source, objectType string, a Action) string {
	return strings.ToLower(string(s)) + "." + objectType + "." + strings.ToLower(string(a))
}

// environmentOf reads test or live from a project ID
// ("project-test-<uuid>").
func environmentOf(projectID string) ids.Environment {
	if strings.HasPrefix(projectID, ids.Project+"-"+string(ids.Live)+"-") {
		return ids.Live
	}
	return ids.Test
}

// TimestampLayout is the payload's timestamp form (ISO 8601, microseconds,
// as in Stytch's examples).
const TimestampLayout = "2006-01-02T15:04:05.000000Z"

// payload is the webhook body in Stytch's format. It is written member by
// member, not through a map: the members and their order are the ones
// encoding/json gives the map {envelope..., <object type>: object} (keys
// sorted), so the bytes are those of that encoding, without its boxing and
// sorting per event. An object given as json.RawMessage (encoded once by
// the domain for both the event and the API response, with encoding/json:
// compact and valid) is copied as is.
func payload(e *store.Event, c Change) (json.RawMessage, error) {
	var obj []byte
	if c.Action != Delete {
		if c.Object == nil {
			return nil, errors.New("events: " + e.Type + " without its object")
		}
		switch o := c.Object.(type) {
		case json.RawMessage:
			obj = o
		default:
			b, err := json.Marshal(o)
			if err != nil {
				return nil, err
			}
			obj = b
		}
	}
	members := [...]struct{ key, value string }{
		{"action", e.Action}, {"event_id", e.ID}, {"id", e.ObjectID}, {"object_type", e.ObjectType},
		{"project_id", e.ProjectID}, {"source", e.Source}, {"timestamp", e.CreatedAt.Format(TimestampLayout)},
		{"vertical", "B2B"},
	}
	b := make([]byte, 0, len(obj)+320)
	b = append(b, '{')
	placed := obj == nil
	for _, m := range members {
		if !placed && c.ObjectType < m.key {
			b, placed = append(appendKey(b, c.ObjectType), obj...), true
		}
		b = appendString(appendKey(b, m.key), m.value)
	}
	if !placed {
		b = append(appendKey(b, c.ObjectType), obj...)
	}
	return append(b, '}'), nil
}

// appendKey appends "key": to b, an object being written, after a comma
// unless it is the first member. Keys here need no escape.
func appendKey(b []byte, key string) []byte {
	if b[len(b)-1] != '{' {
		b = append(b, ',')
	}
	b = append(b, '"')
	b = append(b, key...)
	return append(b, '"', ':')
}

// appendString appends s as a JSON string, as encoding/json writes it.
// The envelope's values (IDs, enum words, a timestamp) are plain ASCII;
// anything else goes through encoding/json, so the bytes never differ.
func appendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s) // a string always encodes
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}
