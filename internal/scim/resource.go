package scim

import (
	"encoding/json"
	"strings"
)

// A resource is held as a JSON object with canonical attribute names (RFC
// 7643 attribute names are case-insensitive; IdPs differ in case). These
// tables name the attributes Seam keeps and their shape.

type attrShape int

const (
	shapeString attrShape = iota
	shapeBool
	shapeComplex // an object with string (or bool "primary") sub-attributes
	shapeMulti   // an array of complex values
)

type attrSpec struct {
	name  string
	shape attrShape
	subs  []string // complex and multi-valued: the sub-attributes kept
}

var multiSubs = []string{"value", "display", "type", "primary"}

var userAttrs = specs(
	attrSpec{"userName", shapeString, nil},
	attrSpec{"externalId", shapeString, nil},
	attrSpec{"name", shapeComplex, []string{"formatted", "familyName", "givenName", "middleName", "honorificPrefix", "honorificSuffix"}},
	attrSpec{"displayName", shapeString, nil},
	attrSpec{"nickName", shapeString, nil},
	attrSpec{"profileUrl", shapeString, nil},
	attrSpec{"title", shapeString, nil},
	attrSpec{"userType", shapeString, nil},
	attrSpec{"preferredLanguage", shapeString, nil},
	attrSpec{"locale", shapeString, nil},
	attrSpec{"timezone", shapeString, nil},
	attrSpec{"active", shapeBool, nil},
	attrSpec{"emails", shapeMulti, multiSubs},
	attrSpec{"phoneNumbers", shapeMulti, multiSubs},
	attrSpec{"ims", shapeMulti, multiSubs},
	attrSpec{"photos", shapeMulti, multiSubs},
	attrSpec{"addresses", shapeMulti, []string{"formatted", "streetAddress", "locality", "region", "postalCode", "country", "type", "primary"}},
	attrSpec{"entitlements", shapeMulti, multiSubs},
	attrSpec{"roles", shapeMulti, multiSubs},
	attrSpec{"x509Certificates", shapeMulti, multiSubs},
)

var enterpriseAttrs = specs(
	attrSpec{"employeeNumber", shapeString, nil},
	attrSpec{"costCenter", shapeString, nil},
	attrSpec{"organization", shapeString, nil},
	attrSpec{"division", shapeString, nil},
	attrSpec{"department", shapeString, nil},
	attrSpec{"manager", shapeComplex, []string{"value", "$ref", "displayName"}},
)

var groupAttrs = specs(
	attrSpec{"displayName", shapeString, nil},
	attrSpec{"externalId", shapeString, nil},
	attrSpec{"members", shapeMulti, []string{"value", "display", "type", "$ref"}},
)

// readOnly attributes a client may send (echoing a GET) but never sets.
var readOnly = map[string]bool{"id": true, "meta": true, "groups": true, "schemas": true, "password": true}

func specs(list ...attrSpec) map[string]attrSpec {
	out := make(map[string]attrSpec, len(list))
	for _, a := range list {
		out[strings.ToLower(a.name)] = a
	}
	return out
}

// Size limits of one resource.
const (
	MaxStringLength = 2048
	MaxMultiValues  = 100
	MaxGroupMembers = 10000
)

// normalize checks a resource object against attrs and returns it with
// canonical names, unknown attributes dropped. Booleans may arrive as the
// strings "True"/"False" (Entra ID). enterprise, when true, allows the
// enterprise extension object under its URN.
func normalize(in map[string]any, attrs map[string]attrSpec, enterprise bool) (map[string]any, error) {
	out := map[string]any{}
	for k, v := range in {
		lk := strings.ToLower(k)
		if readOnly[lk] || v == nil {
			continue
		}
		if enterprise && strings.EqualFold(k, EnterpriseSchema) {
			obj, ok := v.(map[string]any)
			if !ok {
				return nil, badRequest(TypeInvalidValue, "The enterprise extension must be an object.")
			}
			ext, err := normalize(obj, enterpriseAttrs, false)
			if err != nil {
				return nil, err
			}
			if len(ext) > 0 {
				out[EnterpriseSchema] = ext
			}
			continue
		}
		spec, ok := attrs[lk]
		if !ok {
			continue // attributes outside the schema are ignored (RFC 7644 3.3)
		}
		nv, err := normalizeValue(spec, v)
		if err != nil {
			return nil, err
		}
		if nv != nil {
			out[spec.name] = nv
		}
	}
	return out, nil
}

func normalizeValue(spec attrSpec, v any) (any, error) {
	switch spec.shape {
	case shapeString:
		s, ok := v.(string)
		if !ok {
			return nil, badRequest(TypeInvalidValue, quote(spec.name)+" must be a string.")
		}
		if len(s) > MaxStringLength {
			return nil, badRequest(TypeInvalidValue, quote(spec.name)+" is too long.")
		}
		return s, nil
	case shapeBool:
		b, ok := boolValue(v)
		if !ok {
			return nil, badRequest(TypeInvalidValue, quote(spec.name)+" must be a boolean.")
		}
		return b, nil
	case shapeComplex:
		obj, ok := v.(map[string]any)
		if !ok {
			return nil, badRequest(TypeInvalidValue, quote(spec.name)+" must be an object.")
		}
		return complexValue(spec, obj)
	}
	list, ok := v.([]any)
	if !ok {
		if obj, isObj := v.(map[string]any); isObj {
			list = []any{obj} // a single value where an array belongs: accepted
		} else {
			return nil, badRequest(TypeInvalidValue, quote(spec.name)+" must be an array.")
		}
	}
	max := MaxMultiValues
	if spec.name == "members" {
		max = MaxGroupMembers
	}
	if len(list) > max {
		return nil, badRequest(TypeInvalidValue, quote(spec.name)+" has too many values.")
	}
	out := make([]any, 0, len(list))
	for _, item := range list {
		obj, ok := item.(map[string]any)
		if !ok {
			return nil, badRequest(TypeInvalidValue, "Each value of "+quote(spec.name)+" must be an object.")
		}
		c, err := complexValue(spec, obj)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

func complexValue(spec attrSpec, obj map[string]any) (map[string]any, error) {
	out := map[string]any{}
	for k, v := range obj {
		if v == nil {
			continue
		}
		var name string
		for _, s := range spec.subs {
			if strings.EqualFold(s, k) {
				name = s
			}
		}
		if name == "" {
			continue
		}
		if name == "primary" {
			b, ok := boolValue(v)
			if !ok {
				return nil, badRequest(TypeInvalidValue, quote(spec.name+".primary")+" must be a boolean.")
			}
			out[name] = b
			continue
		}
		s, ok := v.(string)
		if !ok {
			return nil, badRequest(TypeInvalidValue, quote(spec.name+"."+name)+" must be a string.")
		}
		if len(s) > MaxStringLength {
			return nil, badRequest(TypeInvalidValue, quote(spec.name+"."+name)+" is too long.")
		}
		out[name] = s
	}
	return out, nil
}

// checkSchemas requires the resource's core schema URN and refuses URNs
// Seam does not know.
func checkSchemas(raw map[string]any, core string, allowed ...string) error {
	list, ok := raw["schemas"].([]any)
	if !ok || len(list) == 0 {
		return badRequest(TypeInvalidSyntax, "schemas must list "+core+".")
	}
	names := make([]string, 0, len(list))
	for _, v := range list {
		s, ok := v.(string)
		if !ok {
			return badRequest(TypeInvalidSyntax, "schemas must be an array of URNs.")
		}
		names = append(names, s)
	}
	if !containsFold(names, core) {
		return badRequest(TypeInvalidSyntax, "schemas must list "+core+".")
	}
	for _, s := range names {
		if !strings.EqualFold(s, core) && !containsFold(allowed, s) {
			return badRequest(TypeInvalidValue, "Unknown schema "+quote(s)+".")
		}
	}
	return nil
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

// decodeObject reads a JSON object request body.
func decodeObject(body []byte) (map[string]any, error) {
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return nil, badRequest(TypeInvalidSyntax, "The body is not valid JSON.")
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, badRequest(TypeInvalidSyntax, "The body must be a JSON object.")
	}
	return obj, nil
}

func str(m map[string]any, k string) string {
	s, _ := m[k].(string)
	return s
}
