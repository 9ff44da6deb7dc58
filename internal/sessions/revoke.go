package sessions

import (
	"context"
	"errors"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/members"
	"github.com/seamsso/seam/internal/rbac"
	"github.com/seamsso/seam/internal/store"
)

// RevokeParams is the body of POST /v1/b2b/sessions/revoke: exactly one of
// the fields names what to revoke.
type RevokeParams struct {
	MemberSessionID string `json:"member_session_id"`
	SessionToken    string `json:"session_token"`
	SessionJWT      string `json:"session_jwt"`
	MemberID        string `json:"member_id"` // every session of the member
}

// Revoke deletes a session, or every session of a member. A member session
// needs stytch.member revoke-sessions on the member whose sessions go
// (stytch.self for its own), checked before anything is deleted.
func (s *Service) Revoke(ctx context.Context, pr rbac.Principal, p *store.Project, in RevokeParams) error {
	authorize := func(m *store.Member) error {
		return pr.Require(m.OrganizationID, m.ID, rbac.Need{Resource: rbac.ResourceMember, Action: "revoke-sessions", SelfOK: true})
	}
	n := 0
	for _, v := range []string{in.MemberSessionID, in.SessionToken, in.SessionJWT, in.MemberID} {
		if v != "" {
			n++
		}
	}
	switch {
	case n == 0:
		return apierr.BadRequest("invalid_argument", "Pass one of member_session_id, session_token, session_jwt or member_id.")
	case n > 1:
		return tooManyArguments("Pass only one of member_session_id, session_token, session_jwt or member_id.")
	}
	return s.Store.Tx(ctx, func(q store.Queries) error {
		var sess *store.MemberSession
		var err error
		switch {
		case in.MemberID != "":
			if len(in.MemberID) > 256 {
				return members.NotFound()
			}
			m, err := q.GetMember(ctx, p.ID, in.MemberID)
			if errors.Is(err, store.ErrNotFound) || (err == nil && members.IsDeleted(m)) {
				return members.NotFound()
			}
			if err != nil {
				return apierr.Internal(err)
			}
			if err := authorize(m); err != nil {
				return err
			}
			if _, err := q.DeleteMemberSessions(ctx, p.ID, m.ID); err != nil {
				return apierr.Internal(err)
			}
			return nil
		case in.MemberSessionID != "":
			if len(in.MemberSessionID) > 256 {
				return NotFound()
			}
			sess, err = s.live(q.GetSession(ctx, p.ID, in.MemberSessionID))
		case in.SessionToken != "":
			sess, err = s.byToken(ctx, q, p, in.SessionToken)
		default:
			sess, err = s.byJWT(ctx, q, p, in.SessionJWT, nil)
		}
		if err != nil {
			return err
		}
		if pr.IsSession() {
			m, err := q.GetMember(ctx, p.ID, sess.MemberID)
			if err != nil {
				return apierr.Internal(err)
			}
			if err := authorize(m); err != nil {
				return err
			}
		}
		if err := q.DeleteSession(ctx, p.ID, sess.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
			return apierr.Internal(err)
		}
		return nil
	})
}

// PurgeExpired deletes every expired session of every project. Sessions
// expire on their own; this only reclaims space, so the app may call it
// now and then.
func (s *Service) PurgeExpired(ctx context.Context) (int, error) {
	return s.Store.DeleteExpiredSessions(ctx, s.Now())
}
