package setup

import "testing"

func TestDetectIdP(t *testing.T) {
	tests := []struct {
		name, entityID, ssoURL string
		want                   Detected
	}{
		{"Okta", "http://www.okta.com/exk1fcia6d6EMsf331d8", "https://acme.okta.com/app/acme_seam_1/exk1fcia6d6EMsf331d8/sso/saml",
			Detected{"Okta", "okta", "okta"}},
		{"Okta preview by SSO URL only", "urn:acme:idp", "https://acme.oktapreview.com/app/x/sso/saml", Detected{"Okta", "okta", "okta"}},
		{"Entra ID", "https://sts.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47/", "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/saml2",
			Detected{"Microsoft Entra ID", "entra", "microsoft-entra"}},
		{"Google", "https://accounts.google.com/o/saml2?idpid=C01abcde", "https://accounts.google.com/o/saml2/idp?idpid=C01abcde",
			Detected{"Google Workspace", "google", "google-workspace"}},
		{"Google host, other path", "https://accounts.google.com/other", "", Detected{Guide: "generic-saml", IdentityProvider: "generic"}},
		{"JumpCloud", "JumpCloud", "https://sso.jumpcloud.com/saml2/seam", Detected{"JumpCloud", "jumpcloud", "jumpcloud"}},
		{"OneLogin", "https://app.onelogin.com/saml/metadata/1234", "https://acme.onelogin.com/trust/saml2/http-redirect/sso/1234",
			Detected{"OneLogin", "generic-saml", "onelogin"}},
		{"PingFederate", "urn:acme:pingfed", "https://sso.acme.example/idp/SSO.saml2", Detected{"PingFederate", "generic-saml", "pingfederate"}},
		{"ADFS", "http://adfs.acme.example/adfs/services/trust", "https://adfs.acme.example/adfs/ls/", Detected{"ADFS", "adfs", "generic"}},
		{"a look-alike host is not Okta", "https://okta.com.evil.example/x", "https://notokta.com/sso", Detected{Guide: "generic-saml", IdentityProvider: "generic"}},
		{"unknown", "http://localhost:4000/metadata", "http://localhost:4000/sso", Detected{Guide: "generic-saml", IdentityProvider: "generic"}},
		{"not URLs", "urn:x", "", Detected{Guide: "generic-saml", IdentityProvider: "generic"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := DetectIdP(tt.entityID, tt.ssoURL); got != tt.want {
				t.Errorf("DetectIdP(%q, %q) = %+v, want %+v", tt.entityID, tt.ssoURL, got, tt.want)
			}
		})
	}
}

func TestEveryDetectedGuideExists(t *testing.T) {
	for _, r := range detectRules() {
		if _, ok := GuideFor(r.guide, "saml"); !ok {
			t.Errorf("%s opens guide %q, which does not exist", r.name, r.guide)
		}
	}
}

func TestGuidesHaveTheAnchoredSteps(t *testing.T) {
	for _, g := range Guides() {
		have := map[string]bool{}
		for _, s := range g.Steps {
			have[s.ID] = true
		}
		for _, id := range []string{StepCreateApp, StepSPValues, StepAttributes, StepIdPValues, StepAssign} {
			if !have[id] {
				t.Errorf("guide %s has no step %s, which failed test logins link to", g.Key, id)
			}
		}
		if g.Kind == "saml" && (g.Mapping["email"] == "" || g.Mapping["first_name"] == "" || g.Mapping["last_name"] == "") {
			t.Errorf("guide %s has no default attribute mapping", g.Key)
		}
	}
}
