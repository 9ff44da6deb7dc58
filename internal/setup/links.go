// Package setup is the self-serve SSO setup for an organization's IT admin
// (Seam extension, docs/setup-portal.md): setup links, which a SaaS vendor
// creates through the API and sends to its customer, and what the setup
// page shows. The page is a thin HTTP surface: every change it makes goes
// through the sso domain service, the same code the API runs.
package setup

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/bearer"
	"github.com/seamsso/seam/internal/events"
	"github.com/seamsso/seam/internal/ids"
	"github.com/seamsso/seam/internal/opt"
	"github.com/seamsso/seam/internal/store"
)

// Lifetimes of a setup link.
const (
	DefaultLifetime = 24 * time.Hour
	MinLifetime     = time.Minute
	MaxLifetime     = 30 * 24 * time.Hour
)

// ID prefixes: the link's ID (public, in the API) and its secret (only in
// the URL handed out once).
const (
	idPrefix    = "setup-link"
	tokenPrefix = "seam-setup"
)

// PathPrefix is where setup pages live; the secret follows it.
const PathPrefix = "/setup"

// Service manages setup links.
type Service struct {
	Store   store.Store
	Now     func() time.Time
	IDs     ids.Generator
	BaseURL string
	// Events records link creation and revocation (setup_link events).
	Events *events.Recorder
}

// CreateParams is the body of POST /v1/b2b/sso/{organization_id}/setup_links.
type CreateParams struct {
	// ExpiresInMinutes is the link's lifetime: 1 to 43200 (30 days);
	// 1440 (24 hours) when absent.
	ExpiresInMinutes opt.Value[int] `json:"expires_in_minutes"`
	// ConnectionKind pins the link to "saml" or "oidc"; absent or "" lets
	// the IT admin choose.
	ConnectionKind opt.Value[string] `json:"connection_kind"`
}

// Link is a setup link as the API shows it. URL is present only in the
// answer to its creation: Seam keeps the hash of its secret, not the URL.
type Link struct {
	SetupLinkID    string     `json:"setup_link_id"`
	OrganizationID string     `json:"organization_id"`
	URL            string     `json:"url,omitempty"`
	ConnectionKind string     `json:"connection_kind"`
	Status         string     `json:"status"` // active, expired or revoked
	CreatedAt      time.Time  `json:"created_at"`
	ExpiresAt      time.Time  `json:"expires_at"`
	RevokedAt      *time.Time `json:"revoked_at"`
}

// Create issues a link for org and returns it with its URL.
func (s *Service) Create(ctx context.Context, p *store.Project, org *store.Organization, in CreateParams) (*Link, error) {
	life := DefaultLifetime
	if in.ExpiresInMinutes.Has() {
		life = time.Duration(in.ExpiresInMinutes.V) * time.Minute
		if in.ExpiresInMinutes.V < int(MinLifetime/time.Minute) || in.ExpiresInMinutes.V > int(MaxLifetime/time.Minute) {
			return nil, apierr.BadRequest("invalid_expires_in_minutes", "expires_in_minutes must be between "+
				strconv.Itoa(int(MinLifetime/time.Minute))+" and "+strconv.Itoa(int(MaxLifetime/time.Minute))+" (30 days).")
		}
	}
	kind := in.ConnectionKind.Or("")
	if kind != "" && kind != store.KindSAML && kind != store.KindOIDC {
		return nil, apierr.BadRequest("invalid_connection_kind", `connection_kind must be "saml", "oidc" or absent.`)
	}
	e := ids.Environment(p.Environment)
	token := s.IDs.Token(tokenPrefix, e)
	now := s.Now()
	l := &store.SetupLink{ID: s.IDs.New(idPrefix, e), ProjectID: p.ID, OrganizationID: org.ID, TokenHash: bearer.Hash(token),
		ConnectionKind: kind, CreatedAt: now, ExpiresAt: now.Add(life)}
	err := s.Store.Tx(ctx, func(q store.Queries) error {
		if err := q.CreateSetupLink(ctx, l); err != nil {
			return apierr.Internal(err)
		}
		return s.Events.Record(ctx, q, events.Change{ProjectID: l.ProjectID, OrganizationID: l.OrganizationID,
			ObjectType: events.ObjectSetupLink, ObjectID: l.ID, Action: events.Create, Object: s.view(l)})
	})
	if err != nil {
		return nil, err
	}
	v := s.view(l)
	v.URL = s.BaseURL + PathPrefix + "/" + token
	return v, nil
}

// List returns org's links, newest first, without their URLs.
func (s *Service) List(ctx context.Context, org *store.Organization) ([]*Link, error) {
	ls, err := s.Store.ListSetupLinks(ctx, org.ProjectID, org.ID)
	if err != nil {
		return nil, apierr.Internal(err)
	}
	out := make([]*Link, 0, len(ls))
	for _, l := range ls {
		out = append(out, s.view(l))
	}
	return out, nil
}

// Revoke ends a link of org at once; its page refuses from then on.
func (s *Service) Revoke(ctx context.Context, org *store.Organization, id string) error {
	notFound := apierr.NotFound("setup_link_not_found", "Setup link "+apierr.Quote(id)+" was not found in this organization, or is already revoked.")
	if !ids.Has(id, idPrefix) {
		return notFound
	}
	return s.Store.Tx(ctx, func(q store.Queries) error {
		err := q.RevokeSetupLink(ctx, org.ProjectID, org.ID, id, s.Now())
		if errors.Is(err, store.ErrNotFound) {
			return notFound
		}
		if err != nil {
			return apierr.Internal(err)
		}
		// A revoked link is gone for every purpose; the DELETE is its
		// delete event.
		return s.Events.Record(ctx, q, events.Change{ProjectID: org.ProjectID, OrganizationID: org.ID,
			ObjectType: events.ObjectSetupLink, ObjectID: id, Action: events.Delete})
	})
}

func (s *Service) view(l *store.SetupLink) *Link {
	v := &Link{SetupLinkID: l.ID, OrganizationID: l.OrganizationID, ConnectionKind: l.ConnectionKind,
		Status: "active", CreatedAt: l.CreatedAt, ExpiresAt: l.ExpiresAt}
	switch {
	case !l.RevokedAt.IsZero():
		t := l.RevokedAt
		v.Status, v.RevokedAt = "revoked", &t
	case !s.Now().Before(l.ExpiresAt):
		v.Status = "expired"
	}
	return v
}

// Access is what an opened link reaches: one organization of one project.
type Access struct {
	Link         *store.SetupLink
	Project      *store.Project
	Organization *store.Organization
	// Token is the link's secret as presented (the page's URLs carry it).
	Token string
}

// Refusal reasons of Open, shown on the page in plain words.
const (
	RefusedUnknown = "setup_link_not_found"
	RefusedExpired = "setup_link_expired"
	RefusedRevoked = "setup_link_revoked"
)

// Open authenticates a link's secret. A link that is unknown, expired or
// revoked, or whose organization is gone, is refused with a 404 or 410
// error whose type is one of the Refused* reasons.
func (s *Service) Open(ctx context.Context, token string) (*Access, error) {
	if !IsToken(token) {
		return nil, refusedUnknown()
	}
	l, err := s.Store.GetSetupLinkByTokenHash(ctx, bearer.Hash(token))
	if errors.Is(err, store.ErrNotFound) {
		return nil, refusedUnknown()
	}
	if err != nil {
		return nil, apierr.Internal(err)
	}
	switch {
	case !l.RevokedAt.IsZero():
		return nil, apierr.New(http.StatusGone, RefusedRevoked,
			"This setup link was switched off by the company that sent it. Ask them for a new link.")
	case !s.Now().Before(l.ExpiresAt):
		return nil, apierr.New(http.StatusGone, RefusedExpired,
			"This setup link expired on "+l.ExpiresAt.UTC().Format("2 January 2006 at 15:04 UTC")+". Ask the company that sent it for a new link.")
	}
	p, err := s.Store.GetProject(ctx, l.ProjectID)
	if err != nil {
		return nil, notFoundOr(err)
	}
	org, err := s.Store.GetOrganization(ctx, l.ProjectID, l.OrganizationID)
	if err != nil {
		return nil, notFoundOr(err)
	}
	return &Access{Link: l, Project: p, Organization: org, Token: token}, nil
}

func refusedUnknown() error {
	return apierr.NotFound(RefusedUnknown, "This setup link is not valid. Check that the whole link was copied, or ask the company that sent it for a new one.")
}

func notFoundOr(err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return refusedUnknown()
	}
	return apierr.Internal(err)
}

// IsToken reports whether s has the shape of a link secret, so that text
// that cannot be one never reaches a query.
func IsToken(s string) bool {
	rest, ok := strings.CutPrefix(s, tokenPrefix+"-")
	if !ok {
		return false
	}
	env, hex, ok := strings.Cut(rest, "-")
	if !ok || !ids.Environment(env).Valid() || len(hex) != 64 {
		return false
	}
	for _, c := range hex {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// Allows reports whether the link lets its holder work on connections of
// kind (a pinned link allows only its kind).
func (a *Access) Allows(kind string) bool {
	return a.Link.ConnectionKind == "" || a.Link.ConnectionKind == kind
}
