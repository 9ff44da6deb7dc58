package store

import "context"

// ProjectAdminQueries change and remove projects (Stytch environments).
type ProjectAdminQueries interface {
	// RenameProject sets a project's name; ErrNotFound when there is none.
	RenameProject(ctx context.Context, id, name string) error
	// DeleteProject removes a project and, through foreign keys, everything
	// it owns: credentials, redirect URLs, organizations, connections,
	// members, sessions, keys and login state. ErrNotFound when there is none.
	DeleteProject(ctx context.Context, id string) error
	// CountProjectContents counts a project's organizations and its members
	// whose status is not one of excludeMemberStatuses.
	CountProjectContents(ctx context.Context, id string, excludeMemberStatuses []string) (organizations, members int, err error)
}
