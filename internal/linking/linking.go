// Package linking is the rule that decides who an SSO login becomes: the
// member its registration names, an existing member found by email, a new
// member, or nobody. It is pure: the members package does the lookups and
// the writes, and every login surface (SAML, OIDC, External connections)
// goes through it. docs/identity-linking.md states the rule in prose; the
// table in linking_test.go proves it.
//
// The rule in one paragraph: a registration (connection, IdP subject)
// identifies a returning user, whatever email the IdP now sends. An email
// links a subject the connection has never seen to an existing member only
// when the IdP vouches for the address, and never moves a member's
// registration to a different subject unless the connection explicitly
// allows it (and then the move is recorded). An address the IdP says is
// unverified neither links, creates nor marks anything verified.
package linking

import (
	"bytes"
	"encoding/json"
	"net/http"

	"github.com/seamsso/seam/internal/apierr"
)

// EmailTrust is what the IdP said about the email address it asserted.
type EmailTrust string

// The three things an IdP can say about an address.
const (
	// EmailVerified: OIDC email_verified true (or Entra ID's xms_edov true
	// without email_verified), or the email of a SAML assertion signed by
	// the connection's IdP.
	EmailVerified EmailTrust = "verified"
	// EmailUnverified: OIDC email_verified false (or a value that is not a
	// boolean), or xms_edov false.
	EmailUnverified EmailTrust = "unverified"
	// EmailUnstated: the IdP said nothing: no email_verified claim, or the
	// email was read from another claim than "email" (email_verified speaks
	// only of "email").
	EmailUnstated EmailTrust = "unstated"
)

// Values of Policy.MissingEmailVerified.
const (
	MissingTrusted   = "TRUSTED"
	MissingUntrusted = "UNTRUSTED"
)

// Values of Policy.SubjectChange.
const (
	SubjectChangeRefuse = "REFUSE"
	SubjectChangeRelink = "RELINK"
)

// Policy is a connection's identity_linking setting (a Seam extension).
// External connections use the policy of their source connection: the
// setting describes the IdP.
type Policy struct {
	// MissingEmailVerified decides what an unstated email counts as (OIDC
	// only; SAML assertions always vouch for their email).
	MissingEmailVerified string `json:"missing_email_verified,omitempty"`
	// SubjectChange decides what happens when a vouched email names a member
	// whose registration with the connection has another subject.
	SubjectChange string `json:"subject_change"`
}

// UnmarshalJSON refuses unknown keys: a misspelt setting must not silently
// leave a default in force.
func (p *Policy) UnmarshalJSON(b []byte) error {
	type plain Policy
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var v plain
	if err := dec.Decode(&v); err != nil {
		return apierr.BadRequest("invalid_identity_linking",
			"identity_linking must be an object with the string fields subject_change and (OIDC connections only) missing_email_verified.")
	}
	*p = Policy(v)
	return nil
}

// DefaultMissingEmailVerified is the policy for an unstated email when the
// connection sets none: TRUSTED for Microsoft Entra ID, which never sends
// email_verified (its email claim is a directory attribute its tenant's
// administrators set, and Seam honours xms_edov when the app sends it),
// UNTRUSTED for every other provider, since the providers that verify
// addresses say so and silence from them is no statement.
func DefaultMissingEmailVerified(identityProvider string) string {
	if identityProvider == "microsoft-entra" {
		return MissingTrusted
	}
	return MissingUntrusted
}

// Effective fills the policy's unset fields with their defaults.
func (p Policy) Effective(identityProvider string, oidc bool) Policy {
	if p.SubjectChange == "" {
		p.SubjectChange = SubjectChangeRefuse
	}
	if !oidc {
		p.MissingEmailVerified = ""
	} else if p.MissingEmailVerified == "" {
		p.MissingEmailVerified = DefaultMissingEmailVerified(identityProvider)
	}
	return p
}

// Vouched reports whether an email with trust t may link or create a member
// under p.
func (p Policy) Vouched(t EmailTrust) bool {
	return t == EmailVerified || (t == EmailUnstated && p.MissingEmailVerified == MissingTrusted)
}

// Action is what a login does to the member it resolves to.
type Action string

// The outcomes of Decide that log somebody in.
const (
	// Returning: the registration (connection, subject) names the member.
	Returning Action = "returning"
	// Linked: an existing member matched by a vouched email gets its first
	// registration with the connection.
	Linked Action = "linked"
	// MatchedByEmail: a transient NameID matched a member by a vouched email;
	// the member's existing registration is left as it is.
	MatchedByEmail Action = "matched_by_email"
	// Relinked: the member's registration moves to the new subject because
	// the connection's subject_change is RELINK. Always recorded.
	Relinked Action = "relinked"
	// Created: a new member, provisioned just in time.
	Created Action = "created"
	// NoMember: nobody matches and just-in-time provisioning is not allowed.
	NoMember Action = "no_member"
)

// Facts are what the lookups found for one login.
type Facts struct {
	Email     string // the address the IdP asserted (for messages)
	Trust     EmailTrust
	Transient bool // a SAML transient NameID: not a registration key
	// Registered: a registration of the connection has the login's key.
	Registered bool
	// EmailMember: a member of the organization has the email.
	EmailMember bool
	// EmailMemberSubject is that member's registration subject with the
	// connection, "" when it has none.
	EmailMemberSubject string
	AllowJIT           bool // the organization's sso_jit_provisioning allows this connection
}

// Decision is the outcome of Decide: an Action, or a Refusal.
type Decision struct {
	Action  Action
	Refusal *Refusal
	// MarkVerified: the member's email_address_verified may become true
	// (only ever when the IdP said the address is verified, and only for the
	// member's own address).
	MarkVerified bool
}

// Decide applies the rule to what the lookups found.
func Decide(p Policy, f Facts) Decision {
	d := Decision{MarkVerified: f.Trust == EmailVerified}
	switch {
	case f.Registered && (!f.Transient || p.Vouched(f.Trust)):
		// A transient login's key is its vouched email, never the NameID.
		d.Action = Returning
	case !f.EmailMember && !f.AllowJIT:
		d.Action = NoMember
	case !p.Vouched(f.Trust):
		d.Refusal = emailRefusal(p, f)
	case !f.EmailMember:
		d.Action = Created
	case f.EmailMemberSubject == "":
		d.Action = Linked
	case f.Transient:
		d.Action = MatchedByEmail
	case p.SubjectChange == SubjectChangeRelink:
		d.Action = Relinked
	default:
		d.Refusal = &Refusal{Reason: ReasonSubjectChanged, ErrorType: "sso_subject_changed",
			Message: "The member with the email address " + apierr.Quote(f.Email) + " is registered with this connection under another IdP subject, " +
				"and the connection's identity_linking.subject_change is REFUSE, so the new subject is not linked to it. " +
				"If the IdP really changed the user's identifier (for example after an IdP migration), set identity_linking.subject_change to RELINK on the connection for the migration; every move is recorded in the connection's login attempts."}
	}
	if d.Refusal != nil {
		d.MarkVerified = false
	}
	return d
}

// Reasons, as stored in login diagnostics (the outcome of an attempt).
const (
	ReasonEmailNotVerified = "email_not_verified"
	ReasonSubjectChanged   = "subject_changed"
)

// Refusal is a login the rule refuses. It is shown on the browser's failure
// page, stored with the login attempt, and returned by sso.authenticate.
type Refusal struct {
	Reason    string
	ErrorType string
	Message   string
}

func (r *Refusal) Error() string { return r.ErrorType + ": " + r.Message }

// APIError is the refusal as an API error (403, like
// sso_jit_provisioning_not_allowed).
func (r *Refusal) APIError() *apierr.Error {
	return apierr.New(http.StatusForbidden, r.ErrorType, r.Message)
}

func emailRefusal(p Policy, f Facts) *Refusal {
	r := &Refusal{Reason: ReasonEmailNotVerified, ErrorType: "sso_email_not_verified"}
	what := "link this login to a member"
	if !f.EmailMember {
		what = "create a member"
	}
	if f.Trust == EmailUnverified {
		r.Message = "The identity provider says the email address " + apierr.Quote(f.Email) + " is not verified (email_verified is false), " +
			"and Seam does not " + what + " by an unverified address. Verify the address at the identity provider, then sign in again."
		return r
	}
	r.Message = "The identity provider did not state that the email address " + apierr.Quote(f.Email) + " is verified (no email_verified claim for it), " +
		"and the connection's identity_linking.missing_email_verified is " + p.MissingEmailVerified + ", so Seam does not " + what + " by it. " +
		"If this provider only asserts addresses its administrators control, set identity_linking.missing_email_verified to TRUSTED on the connection."
	return r
}

// Validate checks a policy as an API client sent it. oidc says whether the
// connection is an OIDC connection (missing_email_verified applies only
// there).
func (p Policy) Validate(oidc bool) error {
	switch p.SubjectChange {
	case "", SubjectChangeRefuse, SubjectChangeRelink:
	default:
		return apierr.BadRequest("invalid_identity_linking", "identity_linking.subject_change must be REFUSE or RELINK.")
	}
	switch {
	case p.MissingEmailVerified == "":
	case !oidc:
		return apierr.BadRequest("invalid_identity_linking",
			"identity_linking.missing_email_verified applies to OIDC connections only; a SAML assertion signed by the IdP vouches for its email.")
	case p.MissingEmailVerified != MissingTrusted && p.MissingEmailVerified != MissingUntrusted:
		return apierr.BadRequest("invalid_identity_linking", "identity_linking.missing_email_verified must be TRUSTED or UNTRUSTED.")
	}
	return nil
}
