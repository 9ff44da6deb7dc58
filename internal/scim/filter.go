package scim

import (
	"strings"

	filter "github.com/scim2/filter-parser/v2"

	"github.com/seamsso/seam/internal/store"
)

// Filter limits: a longer or deeper filter is refused before it reaches the
// database.
const (
	MaxFilterLength = 2048
	MaxFilterNodes  = 64
)

// Schema URNs.
const (
	UserSchema       = "urn:ietf:params:scim:schemas:core:2.0:User"
	GroupSchema      = "urn:ietf:params:scim:schemas:core:2.0:Group"
	EnterpriseSchema = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	ListSchema       = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
	PatchSchema      = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
)

// resourceKind selects the filterable attributes.
type resourceKind int

const (
	userResource resourceKind = iota
	groupResource
)

// filterAttrs maps lower-cased SCIM attribute paths to store columns.
var filterAttrs = map[resourceKind]map[string]string{
	userResource: {
		"id": store.SCIMAttrID, "username": store.SCIMAttrUserName, "externalid": store.SCIMAttrExternalID,
		"emails.value": store.SCIMAttrEmail, "emails": store.SCIMAttrEmail, "displayname": store.SCIMAttrDisplayName,
		"active": store.SCIMAttrActive,
	},
	groupResource: {
		"id": store.SCIMAttrID, "displayname": store.SCIMAttrDisplayName, "externalid": store.SCIMAttrExternalID,
		"members.value": store.SCIMAttrMember, "members": store.SCIMAttrMember,
	},
}

// ParseFilter translates an RFC 7644 filter into a store condition. It
// accepts eq, ne, co, sw, ew and pr, joined by and, or and not, on the
// attributes in filterAttrs (emails[value ...] too); anything else is an
// invalidFilter error.
func parseFilter(kind resourceKind, raw string) (*store.SCIMCond, error) {
	if strings.TrimSpace(raw) == "" {
		return nil, nil
	}
	if len(raw) > MaxFilterLength {
		return nil, badRequest(TypeInvalidFilter, "The filter is too long.")
	}
	expr, err := parseFilterSafely(raw)
	if err != nil {
		return nil, badRequest(TypeInvalidFilter, "The filter is not valid RFC 7644 filter syntax.")
	}
	nodes := 0
	return translate(kind, expr, "", &nodes)
}

// parseFilterSafely runs the parser, turning a panic on hostile input into
// a syntax error: the filter comes straight from the request.
func parseFilterSafely(raw string) (expr filter.Expression, err error) {
	defer func() {
		if r := recover(); r != nil {
			expr, err = nil, errPanic
		}
	}()
	return filter.ParseFilter([]byte(raw))
}

var errPanic = badRequest(TypeInvalidFilter, "The filter could not be parsed.")

func translate(kind resourceKind, e filter.Expression, prefix string, nodes *int) (*store.SCIMCond, error) {
	if *nodes++; *nodes > MaxFilterNodes {
		return nil, badRequest(TypeInvalidFilter, "The filter has too many terms.")
	}
	switch x := e.(type) {
	case *filter.LogicalExpression:
		l, err := translate(kind, x.Left, prefix, nodes)
		if err != nil {
			return nil, err
		}
		r, err := translate(kind, x.Right, prefix, nodes)
		if err != nil {
			return nil, err
		}
		op := store.SCIMAnd
		if strings.EqualFold(string(x.Operator), "or") {
			op = store.SCIMOr
		}
		return &store.SCIMCond{Kind: op, Left: l, Right: r}, nil
	case *filter.NotExpression:
		l, err := translate(kind, x.Expression, prefix, nodes)
		if err != nil {
			return nil, err
		}
		return &store.SCIMCond{Kind: store.SCIMNot, Left: l}, nil
	case *filter.ValuePath:
		if prefix != "" {
			return nil, badRequest(TypeInvalidFilter, "Nested value filters are not supported.")
		}
		name, err := attrName(x.AttributePath)
		if err != nil {
			return nil, err
		}
		return translate(kind, x.ValueFilter, name+".", nodes)
	case *filter.AttributeExpression:
		name, err := attrName(x.AttributePath)
		if err != nil {
			return nil, err
		}
		attr, ok := filterAttrs[kind][prefix+name]
		if !ok {
			return nil, badRequest(TypeInvalidFilter, "Filtering on "+quote(prefix+name)+" is not supported.")
		}
		return comparison(attr, x)
	}
	return nil, badRequest(TypeInvalidFilter, "Unsupported filter expression.")
}

// attrName is the lower-cased attribute path without the core schema URN.
func attrName(p filter.AttributePath) (string, error) {
	if uri := p.URI(); uri != "" && !strings.EqualFold(uri, UserSchema) && !strings.EqualFold(uri, GroupSchema) {
		return "", badRequest(TypeInvalidFilter, "Filtering on extension attributes is not supported.")
	}
	name := strings.ToLower(p.AttributeName)
	if sub := p.SubAttributeName(); sub != "" {
		name += "." + strings.ToLower(sub)
	}
	return name, nil
}

var compareOps = map[filter.CompareOperator]string{
	filter.EQ: store.SCIMEq, filter.NE: store.SCIMNe, filter.CO: store.SCIMCo, filter.SW: store.SCIMSw,
	filter.EW: store.SCIMEw, filter.PR: store.SCIMPr,
}

func comparison(attr string, x *filter.AttributeExpression) (*store.SCIMCond, error) {
	op, ok := compareOps[filter.CompareOperator(strings.ToLower(string(x.Operator)))]
	if !ok {
		return nil, badRequest(TypeInvalidFilter, "The "+quote(string(x.Operator))+" operator is not supported.")
	}
	c := &store.SCIMCond{Kind: store.SCIMCmp, Attr: attr, Op: op}
	if op == store.SCIMPr {
		return c, nil
	}
	if attr == store.SCIMAttrMember && op != store.SCIMEq {
		return nil, badRequest(TypeInvalidFilter, "members compares with eq only.")
	}
	if attr == store.SCIMAttrActive {
		b, ok := boolValue(x.CompareValue)
		if !ok || (op != store.SCIMEq && op != store.SCIMNe) {
			return nil, badRequest(TypeInvalidFilter, "active compares with eq or ne to true or false.")
		}
		c.Bool = b
		return c, nil
	}
	v, ok := x.CompareValue.(string)
	if !ok {
		return nil, badRequest(TypeInvalidFilter, "The attribute compares to a string.")
	}
	c.Value = v
	return c, nil
}

// boolValue reads a boolean, or the string forms some IdPs send ("True").
func boolValue(v any) (bool, bool) {
	switch b := v.(type) {
	case bool:
		return b, true
	case string:
		switch strings.ToLower(b) {
		case "true":
			return true, true
		case "false":
			return false, true
		}
	}
	return false, false
}

// quote shows untrusted text in a detail message, bounded.
func quote(s string) string {
	if len(s) > 64 {
		s = s[:64] + "..."
	}
	return `"` + strings.ToValidUTF8(s, "?") + `"`
}
