package sessions

import (
	"context"
	"encoding/json"
	"time"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/organizations"
	"github.com/seamsso/seam/internal/rbac"
	"github.com/seamsso/seam/internal/store"
)

// AuthenticateParams is the body of POST /v1/b2b/sessions/authenticate.
type AuthenticateParams struct {
	SessionToken string `json:"session_token"`
	SessionJWT   string `json:"session_jwt"`
	// SessionDurationMinutes, when set, extends the session to expire this
	// many minutes from now; 0 leaves the expiry alone.
	SessionDurationMinutes int                        `json:"session_duration_minutes"`
	SessionCustomClaims    map[string]json.RawMessage `json:"session_custom_claims"`
	AuthorizationCheck     *rbac.AuthorizationCheck   `json:"authorization_check"`
}

// Authenticated is a session that passed authentication.
type Authenticated struct {
	Subject
	Token string // the token presented, or "" when authenticated by JWT
	// JWT is a session JWT for the session's current state: the one signed
	// for it at most ReuseWindow ago when that one says what a new one would
	// (apart from iat, exp and last_accessed_at), otherwise a new one.
	JWT     string
	Verdict *rbac.Verdict
}

// Authenticate checks a session token or JWT (not both). An authentic JWT
// past its exp is accepted while its session lives, and answered with a
// JWT that is at most ReuseWindow old (see Authenticated.JWT). Without an
// extension or custom claims, last_accessed_at is written at most once per
// second per session. The authorization check, when given, runs before anything is
// written, so a refused check neither extends the session nor records the
// access.
func (s *Service) Authenticate(ctx context.Context, p *store.Project, in AuthenticateParams) (*Authenticated, error) {
	if in.SessionToken != "" && in.SessionJWT != "" {
		return nil, tooManyArguments("Pass either session_token or session_jwt, not both.")
	}
	var err error
	if in.SessionDurationMinutes != 0 {
		if err = validateDuration(in.SessionDurationMinutes); err != nil {
			return nil, err
		}
	}
	// A JWT is verified with the published keys; the same set then serves
	// for signing unless the newest key is due for rotation.
	// The set may be remembered from up to keySetTTL ago (see keySetTTL);
	// a JWT naming a key it lacks makes the set be read again.
	ks, err := s.recentKeys(ctx, p)
	if err != nil {
		return nil, err
	}
	if in.SessionJWT != "" && !hasKID(in.SessionJWT, ks) {
		if ks, err = s.verificationKeys(ctx, s.Store, p); err != nil {
			return nil, err
		}
	}
	sub, err := s.subjectByCredential(ctx, p, in.SessionToken, in.SessionJWT, ks)
	if err != nil {
		return nil, err
	}
	sess := sub.Session
	out := &Authenticated{Token: in.SessionToken}
	if in.AuthorizationCheck != nil {
		// The policy the session's roles were computed under: no query, no second parse.
		v, err := rbac.Check(sub.Policy, organizations.CustomRoles(sub.Org), sub.Org.ID, sub.Roles, *in.AuthorizationCheck)
		if err != nil {
			return nil, err
		}
		out.Verdict = &v
	}
	if len(ks) == 0 || s.Now().Sub(ks[0].CreatedAt) >= s.rotation() {
		if ks, err = s.signingKeys(ctx, p); err != nil {
			return nil, err
		}
	}
	// Without an extension or new claims, an authentication changes only
	// last_accessed_at. When the stored JWT still says everything a new one
	// would (reusable) and last_accessed_at is already this second, nothing
	// is written and nothing is signed.
	plain := in.SessionDurationMinutes == 0 && in.SessionCustomClaims == nil
	if plain {
		digest, err := s.jwtDigest(ks[0], p, sub.Org, sub.Member, sess, sub.Roles)
		if err != nil {
			return nil, err
		}
		now := s.Now()
		if reusable(sess, digest, now) && sess.LastAccessedAt.Unix() == now.Unix() {
			out.Subject = *sub
			out.JWT = sess.SignedJWT.Token
			return out, nil
		}
	}
	err = s.Store.Tx(ctx, func(q store.Queries) error {
		locked, err := q.GetSessionForUpdate(ctx, p.ID, sess.ID)
		if locked, err = s.live(locked, err); err != nil {
			return err // revoked or expired meanwhile
		}
		now := s.Now()
		locked.LastAccessedAt = now
		if in.SessionDurationMinutes != 0 {
			locked.ExpiresAt = now.Add(time.Duration(in.SessionDurationMinutes) * time.Minute)
		}
		if in.SessionCustomClaims != nil {
			if locked.CustomClaims, err = mergeClaims(locked.CustomClaims, in.SessionCustomClaims); err != nil {
				return err
			}
		}
		// The locked row decides: another request may have changed it since
		// it was read. Roles were computed outside and are part of the
		// digest, so a role change also means a new JWT.
		digest, err := s.jwtDigest(ks[0], p, sub.Org, sub.Member, locked, sub.Roles)
		if err != nil {
			return err
		}
		if !reusable(locked, digest, now) {
			tok, err := s.mint(ks[0], p, sub.Org, sub.Member, locked, sub.Roles)
			if err != nil {
				return err
			}
			locked.SignedJWT = store.SignedJWT{Token: tok, Digest: digest, IssuedAt: now.Unix()}
		}
		if err := q.UpdateSession(ctx, locked); err != nil {
			return apierr.Internal(err)
		}
		sub.Session = locked
		return nil
	})
	if err != nil {
		return nil, err
	}
	out.Subject = *sub
	out.JWT = sub.Session.SignedJWT.Token
	return out, nil
}
