package sqlstore

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// timeLayout is the fixed-width UTC form used for times in SQLite, so that
// text comparison orders them correctly. PostgreSQL uses TIMESTAMPTZ and
// accepts the same string.
const timeLayout = "2006-01-02T15:04:05.000000Z"

// ts encodes t for either backend; times are kept to microseconds, which is
// PostgreSQL's precision, so values round-trip exactly.
func ts(t time.Time) string { return t.UTC().Truncate(time.Microsecond).Format(timeLayout) }

// nullTS encodes a zero time as SQL NULL.
func nullTS(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return ts(t)
}

// timeCol scans a TIMESTAMPTZ (time.Time) or TEXT (string) column.
type timeCol struct{ t *time.Time }

func (c timeCol) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*c.t = time.Time{}
	case time.Time:
		*c.t = v.UTC()
	case string:
		return c.parse(v)
	case []byte:
		return c.parse(string(v))
	default:
		return fmt.Errorf("sqlstore: cannot scan %T into time", src)
	}
	return nil
}

func (c timeCol) parse(s string) error {
	t, err := time.Parse(time.RFC3339Nano, strings.Replace(s, " ", "T", 1))
	if err != nil {
		return fmt.Errorf("sqlstore: bad time %q: %w", s, err)
	}
	*c.t = t.UTC()
	return nil
}

// jsonCol scans a JSON/JSONB/TEXT column into raw bytes, mapping NULL to the
// given default ("{}" or "[]").
type jsonCol struct {
	dst *json.RawMessage
	def string
}

func (c jsonCol) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*c.dst = json.RawMessage(c.def)
	case string:
		*c.dst = json.RawMessage(v)
	case []byte:
		*c.dst = append(json.RawMessage(nil), v...)
	default:
		return fmt.Errorf("sqlstore: cannot scan %T into JSON", src)
	}
	return nil
}

// js encodes raw JSON for storage, defaulting empty input to def.
func js(raw json.RawMessage, def string) string {
	if len(raw) == 0 {
		return def
	}
	return string(raw)
}

// jsonList marshals a string slice (nil becomes []).
func jsonList(v []string) string {
	if v == nil {
		v = []string{}
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// listCol scans a JSON array of strings.
type listCol struct{ dst *[]string }

func (c listCol) Scan(src any) error {
	var raw json.RawMessage
	if err := (jsonCol{dst: &raw, def: "[]"}).Scan(src); err != nil {
		return err
	}
	out := []string{}
	if err := json.Unmarshal(raw, &out); err != nil {
		return fmt.Errorf("sqlstore: bad string list: %w", err)
	}
	*c.dst = out
	return nil
}

// nullStr stores "" as NULL so optional unique columns allow many blanks.
func nullStr(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// strCol scans a nullable text column, NULL becoming "".
type strCol struct{ dst *string }

func (c strCol) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*c.dst = ""
	case string:
		*c.dst = v
	case []byte:
		*c.dst = string(v)
	default:
		return fmt.Errorf("sqlstore: cannot scan %T into string", src)
	}
	return nil
}

// placeholders returns "$n, $n+1, ..." for k values starting at n, and the
// next free index.
func placeholders(n, k int) (string, int) {
	var b strings.Builder
	for i := 0; i < k; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "$%d", n+i)
	}
	return b.String(), n + k
}

// conflictField names the unique field behind a constraint violation text
// (PostgreSQL gives the constraint name, SQLite the column list).
func conflictField(text string) string {
	for _, f := range []string{"external_id", "slug", "email", "public_token", "assertion", "token"} {
		if strings.Contains(text, f) {
			return f
		}
	}
	return "id"
}
