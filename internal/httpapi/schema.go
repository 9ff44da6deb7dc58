package httpapi

import (
	"encoding/json"
	"reflect"
	"strings"
	"time"
	"unicode"
)

// schemas derives JSON Schemas (OpenAPI 3.1 uses JSON Schema 2020-12) from
// the Go types the route table declares, the same types that decode request
// bodies and encode responses, so the description cannot drift from what
// the server does. Named struct types become components referenced by
// $ref; the rest is inlined.
type schemas struct {
	components map[string]any
	names      map[nameKey]string
	taken      map[string]nameKey
	request    bool // request bodies: nothing is required (partial updates)
}

// nameKey tells apart the request and response schemas of one Go type.
type nameKey struct {
	t       reflect.Type
	request bool
}

func newSchemas() *schemas {
	return &schemas{components: map[string]any{}, names: map[nameKey]string{}, taken: map[string]nameKey{}}
}

// forRequests returns a generator for request bodies sharing g's components.
func (g *schemas) forRequests() *schemas {
	r := *g
	r.request = true
	return &r
}

var (
	typeTime       = reflect.TypeFor[time.Time]()
	typeRawMessage = reflect.TypeFor[json.RawMessage]()
	typeMarshaler  = reflect.TypeFor[json.Marshaler]()
)

const optPackage = "github.com/seamsso/seam/internal/opt"

// of returns the schema of t.
func (g *schemas) of(t reflect.Type) map[string]any {
	switch {
	case t == typeTime:
		return map[string]any{"type": "string", "format": "date-time"}
	case t == typeRawMessage:
		return map[string]any{}
	case t.PkgPath() == optPackage && strings.HasPrefix(t.Name(), "Value["):
		// opt.Value[T]: T, or null (an explicit null is a change).
		return nullable(g.of(t.Field(2).Type))
	}
	switch t.Kind() {
	case reflect.Pointer:
		return nullable(g.of(t.Elem()))
	case reflect.Interface:
		return map[string]any{}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return map[string]any{"type": "string", "contentEncoding": "base64"}
		}
		return map[string]any{"type": []any{"array", "null"}, "items": g.of(t.Elem())}
	case reflect.Map:
		return map[string]any{"type": []any{"object", "null"}, "additionalProperties": g.of(t.Elem())}
	case reflect.Struct:
		if t.Implements(typeMarshaler) || reflect.PointerTo(t).Implements(typeMarshaler) {
			return map[string]any{} // encodes itself: no claim about its shape
		}
		if t.Name() == "" {
			return g.object(t)
		}
		return map[string]any{"$ref": "#/components/schemas/" + g.component(t)}
	}
	return map[string]any{}
}

// component registers a named struct type and returns its component name.
func (g *schemas) component(t reflect.Type) string {
	key := nameKey{t, g.request}
	if name, ok := g.names[key]; ok {
		return name
	}
	name := componentName(t, g.request)
	if other, ok := g.taken[name]; ok && other != key {
		pkg := t.PkgPath()[strings.LastIndex(t.PkgPath(), "/")+1:]
		name = exported(pkg) + name
	}
	g.names[key], g.taken[name] = name, key
	g.components[name] = map[string]any{} // placeholder: recursive types refer to it
	g.components[name] = g.object(t)
	return name
}

// componentName is the Go type's name, exported, with a suffix for request
// types so that one Go type used both ways gets two honest schemas.
func componentName(t reflect.Type, request bool) string {
	name := exported(t.Name())
	if i := strings.IndexByte(name, '['); i >= 0 {
		name = name[:i]
	}
	if request && !strings.HasSuffix(name, "Params") && !strings.HasSuffix(name, "Body") {
		name += "Request"
	}
	return name
}

func exported(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}

// object is the schema of a struct: its JSON fields, embedded structs
// flattened as encoding/json does.
func (g *schemas) object(t reflect.Type) map[string]any {
	props := map[string]any{}
	var required []string
	g.fields(t, props, &required)
	out := map[string]any{"type": "object", "properties": props}
	if len(required) > 0 {
		out["required"] = required
	}
	return out
}

func (g *schemas) fields(t reflect.Type, props map[string]any, required *[]string) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				g.fields(ft, props, required)
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		props[name] = g.of(f.Type)
		if !g.request && !strings.Contains(opts, "omitempty") {
			*required = append(*required, name)
		}
	}
}

func nullable(s map[string]any) map[string]any {
	if len(s) == 0 {
		return s
	}
	return map[string]any{"anyOf": []any{s, map[string]any{"type": "null"}}}
}
