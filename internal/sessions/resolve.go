package sessions

import (
	"context"
	"errors"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/bearer"
	"github.com/seamsso/seam/internal/members"
	"github.com/seamsso/seam/internal/sessionjwt"
	"github.com/seamsso/seam/internal/store"
)

// byToken finds the live session of a token.
func (s *Service) byToken(ctx context.Context, q store.Queries, p *store.Project, token string) (*store.MemberSession, error) {
	if token == "" || len(token) > bearer.MaxLength {
		return nil, NotFound()
	}
	sess, err := q.GetSessionByTokenHash(ctx, p.ID, bearer.Hash(token))
	return s.live(sess, err)
}

// byJWT verifies a session JWT and finds its live session. As in Stytch, an
// authentic JWT past its exp still names its session: the session record
// decides whether it is alive. ks are the project's published keys, loaded
// through q when nil.
func (s *Service) byJWT(ctx context.Context, q store.Queries, p *store.Project, jwt string, ks []sessionjwt.SigningKey) (*store.MemberSession, error) {
	if ks == nil {
		var err error
		if ks, err = s.verificationKeys(ctx, q, p); err != nil {
			return nil, err
		}
	}
	claims, err := s.verifyJWT(ctx, q, p, jwt, ks)
	if err != nil {
		return nil, err
	}
	sess, err := q.GetSession(ctx, p.ID, claims.Session.ID)
	sess, err = s.live(sess, err)
	if err != nil {
		return nil, err
	}
	if sess.MemberID != claims.MemberID || sess.OrganizationID != claims.Organization.OrganizationID {
		return nil, NotFound()
	}
	return sess, nil
}

// verifyJWT checks a session JWT's signature and claims against ks,
// ignoring its expiry (the session record decides).
func (s *Service) verifyJWT(ctx context.Context, q store.Queries, p *store.Project, jwt string, ks []sessionjwt.SigningKey) (*sessionjwt.Claims, error) {
	claims, err := sessionjwt.VerifyIgnoringExpiry(jwt, ks, p.ID, s.Issuer, s.Now())
	if apierr.TypeOf(err) == sessionjwt.TypeUnparsable && s.foreignKID(ctx, q, p, jwt) {
		// Named a key of another project: reported as that project's token
		// (wrong audience). Only the error type depends on this; the token is
		// refused either way.
		return nil, sessionjwt.AudienceError()
	}
	return claims, err
}

// subjectByCredential is resolveWith followed by subjectOf, with the
// session, its member and its organization read in one query when one
// credential is given. ks are the published keys (loaded when nil).
func (s *Service) subjectByCredential(ctx context.Context, p *store.Project, token, jwt string, ks []sessionjwt.SigningKey) (*Subject, error) {
	if token != "" && jwt != "" || token == "" && jwt == "" {
		sess, err := s.resolveWith(ctx, s.Store, p, token, jwt, ks)
		if err != nil {
			return nil, err
		}
		return s.subjectOf(ctx, s.Store, p, sess)
	}
	var ss *store.SessionSubject
	var err error
	if jwt == "" {
		if len(token) > bearer.MaxLength {
			return nil, NotFound()
		}
		ss, err = s.Store.GetSessionSubject(ctx, p.ID, "", bearer.Hash(token))
	} else {
		if ks == nil {
			if ks, err = s.verificationKeys(ctx, s.Store, p); err != nil {
				return nil, err
			}
		}
		// The same token verified within the last second against a key
		// still in the set is not verified again (verifiedMemo).
		key, now := verifiedKey(p.ID, jwt), s.Now()
		claims, ok := s.verified.get(key, ks, now)
		if !ok {
			var verr error
			if claims, verr = s.verifyJWT(ctx, s.Store, p, jwt, ks); verr != nil {
				return nil, verr
			}
			kid, _ := headerKID(jwt) // it verified, so it named a key
			s.verified.put(key, verifiedJWT{claims: claims, kid: kid, at: now})
		}
		if ss, err = s.Store.GetSessionSubject(ctx, p.ID, claims.Session.ID, nil); err == nil &&
			(ss.Session.MemberID != claims.MemberID || ss.Session.OrganizationID != claims.Organization.OrganizationID) {
			return nil, NotFound()
		}
	}
	var sess *store.MemberSession
	if ss != nil {
		sess = ss.Session
	}
	if sess, err = s.live(sess, err); err != nil {
		return nil, err
	}
	if members.IsDeleted(ss.Member) {
		return nil, NotFound()
	}
	policy, err := s.policyOf(p)
	if err != nil {
		return nil, err
	}
	roles, err := s.sessionRoles(ctx, s.Store, policy, ss.Organization, ss.Member, sess)
	if err != nil {
		return nil, err
	}
	return &Subject{Session: sess, Member: ss.Member, Org: ss.Organization, Roles: roles, Policy: policy}, nil
}

// live maps a lookup to the session if it exists and has not expired.
func (s *Service) live(sess *store.MemberSession, err error) (*store.MemberSession, error) {
	if errors.Is(err, store.ErrNotFound) {
		return nil, NotFound()
	}
	if err != nil {
		return nil, apierr.Internal(err)
	}
	// Whole seconds: a JWT cannot be minted for a session expiring within
	// the current second.
	if sess.ExpiresAt.Unix() <= s.Now().Unix() {
		return nil, NotFound()
	}
	return sess, nil
}

// resolve finds the session named by a token, a JWT or both. Both must then
// name the same session.
func (s *Service) resolve(ctx context.Context, q store.Queries, p *store.Project, token, jwt string) (*store.MemberSession, error) {
	return s.resolveWith(ctx, q, p, token, jwt, nil)
}

// resolveWith is resolve with the project's published keys already loaded
// (nil: load them when a JWT is given).
func (s *Service) resolveWith(ctx context.Context, q store.Queries, p *store.Project, token, jwt string, ks []sessionjwt.SigningKey) (*store.MemberSession, error) {
	switch {
	case token == "" && jwt == "":
		return nil, apierr.BadRequest("invalid_argument", "A session_token or a session_jwt is required.")
	case jwt == "":
		return s.byToken(ctx, q, p, token)
	case token == "":
		return s.byJWT(ctx, q, p, jwt, ks)
	}
	a, err := s.byToken(ctx, q, p, token)
	if err != nil {
		return nil, err
	}
	b, err := s.byJWT(ctx, q, p, jwt, ks)
	if err != nil {
		return nil, err
	}
	if a.ID != b.ID {
		return nil, tooManyArguments("The session token and the session JWT belong to different sessions.")
	}
	return a, nil
}

// subjectOf loads the member and organization of a session and the roles
// the session holds.
func (s *Service) subjectOf(ctx context.Context, q store.Queries, p *store.Project, sess *store.MemberSession) (*Subject, error) {
	m, err := q.GetMember(ctx, p.ID, sess.MemberID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && members.IsDeleted(m)) {
		return nil, NotFound()
	}
	if err != nil {
		return nil, apierr.Internal(err)
	}
	org, err := q.GetOrganization(ctx, p.ID, sess.OrganizationID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, NotFound()
	}
	if err != nil {
		return nil, apierr.Internal(err)
	}
	policy, err := s.policyOf(p)
	if err != nil {
		return nil, err
	}
	roles, err := s.sessionRoles(ctx, q, policy, org, m, sess)
	if err != nil {
		return nil, err
	}
	return &Subject{Session: sess, Member: m, Org: org, Roles: roles, Policy: policy}, nil
}
