package events

import "context"

// Source is the surface a change came through; its lower-case form is the
// first segment of the event type (Stytch's source.object_type.action).
type Source string

const (
	// SourceDirect: the API with the project secret or a member session.
	SourceDirect Source = "DIRECT"
	// SourceSCIM: an identity provider's SCIM client.
	SourceSCIM Source = "SCIM"
	// SourceSetupLink: the setup page an IT admin opened from a setup link
	// (a Seam source; Stytch's nearest is DASHBOARD).
	SourceSetupLink Source = "SETUP_LINK"
	// SourceOperator: the operator's tooling, the seam CLI and the project
	// administration API (a Seam source).
	SourceOperator Source = "OPERATOR"
)

// Actor kinds: who, within the source, made the change.
const (
	ActorAPIKey        = "api_key"        // ID: the project ID whose secret authenticated
	ActorMemberSession = "member_session" // MemberID: the acting member
	ActorSCIMToken     = "scim_token"     // ID: the SCIM connection
	ActorSetupLink     = "setup_link"     // ID: the setup link
	ActorWorkspaceKey  = "workspace_key"  // ID: the workspace key
	ActorCLI           = "cli"
	ActorSystem        = "system" // Seam itself (bootstrap, maintenance)
)

// Actor is who made a change.
type Actor struct {
	Type     string `json:"type"`
	ID       string `json:"id,omitempty"`
	MemberID string `json:"member_id,omitempty"`
}

// Origin is the source and actor of the changes made while handling one
// call.
type Origin struct {
	Source Source
	Actor  Actor
}

type ctxKey struct{}

// WithOrigin returns ctx carrying o. The value is shared by pointer so that
// NoteMember, called deeper where a member session resolves, reaches the
// recorder (the same per-request pattern as logctx.Note).
func WithOrigin(ctx context.Context, o Origin) context.Context {
	return context.WithValue(ctx, ctxKey{}, &o)
}

// NoteMember records that a member session makes the call: changes recorded
// afterwards name the member. Without an origin in ctx it does nothing.
func NoteMember(ctx context.Context, memberID string) {
	if o, ok := ctx.Value(ctxKey{}).(*Origin); ok && memberID != "" {
		o.Actor = Actor{Type: ActorMemberSession, ID: o.Actor.ID, MemberID: memberID}
	}
}

// OriginFrom is the origin in ctx; without one, Seam itself (a change no
// caller asked for, such as the bootstrap project).
func OriginFrom(ctx context.Context) Origin {
	if o, ok := ctx.Value(ctxKey{}).(*Origin); ok {
		return *o
	}
	return Origin{Source: SourceOperator, Actor: Actor{Type: ActorSystem}}
}
