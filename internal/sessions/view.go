package sessions

import (
	"context"
	"encoding/json"
	"time"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/members"
	"github.com/seamsso/seam/internal/store"
)

// MemberSession is the API representation (Stytch's MemberSession object).
type MemberSession struct {
	MemberSessionID       string          `json:"member_session_id"`
	MemberID              string          `json:"member_id"`
	StartedAt             time.Time       `json:"started_at"`
	LastAccessedAt        time.Time       `json:"last_accessed_at"`
	ExpiresAt             time.Time       `json:"expires_at"`
	AuthenticationFactors json.RawMessage `json:"authentication_factors"`
	OrganizationID        string          `json:"organization_id"`
	Roles                 []string        `json:"roles"`
	OrganizationSlug      string          `json:"organization_slug"`
	CustomClaims          json.RawMessage `json:"custom_claims"`
}

// View renders a session with the roles it holds.
func View(sess *store.MemberSession, org *store.Organization, roles []string) *MemberSession {
	if roles == nil {
		roles = []string{}
	}
	factors, claims := sess.AuthenticationFactors, sess.CustomClaims
	if len(factors) == 0 {
		factors = json.RawMessage("[]")
	}
	if len(claims) == 0 {
		claims = json.RawMessage("{}")
	}
	return &MemberSession{
		MemberSessionID: sess.ID, MemberID: sess.MemberID, StartedAt: sess.StartedAt, LastAccessedAt: sess.LastAccessedAt,
		ExpiresAt: sess.ExpiresAt, AuthenticationFactors: factors, OrganizationID: org.ID, Roles: roles,
		OrganizationSlug: org.Slug, CustomClaims: claims,
	}
}

// List returns the live sessions of a member of org (member ID or external
// ID), each with the roles it holds.
func (s *Service) List(ctx context.Context, org *store.Organization, memberRef string) ([]*MemberSession, error) {
	m, err := s.Members.Get(ctx, s.Store, org, memberRef)
	if err != nil {
		return nil, err
	}
	list, err := s.Store.ListMemberSessions(ctx, org.ProjectID, m.ID, s.Now())
	if err != nil {
		return nil, apierr.Internal(err)
	}
	policy, err := s.Policies.For(ctx, s.Store, org.ProjectID)
	if err != nil {
		return nil, apierr.Internal(err)
	}
	roles, err := s.Members.Roles(ctx, s.Store, policy, org, m, nil)
	if err != nil {
		return nil, err
	}
	out := make([]*MemberSession, 0, len(list))
	for _, sess := range list {
		if sess.ExpiresAt.Unix() <= s.Now().Unix() {
			continue
		}
		out = append(out, View(sess, org, members.SessionRoles(roles, members.SSOFactorConnections(sess.AuthenticationFactors))))
	}
	return out, nil
}
