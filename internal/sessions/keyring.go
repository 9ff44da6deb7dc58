package sessions

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/ids"
	"github.com/seamsso/seam/internal/keys"
	"github.com/seamsso/seam/internal/sessionjwt"
	"github.com/seamsso/seam/internal/store"
)

// maxKeyAttempts bounds the create-or-reread loop when replicas race.
const maxKeyAttempts = 5

func sealAAD(projectID, kid string) []byte {
	return []byte("seam/session-jwt/" + projectID + "/" + kid)
}

// signingKeys returns the project's published keys, newest first; the first
// one signs. A missing or too-old newest key is replaced first (see the
// package documentation) and keys past their grace period are deleted. It
// uses its own short transactions, so it must not be called while the
// caller holds a transaction.
func (s *Service) signingKeys(ctx context.Context, p *store.Project) ([]sessionjwt.SigningKey, error) {
	for attempt := 0; attempt < maxKeyAttempts; attempt++ {
		rows, err := s.Store.ListSessionSigningKeys(ctx, p.ID)
		if err != nil {
			return nil, apierr.Internal(err)
		}
		now := s.Now()
		if len(rows) == 0 || now.Sub(rows[0].CreatedAt) >= s.rotation() {
			next := 1
			if len(rows) > 0 {
				next = rows[0].Generation + 1
			}
			err := s.createKey(ctx, p, next)
			var conflict *store.ErrConflict
			if errors.As(err, &conflict) {
				continue // another replica created this generation; read it
			}
			if err != nil {
				return nil, err
			}
			continue
		}
		published := s.published(rows)
		if len(published) < len(rows) {
			// Best effort: a failed cleanup only leaves unpublished rows.
			_, _ = s.Store.DeleteSessionSigningKeys(ctx, p.ID, published[len(published)-1].Generation)
		}
		return s.unsealAll(published)
	}
	return nil, apierr.Internal(errors.New("sessions: could not settle the signing key set"))
}

// verificationKeys returns the published keys through q (possibly the
// caller's transaction) without creating or deleting any; the set may be
// empty.
func (s *Service) verificationKeys(ctx context.Context, q store.Queries, p *store.Project) ([]sessionjwt.SigningKey, error) {
	rows, err := q.ListSessionSigningKeys(ctx, p.ID)
	if err != nil {
		return nil, apierr.Internal(err)
	}
	return s.unsealAll(s.published(rows))
}

// recentKeys is verificationKeys through the key-set memo: a set read at
// most keySetTTL ago, or a fresh read (remembered when not empty).
func (s *Service) recentKeys(ctx context.Context, p *store.Project) ([]sessionjwt.SigningKey, error) {
	now := s.Now()
	if ks, ok := s.sets.get(p.ID, now); ok {
		return ks, nil
	}
	ks, err := s.verificationKeys(ctx, s.Store, p)
	if err == nil && len(ks) > 0 {
		s.sets.put(p.ID, ks, now)
	}
	return ks, err
}

// hasKID reports whether the JWT's header names a key of ks. Only the
// header is decoded: it decides whether a remembered set may be too old
// for this token, not whether the token is genuine.
func hasKID(jwt string, ks []sessionjwt.SigningKey) bool {
	kid, ok := headerKID(jwt)
	for _, k := range ks {
		if ok && k.KID == kid {
			return true
		}
	}
	return false
}

func (s *Service) unsealAll(rows []*store.SessionSigningKey) ([]sessionjwt.SigningKey, error) {
	out := make([]sessionjwt.SigningKey, 0, len(rows))
	for _, r := range rows {
		k, err := s.unseal(r)
		if err != nil {
			return nil, apierr.Internal(err)
		}
		out = append(out, k)
	}
	return out, nil
}

// published keeps the newest key and every older key whose successor
// appeared less than the grace period ago. rows are newest first.
func (s *Service) published(rows []*store.SessionSigningKey) []*store.SessionSigningKey {
	if len(rows) == 0 {
		return nil
	}
	now := s.Now()
	out := rows[:1]
	for i := 1; i < len(rows); i++ {
		if now.Sub(rows[i-1].CreatedAt) >= s.grace() {
			break
		}
		out = rows[:i+1]
	}
	return out
}

func (s *Service) createKey(ctx context.Context, p *store.Project, generation int) error {
	gen := s.GenerateKey
	if gen == nil {
		gen = sessionjwt.GenerateSigningKey
	}
	now := s.Now()
	k, err := gen(s.Rand, env(p), now)
	if err != nil {
		return apierr.Internal(err)
	}
	sealed, err := s.Sealer.Seal([]byte(keys.EncodePKCS1PrivateKeyPEM(k.Private)), sealAAD(p.ID, k.KID))
	if err != nil {
		return apierr.Internal(err)
	}
	err = s.Store.CreateSessionSigningKey(ctx, &store.SessionSigningKey{
		ProjectID: p.ID, KID: k.KID, Generation: generation, SealedPrivateKey: sealed, CreatedAt: now,
	})
	var conflict *store.ErrConflict
	if err != nil && !errors.As(err, &conflict) {
		return apierr.Internal(err)
	}
	return err
}

// CanUnseal reports whether the master key opens the stored signing key r;
// the start-up master key check uses it on databases that predate the check
// value.
func (s *Service) CanUnseal(r *store.SessionSigningKey) error {
	_, err := s.unseal(r)
	return err
}

func (s *Service) unseal(r *store.SessionSigningKey) (sessionjwt.SigningKey, error) {
	if k, ok := s.parsed.get(r.KID); ok {
		return k, nil
	}
	pemText, err := s.Sealer.Open(r.SealedPrivateKey, sealAAD(r.ProjectID, r.KID))
	if err != nil {
		return sessionjwt.SigningKey{}, fmt.Errorf("unseal session signing key %s: %w", r.KID, err)
	}
	priv, err := keys.ParsePKCS1PrivateKeyPEM(string(pemText))
	if err != nil {
		return sessionjwt.SigningKey{}, fmt.Errorf("parse session signing key %s: %w", r.KID, err)
	}
	k := sessionjwt.SigningKey{KID: r.KID, Private: priv, CreatedAt: r.CreatedAt}
	s.parsed.put(k)
	return k, nil
}

// JWKS returns the public keys of a project's published key set for
// GET /v1/b2b/sessions/jwks/{project_id}, creating the first key if the
// project has none yet so that SDKs fetching the set at start-up get a key.
func (s *Service) JWKS(ctx context.Context, projectID string) ([]sessionjwt.JWK, error) {
	if !ids.Has(projectID, ids.Project) {
		return nil, projectNotFound()
	}
	p, err := s.Store.GetProject(ctx, projectID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, projectNotFound()
	}
	if err != nil {
		return nil, apierr.Internal(err)
	}
	ks, err := s.signingKeys(ctx, p)
	if err != nil {
		return nil, err
	}
	out, err := sessionjwt.PublicJWKs(ks)
	if err != nil {
		return nil, apierr.Internal(err)
	}
	return out, nil
}

func projectNotFound() *apierr.Error {
	return apierr.NotFound("project_not_found", "No project has this project_id.")
}

// foreignKID reports whether an unverified JWT's kid names a signing key of
// another project than p. Nothing is unsealed: the other project's private
// key is never loaded to answer a request of this one.
func (s *Service) foreignKID(ctx context.Context, q store.Queries, p *store.Project, token string) bool {
	kid, ok := headerKID(token)
	if !ok {
		return false
	}
	row, err := q.GetSessionSigningKey(ctx, kid)
	return err == nil && row.ProjectID != p.ID
}

// headerKID reads the kid of an unverified JWS compact token's header. It
// only picks which key to try; nothing read here is trusted.
func headerKID(token string) (string, bool) {
	header, _, ok := strings.Cut(token, ".")
	if !ok || len(header) > 2048 {
		return "", false
	}
	raw, err := base64.RawURLEncoding.DecodeString(header)
	if err != nil {
		return "", false
	}
	var h struct {
		KID string `json:"kid"`
	}
	if json.Unmarshal(raw, &h) != nil || !sessionjwt.IsKID(h.KID) {
		return "", false
	}
	return h.KID, true
}

// RotatedKey is the result of RotateSigningKey.
type RotatedKey struct {
	KID        string `json:"kid"`
	Generation int    `json:"generation"`
	// Published lists the kids in the JWKS after the rotation, newest
	// first: the new key signs, the replaced ones keep verifying for the
	// grace period.
	Published []string `json:"published_kids"`
}

// RotateSigningKey replaces the project's signing key now, as the schedule
// (KeyRotation) would: the new key signs every session JWT issued from now
// on, on every replica (they read the key set from the database at most a
// second before they sign; this replica forgets the set it remembers), and
// the replaced key stays in the JWKS and verifies for the grace period, so
// JWTs issued before remain valid until they expire.
func (s *Service) RotateSigningKey(ctx context.Context, p *store.Project) (*RotatedKey, error) {
	rows, err := s.Store.ListSessionSigningKeys(ctx, p.ID)
	if err != nil {
		return nil, apierr.Internal(err)
	}
	next := 1
	if len(rows) > 0 {
		next = rows[0].Generation + 1
	}
	if err := s.createKey(ctx, p, next); err != nil {
		var conflict *store.ErrConflict
		if errors.As(err, &conflict) {
			return nil, fmt.Errorf("another replica created signing key generation %d at the same moment; run the rotation again if that was a scheduled rotation", next)
		}
		return nil, err
	}
	s.sets.drop(p.ID)
	rows, err = s.Store.ListSessionSigningKeys(ctx, p.ID)
	if err != nil {
		return nil, apierr.Internal(err)
	}
	out := &RotatedKey{KID: rows[0].KID, Generation: rows[0].Generation}
	for _, r := range s.published(rows) {
		out.Published = append(out.Published, r.KID)
	}
	return out, nil
}
