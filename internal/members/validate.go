package members

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/seamsso/seam/internal/apierr"
)

// MaxNameLength bounds a member's name, in runes.
const MaxNameLength = 256

var (
	externalIDRE = regexp.MustCompile(`^[a-zA-Z0-9._|-]{1,128}$`)
	phoneRE      = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)
	localRE      = regexp.MustCompile(`^[a-zA-Z0-9.!#$%&'*+/=?^_{|}~-]{1,64}$`)
	domainRE     = regexp.MustCompile(`^(?i)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$`)
)

// NormalizeEmail validates an email address and returns it lower-cased.
// Only plain addr-spec addresses are accepted (no display names, comments
// or quoted local parts), which is what IdPs and sign-up forms produce.
func NormalizeEmail(email string) (string, error) {
	e := strings.ToLower(strings.TrimSpace(email))
	local, domain, ok := strings.Cut(e, "@")
	if !ok || len(e) > 254 || !localRE.MatchString(local) || strings.HasPrefix(local, ".") ||
		strings.HasSuffix(local, ".") || strings.Contains(local, "..") || len(domain) > 253 || !domainRE.MatchString(domain) {
		return "", apierr.BadRequest("invalid_email", "email_address "+apierr.Quote(email)+" is not a valid email address.")
	}
	return e, nil
}

// EmailDomain returns the domain part of a normalized address.
func EmailDomain(email string) string {
	_, d, _ := strings.Cut(email, "@")
	return d
}

func validateName(name string) error {
	if !utf8.ValidString(name) || utf8.RuneCountInString(name) > MaxNameLength {
		return apierr.BadRequest("invalid_member_name", "name must be valid UTF-8 of at most 256 characters.")
	}
	return nil
}

func validateExternalID(id string) error {
	if id != "" && !externalIDRE.MatchString(id) {
		return apierr.BadRequest("invalid_member_external_id",
			"external_id must be 1-128 characters of letters, digits, '.', '_', '-' or '|'.")
	}
	return nil
}

func validatePhone(p string) error {
	if p != "" && !phoneRE.MatchString(p) {
		return apierr.BadRequest("invalid_phone_number", "mfa_phone_number must be an E.164 number such as +15555550100.")
	}
	return nil
}

func validateDefaultMFAMethod(m string) error {
	switch m {
	case "", "sms_otp", "totp":
		return nil
	}
	return apierr.BadRequest("invalid_default_mfa_method", "default_mfa_method must be sms_otp or totp.")
}
