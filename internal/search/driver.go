package search

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/store"
)

// Request is what every search body carries besides its resource's own
// fields; the resources' parameter types embed it.
type Request struct {
	Cursor string `json:"cursor"`
	Limit  int    `json:"limit"`
	Query  *Query `json:"query"`
}

// Result is one page of a search.
type Result[T any] struct {
	Items      []T
	Total      int
	NextCursor string // "" when there are no more results
}

// Shape is the JSON form a filter's filter_value must take.
type Shape int

const (
	// List: a non-empty list of at most MaxFilterValues strings.
	List Shape = iota
	// String: a non-empty string of at most MaxFuzzyLength bytes.
	String
	// Bool: true or false.
	Bool
	// StringOrList: a string or a non-empty list of strings (the SDKs type
	// some filters one way and some the other; a resource may take both).
	StringOrList
)

// Limits of filter values.
const (
	MaxFilterValues = 1000
	MaxFuzzyLength  = 256
)

// Value is a decoded filter_value: Strings for the string shapes (one
// element for a String), Bool for Bool.
type Value struct {
	Strings []string
	Bool    bool
}

// Filter is one filter_name of a resource: the shape of its value and how
// it narrows the resource's store filter F.
type Filter[F any] struct {
	Name  string
	Shape Shape
	// Once: the filter may appear once per query.
	Once  bool
	Apply func(f *F, v Value)
}

// Resource declares one searchable resource as data; Run is the one search
// procedure every resource goes through. T is the row type and F the store
// filter, which embeds store.Keyset.
type Resource[T, F any] struct {
	// Prefix is the error_type prefix ("member_search").
	Prefix  string
	Filters []Filter[F]
	// MaxOperands bounds query.operands; 0 is no bound.
	MaxOperands int
	// Or makes f's conditions match when any holds. Nil: the resource takes
	// OR only with a single operand, where it means AND (Stytch deprecated
	// OR for organization search).
	Or func(f *F)
	// Keyset is f's page position and size; Key is a row's position.
	Keyset func(f *F) *store.Keyset
	Key    func(row T) (time.Time, string)
}

// Run is one search: it checks the limit and the cursor, applies the query
// to f, reads limit+1 rows with one store query (the extra row tells
// whether another page exists) and cuts the page.
func Run[T, F any](ctx context.Context, res *Resource[T, F], req Request, f F,
	fetch func(context.Context, F) ([]T, int, error)) (*Result[T], error) {
	limit, err := Limit(req.Limit, res.Prefix)
	if err != nil {
		return nil, err
	}
	c, err := Decode(req.Cursor, res.Prefix)
	if err != nil {
		return nil, err
	}
	*res.Keyset(&f) = store.Keyset{AfterCreated: c.CreatedAt, AfterID: c.ID, Limit: limit + 1}
	if req.Query != nil {
		if err := res.Apply(&f, req.Query); err != nil {
			return nil, err
		}
	}
	rows, total, err := fetch(ctx, f)
	if err != nil {
		return nil, apierr.Internal(err)
	}
	out := &Result[T]{Total: total}
	out.Items, out.NextCursor = Page(rows, limit, res.Key)
	return out, nil
}

// Apply narrows f by Stytch's {operator, operands} query.
func (res *Resource[T, F]) Apply(f *F, q *Query) error {
	switch strings.ToUpper(q.Operator) {
	case "", "AND":
	case "OR":
		if res.Or != nil {
			res.Or(f)
		} else if len(q.Operands) > 1 {
			return apierr.BadRequest(res.Prefix+"_invalid_operator",
				"query.operator OR is deprecated by Stytch and supported here only with a single operand; use AND.")
		}
	default:
		return apierr.BadRequest(res.Prefix+"_invalid_operator", "query.operator must be AND or OR.")
	}
	if res.MaxOperands > 0 && len(q.Operands) > res.MaxOperands {
		return apierr.BadRequest(res.Prefix+"_too_many_operands",
			"query.operands may hold at most "+strconv.Itoa(res.MaxOperands)+" filters.")
	}
	seen := map[string]bool{}
	for _, o := range q.Operands {
		flt, ok := res.filter(o.FilterName)
		if !ok {
			return apierr.BadRequest(res.Prefix+"_invalid_filter_name",
				"Unsupported filter_name "+apierr.Quote(o.FilterName)+"; supported: "+res.names()+".")
		}
		v, bad := decodeValue(flt.Shape, o)
		if bad != "" {
			return apierr.BadRequest(res.Prefix+"_invalid_filter_value", "filter_value of "+apierr.Quote(o.FilterName)+" must "+bad+".")
		}
		if flt.Once && seen[flt.Name] {
			return apierr.BadRequest(res.Prefix+"_duplicate_filter", flt.Name+" may appear once.")
		}
		seen[flt.Name] = true
		flt.Apply(f, v)
	}
	return nil
}

// ErrorTypes lists every error_type Run and Apply can refuse a search of
// this resource with (all 400s), so that the API description lists them
// from the declaration rather than by hand.
func (res *Resource[T, F]) ErrorTypes() []string {
	out := []string{res.Prefix + "_invalid_limit", res.Prefix + "_invalid_cursor", res.Prefix + "_invalid_operator",
		res.Prefix + "_invalid_filter_name", res.Prefix + "_invalid_filter_value"}
	if res.MaxOperands > 0 {
		out = append(out, res.Prefix+"_too_many_operands")
	}
	if slices.ContainsFunc(res.Filters, func(f Filter[F]) bool { return f.Once }) {
		out = append(out, res.Prefix+"_duplicate_filter")
	}
	return out
}

func (res *Resource[T, F]) filter(name string) (Filter[F], bool) {
	for _, flt := range res.Filters {
		if flt.Name == name {
			return flt, true
		}
	}
	return Filter[F]{}, false
}

func (res *Resource[T, F]) names() string {
	names := make([]string, len(res.Filters))
	for i, flt := range res.Filters {
		names[i] = flt.Name
	}
	return strings.Join(names, ", ")
}

// decodeValue reads o's filter_value in the filter's shape; bad says what
// the value must be when it is not.
func decodeValue(shape Shape, o Operand) (v Value, bad string) {
	switch shape {
	case List:
		if json.Unmarshal(o.FilterValue, &v.Strings) != nil || len(v.Strings) == 0 || len(v.Strings) > MaxFilterValues {
			return v, "be a non-empty list of strings"
		}
	case String:
		var s string
		if json.Unmarshal(o.FilterValue, &s) != nil || s == "" || len(s) > MaxFuzzyLength {
			return v, "be a non-empty string"
		}
		v.Strings = []string{s}
	case Bool:
		if json.Unmarshal(o.FilterValue, &v.Bool) != nil {
			return v, "be a boolean"
		}
	case StringOrList:
		var s string
		if json.Unmarshal(o.FilterValue, &s) == nil {
			v.Strings = []string{s}
		} else if json.Unmarshal(o.FilterValue, &v.Strings) != nil {
			return v, "be a string or a list of strings"
		}
		if len(v.Strings) == 0 {
			return v, "not be empty"
		}
	}
	return v, ""
}
