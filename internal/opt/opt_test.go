package opt

import (
	"encoding/json"
	"testing"
)

type body struct {
	Name    Value[string]   `json:"name"`
	Enabled Value[bool]     `json:"enabled"`
	Tags    Value[[]string] `json:"tags"`
}

func TestPresence(t *testing.T) {
	tests := []struct {
		in                  string
		nameSet, nameNull   bool
		enabledSet, enabled bool
		tagsSet             bool
	}{
		{`{}`, false, false, false, false, false},
		{`{"name":""}`, true, false, false, false, false},
		{`{"name":null}`, true, true, false, false, false},
		{`{"enabled":false}`, false, false, true, false, false},
		{`{"enabled":true,"tags":[]}`, false, false, true, true, true},
	}
	for _, tc := range tests {
		var b body
		if err := json.Unmarshal([]byte(tc.in), &b); err != nil {
			t.Fatalf("%s: %v", tc.in, err)
		}
		if b.Name.Set != tc.nameSet || b.Name.Null != tc.nameNull {
			t.Errorf("%s: name = %+v", tc.in, b.Name)
		}
		if b.Enabled.Set != tc.enabledSet || b.Enabled.V != tc.enabled {
			t.Errorf("%s: enabled = %+v", tc.in, b.Enabled)
		}
		if b.Tags.Set != tc.tagsSet {
			t.Errorf("%s: tags = %+v", tc.in, b.Tags)
		}
	}
}

func TestTypeErrorNamesField(t *testing.T) {
	var b body
	err := json.Unmarshal([]byte(`{"enabled":"yes"}`), &b)
	var te *json.UnmarshalTypeError
	if !asTypeError(err, &te) || te.Field != "enabled" {
		t.Fatalf("err = %v, want type error on field enabled", err)
	}
}

func asTypeError(err error, te **json.UnmarshalTypeError) bool {
	if e, ok := err.(*json.UnmarshalTypeError); ok {
		*te = e
		return true
	}
	return false
}

func TestApplyAndOr(t *testing.T) {
	s := "old"
	Value[string]{}.Apply(&s)
	if s != "old" {
		t.Fatal("absent value changed destination")
	}
	Of("new").Apply(&s)
	if s != "new" {
		t.Fatal("present value not applied")
	}
	if (Value[int]{Set: true, Null: true}).Or(7) != 7 {
		t.Fatal("null should fall back")
	}
}
