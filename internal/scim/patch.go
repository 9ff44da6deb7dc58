package scim

import (
	"encoding/json"
	"reflect"
	"strings"

	filter "github.com/scim2/filter-parser/v2"
)

// MaxPatchOperations bounds one PATCH request.
const MaxPatchOperations = 1000

// patchOp is one RFC 7644 section 3.5.2 operation.
type patchOp struct {
	Op    string          `json:"op"`
	Path  string          `json:"path"`
	Value json.RawMessage `json:"value"`
}

type patchRequest struct {
	Schemas    []string  `json:"schemas"`
	Operations []patchOp `json:"Operations"`
}

// parsePatch reads a PatchOp request body.
func parsePatch(body []byte) ([]patchOp, error) {
	raw, err := decodeObject(body)
	if err != nil {
		return nil, err
	}
	if err := checkSchemas(raw, PatchSchema); err != nil {
		return nil, err
	}
	var req patchRequest
	if err := json.Unmarshal(body, &req); err != nil {
		return nil, badRequest(TypeInvalidSyntax, "Operations must be an array of {op, path, value} objects.")
	}
	if len(req.Operations) == 0 {
		return nil, badRequest(TypeInvalidSyntax, "Operations must not be empty.")
	}
	if len(req.Operations) > MaxPatchOperations {
		return nil, badRequest(TypeInvalidSyntax, "Too many operations.")
	}
	return req.Operations, nil
}

// applyPatch applies ops in order to res, a resource with canonical names
// (attrs, plus the enterprise extension when enterprise is set). It accepts
// RFC 7644 operations and the forms Entra ID and Okta send: op names in any
// case, a path-less add or replace whose value object has attribute paths
// as keys ("name.givenName", the enterprise URN prefix), string booleans,
// and removal of multi-valued entries by filter (members[value eq "..."])
// or by a value array. The caller normalizes the result.
func applyPatch(res map[string]any, attrs map[string]attrSpec, enterprise bool, ops []patchOp) error {
	for _, op := range ops {
		kind := strings.ToLower(op.Op)
		if kind != "add" && kind != "replace" && kind != "remove" {
			return badRequest(TypeInvalidSyntax, "op must be add, replace or remove.")
		}
		var value any
		if len(op.Value) > 0 {
			if err := json.Unmarshal(op.Value, &value); err != nil {
				return badRequest(TypeInvalidSyntax, "An operation's value is not valid JSON.")
			}
		}
		if op.Path == "" {
			if kind == "remove" {
				return badRequest(TypeNoTarget, "remove needs a path.")
			}
			obj, ok := value.(map[string]any)
			if !ok {
				return badRequest(TypeInvalidValue, "An operation without a path needs an object value.")
			}
			for k, v := range obj {
				if enterprise && strings.EqualFold(k, EnterpriseSchema) {
					ext, ok := v.(map[string]any)
					if !ok {
						return badRequest(TypeInvalidValue, "The enterprise extension must be an object.")
					}
					for ek, ev := range ext {
						if err := applyPath(res, attrs, enterprise, kind, EnterpriseSchema+":"+ek, ev); err != nil {
							return err
						}
					}
					continue
				}
				if readOnly[strings.ToLower(k)] {
					continue // id, meta, schemas echoed back: not changes
				}
				if err := applyPath(res, attrs, enterprise, kind, k, v); err != nil {
					return err
				}
			}
			continue
		}
		if err := applyPath(res, attrs, enterprise, kind, op.Path, value); err != nil {
			return err
		}
	}
	return nil
}

func applyPath(res map[string]any, attrs map[string]attrSpec, enterprise bool, kind, rawPath string, value any) error {
	if len(rawPath) > MaxFilterLength {
		return badRequest(TypeInvalidPath, "The path is too long.")
	}
	p, err := parsePathSafely(rawPath)
	if err != nil {
		return badRequest(TypeInvalidPath, "The path "+quote(rawPath)+" is not a valid attribute path.")
	}
	target, specs := res, attrs
	switch uri := p.AttributePath.URI(); {
	case uri == "", strings.EqualFold(uri, UserSchema), strings.EqualFold(uri, GroupSchema):
	case enterprise && strings.EqualFold(uri, EnterpriseSchema):
		ext, _ := res[EnterpriseSchema].(map[string]any)
		if ext == nil {
			ext = map[string]any{}
			res[EnterpriseSchema] = ext
		}
		target, specs = ext, enterpriseAttrs
	default:
		return badRequest(TypeInvalidPath, "Unknown schema in path "+quote(rawPath)+".")
	}
	spec, ok := specs[strings.ToLower(p.AttributePath.AttributeName)]
	if !ok {
		if readOnly[strings.ToLower(p.AttributePath.AttributeName)] {
			return badRequest(TypeMutability, quote(p.AttributePath.AttributeName)+" is read-only.")
		}
		return badRequest(TypeInvalidPath, "No attribute "+quote(p.AttributePath.AttributeName)+".")
	}
	sub := p.AttributePath.SubAttributeName()
	if p.SubAttribute != nil {
		sub = *p.SubAttribute
	}
	if sub != "" {
		if spec.shape == shapeString || spec.shape == shapeBool {
			return badRequest(TypeInvalidPath, quote(spec.name)+" has no sub-attributes.")
		}
		if sub = canonicalSub(spec, sub); sub == "" {
			return badRequest(TypeInvalidPath, "No such sub-attribute of "+quote(spec.name)+".")
		}
	}
	if p.ValueExpression != nil {
		if spec.shape != shapeMulti {
			return badRequest(TypeInvalidPath, "A value filter applies only to a multi-valued attribute.")
		}
		return patchFiltered(target, spec, kind, p.ValueExpression, sub, value)
	}
	if sub != "" && spec.shape == shapeComplex {
		obj, _ := target[spec.name].(map[string]any)
		if kind == "remove" {
			delete(obj, sub)
			return nil
		}
		if obj == nil {
			obj = map[string]any{}
			target[spec.name] = obj
		}
		obj[sub] = value
		return nil
	}
	if sub != "" { // emails.value: every value of the attribute
		list, _ := target[spec.name].([]any)
		for _, item := range list {
			if obj, ok := item.(map[string]any); ok {
				if kind == "remove" {
					delete(obj, sub)
				} else {
					obj[sub] = value
				}
			}
		}
		return nil
	}
	switch {
	case kind == "remove" && spec.shape == shapeMulti && value != nil:
		// Remove the listed values (Entra ID's member removal form).
		remove, _ := asList(value)
		list, _ := target[spec.name].([]any)
		target[spec.name] = filterList(list, func(item any) bool {
			for _, r := range remove {
				if sameValue(item, r) {
					return false
				}
			}
			return true
		})
	case kind == "remove":
		delete(target, spec.name)
	case kind == "add" && spec.shape == shapeMulti:
		add, ok := asList(value)
		if !ok {
			return badRequest(TypeInvalidValue, quote(spec.name)+" takes an array of values.")
		}
		list, _ := target[spec.name].([]any)
		for _, a := range add {
			if !containsValue(list, a) {
				list = append(list, a)
			}
		}
		target[spec.name] = list
	case kind == "add" && spec.shape == shapeComplex:
		obj, _ := target[spec.name].(map[string]any)
		in, ok := value.(map[string]any)
		if !ok {
			return badRequest(TypeInvalidValue, quote(spec.name)+" takes an object.")
		}
		if obj == nil {
			obj = map[string]any{}
		}
		for k, v := range in {
			obj[k] = v
		}
		target[spec.name] = obj
	default:
		if list, ok := value.(map[string]any); ok && spec.shape == shapeMulti {
			value = []any{list}
		}
		target[spec.name] = value
	}
	return nil
}

// patchFiltered applies an operation to the values of a multi-valued
// attribute that match expr (e.g. emails[type eq "work"].value).
func patchFiltered(target map[string]any, spec attrSpec, kind string, expr filter.Expression, sub string, value any) error {
	list, _ := target[spec.name].([]any)
	matched := false
	var out []any
	for _, item := range list {
		obj, ok := item.(map[string]any)
		if !ok || !matches(obj, expr) {
			out = append(out, item)
			continue
		}
		matched = true
		switch {
		case kind == "remove" && sub == "":
			continue // dropped
		case kind == "remove":
			delete(obj, sub)
		case sub != "":
			obj[sub] = value
		default:
			if v, ok := value.(map[string]any); ok {
				for k, x := range v {
					obj[k] = x
				}
			}
		}
		out = append(out, obj)
	}
	if !matched && kind != "remove" {
		// Nothing to update: an add or replace through a filter such as
		// emails[type eq "work"].value creates that value (Entra ID).
		obj := seedFromFilter(expr)
		if obj == nil {
			return badRequest(TypeNoTarget, "No value of "+quote(spec.name)+" matches the filter.")
		}
		if sub != "" {
			obj[sub] = value
		} else if v, ok := value.(map[string]any); ok {
			for k, x := range v {
				obj[k] = x
			}
		}
		out = append(out, obj)
	}
	if out == nil {
		out = []any{}
	}
	target[spec.name] = out
	return nil
}

// seedFromFilter builds the value an "attr eq value" filter describes.
func seedFromFilter(expr filter.Expression) map[string]any {
	e, ok := expr.(*filter.AttributeExpression)
	if !ok || !strings.EqualFold(string(e.Operator), "eq") {
		return nil
	}
	return map[string]any{e.AttributePath.AttributeName: e.CompareValue}
}

// matches evaluates a value filter on one complex value. Strings compare
// case-insensitively.
func matches(obj map[string]any, expr filter.Expression) bool {
	switch x := expr.(type) {
	case *filter.LogicalExpression:
		if strings.EqualFold(string(x.Operator), "or") {
			return matches(obj, x.Left) || matches(obj, x.Right)
		}
		return matches(obj, x.Left) && matches(obj, x.Right)
	case *filter.NotExpression:
		return !matches(obj, x.Expression)
	case *filter.AttributeExpression:
		var got any
		for k, v := range obj {
			if strings.EqualFold(k, x.AttributePath.AttributeName) {
				got = v
			}
		}
		op := strings.ToLower(string(x.Operator))
		if op == "pr" {
			return got != nil && got != ""
		}
		if b, ok := got.(bool); ok {
			want, ok := boolValue(x.CompareValue)
			return ok && (op == "eq" && b == want || op == "ne" && b != want)
		}
		gs, ok1 := got.(string)
		ws, ok2 := x.CompareValue.(string)
		if !ok1 || !ok2 {
			return op == "ne"
		}
		gs, ws = strings.ToLower(gs), strings.ToLower(ws)
		switch op {
		case "eq":
			return gs == ws
		case "ne":
			return gs != ws
		case "co":
			return strings.Contains(gs, ws)
		case "sw":
			return strings.HasPrefix(gs, ws)
		case "ew":
			return strings.HasSuffix(gs, ws)
		}
	}
	return false
}

func parsePathSafely(raw string) (p filter.Path, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = errPanic
		}
	}()
	return filter.ParsePath([]byte(raw))
}

func canonicalSub(spec attrSpec, sub string) string {
	for _, s := range spec.subs {
		if strings.EqualFold(s, sub) {
			return s
		}
	}
	return ""
}

func asList(v any) ([]any, bool) {
	switch x := v.(type) {
	case []any:
		return x, true
	case map[string]any:
		return []any{x}, true
	}
	return nil, false
}

func filterList(list []any, keep func(any) bool) []any {
	out := []any{}
	for _, item := range list {
		if keep(item) {
			out = append(out, item)
		}
	}
	return out
}

// sameValue compares two multi-valued entries by their "value" when both
// have one, otherwise entirely.
func sameValue(a, b any) bool {
	am, ok1 := a.(map[string]any)
	bm, ok2 := b.(map[string]any)
	if ok1 && ok2 {
		av, aok := am["value"]
		bv, bok := bm["value"]
		if aok && bok {
			return reflect.DeepEqual(av, bv)
		}
	}
	return reflect.DeepEqual(a, b)
}

func containsValue(list []any, v any) bool {
	for _, item := range list {
		if sameValue(item, v) {
			return true
		}
	}
	return false
}
