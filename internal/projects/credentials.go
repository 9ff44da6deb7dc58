package projects

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/bearer"
	"github.com/seamsso/seam/internal/ids"
	"github.com/seamsso/seam/internal/store"
)

// Bounds on a project's credentials: enough to rotate, few enough to check.
const (
	MaxSecrets      = 5
	MaxPublicTokens = 5
)

// NewSecret is a freshly created secret, shown once.
type NewSecret struct {
	SecretID  string    `json:"secret_id"`
	Secret    string    `json:"secret"`
	CreatedAt time.Time `json:"created_at"`
}

// MaskedSecret describes a stored secret without revealing it.
type MaskedSecret struct {
	SecretID  string    `json:"secret_id"`
	LastFour  string    `json:"last_four"`
	CreatedAt time.Time `json:"created_at"`
}

// PublicToken is a project's public token.
type PublicToken struct {
	PublicToken string    `json:"public_token"`
	CreatedAt   time.Time `json:"created_at"`
}

func lastFour(s string) string {
	if len(s) < 4 {
		return ""
	}
	return s[len(s)-4:]
}

func (s *Service) newSecret(ctx context.Context, q store.Queries, p *store.Project) (*NewSecret, error) {
	env := ids.Environment(p.Environment)
	out := &NewSecret{SecretID: s.IDs.New(ids.Secret, env), Secret: s.IDs.Token(ids.Secret, env), CreatedAt: s.Now()}
	err := q.CreateProjectSecret(ctx, &store.ProjectSecret{
		ID: out.SecretID, ProjectID: p.ID, Hash: bearer.Hash(out.Secret), LastFour: lastFour(out.Secret), CreatedAt: out.CreatedAt,
	})
	if err != nil {
		return nil, apierr.Internal(fmt.Errorf("create secret: %w", err))
	}
	return out, nil
}

// CreateSecret adds a secret to the project; the ones it has stay valid
// until deleted, so a secret rotates without downtime.
func (s *Service) CreateSecret(ctx context.Context, projectID string) (*NewSecret, error) {
	var out *NewSecret
	err := s.Store.Tx(ctx, func(q store.Queries) error {
		p, err := lock(ctx, q, projectID)
		if err != nil {
			return err
		}
		have, err := q.ListProjectSecrets(ctx, p.ID)
		if err != nil {
			return apierr.Internal(err)
		}
		if len(have) >= MaxSecrets {
			return apierr.BadRequest("too_many_secrets",
				fmt.Sprintf("A project has at most %d secrets; delete one that is no longer used first.", MaxSecrets))
		}
		out, err = s.newSecret(ctx, q, p)
		return err
	})
	return out, err
}

// ListSecrets describes the project's secrets, oldest first.
func (s *Service) ListSecrets(ctx context.Context, projectID string) ([]MaskedSecret, error) {
	if _, err := s.Get(ctx, projectID); err != nil {
		return nil, err
	}
	have, err := s.Store.ListProjectSecrets(ctx, projectID)
	if err != nil {
		return nil, apierr.Internal(err)
	}
	out := make([]MaskedSecret, 0, len(have))
	for _, sec := range have {
		out = append(out, MaskedSecret{SecretID: sec.ID, LastFour: sec.LastFour, CreatedAt: sec.CreatedAt})
	}
	return out, nil
}

// GetSecret describes one secret.
func (s *Service) GetSecret(ctx context.Context, projectID, secretID string) (*MaskedSecret, error) {
	list, err := s.ListSecrets(ctx, projectID)
	if err != nil {
		return nil, err
	}
	for _, m := range list {
		if m.SecretID == secretID {
			return &m, nil
		}
	}
	return nil, errSecretNotFound()
}

func errSecretNotFound() *apierr.Error {
	return apierr.NotFound("secret_not_found", "The project has no secret with this secret_id.")
}

// DeleteSecret removes a secret; a request using it is refused from then
// on. The last secret cannot be deleted.
func (s *Service) DeleteSecret(ctx context.Context, projectID, secretID string) error {
	return s.Store.Tx(ctx, func(q store.Queries) error {
		p, err := lock(ctx, q, projectID)
		if err != nil {
			return err
		}
		have, err := q.ListProjectSecrets(ctx, p.ID)
		if err != nil {
			return apierr.Internal(err)
		}
		found := false
		for _, sec := range have {
			found = found || sec.ID == secretID
		}
		if !found {
			return errSecretNotFound()
		}
		if len(have) == 1 {
			return apierr.BadRequest("cannot_delete_last_secret",
				"This is the project's last secret; create a new one first, then delete this one.")
		}
		if err := q.DeleteProjectSecret(ctx, p.ID, secretID); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return errSecretNotFound()
			}
			return apierr.Internal(err)
		}
		return nil
	})
}

func (s *Service) newPublicToken(ctx context.Context, q store.Queries, p *store.Project) (*store.PublicToken, error) {
	t := &store.PublicToken{Token: s.IDs.New(ids.PublicToken, ids.Environment(p.Environment)), ProjectID: p.ID, CreatedAt: s.Now()}
	if err := q.CreatePublicToken(ctx, t); err != nil {
		return nil, apierr.Internal(fmt.Errorf("create public token: %w", err))
	}
	return t, nil
}

// CreatePublicToken adds a public token to the project.
func (s *Service) CreatePublicToken(ctx context.Context, projectID string) (*PublicToken, error) {
	var out *PublicToken
	err := s.Store.Tx(ctx, func(q store.Queries) error {
		p, err := lock(ctx, q, projectID)
		if err != nil {
			return err
		}
		have, err := q.ListPublicTokens(ctx, p.ID)
		if err != nil {
			return apierr.Internal(err)
		}
		if len(have) >= MaxPublicTokens {
			return apierr.BadRequest("too_many_public_tokens",
				fmt.Sprintf("A project has at most %d public tokens; delete one that is no longer used first.", MaxPublicTokens))
		}
		t, err := s.newPublicToken(ctx, q, p)
		if err != nil {
			return err
		}
		out = &PublicToken{PublicToken: t.Token, CreatedAt: t.CreatedAt}
		return nil
	})
	return out, err
}

// ListPublicTokens returns the project's public tokens, oldest first.
func (s *Service) ListPublicTokens(ctx context.Context, projectID string) ([]PublicToken, error) {
	if _, err := s.Get(ctx, projectID); err != nil {
		return nil, err
	}
	have, err := s.Store.ListPublicTokens(ctx, projectID)
	if err != nil {
		return nil, apierr.Internal(err)
	}
	out := make([]PublicToken, 0, len(have))
	for _, t := range have {
		out = append(out, PublicToken{PublicToken: t.Token, CreatedAt: t.CreatedAt})
	}
	return out, nil
}

// GetPublicToken describes one public token of the project.
func (s *Service) GetPublicToken(ctx context.Context, projectID, token string) (*PublicToken, error) {
	list, err := s.ListPublicTokens(ctx, projectID)
	if err != nil {
		return nil, err
	}
	for _, t := range list {
		if t.PublicToken == token {
			return &t, nil
		}
	}
	return nil, errPublicTokenNotFound()
}

func errPublicTokenNotFound() *apierr.Error {
	return apierr.NotFound("public_token_not_found", "The project has no such public token.")
}

// DeletePublicToken removes a public token; the last one cannot be deleted
// (logins start with it).
func (s *Service) DeletePublicToken(ctx context.Context, projectID, token string) error {
	return s.Store.Tx(ctx, func(q store.Queries) error {
		p, err := lock(ctx, q, projectID)
		if err != nil {
			return err
		}
		have, err := q.ListPublicTokens(ctx, p.ID)
		if err != nil {
			return apierr.Internal(err)
		}
		found := false
		for _, t := range have {
			found = found || t.Token == token
		}
		if !found {
			return errPublicTokenNotFound()
		}
		if len(have) == 1 {
			return apierr.BadRequest("cannot_delete_last_public_token",
				"This is the project's last public token; create a new one first, then delete this one.")
		}
		if err := q.DeletePublicToken(ctx, p.ID, token); err != nil {
			return apierr.Internal(err)
		}
		return nil
	})
}

// ByPublicToken finds the project for a browser-facing public token.
func (s *Service) ByPublicToken(ctx context.Context, token string) (*store.Project, error) {
	if token == "" {
		return nil, apierr.BadRequest("public_token_required", "public_token is required.")
	}
	if !ids.Has(token, ids.PublicToken) {
		return nil, apierr.Unauthorized("invalid_public_token", "The public_token is not valid.")
	}
	p, err := s.Store.GetProjectByPublicToken(ctx, token)
	if errors.Is(err, store.ErrNotFound) {
		return nil, apierr.Unauthorized("invalid_public_token", "The public_token is not valid.")
	}
	if err != nil {
		return nil, apierr.Internal(err)
	}
	return p, nil
}
