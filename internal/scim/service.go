package scim

import (
	"io"
	"time"

	"github.com/seamsso/seam/internal/events"
	"github.com/seamsso/seam/internal/ids"
	"github.com/seamsso/seam/internal/members"
	"github.com/seamsso/seam/internal/rbac"
	"github.com/seamsso/seam/internal/store"
)

// ID prefixes of the objects this package issues.
const (
	idConnection   = "scim-connection"
	idGroup        = "scim-group"
	idRegistration = "scim-registration"
)

// Service implements SCIM connections and the SCIM service provider.
type Service struct {
	Store   store.Store
	Members *members.Service
	// Events records the changes (nil records nothing).
	Events *events.Recorder
	// Policies gives each project's RBAC policy.
	Policies rbac.Policies
	Now      func() time.Time
	Rand     io.Reader // bearer tokens
	IDs      ids.Generator
	// BaseURL is SEAM_BASE_URL without a trailing slash: the origin of every
	// connection's base_url.
	BaseURL string
}

func env(p *store.Project) ids.Environment { return ids.Environment(p.Environment) }
