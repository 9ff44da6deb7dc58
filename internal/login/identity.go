package login

import (
	"context"
	"errors"
	"fmt"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/linking"
	"github.com/seamsso/seam/internal/members"
	"github.com/seamsso/seam/internal/store"
)

// identity is what a verified IdP answer says about the member; it is stored
// with the one-time SSO token and turned into a member at authenticate.
type identity struct {
	// Kind is "saml" or "oidc": the protocol that verified the identity.
	Kind string `json:"kind"`
	// VerifiedBy is the SAML or OIDC connection whose IdP verified it.
	VerifiedBy string `json:"verified_by"`
	// ConnectionID is the connection the member logs in through: VerifiedBy,
	// or an External connection of another organization using it.
	ConnectionID string `json:"connection_id"`
	Subject      string `json:"subject"` // NameID or OIDC sub: the SSO registration's external_id
	Email        string `json:"email"`
	// EmailTrust is what the IdP said about Email (linking.EmailTrust).
	EmailTrust linking.EmailTrust `json:"email_trust"`
	// Transient marks a SAML transient NameID (never a registration key).
	Transient  bool                `json:"transient,omitempty"`
	Name       string              `json:"name"`
	Groups     []string            `json:"groups,omitempty"`
	Attributes map[string][]string `json:"attributes,omitempty"`
	// Redirect targets recorded at start (or the project defaults).
	LoginRedirectURL  string `json:"login_redirect_url"`
	SignupRedirectURL string `json:"signup_redirect_url"`
}

// member is the identity as the members package links it, under the
// identity-linking policy of the connection whose IdP verified it.
func (id *identity) member(policy linking.Policy) members.SSOIdentity {
	return members.SSOIdentity{
		ConnectionID: id.ConnectionID, ExternalID: id.Subject, Email: id.Email, Name: id.Name,
		Groups: id.Groups, Attributes: attributesAny(id.Attributes),
		EmailTrust: id.EmailTrust, Transient: id.Transient, Policy: policy,
	}
}

// linkPolicy reads the identity-linking policy of the connection that
// verified the identity: conn itself (already loaded by the caller), or for
// an External connection its source.
func (s *Service) linkPolicy(ctx context.Context, q store.Queries, conn *store.Connection, id *identity) (linking.Policy, error) {
	c, err := conn, error(nil)
	if id.VerifiedBy != conn.ID {
		c, err = q.GetConnection(ctx, conn.ProjectID, id.VerifiedBy)
	}
	if errors.Is(err, store.ErrNotFound) {
		return linking.Policy{}, apierr.NotFound("sso_connection_not_found", "The SSO connection of this login was deleted after the IdP answered; start the login again.")
	}
	if err != nil {
		return linking.Policy{}, apierr.Internal(err)
	}
	p, err := s.SSO.LinkPolicy(c)
	if err != nil {
		return linking.Policy{}, apierr.Internal(fmt.Errorf("identity-linking policy of %s: %w", c.ID, err))
	}
	return p, nil
}

// linkFacts is what the linking rule decided, as stored in login
// diagnostics (facts.identity_link) for the organization's admins.
type linkFacts struct {
	Action          linking.Action     `json:"action,omitempty"`
	Refused         string             `json:"refused,omitempty"` // the refusal reason
	MemberID        string             `json:"member_id,omitempty"`
	ConnectionID    string             `json:"connection_id,omitempty"` // the connection the member logs in through
	EmailTrust      linking.EmailTrust `json:"email_trust"`
	Transient       bool               `json:"transient_nameid,omitempty"`
	Subject         string             `json:"subject,omitempty"`
	PreviousSubject string             `json:"previous_subject,omitempty"`
	Policy          linking.Policy     `json:"policy"`
}

func newLinkFacts(id *identity, policy linking.Policy, r *members.Resolution) *linkFacts {
	f := &linkFacts{ConnectionID: id.ConnectionID, EmailTrust: id.EmailTrust, Transient: id.Transient, Policy: policy, Action: r.Action}
	if r.Refusal != nil {
		f.Refused = r.Refusal.Reason
	}
	if r.Member != nil {
		f.MemberID = r.Member.ID
	}
	if r.Action == linking.Relinked && r.Registration != nil {
		f.Subject, f.PreviousSubject = r.Key, r.Registration.ExternalID
	}
	return f
}
