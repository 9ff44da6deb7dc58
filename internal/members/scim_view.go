package members

import (
	"encoding/json"

	"github.com/seamsso/seam/internal/store"
)

// SourceSCIMGroup is the role source of a SCIM connection's group implicit
// role assignment (details: connection_id, group_id). Unlike the SSO
// sources it does not depend on how the session authenticated.
const SourceSCIMGroup = "scim_connection_group"

// SCIMRegistration is Stytch's scim_registration on a member.
type SCIMRegistration struct {
	ConnectionID   string         `json:"connection_id"`
	RegistrationID string         `json:"registration_id"`
	ExternalID     string         `json:"external_id"`
	SCIMAttributes SCIMAttributes `json:"scim_attributes"`
}

// SCIMAttributes is the SCIM user in Stytch's snake_case form.
type SCIMAttributes struct {
	UserName            string               `json:"user_name"`
	ID                  string               `json:"id"`
	ExternalID          string               `json:"external_id"`
	Active              bool                 `json:"active"`
	Groups              []SCIMGroupRef       `json:"groups"`
	DisplayName         string               `json:"display_name"`
	NickName            string               `json:"nick_name"`
	ProfileURL          string               `json:"profile_url"`
	UserType            string               `json:"user_type"`
	Title               string               `json:"title"`
	PreferredLanguage   string               `json:"preferred_language"`
	Locale              string               `json:"locale"`
	Timezone            string               `json:"timezone"`
	Emails              []SCIMMultiValue     `json:"emails"`
	PhoneNumbers        []SCIMMultiValue     `json:"phone_numbers"`
	Addresses           []SCIMAddress        `json:"addresses"`
	IMs                 []SCIMMultiValue     `json:"ims"`
	Photos              []SCIMMultiValue     `json:"photos"`
	Entitlements        []SCIMMultiValue     `json:"entitlements"`
	Roles               []SCIMMultiValue     `json:"roles"`
	X509Certificates    []SCIMMultiValue     `json:"x509certificates"`
	Name                *SCIMName            `json:"name,omitempty"`
	EnterpriseExtension *SCIMEnterpriseValue `json:"enterprise_extension,omitempty"`
}

// SCIMGroupRef is a group of the user.
type SCIMGroupRef struct {
	Value   string `json:"value"`
	Display string `json:"display"`
}

// SCIMMultiValue is an email, phone number and the like.
type SCIMMultiValue struct {
	Value   string `json:"value"`
	Type    string `json:"type"`
	Primary bool   `json:"primary"`
}

// SCIMAddress is a postal address.
type SCIMAddress struct {
	Formatted     string `json:"formatted"`
	StreetAddress string `json:"street_address"`
	Locality      string `json:"locality"`
	Region        string `json:"region"`
	PostalCode    string `json:"postal_code"`
	Country       string `json:"country"`
	Type          string `json:"type"`
	Primary       bool   `json:"primary"`
}

// SCIMName is the user's name components.
type SCIMName struct {
	Formatted       string `json:"formatted"`
	FamilyName      string `json:"family_name"`
	GivenName       string `json:"given_name"`
	MiddleName      string `json:"middle_name"`
	HonorificPrefix string `json:"honorific_prefix"`
	HonorificSuffix string `json:"honorific_suffix"`
}

// SCIMEnterpriseValue is the enterprise user extension.
type SCIMEnterpriseValue struct {
	EmployeeNumber string       `json:"employee_number"`
	CostCenter     string       `json:"cost_center"`
	Division       string       `json:"division"`
	Department     string       `json:"department"`
	Organization   string       `json:"organization"`
	Manager        *SCIMManager `json:"manager,omitempty"`
}

// SCIMManager is the user's manager.
type SCIMManager struct {
	Value       string `json:"value"`
	Ref         string `json:"ref"`
	DisplayName string `json:"display_name"`
}

// storedUser reads the stored SCIM resource (RFC 7643 names, as package
// scim keeps it).
type storedUser struct {
	DisplayName       string           `json:"displayName"`
	NickName          string           `json:"nickName"`
	ProfileURL        string           `json:"profileUrl"`
	UserType          string           `json:"userType"`
	Title             string           `json:"title"`
	PreferredLanguage string           `json:"preferredLanguage"`
	Locale            string           `json:"locale"`
	Timezone          string           `json:"timezone"`
	Emails            []SCIMMultiValue `json:"emails"`
	PhoneNumbers      []SCIMMultiValue `json:"phoneNumbers"`
	IMs               []SCIMMultiValue `json:"ims"`
	Photos            []SCIMMultiValue `json:"photos"`
	Entitlements      []SCIMMultiValue `json:"entitlements"`
	Roles             []SCIMMultiValue `json:"roles"`
	X509Certificates  []SCIMMultiValue `json:"x509Certificates"`
	Addresses         []struct {
		Formatted     string `json:"formatted"`
		StreetAddress string `json:"streetAddress"`
		Locality      string `json:"locality"`
		Region        string `json:"region"`
		PostalCode    string `json:"postalCode"`
		Country       string `json:"country"`
		Type          string `json:"type"`
		Primary       bool   `json:"primary"`
	} `json:"addresses"`
	Name *struct {
		Formatted       string `json:"formatted"`
		FamilyName      string `json:"familyName"`
		GivenName       string `json:"givenName"`
		MiddleName      string `json:"middleName"`
		HonorificPrefix string `json:"honorificPrefix"`
		HonorificSuffix string `json:"honorificSuffix"`
	} `json:"name"`
	Enterprise *struct {
		EmployeeNumber string `json:"employeeNumber"`
		CostCenter     string `json:"costCenter"`
		Division       string `json:"division"`
		Department     string `json:"department"`
		Organization   string `json:"organization"`
		Manager        *struct {
			Value       string `json:"value"`
			Ref         string `json:"$ref"`
			DisplayName string `json:"displayName"`
		} `json:"manager"`
	} `json:"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"`
}

func withSCIM(v *Member, regs []*store.SCIMRegistration) *Member {
	if len(regs) > 0 {
		v.SCIMRegistration = renderSCIM(regs[0])
	}
	return v
}

func renderSCIM(r *store.SCIMRegistration) *SCIMRegistration {
	u := r.User
	var st storedUser
	_ = json.Unmarshal(u.Resource, &st) // written by package scim; a bad row shows empty attributes
	a := SCIMAttributes{
		UserName: u.UserName, ID: u.MemberID, ExternalID: u.ExternalID, Active: u.Active, Groups: []SCIMGroupRef{},
		DisplayName: st.DisplayName, NickName: st.NickName, ProfileURL: st.ProfileURL, UserType: st.UserType,
		Title: st.Title, PreferredLanguage: st.PreferredLanguage, Locale: st.Locale, Timezone: st.Timezone,
		Emails: orEmpty(st.Emails), PhoneNumbers: orEmpty(st.PhoneNumbers), IMs: orEmpty(st.IMs), Photos: orEmpty(st.Photos),
		Entitlements: orEmpty(st.Entitlements), Roles: orEmpty(st.Roles), X509Certificates: orEmpty(st.X509Certificates),
		Addresses: []SCIMAddress{},
	}
	for _, g := range r.Groups {
		a.Groups = append(a.Groups, SCIMGroupRef{Value: g.GroupID, Display: g.GroupDisplayName})
	}
	for _, ad := range st.Addresses {
		a.Addresses = append(a.Addresses, SCIMAddress(ad))
	}
	if n := st.Name; n != nil {
		a.Name = &SCIMName{Formatted: n.Formatted, FamilyName: n.FamilyName, GivenName: n.GivenName, MiddleName: n.MiddleName,
			HonorificPrefix: n.HonorificPrefix, HonorificSuffix: n.HonorificSuffix}
	}
	if e := st.Enterprise; e != nil {
		a.EnterpriseExtension = &SCIMEnterpriseValue{EmployeeNumber: e.EmployeeNumber, CostCenter: e.CostCenter,
			Division: e.Division, Department: e.Department, Organization: e.Organization}
		if m := e.Manager; m != nil {
			a.EnterpriseExtension.Manager = &SCIMManager{Value: m.Value, Ref: m.Ref, DisplayName: m.DisplayName}
		}
	}
	return &SCIMRegistration{ConnectionID: u.ConnectionID, RegistrationID: u.RegistrationID, ExternalID: u.ExternalID, SCIMAttributes: a}
}

func orEmpty(v []SCIMMultiValue) []SCIMMultiValue {
	if v == nil {
		return []SCIMMultiValue{}
	}
	return v
}
