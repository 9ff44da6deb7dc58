package saml

import (
	"fmt"
	"maps"

	"github.com/beevik/etree"
)

const statusSuccess = "urn:oasis:names:tc:SAML:2.0:status:Success"

// responseParts locates, in the parsed (not yet verified) tree, the only
// elements the verifier may look at. Their positions are fixed: the Response
// signature is a direct child of the root, the assertion (plain or encrypted)
// is the root's only assertion anywhere in the document, and the assertion's
// signature is its direct child. Everything that XSW needs (a second
// assertion, a signature elsewhere, a duplicate ID) is refused here.
type responseParts struct {
	root         *etree.Element
	id           string
	signature    *etree.Element
	assertion    *etree.Element
	encrypted    *etree.Element
	assertionSig *etree.Element
	ids          map[string]struct{}
}

func inspectResponse(root *etree.Element, facts *Facts) (*responseParts, *Rejection) {
	if !is(root, nsProtocol, "Response") {
		return nil, reject(ReasonNotAResponse, "the root element is not a SAML 2.0 protocol Response")
	}
	facts.Destination = clean(attrValue(root, "Destination"))
	facts.InResponseTo = clean(attrValue(root, "InResponseTo"))
	if iss, ok := onlyChild(root, nsAssertion, "Issuer"); ok && iss != nil {
		facts.Issuer = clean(trimXMLSpace(stringValue(iss)))
	}
	if v := attrValue(root, "Version"); v != "2.0" {
		return nil, reject(ReasonMalformed, "the Response Version is not 2.0")
	}
	id := attrValue(root, "ID")
	if !isReferenceID(id) {
		return nil, reject(ReasonMalformed, "the Response ID is missing or has characters other than letters, digits, '_', '-' and '.'")
	}
	if rej := checkStatus(root); rej != nil {
		return nil, rej
	}

	st := walkState{root: root, ids: map[string]struct{}{}}
	st.walk(root, map[string]string{})
	if st.rej != nil {
		return nil, st.rej
	}

	switch {
	case len(st.assertions) == 0:
		return nil, reject(ReasonNoAssertion, "the Response contains no Assertion or EncryptedAssertion")
	case len(st.assertions) > 1:
		return nil, reject(ReasonMultipleAssertions,
			fmt.Sprintf("the Response contains %d Assertion or EncryptedAssertion elements; exactly one is allowed", len(st.assertions)))
	case st.assertions[0].Parent() != root:
		return nil, reject(ReasonNoAssertion, "the only assertion is not a direct child of the Response")
	}
	if st.nestedResponse {
		return nil, reject(ReasonMalformed, "the Response contains another Response element")
	}

	p := &responseParts{root: root, id: id, ids: st.ids}
	a := st.assertions[0]
	if a.Tag == "Assertion" {
		p.assertion = a
		facts.AssertionID = clean(attrValue(a, "ID"))
		if iss, ok := onlyChild(a, nsAssertion, "Issuer"); ok && iss != nil {
			facts.Issuer = clean(trimXMLSpace(stringValue(iss)))
		}
		facts.Audiences, facts.Recipient = claimedAudienceAndRecipient(a)
	} else {
		p.encrypted = a
	}

	for _, sig := range st.signatures {
		switch parent := sig.Parent(); {
		case parent == root && p.signature == nil:
			p.signature = sig
		case parent == p.assertion && p.assertion != nil && p.assertionSig == nil:
			p.assertionSig = sig
		case parent == root || (parent == p.assertion && p.assertion != nil):
			return nil, reject(ReasonSignatureShapeInvalid, "an element carries more than one Signature")
		default:
			return nil, reject(ReasonSignatureShapeInvalid,
				"a Signature element is neither a direct child of the Response nor of its Assertion")
		}
		if rej := checkSignaturePosition(sig); rej != nil {
			return nil, rej
		}
	}
	return p, nil
}

// checkSignaturePosition requires the schema position of a Response or
// Assertion signature: directly after the Issuer, or first when there is no
// Issuer. Besides refusing odd documents, this keeps goxmldsig's search for
// the signature (which gives up after 1000 elements) short.
func checkSignaturePosition(sig *etree.Element) *Rejection {
	parent := sig.Parent()
	els := parent.ChildElements()
	ok := false
	switch {
	case len(els) > 0 && els[0] == sig:
		ok = len(children(parent, nsAssertion, "Issuer")) == 0
	case len(els) > 1 && els[1] == sig:
		ok = is(els[0], nsAssertion, "Issuer")
	}
	if !ok {
		return reject(ReasonSignatureShapeInvalid, "the Signature must directly follow the Issuer (its SAML schema position)")
	}
	return nil
}

func checkStatus(root *etree.Element) *Rejection {
	status, ok := onlyChild(root, nsProtocol, "Status")
	if !ok || status == nil {
		return reject(ReasonMalformed, "the Response has no single Status")
	}
	code, ok := onlyChild(status, nsProtocol, "StatusCode")
	if !ok || code == nil {
		return reject(ReasonMalformed, "the Response Status has no single StatusCode")
	}
	value := attrValue(code, "Value")
	if value == statusSuccess {
		return nil
	}
	detail := "the IdP returned status " + clean(value)
	if sub, ok := onlyChild(code, nsProtocol, "StatusCode"); ok && sub != nil {
		detail += " / " + clean(attrValue(sub, "Value"))
	}
	return reject(ReasonStatusNotSuccess, detail)
}

// claimedAudienceAndRecipient reads, for diagnostics only, what an
// unverified assertion claims.
func claimedAudienceAndRecipient(a *etree.Element) ([]string, string) {
	var audiences []string
	var recipient string
	for _, c := range children(a, nsAssertion, "Conditions") {
		for _, ar := range children(c, nsAssertion, "AudienceRestriction") {
			for _, au := range children(ar, nsAssertion, "Audience") {
				audiences = append(audiences, trimXMLSpace(stringValue(au)))
			}
		}
	}
	for _, s := range children(a, nsAssertion, "Subject") {
		for _, sc := range children(s, nsAssertion, "SubjectConfirmation") {
			for _, d := range children(sc, nsAssertion, "SubjectConfirmationData") {
				if recipient == "" {
					recipient = attrValue(d, "Recipient")
				}
			}
		}
	}
	return cleanList(audiences), clean(recipient)
}

// walkState collects, in one pass over the whole document, everything whose
// position or uniqueness matters.
type walkState struct {
	root           *etree.Element
	ids            map[string]struct{}
	assertions     []*etree.Element
	signatures     []*etree.Element
	nestedResponse bool
	rej            *Rejection
}

func (st *walkState) walk(el *etree.Element, scope map[string]string) {
	if st.rej != nil {
		return
	}
	scope = withDeclarations(scope, el)
	for _, a := range el.Attr {
		if a.Key != "ID" && a.Key != "Id" {
			continue
		}
		if a.Space != "" {
			// goxmldsig looks IDs up by local name; a prefixed ID attribute
			// would make "the element's ID" ambiguous.
			st.rej = reject(ReasonMalformed, "an element has a namespace-prefixed ID attribute")
			return
		}
		if _, dup := st.ids[a.Value]; dup {
			st.rej = reject(ReasonDuplicateID, fmt.Sprintf("the ID %q appears more than once", clean(a.Value)))
			return
		}
		st.ids[a.Value] = struct{}{}
	}
	ns := scope[el.Space]
	switch {
	case ns == nsAssertion && (el.Tag == "Assertion" || el.Tag == "EncryptedAssertion"):
		st.assertions = append(st.assertions, el)
	case ns == nsDSig && el.Tag == "Signature":
		st.signatures = append(st.signatures, el)
	case ns == nsProtocol && el.Tag == "Response" && el != st.root:
		st.nestedResponse = true
	}
	for _, t := range el.Child {
		if c, ok := t.(*etree.Element); ok {
			st.walk(c, scope)
		}
	}
}

// withDeclarations returns scope extended by el's namespace declarations,
// copying only when el declares something.
func withDeclarations(scope map[string]string, el *etree.Element) map[string]string {
	copied := false
	for _, a := range el.Attr {
		prefix, isDecl := "", false
		switch {
		case a.Space == "xmlns":
			prefix, isDecl = a.Key, true
		case a.Space == "" && a.Key == "xmlns":
			isDecl = true
		}
		if !isDecl {
			continue
		}
		if !copied {
			scope = maps.Clone(scope)
			copied = true
		}
		scope[prefix] = a.Value
	}
	return scope
}
