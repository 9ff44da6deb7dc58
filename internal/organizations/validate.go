package organizations

import (
	"net/url"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/seamsso/seam/internal/apierr"
)

var (
	slugRE       = regexp.MustCompile(`^[a-zA-Z0-9._~-]{2,128}$`)
	externalIDRE = regexp.MustCompile(`^[a-zA-Z0-9._|-]{1,128}$`)
	domainRE     = regexp.MustCompile(`^(?i)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$`)
)

func validateName(name string) error {
	n := utf8.RuneCountInString(strings.TrimSpace(name))
	if n == 0 {
		return apierr.BadRequest("organization_name_missing", "organization_name is required and must not be blank.")
	}
	if utf8.RuneCountInString(name) > 128 {
		return apierr.BadRequest("invalid_organization_name", "organization_name must be at most 128 characters.")
	}
	return nil
}

func validateSlug(slug string) error {
	if !slugRE.MatchString(slug) {
		return apierr.BadRequest("invalid_organization_slug",
			"organization_slug must be 2-128 characters of letters, digits, '-', '.', '_' or '~'.")
	}
	return nil
}

func validateExternalID(id string) error {
	if id != "" && !externalIDRE.MatchString(id) {
		return apierr.BadRequest("invalid_organization_external_id",
			"organization_external_id must be 1-128 characters of letters, digits, '.', '_', '-' or '|'.")
	}
	return nil
}

func validateLogoURL(raw string) error {
	if raw == "" {
		return nil
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return apierr.BadRequest("invalid_organization_logo_url", "organization_logo_url must be an absolute http(s) URL.")
	}
	return nil
}

func validateEnum(field, v string, allowed ...string) error {
	for _, a := range allowed {
		if v == a {
			return nil
		}
	}
	return apierr.BadRequest("invalid_"+field, field+" must be one of "+strings.Join(allowed, ", ")+".")
}

// maxListEntries bounds every list setting of an organization: each is
// stored with it and returned in every organization view.
const maxListEntries = 100

func validateDomains(field string, domains []string) ([]string, error) {
	if len(domains) > maxListEntries {
		return nil, apierr.BadRequest("invalid_"+field, field+" may hold at most 100 domains.")
	}
	out := make([]string, 0, len(domains))
	seen := map[string]bool{}
	for _, d := range domains {
		d = strings.ToLower(strings.TrimSpace(d))
		if len(d) > 253 || !domainRE.MatchString(d) {
			return nil, apierr.BadRequest("invalid_"+field, field+" contains an invalid domain: "+apierr.Quote(d))
		}
		if !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	return out, nil
}

// validateIDList checks a list of opaque identifiers (connected app IDs,
// OAuth tenant IDs): at most maxListEntries, each 1-128 characters; it
// returns the list without duplicates.
func validateIDList(field string, ids []string) ([]string, error) {
	if len(ids) > maxListEntries {
		return nil, apierr.BadRequest("invalid_"+field, field+" may hold at most 100 entries.")
	}
	out := make([]string, 0, len(ids))
	seen := map[string]bool{}
	for _, id := range ids {
		if strings.TrimSpace(id) == "" || len(id) > 128 {
			return nil, apierr.BadRequest("invalid_"+field, field+" entries must be 1-128 characters.")
		}
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out, nil
}
