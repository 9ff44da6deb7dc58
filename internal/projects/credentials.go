package projects

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/bearer"
	"github.com/seamsso/seam/internal/events"
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
		if out, err = s.newSecret(ctx, q, p); err != nil {
			return err
		}
		return s.record(ctx, q, p.ID, events.ObjectProjectSecret, out.SecretID, events.Create,
			MaskedSecret{SecretID: out.SecretID, LastFour: lastFour(out.Secret), CreatedAt: out.CreatedAt})
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
	return findOne(list, func(m MaskedSecret) bool { return m.SecretID == secretID }, errSecretNotFound)
}

func errSecretNotFound() *apierr.Error {
	return apierr.NotFound("secret_not_found", "The project has no secret with this secret_id.")
}

// DeleteSecret removes a secret; a request using it is refused from then
// on. The last secret cannot be deleted.
func (s *Service) DeleteSecret(ctx context.Context, projectID, secretID string) error {
	return s.Store.Tx(ctx, func(q store.Queries) error {
		err := deleteNotLast(ctx, q, projectID, secretID, credential[*store.ProjectSecret]{
			list: q.ListProjectSecrets, id: func(c *store.ProjectSecret) string { return c.ID }, del: q.DeleteProjectSecret,
			notFound: errSecretNotFound, lastType: "cannot_delete_last_secret",
			lastMsg: "This is the project's last secret; create a new one first, then delete this one.",
		})
		if err != nil {
			return err
		}
		return s.record(ctx, q, projectID, events.ObjectProjectSecret, secretID, events.Delete, nil)
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
		return s.record(ctx, q, p.ID, events.ObjectPublicToken, t.Token, events.Create, out)
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
	return findOne(list, func(t PublicToken) bool { return t.PublicToken == token }, errPublicTokenNotFound)
}

func errPublicTokenNotFound() *apierr.Error {
	return apierr.NotFound("public_token_not_found", "The project has no such public token.")
}

// DeletePublicToken removes a public token; the last one cannot be deleted
// (logins start with it).
func (s *Service) DeletePublicToken(ctx context.Context, projectID, token string) error {
	return s.Store.Tx(ctx, func(q store.Queries) error {
		err := deleteNotLast(ctx, q, projectID, token, credential[*store.PublicToken]{
			list: q.ListPublicTokens, id: func(c *store.PublicToken) string { return c.Token }, del: q.DeletePublicToken,
			notFound: errPublicTokenNotFound, lastType: "cannot_delete_last_public_token",
			lastMsg: "This is the project's last public token; create a new one first, then delete this one.",
		})
		if err != nil {
			return err
		}
		return s.record(ctx, q, projectID, events.ObjectPublicToken, token, events.Delete, nil)
	})
}

// credential is how one kind of project credential (secrets, public
// tokens) is listed, named and deleted, for the rules they share.
type credential[T any] struct {
	list     func(ctx context.Context, projectID string) ([]T, error)
	id       func(T) string
	del      func(ctx context.Context, projectID, id string) error
	notFound func() *apierr.Error
	lastType string
	lastMsg  string
}

// deleteNotLast deletes one credential of the project, locked: unknown ones
// are not found, and the last one stays (nothing could authenticate).
func deleteNotLast[T any](ctx context.Context, q store.Queries, projectID, id string, c credential[T]) error {
	p, err := lock(ctx, q, projectID)
	if err != nil {
		return err
	}
	have, err := c.list(ctx, p.ID)
	if err != nil {
		return apierr.Internal(err)
	}
	if _, err := findOne(have, func(v T) bool { return c.id(v) == id }, c.notFound); err != nil {
		return err
	}
	if len(have) == 1 {
		return apierr.BadRequest(c.lastType, c.lastMsg)
	}
	if err := c.del(ctx, p.ID, id); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return c.notFound()
		}
		return apierr.Internal(err)
	}
	return nil
}

// findOne returns the first element of list that match accepts.
func findOne[T any](list []T, match func(T) bool, notFound func() *apierr.Error) (*T, error) {
	for i := range list {
		if match(list[i]) {
			return &list[i], nil
		}
	}
	return nil, notFound()
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
