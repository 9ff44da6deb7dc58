package members

import (
	"strings"
	"testing"

	"github.com/seamsso/seam/internal/apierr"
)

func TestNormalizeEmail(t *testing.T) {
	cases := []struct {
		in, want string
		ok       bool
	}{
		{"ada@example.com", "ada@example.com", true},
		{"  Ada.Lovelace+tag@Sub.Example.COM ", "ada.lovelace+tag@sub.example.com", true},
		{"o'brien@example.ie", "o'brien@example.ie", true},
		{"", "", false},
		{"ada", "", false},
		{"ada@", "", false},
		{"@example.com", "", false},
		{"ada@example", "", false}, // single-label domains are not deliverable on the internet
		{"ada@@example.com", "", false},
		{"a da@example.com", "", false},
		{"Ada <ada@example.com>", "", false},
		{`"ada"@example.com`, "", false},
		{".ada@example.com", "", false},
		{"ada.@example.com", "", false},
		{"a..da@example.com", "", false},
		{"ada@-example.com", "", false},
		{"ada@exa_mple.com", "", false},
		{strings.Repeat("a", 65) + "@example.com", "", false},
		{"a@" + strings.Repeat("b", 250) + ".com", "", false},
		{"ada@exämple.com", "", false},
		{"ada@example.com\x00", "", false},
	}
	for _, c := range cases {
		got, err := NormalizeEmail(c.in)
		if c.ok != (err == nil) || got != c.want {
			t.Errorf("NormalizeEmail(%q) = %q, %v", c.in, got, err)
		}
		if err != nil && apierr.TypeOf(err) != "invalid_email" {
			t.Errorf("NormalizeEmail(%q) error type = %q", c.in, apierr.TypeOf(err))
		}
	}
	if EmailDomain("ada@example.com") != "example.com" || EmailDomain("nodomain") != "" {
		t.Error("EmailDomain")
	}
}

func TestFieldValidation(t *testing.T) {
	cases := []struct {
		name     string
		err      error
		wantType string
	}{
		{"name ok", validateName("Ada Lovelace"), ""},
		{"name 256 runes", validateName(strings.Repeat("é", 256)), ""},
		{"name too long", validateName(strings.Repeat("é", 257)), "invalid_member_name"},
		{"name not UTF-8", validateName("\xff"), "invalid_member_name"},
		{"external id empty clears", validateExternalID(""), ""},
		{"external id ok", validateExternalID("a.b_c|d-1"), ""},
		{"external id bad char", validateExternalID("a b"), "invalid_member_external_id"},
		{"external id too long", validateExternalID(strings.Repeat("x", 129)), "invalid_member_external_id"},
		{"phone empty clears", validatePhone(""), ""},
		{"phone e164", validatePhone("+15555550100"), ""},
		{"phone no plus", validatePhone("15555550100"), "invalid_phone_number"},
		{"phone too long", validatePhone("+1234567890123456"), "invalid_phone_number"},
		{"phone leading zero", validatePhone("+0555555010"), "invalid_phone_number"},
		{"mfa method totp", validateDefaultMFAMethod("totp"), ""},
		{"mfa method bad", validateDefaultMFAMethod("email"), "invalid_default_mfa_method"},
	}
	for _, c := range cases {
		if got := apierr.TypeOf(c.err); got != c.wantType || (c.wantType == "" && c.err != nil) {
			t.Errorf("%s: %v (type %q), want %q", c.name, c.err, got, c.wantType)
		}
	}
}
