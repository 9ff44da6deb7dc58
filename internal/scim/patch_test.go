package scim

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
)

func TestApplyPatch(t *testing.T) {
	user := func() map[string]any {
		return map[string]any{
			"userName": "ada", "active": true, "displayName": "Ada",
			"name":   map[string]any{"givenName": "Ada", "familyName": "Lovelace"},
			"emails": []any{map[string]any{"value": "ada@example.com", "type": "work", "primary": true}},
		}
	}
	tests := []struct {
		name    string
		ops     string
		check   func(res map[string]any) bool
		errType string
	}{
		{"replace with path", `[{"op":"replace","path":"displayName","value":"Augusta"}]`,
			func(r map[string]any) bool { return r["displayName"] == "Augusta" }, ""},
		{"op name in any case (Entra)", `[{"op":"Replace","path":"active","value":"False"}]`,
			func(r map[string]any) bool { return r["active"] == false }, ""},
		{"path-less replace with dotted keys (Entra)", `[{"op":"replace","value":{"name.givenName":"Augusta","active":false}}]`,
			func(r map[string]any) bool {
				return r["name"].(map[string]any)["givenName"] == "Augusta" && r["active"] == false
			}, ""},
		{"path-less replace with the enterprise URN (Okta)", `[{"op":"replace","value":{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"R&D"}}}]`,
			func(r map[string]any) bool {
				return r[EnterpriseSchema].(map[string]any)["department"] == "R&D"
			}, ""},
		{"enterprise path", `[{"op":"add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber","value":"42"}]`,
			func(r map[string]any) bool { return r[EnterpriseSchema].(map[string]any)["employeeNumber"] == "42" }, ""},
		{"filtered sub-attribute replace", `[{"op":"replace","path":"emails[type eq \"work\"].value","value":"augusta@example.com"}]`,
			func(r map[string]any) bool {
				return r["emails"].([]any)[0].(map[string]any)["value"] == "augusta@example.com"
			}, ""},
		{"filtered add creates the value", `[{"op":"add","path":"phoneNumbers[type eq \"mobile\"].value","value":"+15550100"}]`,
			func(r map[string]any) bool {
				p := r["phoneNumbers"].([]any)[0].(map[string]any)
				return p["value"] == "+15550100" && p["type"] == "mobile"
			}, ""},
		{"add to a multi-valued attribute", `[{"op":"add","path":"emails","value":[{"value":"b@example.com"}]}]`,
			func(r map[string]any) bool { return len(r["emails"].([]any)) == 2 }, ""},
		{"remove a sub-attribute", `[{"op":"remove","path":"name.familyName"}]`,
			func(r map[string]any) bool { _, ok := r["name"].(map[string]any)["familyName"]; return !ok }, ""},
		{"remove by filter", `[{"op":"remove","path":"emails[value eq \"ADA@example.com\"]"}]`,
			func(r map[string]any) bool { return len(r["emails"].([]any)) == 0 }, ""},
		{"remove without path", `[{"op":"remove"}]`, nil, TypeNoTarget},
		{"unknown op", `[{"op":"move","path":"title"}]`, nil, TypeInvalidSyntax},
		{"unknown attribute", `[{"op":"replace","path":"shoeSize","value":"9"}]`, nil, TypeInvalidPath},
		{"read-only attribute", `[{"op":"replace","path":"id","value":"x"}]`, nil, TypeMutability},
		{"bad path", `[{"op":"replace","path":"emails[","value":"x"}]`, nil, TypeInvalidPath},
		{"filter on a single-valued attribute", `[{"op":"replace","path":"title[value eq \"x\"]","value":"x"}]`, nil, TypeInvalidPath},
		{"path-less value not an object", `[{"op":"add","value":"x"}]`, nil, TypeInvalidValue},
	}
	for _, tc := range tests {
		var ops []patchOp
		if err := json.Unmarshal([]byte(tc.ops), &ops); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		res := user()
		err := applyPatch(res, userAttrs, true, ops)
		if tc.errType != "" {
			var se *Error
			if !errors.As(err, &se) || se.ScimType != tc.errType {
				t.Errorf("%s: got %v, want %s", tc.name, err, tc.errType)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		norm, err := normalize(res, userAttrs, true)
		if err != nil {
			t.Errorf("%s: normalize: %v", tc.name, err)
			continue
		}
		if !tc.check(norm) {
			t.Errorf("%s: %v", tc.name, norm)
		}
	}
}

func TestPatchGroupMembers(t *testing.T) {
	group := func() map[string]any {
		return map[string]any{"displayName": "Admins", "members": []any{map[string]any{"value": "m1"}, map[string]any{"value": "m2"}}}
	}
	tests := []struct {
		name, ops string
		want      []string
	}{
		{"add (Okta)", `[{"op":"add","path":"members","value":[{"value":"m3","display":"c"}]}]`, []string{"m1", "m2", "m3"}},
		{"add a present member", `[{"op":"add","path":"members","value":[{"value":"m1"}]}]`, []string{"m1", "m2"}},
		{"remove by filter (RFC, Okta)", `[{"op":"remove","path":"members[value eq \"m1\"]"}]`, []string{"m2"}},
		{"remove by value list (Entra)", `[{"op":"Remove","path":"members","value":[{"value":"m2"}]}]`, []string{"m1"}},
		{"replace all", `[{"op":"replace","path":"members","value":[{"value":"m9"}]}]`, []string{"m9"}},
		{"remove all", `[{"op":"remove","path":"members"}]`, nil},
		{"path-less replace of displayName keeps members", `[{"op":"replace","value":{"id":"g1","displayName":"Owners"}}]`, []string{"m1", "m2"}},
	}
	for _, tc := range tests {
		var ops []patchOp
		if err := json.Unmarshal([]byte(tc.ops), &ops); err != nil {
			t.Fatal(err)
		}
		res := group()
		if err := applyPatch(res, groupAttrs, false, ops); err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		norm, err := normalize(res, groupAttrs, false)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		st, err := groupStateOf(norm)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if !reflect.DeepEqual(st.members, tc.want) {
			t.Errorf("%s: members %v, want %v", tc.name, st.members, tc.want)
		}
	}
}

func TestUserFacts(t *testing.T) {
	tests := []struct {
		name, body   string
		email, name2 string
		active       bool
		errType      string
	}{
		{"primary email wins", `{"userName":"u","emails":[{"value":"w@x.io","type":"work"},{"value":"P@x.io","primary":true}]}`, "p@x.io", "", true, ""},
		{"work email next", `{"userName":"u","emails":[{"value":"h@x.io","type":"home"},{"value":"w@x.io","type":"work"}]}`, "w@x.io", "", true, ""},
		{"userName as email", `{"userName":"Ada@X.io","name":{"givenName":"Ada","familyName":"L"}}`, "ada@x.io", "Ada L", true, ""},
		{"string boolean", `{"userName":"a@x.io","active":"False","displayName":"A"}`, "a@x.io", "A", false, ""},
		{"no email", `{"userName":"ada"}`, "", "", false, TypeInvalidValue},
		{"no userName", `{"emails":[{"value":"a@x.io"}]}`, "", "", false, TypeInvalidValue},
		{"wrong type", `{"userName":"a@x.io","active":"maybe"}`, "", "", false, TypeInvalidValue},
	}
	for _, tc := range tests {
		var raw map[string]any
		if err := json.Unmarshal([]byte(tc.body), &raw); err != nil {
			t.Fatal(err)
		}
		res, err := normalize(raw, userAttrs, true)
		var f userFacts
		if err == nil {
			f, err = userFactsOf(res)
		}
		if tc.errType != "" {
			var se *Error
			if !errors.As(err, &se) || se.ScimType != tc.errType {
				t.Errorf("%s: got %v, want %s", tc.name, err, tc.errType)
			}
			continue
		}
		if err != nil || f.email != tc.email || f.name != tc.name2 || f.active != tc.active {
			t.Errorf("%s: %+v %v", tc.name, f, err)
		}
	}
}
