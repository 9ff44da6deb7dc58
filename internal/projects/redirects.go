package projects

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/events"
	"github.com/seamsso/seam/internal/store"
)

// Redirect URL types, as Stytch names them.
const (
	TypeLogin     = "LOGIN"
	TypeSignup    = "SIGNUP"
	TypeInvite    = "INVITE"
	TypeDiscovery = "DISCOVERY"
)

// RedirectTypes lists the types Seam accepts, in Stytch's order.
func RedirectTypes() []string { return []string{TypeLogin, TypeSignup, TypeInvite, TypeDiscovery} }

// MaxRedirectURLs bounds a project's redirect URLs.
const MaxRedirectURLs = 100

// RedirectURL is a registered URL in Stytch's shape.
type RedirectURL struct {
	URL        string                  `json:"url"`
	ValidTypes []store.RedirectURLType `json:"valid_types"`
}

// ValidateRedirectURL accepts absolute http(s) URLs without fragments or
// credentials, of at most 2048 bytes.
func ValidateRedirectURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || len(raw) > 2048 || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Fragment != "" || u.User != nil {
		return apierr.BadRequest("invalid_redirect_url",
			fmt.Sprintf("The redirect URL %s must be an absolute http(s) URL of at most 2048 bytes, without credentials or fragment.", apierr.Quote(raw)))
	}
	return nil
}

// ParseTypes reads a comma-separated type list such as "login,signup"
// (case-insensitive) into valid types, none of them default.
func ParseTypes(list string) ([]store.RedirectURLType, error) {
	var out []store.RedirectURLType
	for _, t := range strings.Split(list, ",") {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, store.RedirectURLType{Type: strings.ToUpper(t)})
		}
	}
	return out, checkTypes(out)
}

func checkTypes(types []store.RedirectURLType) error {
	seen := map[string]bool{}
	for _, t := range types {
		ok := false
		for _, known := range RedirectTypes() {
			ok = ok || t.Type == known
		}
		if !ok {
			return apierr.BadRequest("invalid_redirect_url_type",
				fmt.Sprintf("The redirect URL type %s is not one of LOGIN, SIGNUP, INVITE, DISCOVERY.", apierr.Quote(t.Type)))
		}
		if seen[t.Type] {
			return apierr.BadRequest("invalid_redirect_url_type", fmt.Sprintf("valid_types lists %s twice.", t.Type))
		}
		seen[t.Type] = true
	}
	return nil
}

// RedirectChange is an added or changed redirect URL.
type RedirectChange struct {
	URL        string
	ValidTypes []store.RedirectURLType // empty on add: LOGIN and SIGNUP
	// DoNotPromoteDefaults keeps a type without a default instead of making
	// this (or the oldest) URL of that type its default.
	DoNotPromoteDefaults bool
}

func errRedirectNotFound(raw string) *apierr.Error {
	return apierr.NotFound("redirect_url_not_found", fmt.Sprintf("The project has no redirect URL %s.", apierr.Quote(raw)))
}

// AddRedirectURL registers a URL.
func (s *Service) AddRedirectURL(ctx context.Context, projectID string, c RedirectChange) (*RedirectURL, error) {
	if err := ValidateRedirectURL(c.URL); err != nil {
		return nil, err
	}
	if len(c.ValidTypes) == 0 {
		c.ValidTypes = []store.RedirectURLType{{Type: TypeLogin}, {Type: TypeSignup}}
	}
	return s.changeRedirects(ctx, projectID, c, func(list []*store.RedirectURL) ([]*store.RedirectURL, error) {
		for _, u := range list {
			if u.URL == c.URL {
				return nil, apierr.BadRequest("duplicate_redirect_url",
					fmt.Sprintf("The redirect URL %s is already registered; change its valid_types instead (PUT .../redirect_urls?url=..., or seam project redirect-url update).", apierr.Quote(c.URL)))
			}
		}
		if len(list) >= MaxRedirectURLs {
			return nil, apierr.BadRequest("too_many_redirect_urls", fmt.Sprintf("A project has at most %d redirect URLs.", MaxRedirectURLs))
		}
		return append(list, &store.RedirectURL{ProjectID: projectID, URL: c.URL, CreatedAt: s.Now()}), nil
	})
}

// UpdateRedirectURL replaces a registered URL's valid types.
func (s *Service) UpdateRedirectURL(ctx context.Context, projectID string, c RedirectChange) (*RedirectURL, error) {
	return s.changeRedirects(ctx, projectID, c, func(list []*store.RedirectURL) ([]*store.RedirectURL, error) {
		for _, u := range list {
			if u.URL == c.URL {
				return list, nil
			}
		}
		return nil, errRedirectNotFound(c.URL)
	})
}

// changeRedirects sets c's types on the URL that pick leaves in the list,
// moves or promotes defaults, and writes the URLs whose types changed, all
// under the project's row lock.
func (s *Service) changeRedirects(ctx context.Context, projectID string, c RedirectChange,
	pick func([]*store.RedirectURL) ([]*store.RedirectURL, error)) (*RedirectURL, error) {
	if err := checkTypes(c.ValidTypes); err != nil {
		return nil, err
	}
	var out *RedirectURL
	err := s.Store.Tx(ctx, func(q store.Queries) error {
		if _, err := lock(ctx, q, projectID); err != nil {
			return err
		}
		list, err := q.ListRedirectURLs(ctx, projectID)
		if err != nil {
			return apierr.Internal(err)
		}
		existed := snapshot(list)
		list, err = pick(list)
		if err != nil {
			return err
		}
		before := snapshot(list)
		var target *store.RedirectURL
		for _, u := range list {
			if u.URL == c.URL {
				target = u
			}
		}
		target.ValidTypes = append([]store.RedirectURLType{}, c.ValidTypes...)
		// A new default for a type takes it from every other URL.
		for _, t := range target.ValidTypes {
			if t.IsDefault {
				clearDefault(list, t.Type, target)
			}
		}
		if !c.DoNotPromoteDefaults {
			promote(list, target)
		}
		for _, u := range list {
			if u == target || before[u.URL] != typesKey(u.ValidTypes) {
				if err := q.PutRedirectURL(ctx, u); err != nil {
					return apierr.Internal(err)
				}
			}
		}
		out = &RedirectURL{URL: target.URL, ValidTypes: target.ValidTypes}
		action := events.Update
		if _, ok := existed[target.URL]; !ok {
			action = events.Create
		}
		return s.recordRedirects(ctx, q, projectID, target, action, list, before)
	})
	return out, err
}

// DeleteRedirectURL removes a URL; unless doNotPromote, each type it was
// the default of gets the oldest remaining URL of that type as default.
func (s *Service) DeleteRedirectURL(ctx context.Context, projectID, raw string, doNotPromote bool) error {
	return s.Store.Tx(ctx, func(q store.Queries) error {
		if _, err := lock(ctx, q, projectID); err != nil {
			return err
		}
		list, err := q.ListRedirectURLs(ctx, projectID)
		if err != nil {
			return apierr.Internal(err)
		}
		var rest []*store.RedirectURL
		var gone *store.RedirectURL
		for _, u := range list {
			if u.URL == raw {
				gone = u
			} else {
				rest = append(rest, u)
			}
		}
		if gone == nil {
			return errRedirectNotFound(raw)
		}
		if err := q.DeleteRedirectURL(ctx, projectID, raw); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return errRedirectNotFound(raw)
			}
			return apierr.Internal(err)
		}
		before := snapshot(rest)
		if doNotPromote {
			return s.recordRedirects(ctx, q, projectID, gone, events.Delete, nil, nil)
		}
		promote(rest, nil)
		for _, u := range rest {
			if before[u.URL] != typesKey(u.ValidTypes) {
				if err := q.PutRedirectURL(ctx, u); err != nil {
					return apierr.Internal(err)
				}
			}
		}
		return s.recordRedirects(ctx, q, projectID, gone, events.Delete, rest, before)
	})
}

// ListRedirectURLs returns the project's redirect URLs, oldest first.
func (s *Service) ListRedirectURLs(ctx context.Context, projectID string) ([]RedirectURL, error) {
	if _, err := s.Get(ctx, projectID); err != nil {
		return nil, err
	}
	list, err := s.Store.ListRedirectURLs(ctx, projectID)
	if err != nil {
		return nil, apierr.Internal(err)
	}
	out := make([]RedirectURL, 0, len(list))
	for _, u := range list {
		types := u.ValidTypes
		if types == nil {
			types = []store.RedirectURLType{}
		}
		out = append(out, RedirectURL{URL: u.URL, ValidTypes: types})
	}
	return out, nil
}

// GetRedirectURL returns one registered URL.
func (s *Service) GetRedirectURL(ctx context.Context, projectID, raw string) (*RedirectURL, error) {
	list, err := s.ListRedirectURLs(ctx, projectID)
	if err != nil {
		return nil, err
	}
	for _, u := range list {
		if u.URL == raw {
			return &u, nil
		}
	}
	return nil, errRedirectNotFound(raw)
}

func typesKey(ts []store.RedirectURLType) string {
	var b strings.Builder
	for _, t := range ts {
		fmt.Fprintf(&b, "%s:%t,", t.Type, t.IsDefault)
	}
	return b.String()
}

func snapshot(list []*store.RedirectURL) map[string]string {
	m := make(map[string]string, len(list))
	for _, u := range list {
		m[u.URL] = typesKey(u.ValidTypes)
	}
	return m
}

func clearDefault(list []*store.RedirectURL, typ string, keep *store.RedirectURL) {
	for _, u := range list {
		if u == keep {
			continue
		}
		for i := range u.ValidTypes {
			if u.ValidTypes[i].Type == typ {
				u.ValidTypes[i].IsDefault = false
			}
		}
	}
}

// promote gives every type that has URLs but no default one: prefer (when
// it has the type), else the oldest URL of that type.
func promote(list []*store.RedirectURL, prefer *store.RedirectURL) {
	for _, typ := range RedirectTypes() {
		var first *store.RedirectURLType
		hasDefault := false
		consider := func(u *store.RedirectURL) {
			for i := range u.ValidTypes {
				if u.ValidTypes[i].Type == typ {
					hasDefault = hasDefault || u.ValidTypes[i].IsDefault
					if first == nil {
						first = &u.ValidTypes[i]
					}
				}
			}
		}
		if prefer != nil {
			consider(prefer)
		}
		for _, u := range list {
			if u != prefer {
				consider(u)
			}
		}
		if !hasDefault && first != nil {
			first.IsDefault = true
		}
	}
}

// RedirectTargets resolves a login's redirect URLs: a requested URL must be
// registered with the matching type (LOGIN, SIGNUP); an omitted one is the
// type's default.
func RedirectTargets(list []*store.RedirectURL, login, signup string) (string, string, error) {
	l, err := redirectTarget(list, login, TypeLogin, "login_redirect_url", "invalid_login_sso_url")
	if err != nil {
		return "", "", err
	}
	sg, err := redirectTarget(list, signup, TypeSignup, "signup_redirect_url", "invalid_signup_sso_url")
	if err != nil {
		return "", "", err
	}
	return l, sg, nil
}

func redirectTarget(list []*store.RedirectURL, raw, typ, field, badType string) (string, error) {
	var registered []string
	for _, u := range list {
		for _, t := range u.ValidTypes {
			if t.Type != typ {
				continue
			}
			if raw == "" && t.IsDefault {
				return u.URL, nil
			}
			if raw == u.URL {
				return raw, nil
			}
			registered = append(registered, u.URL)
		}
	}
	fix := "register one with `seam project redirect-url add --project PROJECT_ID --url URL --type " + strings.ToLower(typ) +
		"` or POST /pwa/v3/projects/{project_slug}/environments/{environment_slug}/redirect_urls"
	if raw == "" {
		if len(registered) == 0 {
			return "", apierr.BadRequest(badType, "The project has no "+typ+" redirect URL; pass "+field+" or "+fix+".")
		}
		return "", apierr.BadRequest(badType, "The project has no default "+typ+" redirect URL; pass "+field+
			" or make one of its "+typ+" URLs the default (is_default).")
	}
	if ValidateRedirectURL(raw) != nil {
		return "", apierr.BadRequest(badType, field+" "+apierr.Quote(raw)+" is not an absolute http(s) URL.")
	}
	return "", apierr.BadRequest("no_match_for_provided_sso_url",
		field+" "+apierr.Quote(raw)+" is not one of the project's registered "+typ+" redirect URLs (exact match): "+
			registeredList(registered)+"; "+fix+".")
}

// maxListedRedirectURLs bounds the registered URLs an error lists.
const maxListedRedirectURLs = 10

// registeredList renders registered redirect URLs for an error message: the
// caller asked for another one and needs to see which exist.
func registeredList(urls []string) string {
	if len(urls) == 0 {
		return "none are registered"
	}
	shown := urls
	if len(shown) > maxListedRedirectURLs {
		shown = shown[:maxListedRedirectURLs]
	}
	quoted := make([]string, len(shown))
	for i, u := range shown {
		quoted[i] = apierr.Quote(u)
	}
	out := strings.Join(quoted, ", ")
	if len(urls) > len(shown) {
		out += fmt.Sprintf(" and %d more", len(urls)-len(shown))
	}
	return out
}
