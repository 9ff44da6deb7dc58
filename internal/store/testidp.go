package store

import (
	"context"
	"time"
)

// TestIdPKeys are the credentials of a test project's built-in test IdP
// (internal/testidp): the key that signs its SAML responses and ID tokens,
// with its self-signed certificate, and the OIDC client secret it issues to
// the project's connections. One row per project; the first writer wins.
type TestIdPKeys struct {
	ProjectID string
	// KID names the key in the OIDC key set.
	KID string
	// SealedPrivateKey is the PKCS#1 PEM private key sealed with the master
	// key (internal/keys Sealer).
	SealedPrivateKey string
	// Certificate is the PEM certificate of the key.
	Certificate string
	// SealedClientSecret is the OIDC client secret, sealed.
	SealedClientSecret string
	CreatedAt          time.Time
}

// TestIdPQueries persist the built-in test IdP's keys.
type TestIdPQueries interface {
	// CreateTestIdPKeys returns *ErrConflict (Field "project_id") when the
	// project already has keys.
	CreateTestIdPKeys(ctx context.Context, k *TestIdPKeys) error
	// GetTestIdPKeys returns ErrNotFound when the project has none yet.
	GetTestIdPKeys(ctx context.Context, projectID string) (*TestIdPKeys, error)
}
