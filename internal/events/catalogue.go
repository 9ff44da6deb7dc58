package events

import "strings"

// Sources lists every source.
func Sources() []Source { return []Source{SourceDirect, SourceSCIM, SourceSetupLink, SourceOperator} }

// ObjectTypes lists every object type an event may name.
func ObjectTypes() []string {
	return []string{ObjectOrganization, ObjectMember, ObjectSAMLConnection, ObjectOIDCConnection, ObjectExternalConnection,
		ObjectSCIMConnection, ObjectSetupLink, ObjectProject, ObjectRedirectURL, ObjectProjectSecret, ObjectPublicToken,
		ObjectWebhookEndpoint, ObjectRBACPolicy}
}

// Actions lists every action.
func Actions() []Action { return []Action{Create, Update, Delete} }

// ValidType reports whether t is source.object_type.action with a known
// source, object type and action (for endpoint subscriptions and filters).
func ValidType(t string) bool {
	parts := strings.Split(t, ".")
	if len(parts) != 3 {
		return false
	}
	okSource, okObject, okAction := false, false, false
	for _, s := range Sources() {
		okSource = okSource || strings.ToLower(string(s)) == parts[0]
	}
	for _, o := range ObjectTypes() {
		okObject = okObject || o == parts[1]
	}
	for _, a := range Actions() {
		okAction = okAction || strings.ToLower(string(a)) == parts[2]
	}
	return okSource && okObject && okAction
}
