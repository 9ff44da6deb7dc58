package scim

import "strings"

// Discovery documents (RFC 7644 section 4), built from the attribute
// tables the service enforces, so what Seam advertises is what it does.

// ServiceProviderConfig is GET /ServiceProviderConfig.
func (s *Service) ServiceProviderConfig(sc *Scope) map[string]any {
	no := map[string]any{"supported": false}
	return map[string]any{
		"schemas":          []any{"urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"},
		"documentationUri": "https://github.com/seamsso/seam/blob/main/docs/scim.md",
		"patch":            map[string]any{"supported": true},
		"bulk":             map[string]any{"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
		"filter":           map[string]any{"supported": true, "maxResults": MaxResults},
		"changePassword":   no,
		"sort":             no,
		"etag":             no,
		"authenticationSchemes": []any{map[string]any{
			"type": "oauthbearertoken", "name": "Bearer token", "primary": true,
			"description": "The SCIM connection's bearer token in the Authorization header.",
		}},
		"meta": map[string]any{"resourceType": "ServiceProviderConfig", "location": sc.Base + "/ServiceProviderConfig"},
	}
}

// ResourceTypes is GET /ResourceTypes.
func (s *Service) ResourceTypes(sc *Scope) []map[string]any {
	return []map[string]any{s.resourceType(sc, "User"), s.resourceType(sc, "Group")}
}

func (s *Service) resourceType(sc *Scope, name string) map[string]any {
	rt := map[string]any{
		"schemas": []any{"urn:ietf:params:scim:schemas:core:2.0:ResourceType"},
		"id":      name, "name": name, "endpoint": "/" + name + "s",
		"meta": map[string]any{"resourceType": "ResourceType", "location": sc.Base + "/ResourceTypes/" + name},
	}
	if name == "User" {
		rt["description"], rt["schema"] = "User Account", UserSchema
		rt["schemaExtensions"] = []any{map[string]any{"schema": EnterpriseSchema, "required": false}}
	} else {
		rt["description"], rt["schema"] = "Group", GroupSchema
		rt["schemaExtensions"] = []any{}
	}
	return rt
}

// Schemas is GET /Schemas.
func (s *Service) Schemas(sc *Scope) []map[string]any {
	return []map[string]any{
		schemaDoc(sc, UserSchema, "User", "User Account", userAttrs, userOrder),
		schemaDoc(sc, GroupSchema, "Group", "Group", groupAttrs, groupOrder),
		schemaDoc(sc, EnterpriseSchema, "EnterpriseUser", "Enterprise User", enterpriseAttrs, enterpriseOrder),
	}
}

var (
	userOrder = []string{"userName", "externalId", "name", "displayName", "nickName", "profileUrl", "title", "userType",
		"preferredLanguage", "locale", "timezone", "active", "emails", "phoneNumbers", "ims", "photos", "addresses",
		"entitlements", "roles", "x509Certificates"}
	groupOrder      = []string{"displayName", "externalId", "members"}
	enterpriseOrder = []string{"employeeNumber", "costCenter", "organization", "division", "department", "manager"}
)

func schemaDoc(sc *Scope, id, name, desc string, attrs map[string]attrSpec, order []string) map[string]any {
	list := []any{}
	for _, n := range order {
		list = append(list, attrDoc(attrs[strings.ToLower(n)], id))
	}
	if id == UserSchema {
		list = append(list, map[string]any{
			"name": "groups", "type": "complex", "multiValued": true, "required": false, "caseExact": false,
			"mutability": "readOnly", "returned": "default", "uniqueness": "none", "description": "Groups the user belongs to.",
			"subAttributes": []any{subDoc("value", "readOnly"), subDoc("display", "readOnly"), subDoc("$ref", "readOnly")},
		})
	}
	return map[string]any{
		"schemas": []any{"urn:ietf:params:scim:schemas:core:2.0:Schema"},
		"id":      id, "name": name, "description": desc, "attributes": list,
		"meta": map[string]any{"resourceType": "Schema", "location": sc.Base + "/Schemas/" + id},
	}
}

func attrDoc(a attrSpec, schema string) map[string]any {
	d := map[string]any{
		"name": a.name, "type": "string", "multiValued": a.shape == shapeMulti, "required": false, "caseExact": false,
		"mutability": "readWrite", "returned": "default", "uniqueness": "none", "description": a.name,
	}
	switch {
	case a.name == "userName":
		d["required"], d["uniqueness"] = true, "server"
	case a.name == "displayName" && schema == GroupSchema:
		d["required"] = true
	case a.name == "externalId":
		d["caseExact"] = true
	}
	switch a.shape {
	case shapeBool:
		d["type"] = "boolean"
	case shapeComplex, shapeMulti:
		d["type"] = "complex"
		subs := []any{}
		for _, s := range a.subs {
			sd := subDoc(s, "readWrite")
			if s == "primary" {
				sd["type"] = "boolean"
			}
			subs = append(subs, sd)
		}
		d["subAttributes"] = subs
	}
	return d
}

func subDoc(name, mutability string) map[string]any {
	d := map[string]any{"name": name, "type": "string", "multiValued": false, "required": false, "caseExact": false,
		"mutability": mutability, "returned": "default", "uniqueness": "none", "description": name}
	if name == "$ref" {
		d["type"], d["referenceTypes"] = "reference", []any{"User", "Group"}
	}
	return d
}
