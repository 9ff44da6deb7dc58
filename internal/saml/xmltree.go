package saml

import (
	"maps"
	"slices"
	"strings"

	"github.com/beevik/etree"
)

// Namespaces this package reads and writes.
const (
	nsProtocol  = "urn:oasis:names:tc:SAML:2.0:protocol"
	nsAssertion = "urn:oasis:names:tc:SAML:2.0:assertion"
	nsMetadata  = "urn:oasis:names:tc:SAML:2.0:metadata"
	nsDSig      = "http://www.w3.org/2000/09/xmldsig#"
	nsXMLEnc    = "http://www.w3.org/2001/04/xmlenc#"
	nsXMLEnc11  = "http://www.w3.org/2009/xmlenc11#"
	nsExcC14N   = "http://www.w3.org/2001/10/xml-exc-c14n#"
	nsXSI       = "http://www.w3.org/2001/XMLSchema-instance"
)

// is reports whether el is the element {ns}local. Namespaces are resolved
// through the element's ancestors, so el must still be attached to its tree.
func is(el *etree.Element, ns, local string) bool {
	return el != nil && el.Tag == local && el.NamespaceURI() == ns
}

// children returns the child elements of el named {ns}local.
func children(el *etree.Element, ns, local string) []*etree.Element {
	var out []*etree.Element
	for _, t := range el.Child {
		if c, ok := t.(*etree.Element); ok && is(c, ns, local) {
			out = append(out, c)
		}
	}
	return out
}

// onlyChild returns the single child {ns}local of el; ok is false when there
// is more than one. A missing child is (nil, true).
func onlyChild(el *etree.Element, ns, local string) (*etree.Element, bool) {
	cs := children(el, ns, local)
	switch len(cs) {
	case 0:
		return nil, true
	case 1:
		return cs[0], true
	default:
		return nil, false
	}
}

// attr returns an unprefixed attribute's value. Prefixed attributes with the
// same local name never match (etree's SelectAttr would accept them).
func attr(el *etree.Element, key string) (string, bool) {
	for _, a := range el.Attr {
		if a.Space == "" && a.Key == key {
			return a.Value, true
		}
	}
	return "", false
}

func attrValue(el *etree.Element, key string) string {
	v, _ := attr(el, key)
	return v
}

// stringValue concatenates every text node below el in document order (the
// XPath string-value), so a value split by a comment or CDATA section is
// never truncated to its first piece.
func stringValue(el *etree.Element) string {
	var b strings.Builder
	var walk func(*etree.Element)
	walk = func(e *etree.Element) {
		for _, t := range e.Child {
			switch t := t.(type) {
			case *etree.CharData:
				b.WriteString(t.Data)
			case *etree.Element:
				walk(t)
			}
		}
	}
	walk(el)
	return b.String()
}

// simpleText is the text of an element that must not have child elements
// (Issuer, NameID, Audience), trimmed of XML whitespace.
func simpleText(el *etree.Element) (string, bool) {
	if hasChildElements(el) {
		return "", false
	}
	return trimXMLSpace(stringValue(el)), true
}

// hasChildElements reports whether el has a child element, without
// collecting them as ChildElements does.
func hasChildElements(el *etree.Element) bool {
	for _, t := range el.Child {
		if _, ok := t.(*etree.Element); ok {
			return true
		}
	}
	return false
}

func trimXMLSpace(s string) string {
	return strings.Trim(s, " \t\r\n")
}

// hasNonSpaceText reports whether el has text directly inside it.
func hasNonSpaceText(el *etree.Element) bool {
	for _, t := range el.Child {
		if cd, ok := t.(*etree.CharData); ok && trimXMLSpace(cd.Data) != "" {
			return true
		}
	}
	return false
}

// inScopeNamespaces returns the prefix -> URI declarations in scope at el
// (its own included).
func inScopeNamespaces(el *etree.Element) map[string]string {
	var chain []*etree.Element
	for e := el; e != nil; e = e.Parent() {
		chain = append(chain, e)
	}
	out := map[string]string{}
	for i := len(chain) - 1; i >= 0; i-- {
		for _, a := range chain[i].Attr {
			switch {
			case a.Space == "xmlns":
				out[a.Key] = a.Value
			case a.Space == "" && a.Key == "xmlns":
				out[""] = a.Value
			}
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}

// isNCNameID reports whether s is usable as an XML ID and in a "#id"
// reference: an ASCII NCName.
func isNCNameID(s string) bool {
	if s == "" || len(s) > 256 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_':
		case i > 0 && (c >= '0' && c <= '9' || c == '-' || c == '.'):
		default:
			return false
		}
	}
	return true
}

// isReferenceID reports whether s is acceptable as the ID of a received
// Response or Assertion: 1 to 256 ASCII letters, digits, '_', '-' or '.', in
// any order. SAML declares these IDs as xs:ID (an NCName, which cannot start
// with a digit), but real IdPs send bare UUIDs such as
// "0f8fad5b-d9cb-469f-a165-70867728950e". Seam never resolves an ID through a
// DTD or XPath: a signature's Reference URI must equal "#" + the ID of the
// element that carries it, at a fixed position, and IDs must be unique in the
// document, so a leading digit carries no meaning. Characters that could make
// "#id" ambiguous or that no IdP uses (spaces, quotes, '#', ':', non-ASCII)
// stay refused. IDs Seam generates are NCNames (isNCNameID).
func isReferenceID(s string) bool {
	if s == "" || len(s) > 256 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '_', c == '-', c == '.':
		default:
			return false
		}
	}
	return true
}
