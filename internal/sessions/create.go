package sessions

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"time"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/ids"
	"github.com/seamsso/seam/internal/members"
	"github.com/seamsso/seam/internal/sessionjwt"
	"github.com/seamsso/seam/internal/store"
)

// Grant describes a successful authentication of a member: the factor it
// proved and the session it should produce.
type Grant struct {
	Factor Factor
	// DurationMinutes sets the session to expire this many minutes from now;
	// 0 means DefaultDurationMinutes.
	DurationMinutes int
	// CustomClaims are session_custom_claims (null values delete keys,
	// reserved names are ignored).
	CustomClaims map[string]json.RawMessage
	// SessionToken / SessionJWT name an existing session of the same member
	// to add the factor to (and extend) instead of starting a new one.
	SessionToken string
	SessionJWT   string
	Attributes   sessionjwt.SessionAttributes
}

// Issued is a session handed to a client.
type Issued struct {
	Session *store.MemberSession
	// Token is the session token: new for a new session, the given token for
	// an existing one, and "" when an existing session was named only by its
	// JWT (only token hashes are stored, so the token cannot be recovered).
	Token string
	JWT   string
	Roles []string
}

// Create starts a session for member m of org after it authenticated with
// factor, lasting durationMinutes (0: 60), with custom claims, and returns
// the session, its token and a session JWT.
func (s *Service) Create(ctx context.Context, p *store.Project, org *store.Organization, m *store.Member, factor Factor,
	durationMinutes int, customClaims map[string]json.RawMessage) (*store.MemberSession, string, string, error) {
	out, err := s.Grant(ctx, p, org, m, Grant{Factor: factor, DurationMinutes: durationMinutes, CustomClaims: customClaims})
	if err != nil {
		return nil, "", "", err
	}
	return out.Session, out.Token, out.JWT, nil
}

// Grant issues a session for a member that just authenticated: a new
// session, or, when g names an existing session of the same member, that
// session with the factor added and its lifetime reset to the duration.
func (s *Service) Grant(ctx context.Context, p *store.Project, org *store.Organization, m *store.Member, g Grant) (*Issued, error) {
	pg, err := s.Prepare(ctx, p, g)
	if err != nil {
		return nil, err
	}
	// The key is settled outside the session transaction: creating it may
	// lose a race, which must not abort the session write.
	if err := pg.settleKey(ctx); err != nil {
		return nil, err
	}
	if err := s.Store.Tx(ctx, func(q store.Queries) error { return pg.Write(ctx, q, org, m, g.Factor, nil) }); err != nil {
		return nil, err
	}
	return pg.Issue(ctx)
}

// PendingGrant is a Grant in three steps, so that a caller can write the
// session in a transaction of its own (an SSO login writes it with the
// member's link: one commit): Prepare before the transaction, Write in
// it, Issue after the commit. Issue settles the project's signing key
// (creating the first one), outside the transaction: creating it may lose
// a race, which must not abort the session write, and a request refused
// before Write creates nothing.
type PendingGrant struct {
	s       *Service
	p       *store.Project
	org     *store.Organization
	g       Grant
	minutes int
	key     *sessionjwt.SigningKey
	attrs   []byte
	m       *store.Member
	out     *Issued
}

// Prepare checks g; it reads and writes nothing.
func (s *Service) Prepare(ctx context.Context, p *store.Project, g Grant) (*PendingGrant, error) {
	minutes := g.DurationMinutes
	if minutes == 0 {
		minutes = DefaultDurationMinutes
	}
	if err := validateDuration(minutes); err != nil {
		return nil, err
	}
	attrs, err := json.Marshal(g.Attributes)
	if err != nil {
		return nil, apierr.Internal(err)
	}
	return &PendingGrant{s: s, p: p, g: g, minutes: minutes, attrs: attrs}, nil
}

// settleKey reads (or creates) the project's current signing key. A key
// set read at most keySetTTL ago (the memo sessions.authenticate uses)
// names only published keys, so its newest signs, unless it is due for
// rotation: then the set is read, and the key replaced, as always.
func (pg *PendingGrant) settleKey(ctx context.Context) error {
	if pg.key != nil {
		return nil
	}
	s, now := pg.s, pg.s.Now()
	if ks, ok := s.sets.get(pg.p.ID, now); ok && len(ks) > 0 && now.Sub(ks[0].CreatedAt) < s.rotation() {
		pg.key = &ks[0]
		return nil
	}
	ks, err := s.signingKeys(ctx, pg.p)
	if err != nil {
		return err
	}
	s.sets.put(pg.p.ID, ks, now)
	pg.key = &ks[0]
	return nil
}

// Write stores the session of member m of org, who proved factor, through
// q (a transaction). memberRoles are m's roles when the caller has just
// computed them in the same transaction; nil loads them through q.
func (pg *PendingGrant) Write(ctx context.Context, q store.Queries, org *store.Organization, m *store.Member, factor Factor, memberRoles []members.MemberRole) error {
	s, p, g := pg.s, pg.p, pg.g
	if m.ProjectID != p.ID || m.OrganizationID != org.ID || org.ProjectID != p.ID {
		return apierr.Internal(errors.New("sessions: member, organization and project do not belong together"))
	}
	out := &Issued{Token: g.SessionToken}
	// The member row is locked and read again, as Delete Member and
	// SCIM deprovisioning lock it before they revoke its sessions: a
	// session is never created for a member deleted meanwhile.
	locked, err := q.GetOrgMemberForUpdate(ctx, p.ID, org.ID, m.ID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && members.IsDeleted(locked)) {
		return members.NotFound()
	}
	if err != nil {
		return apierr.Internal(err)
	}
	now := s.Now()
	var sess *store.MemberSession
	isNew := false
	if g.SessionToken != "" || g.SessionJWT != "" {
		existing, err := s.resolve(ctx, q, p, g.SessionToken, g.SessionJWT)
		if err != nil {
			return err
		}
		if existing.MemberID != m.ID {
			return apierr.BadRequest("session_member_mismatch", "The given session belongs to another member.")
		}
		// Revoked or expired since it was resolved: not found, as for
		// any dead session.
		if sess, err = s.live(q.GetSessionForUpdate(ctx, p.ID, existing.ID)); err != nil {
			return err
		}
	} else {
		token, hash, err := s.newToken()
		if err != nil {
			return apierr.Internal(err)
		}
		out.Token, isNew = token, true
		sess = &store.MemberSession{
			ProjectID: p.ID, OrganizationID: org.ID, MemberID: m.ID, ID: s.IDs.New(ids.MemberSession, env(p)),
			TokenHash: hash, AuthenticationFactors: json.RawMessage("[]"), CustomClaims: json.RawMessage("{}"),
			Attributes: pg.attrs, StartedAt: now,
		}
	}
	if sess.AuthenticationFactors, err = addFactor(sess.AuthenticationFactors, factor); err != nil {
		return apierr.Internal(err)
	}
	if sess.CustomClaims, err = mergeClaims(sess.CustomClaims, g.CustomClaims); err != nil {
		return err
	}
	sess.LastAccessedAt, sess.ExpiresAt = now, now.Add(time.Duration(pg.minutes)*time.Minute)
	if isNew {
		// A member's own expired sessions are dead weight; dropping
		// them here keeps the table small without a background job.
		if _, err := q.DeleteExpiredMemberSessions(ctx, p.ID, m.ID, now); err != nil {
			return apierr.Internal(err)
		}
		err = q.CreateSession(ctx, sess)
	} else {
		err = q.UpdateSession(ctx, sess)
	}
	if err != nil {
		return apierr.Internal(err)
	}
	out.Session = sess
	if memberRoles != nil {
		out.Roles = members.SessionRoles(memberRoles, members.SSOFactorConnections(sess.AuthenticationFactors))
	} else {
		policy, err := s.policyOf(p)
		if err != nil {
			return err
		}
		if out.Roles, err = s.sessionRoles(ctx, q, policy, org, m, sess); err != nil {
			return err
		}
	}
	pg.org, pg.m, pg.out = org, m, out
	return nil
}

// Issue signs the session JWT of a session Write stored (call it after
// the transaction committed).
func (pg *PendingGrant) Issue(ctx context.Context) (*Issued, error) {
	if pg.out == nil {
		return nil, apierr.Internal(errors.New("sessions: Issue before Write"))
	}
	if err := pg.settleKey(ctx); err != nil {
		return nil, err
	}
	jwt, err := pg.s.mint(*pg.key, pg.p, pg.org, pg.m, pg.out.Session, pg.out.Roles)
	if err != nil {
		return nil, err
	}
	out := *pg.out
	out.JWT = jwt
	return &out, nil
}

// mint signs a session JWT for the session's current state.
func (s *Service) mint(key sessionjwt.SigningKey, p *store.Project, org *store.Organization, m *store.Member, sess *store.MemberSession, roles []string) (string, error) {
	now := s.Now()
	if sess.ExpiresAt.Unix() <= now.Unix() {
		return "", NotFound()
	}
	c := s.claims(p, org, m, sess, roles)
	c.IssuedAt, c.Session.LastAccessedAt = now, sess.LastAccessedAt
	tok, err := sessionjwt.Sign(key, c)
	if err != nil {
		return "", apierr.Internal(err)
	}
	return tok, nil
}

// claims are the claims of a session JWT for the session's current state,
// without the times that change on every authentication (iat, and with it
// nbf and exp; last_accessed_at).
func (s *Service) claims(p *store.Project, org *store.Organization, m *store.Member, sess *store.MemberSession, roles []string) sessionjwt.Claims {
	var attrs sessionjwt.SessionAttributes
	_ = json.Unmarshal(sess.Attributes, &attrs) // written by Grant
	return sessionjwt.Claims{
		Issuer: s.Issuer, ProjectID: p.ID, MemberID: m.ID,
		Session: sessionjwt.SessionClaims{
			// Whole seconds, as the JWT carries them: the digest must not
			// depend on the sub-second part a store may drop.
			ID: sess.ID, StartedAt: sess.StartedAt.Truncate(time.Second), ExpiresAt: sess.ExpiresAt.Truncate(time.Second),
			Attributes: attrs, AuthenticationFactors: factorList(sess.AuthenticationFactors), Roles: roles,
		},
		Organization: sessionjwt.OrganizationClaims{OrganizationID: org.ID, Slug: org.Slug},
		Custom:       claimsMap(sess.CustomClaims),
	}
}

// ReuseWindow is how long after its iat a stored session JWT may be given
// again by sessions.authenticate instead of a newly signed one: it then
// has at least Lifetime - ReuseWindow (four minutes) left, as much as a
// fresh one would when the session ends sooner.
const ReuseWindow = time.Minute

// jwtDigest identifies what a session JWT signed now by key would say,
// apart from iat, nbf, exp and last_accessed_at: two states with the same
// digest get JWTs that differ only in those.
func (s *Service) jwtDigest(key sessionjwt.SigningKey, p *store.Project, org *store.Organization, m *store.Member, sess *store.MemberSession, roles []string) (string, error) {
	b, err := json.Marshal(struct {
		KID    string
		Claims sessionjwt.Claims
	}{key.KID, s.claims(p, org, m, sess, roles)})
	if err != nil {
		return "", apierr.Internal(err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// reusable reports whether the session's stored JWT may answer an
// authentication at now: it was signed from a state with this digest (same
// claims, same signing key), at most ReuseWindow ago and not in the future.
func reusable(sess *store.MemberSession, digest string, now time.Time) bool {
	j := sess.SignedJWT
	age := now.Unix() - j.IssuedAt
	return j.Token != "" && j.Digest == digest && age >= 0 && age < int64(ReuseWindow/time.Second)
}

// CheckGrant validates what Grant would refuse before any state changes, so
// a caller holding a one-time credential (an SSO token) can reject a bad
// request without using the credential up: the duration, the custom claims,
// and that a named existing session is live.
func (s *Service) CheckGrant(ctx context.Context, p *store.Project, g Grant) error {
	if g.DurationMinutes != 0 {
		if err := validateDuration(g.DurationMinutes); err != nil {
			return err
		}
	}
	if _, err := mergeClaims(nil, g.CustomClaims); err != nil {
		return err
	}
	if g.SessionToken != "" || g.SessionJWT != "" {
		if _, err := s.resolve(ctx, s.Store, p, g.SessionToken, g.SessionJWT); err != nil {
			return err
		}
	}
	return nil
}
