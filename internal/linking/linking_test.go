package linking

import (
	"strings"
	"testing"
)

func TestDecide(t *testing.T) {
	refuse := Policy{SubjectChange: SubjectChangeRefuse, MissingEmailVerified: MissingUntrusted}
	trusting := Policy{SubjectChange: SubjectChangeRefuse, MissingEmailVerified: MissingTrusted}
	relink := Policy{SubjectChange: SubjectChangeRelink, MissingEmailVerified: MissingUntrusted}
	saml := Policy{SubjectChange: SubjectChangeRefuse}
	tests := []struct {
		name   string
		p      Policy
		f      Facts
		action Action
		reason string // refusal reason
		mark   bool
	}{
		// A returning user is its registration, whatever the IdP says of the email.
		{"returning, verified", refuse, Facts{Trust: EmailVerified, Registered: true, EmailMember: true, EmailMemberSubject: "s"}, Returning, "", true},
		{"returning, unverified email", refuse, Facts{Trust: EmailUnverified, Registered: true}, Returning, "", false},
		{"returning, unstated email", refuse, Facts{Trust: EmailUnstated, Registered: true}, Returning, "", false},

		// New subject, no member with the email.
		{"new member, verified, JIT", refuse, Facts{Trust: EmailVerified, AllowJIT: true}, Created, "", true},
		{"new member, unverified, JIT", refuse, Facts{Trust: EmailUnverified, AllowJIT: true}, "", ReasonEmailNotVerified, false},
		{"new member, unstated, untrusted, JIT", refuse, Facts{Trust: EmailUnstated, AllowJIT: true}, "", ReasonEmailNotVerified, false},
		{"new member, unstated, trusted, JIT", trusting, Facts{Trust: EmailUnstated, AllowJIT: true}, Created, "", false},
		{"new member, no JIT", refuse, Facts{Trust: EmailVerified}, NoMember, "", true},
		{"new member, unverified, no JIT", refuse, Facts{Trust: EmailUnverified}, NoMember, "", false},

		// New subject, existing member by email, no registration with the connection yet.
		{"link, verified", refuse, Facts{Trust: EmailVerified, EmailMember: true}, Linked, "", true},
		{"link, unverified", refuse, Facts{Trust: EmailUnverified, EmailMember: true, AllowJIT: true}, "", ReasonEmailNotVerified, false},
		{"link, unstated, untrusted", refuse, Facts{Trust: EmailUnstated, EmailMember: true}, "", ReasonEmailNotVerified, false},
		{"link, unstated, trusted", trusting, Facts{Trust: EmailUnstated, EmailMember: true}, Linked, "", false},
		{"link, SAML", saml, Facts{Trust: EmailVerified, EmailMember: true}, Linked, "", true},

		// New subject, the member already registered under another subject.
		{"subject change, refused", refuse, Facts{Trust: EmailVerified, EmailMember: true, EmailMemberSubject: "old"}, "", ReasonSubjectChanged, false},
		{"subject change, relink", relink, Facts{Trust: EmailVerified, EmailMember: true, EmailMemberSubject: "old"}, Relinked, "", true},
		{"subject change, relink, unverified", relink, Facts{Trust: EmailUnverified, EmailMember: true, EmailMemberSubject: "old"}, "", ReasonEmailNotVerified, false},
		{"subject change, relink, unstated, untrusted", relink, Facts{Trust: EmailUnstated, EmailMember: true, EmailMemberSubject: "old"}, "", ReasonEmailNotVerified, false},

		// SAML transient NameIDs: the key is the vouched email; never moves a registration.
		{"transient, registered by email", saml, Facts{Trust: EmailVerified, Transient: true, Registered: true, EmailMember: true, EmailMemberSubject: "e"}, Returning, "", true},
		{"transient, member with persistent registration", saml, Facts{Trust: EmailVerified, Transient: true, EmailMember: true, EmailMemberSubject: "persistent-1"}, MatchedByEmail, "", true},
		{"transient, relink policy does not move", Policy{SubjectChange: SubjectChangeRelink}, Facts{Trust: EmailVerified, Transient: true, EmailMember: true, EmailMemberSubject: "persistent-1"}, MatchedByEmail, "", true},
		{"transient, first login", saml, Facts{Trust: EmailVerified, Transient: true, EmailMember: true}, Linked, "", true},
		{"transient, new member", saml, Facts{Trust: EmailVerified, Transient: true, AllowJIT: true}, Created, "", true},
		{"transient, registered but unvouched", refuse, Facts{Trust: EmailUnverified, Transient: true, Registered: true, EmailMember: true}, "", ReasonEmailNotVerified, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.f.Email = "ada@acme.example"
			d := Decide(tc.p, tc.f)
			if tc.reason != "" {
				if d.Refusal == nil || d.Refusal.Reason != tc.reason || d.Action != "" {
					t.Fatalf("Decide = %+v, want refusal %s", d, tc.reason)
				}
				if !strings.Contains(d.Refusal.Message, `"ada@acme.example"`) || d.Refusal.APIError().Status != 403 {
					t.Errorf("refusal = %+v", d.Refusal)
				}
			} else if d.Refusal != nil || d.Action != tc.action {
				t.Fatalf("Decide = %+v (refusal %v), want %s", d, d.Refusal, tc.action)
			}
			if d.MarkVerified != tc.mark {
				t.Errorf("MarkVerified = %v, want %v", d.MarkVerified, tc.mark)
			}
		})
	}
}

func TestRefusalNamesTheFix(t *testing.T) {
	untrusted := Decide(Policy{MissingEmailVerified: MissingUntrusted}, Facts{Email: "a@b.example", Trust: EmailUnstated, EmailMember: true})
	if !strings.Contains(untrusted.Refusal.Message, "missing_email_verified to TRUSTED") {
		t.Errorf("unstated refusal: %s", untrusted.Refusal.Message)
	}
	unverified := Decide(Policy{MissingEmailVerified: MissingTrusted}, Facts{Email: "a@b.example", Trust: EmailUnverified, AllowJIT: true})
	if !strings.Contains(unverified.Refusal.Message, "email_verified is false") || !strings.Contains(unverified.Refusal.Message, "create a member") {
		t.Errorf("unverified refusal: %s", unverified.Refusal.Message)
	}
	moved := Decide(Policy{SubjectChange: SubjectChangeRefuse}, Facts{Email: "a@b.example", Trust: EmailVerified, EmailMember: true, EmailMemberSubject: "x"})
	if !strings.Contains(moved.Refusal.Message, "subject_change to RELINK") || moved.Refusal.ErrorType != "sso_subject_changed" {
		t.Errorf("subject refusal: %+v", moved.Refusal)
	}
}

func TestEffective(t *testing.T) {
	tests := []struct {
		in   Policy
		idp  string
		oidc bool
		want Policy
	}{
		{Policy{}, "generic", true, Policy{MissingEmailVerified: MissingUntrusted, SubjectChange: SubjectChangeRefuse}},
		{Policy{}, "okta", true, Policy{MissingEmailVerified: MissingUntrusted, SubjectChange: SubjectChangeRefuse}},
		{Policy{}, "microsoft-entra", true, Policy{MissingEmailVerified: MissingTrusted, SubjectChange: SubjectChangeRefuse}},
		{Policy{MissingEmailVerified: MissingUntrusted}, "microsoft-entra", true, Policy{MissingEmailVerified: MissingUntrusted, SubjectChange: SubjectChangeRefuse}},
		{Policy{SubjectChange: SubjectChangeRelink}, "okta", false, Policy{SubjectChange: SubjectChangeRelink}},
		{Policy{MissingEmailVerified: MissingTrusted}, "okta", false, Policy{SubjectChange: SubjectChangeRefuse}},
	}
	for _, tc := range tests {
		if got := tc.in.Effective(tc.idp, tc.oidc); got != tc.want {
			t.Errorf("%+v.Effective(%s, %v) = %+v, want %+v", tc.in, tc.idp, tc.oidc, got, tc.want)
		}
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		p    Policy
		oidc bool
		ok   bool
	}{
		{Policy{}, true, true},
		{Policy{SubjectChange: "RELINK", MissingEmailVerified: "TRUSTED"}, true, true},
		{Policy{SubjectChange: "REFUSE", MissingEmailVerified: "UNTRUSTED"}, true, true},
		{Policy{SubjectChange: "RELINK"}, false, true},
		{Policy{SubjectChange: "relink"}, true, false},
		{Policy{SubjectChange: "ALWAYS"}, false, false},
		{Policy{MissingEmailVerified: "TRUSTED"}, false, false},
		{Policy{MissingEmailVerified: "MAYBE"}, true, false},
	}
	for _, tc := range tests {
		err := tc.p.Validate(tc.oidc)
		if (err == nil) != tc.ok {
			t.Errorf("Validate(%+v, oidc=%v) = %v", tc.p, tc.oidc, err)
		}
	}
}
