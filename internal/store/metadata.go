package store

import (
	"context"
	"time"
)

// MetadataSource is the IdP metadata URL a SAML connection was configured
// from, and when it is next due to be fetched again.
type MetadataSource struct {
	ConnectionID   string
	ProjectID      string
	OrganizationID string
	MetadataURL    string
	NextRefreshAt  time.Time
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// MetadataRefresh is the record of one refresh attempt.
type MetadataRefresh struct {
	ID           string
	ProjectID    string
	ConnectionID string
	MetadataURL  string
	AttemptedAt  time.Time
	Outcome      string
	ErrorType    string
	Message      string
	// Added and Removed are verification certificate IDs.
	Added   []string
	Removed []string
}

// MetadataRefreshQueries persist metadata sources and refresh records.
type MetadataRefreshQueries interface {
	// PutMetadataSource creates or replaces the source of s.ConnectionID
	// (CreatedAt is kept on replace).
	PutMetadataSource(ctx context.Context, s *MetadataSource) error
	GetMetadataSource(ctx context.Context, projectID, connectionID string) (*MetadataSource, error)
	// ClaimDueMetadataSources atomically moves next_refresh_at to next on at
	// most limit sources due at now (next_refresh_at <= now), oldest due
	// first, and returns them with their new next_refresh_at. Concurrent
	// callers (replicas) never receive the same source for one due time.
	ClaimDueMetadataSources(ctx context.Context, now, next time.Time, limit int) ([]*MetadataSource, error)
	// SetMetadataSourceNext sets when a source is next due.
	SetMetadataSourceNext(ctx context.Context, connectionID string, next time.Time) error
	// RecordMetadataRefresh stores r and deletes the connection's records
	// beyond the newest keep.
	RecordMetadataRefresh(ctx context.Context, r *MetadataRefresh, keep int) error
	// ListMetadataRefreshes returns a connection's records, newest first.
	ListMetadataRefreshes(ctx context.Context, projectID, connectionID string, limit int) ([]*MetadataRefresh, error)
	// ListAllConnections returns connections of every project (of kind, or
	// every kind when kind is ""), ordered by ID, with IDs after afterID:
	// the pages of background scans (certificate expiry, master-key rotation).
	ListAllConnections(ctx context.Context, kind, afterID string, limit int) ([]*Connection, error)
}
