package setup

import "github.com/seamsso/seam/internal/store"

// Guide is how one IdP is set up, in that IdP's own words: the names its
// admin console gives the values Seam hands over, the steps, and the
// attribute names it sends by default.
type Guide struct {
	Key  string // URL key (?guide=)
	Name string
	Kind string // store.KindSAML or store.KindOIDC
	// IdentityProvider is the connection's identity_provider (Stytch's
	// enum) that this guide sets.
	IdentityProvider string
	// Labels name Seam's values in the IdP's console.
	Labels Labels
	Steps  []Step
	// Mapping is the attribute_mapping the IdP's default attributes need
	// (SAML); Groups is the attribute that carries group names, if any.
	Mapping map[string]string
	Groups  string
}

// Labels are the IdP's names for the values Seam gives it.
type Labels struct {
	ACS, EntityID, Metadata, Certificate, RedirectURL string
}

// Step is one step of a guide; ID is its anchor on the page, so that a
// failed test login can link to the step that fixes it.
type Step struct {
	ID, Title, Body string
}

// Anchors of the steps every guide has, in this order: a failed test login
// links to one of them (diagnose.go).
const (
	StepCreateApp  = "step-create-app"
	StepSPValues   = "step-sp-values"
	StepAttributes = "step-attributes"
	StepIdPValues  = "step-idp-values"
	StepAssign     = "step-assign"
)

// Default attribute names of SAML IdPs.
const (
	claimEmail     = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress"
	claimGivenName = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname"
	claimSurname   = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname"
)

// Guides lists every guide, SAML first, in the order the page offers them.
func Guides() []Guide {
	return []Guide{
		{Key: "okta", Name: "Okta", Kind: store.KindSAML, IdentityProvider: "okta",
			Labels: Labels{ACS: "Single sign-on URL", EntityID: "Audience URI (SP Entity ID)", Metadata: "SP metadata (upload in Okta)", Certificate: "Signature certificate"},
			Steps: []Step{
				{StepCreateApp, "Create the app", "In the Okta Admin Console open Applications > Applications > Create App Integration, choose SAML 2.0 and name it."},
				{StepSPValues, "Enter Seam's values", "Under Configure SAML paste the Single sign-on URL and the Audience URI (SP Entity ID) below. Keep Name ID format EmailAddress and Application username Email."},
				{StepAttributes, "Attribute statements", "Add the attribute statements email = user.email, firstName = user.firstName, lastName = user.lastName. For groups add a Group Attribute Statement named groups with a filter (for example Matches regex .*)."},
				{StepIdPValues, "Give Okta's values to Seam", "On the app's Sign On tab copy the Metadata URL (under SAML 2.0 > Metadata details) and paste it below. Okta refreshes its certificate in that document."},
				{StepAssign, "Assign people", "On the Assignments tab assign the people or groups who should sign in, including yourself for the test login."},
			},
			Mapping: map[string]string{"email": "email", "first_name": "firstName", "last_name": "lastName"}, Groups: "groups"},
		{Key: "entra", Name: "Microsoft Entra ID", Kind: store.KindSAML, IdentityProvider: "microsoft-entra",
			Labels: Labels{ACS: "Reply URL (Assertion Consumer Service URL)", EntityID: "Identifier (Entity ID)", Metadata: "Upload metadata file", Certificate: "Verification certificate"},
			Steps: []Step{
				{StepCreateApp, "Create the enterprise application", "In the Microsoft Entra admin center open Enterprise applications > New application > Create your own application, choose Integrate any other application you don't find in the gallery (Non-gallery), then Single sign-on > SAML."},
				{StepSPValues, "Basic SAML Configuration", "Edit Basic SAML Configuration: paste Identifier (Entity ID) and Reply URL (Assertion Consumer Service URL) below, or use Upload metadata file with Seam's SP metadata."},
				{StepAttributes, "Attributes & Claims", "The default claims are emailaddress, givenname, surname and name. For groups choose Add a group claim (Groups assigned to the application); it arrives as the groups claim below."},
				{StepIdPValues, "Give Entra's values to Seam", "Under SAML Certificates copy App Federation Metadata Url and paste it below."},
				{StepAssign, "Users and groups", "Under Users and groups assign who may sign in, including yourself for the test login."},
			},
			Mapping: map[string]string{"email": claimEmail, "first_name": claimGivenName, "last_name": claimSurname},
			Groups:  "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups"},
		{Key: "google", Name: "Google Workspace", Kind: store.KindSAML, IdentityProvider: "google-workspace",
			Labels: Labels{ACS: "ACS URL", EntityID: "Entity ID", Metadata: "SP metadata", Certificate: "Certificate"},
			Steps: []Step{
				{StepCreateApp, "Add a custom SAML app", "In the Google Admin console open Apps > Web and mobile apps > Add app > Add custom SAML app and name it."},
				{StepIdPValues, "Download the IdP metadata", "On Google Identity Provider details choose DOWNLOAD METADATA and upload that file below (Google has no metadata URL). Then Continue."},
				{StepSPValues, "Service provider details", "Paste the ACS URL and the Entity ID below. Name ID format EMAIL, Name ID Basic Information > Primary email."},
				{StepAttributes, "Attribute mapping", "Map Primary email to email, First name to firstName, Last name to lastName. For groups use Group membership with the app attribute groups."},
				{StepAssign, "User access", "Open the app's User access and turn it ON for everyone or for the organizational units who sign in. Changes can take a few minutes."},
			},
			Mapping: map[string]string{"email": "email", "first_name": "firstName", "last_name": "lastName"}, Groups: "groups"},
		{Key: "adfs", Name: "ADFS (Active Directory Federation Services)", Kind: store.KindSAML, IdentityProvider: "generic",
			Labels: Labels{ACS: "Relying party SAML 2.0 SSO service URL", EntityID: "Relying party trust identifier", Metadata: "Federation metadata (import)", Certificate: "Signature (encryption is optional)"},
			Steps: []Step{
				{StepCreateApp, "Add a relying party trust", "In AD FS Management open Relying Party Trusts > Add Relying Party Trust, choose Claims aware."},
				{StepSPValues, "Enter data manually", "Choose Enter data about the relying party manually, enable support for the SAML 2.0 WebSSO protocol with the Relying party SAML 2.0 SSO service URL below, and add the Relying party trust identifier below."},
				{StepAttributes, "Claim issuance policy", "Add a rule Send LDAP Attributes as Claims: E-Mail-Addresses to E-Mail Address, Given-Name to Given Name, Surname to Surname; for groups, Token-Groups - Unqualified Names to Group."},
				{StepIdPValues, "Give ADFS's values to Seam", "Paste https://YOUR-ADFS-HOST/FederationMetadata/2007-06/FederationMetadata.xml below."},
				{StepAssign, "Access control", "Choose an access control policy that permits the people who sign in, including yourself for the test login."},
			},
			Mapping: map[string]string{"email": claimEmail, "first_name": claimGivenName, "last_name": claimSurname},
			Groups:  "http://schemas.xmlsoap.org/claims/Group"},
		{Key: "jumpcloud", Name: "JumpCloud", Kind: store.KindSAML, IdentityProvider: "jumpcloud",
			Labels: Labels{ACS: "ACS URLs (Default URL)", EntityID: "SP Entity ID", Metadata: "Service Provider Metadata (upload)", Certificate: "SP Certificate"},
			Steps: []Step{
				{StepCreateApp, "Add a custom SAML application", "In the JumpCloud Admin Portal open SSO Applications > Add New Application > Custom Application and pick Manage Single Sign-On (SSO) with SAML."},
				{StepSPValues, "SSO tab", "Set IdP Entity ID (any unique name, e.g. your company name), paste the SP Entity ID and ACS URLs below. SAMLSubject NameID email."},
				{StepAttributes, "User attributes", "Add attributes email = email, firstName = firstname, lastName = lastname; tick Include group attribute named memberOf for groups."},
				{StepIdPValues, "Give JumpCloud's values to Seam", "Save, then Export Metadata and upload the file below (or enter the IDP URL, IdP Entity ID and certificate by hand)."},
				{StepAssign, "User groups", "On the User Groups tab bind the groups whose members sign in, including yours for the test login."},
			},
			Mapping: map[string]string{"email": "email", "first_name": "firstName", "last_name": "lastName"}, Groups: "memberOf"},
		{Key: "generic-saml", Name: "Other SAML IdP", Kind: store.KindSAML, IdentityProvider: "generic",
			Labels: Labels{ACS: "Assertion Consumer Service (ACS) URL", EntityID: "SP entity ID / Audience", Metadata: "SP metadata", Certificate: "SP signing certificate"},
			Steps: []Step{
				{StepCreateApp, "Create a SAML application", "In your IdP create a SAML 2.0 service provider (also called application or relying party)."},
				{StepSPValues, "Enter Seam's values", "Give it the ACS URL (HTTP-POST binding) and the SP entity ID / Audience below, or import the SP metadata. Sign the assertion or the response with RSA-SHA256."},
				{StepAttributes, "Attributes", "Send the email address, and the first and last name (or the full name), as attributes; enter their names below."},
				{StepIdPValues, "Give the IdP's values to Seam", "Paste the IdP's metadata URL below, upload its metadata file, or enter its SSO URL, entity ID and signing certificate by hand."},
				{StepAssign, "Assign people", "Assign the people who should sign in, including yourself for the test login."},
			},
			Mapping: map[string]string{"email": "email", "first_name": "firstName", "last_name": "lastName"}, Groups: "groups"},
		{Key: "generic-oidc", Name: "OpenID Connect provider", Kind: store.KindOIDC, IdentityProvider: "generic",
			Labels: Labels{RedirectURL: "Redirect URI (sign-in redirect URI, callback URL)"},
			Steps: []Step{
				{StepCreateApp, "Register a web application", "In your OpenID provider (Okta: Applications > Create App Integration > OIDC - Web Application; Entra ID: App registrations > New registration, platform Web; Google: APIs & Services > Credentials > OAuth client ID, type Web application) create a confidential client using the authorization code flow."},
				{StepSPValues, "Redirect URI", "Add the Redirect URI below exactly as shown."},
				{StepAttributes, "Scopes and claims", "Seam asks for openid, email and profile and reads the email, name, given_name and family_name claims."},
				{StepIdPValues, "Give the provider's values to Seam", "Enter the Issuer (for Entra ID https://login.microsoftonline.com/TENANT-ID/v2.0; Okta https://YOUR-ORG.okta.com; Google https://accounts.google.com), the Client ID and a Client secret below. Seam reads the endpoints from the issuer's discovery document."},
				{StepAssign, "Assign people", "Assign the people who should sign in, including yourself for the test login."},
			},
			Mapping: map[string]string{}},
	}
}

// GuideFor returns the guide with key, if it is one for kind.
func GuideFor(key, kind string) (Guide, bool) {
	for _, g := range Guides() {
		if g.Key == key && g.Kind == kind {
			return g, true
		}
	}
	return Guide{}, false
}

// DefaultGuide is the guide of a connection with no guide chosen: the one
// matching its identity_provider, else the generic one of its kind.
func DefaultGuide(kind, identityProvider string) Guide {
	generic := "generic-saml"
	if kind == store.KindOIDC {
		generic = "generic-oidc"
	}
	for _, g := range Guides() {
		if g.Kind == kind && g.IdentityProvider == identityProvider && identityProvider != "generic" {
			return g
		}
	}
	g, _ := GuideFor(generic, kind)
	return g
}
