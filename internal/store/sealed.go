package store

import "context"

// SealedColumn names a column whose values are sealed under the master key
// (or, for connection configs, JSON documents that hold sealed values).
// Master-key rotation re-seals every column listed here: a new sealed column
// gets a constant, a mapping in each store implementation, and a Column in
// the domain that seals it (internal/rekey).
type SealedColumn string

// The sealed columns.
const (
	SealedConnectionConfigs  SealedColumn = "sso_connections.config"
	SealedSessionSigningKeys SealedColumn = "session_signing_keys.private_key"
	SealedTestIdPKeys        SealedColumn = "test_idp_keys.private_key"
	SealedTestIdPSecrets     SealedColumn = "test_idp_keys.client_secret"
	SealedLoginRequests      SealedColumn = "sso_requests.secrets"
	SealedMasterKeyCheck     SealedColumn = "master_key_check.sealed"
	SealedWebhookSecrets     SealedColumn = "webhook_endpoints.secret_sealed"
	SealedWebhookPrevious    SealedColumn = "webhook_endpoints.previous_sealed"
)

// SealedColumns lists every SealedColumn.
func SealedColumns() []SealedColumn {
	return []SealedColumn{SealedConnectionConfigs, SealedSessionSigningKeys, SealedTestIdPKeys,
		SealedTestIdPSecrets, SealedLoginRequests, SealedMasterKeyCheck, SealedWebhookSecrets, SealedWebhookPrevious}
}

// SealedRow is one row's value of a sealed column: Key is the row's primary
// key, ProjectID its project ("" where the table has none).
type SealedRow struct {
	Key       string
	ProjectID string
	Value     string
}

// SealedQueries read and rewrite sealed columns for master-key rotation.
type SealedQueries interface {
	// ListSealed returns the rows of col with a non-empty value and a key
	// after afterKey, in key order, at most limit.
	ListSealed(ctx context.Context, col SealedColumn, afterKey string, limit int) ([]SealedRow, error)
	// ReplaceSealed sets col of the row key to value if it still holds old
	// (compare-and-swap, so a value a replica rewrote meanwhile is never
	// overwritten) and reports whether it did.
	ReplaceSealed(ctx context.Context, col SealedColumn, key, old, value string) (bool, error)
}
