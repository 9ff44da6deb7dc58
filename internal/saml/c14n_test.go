package saml

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
)

// c14nSeeds are documents whose exclusive canonical form is easy to get
// wrong: namespaces declared far from where they are used, redeclared,
// shadowed, the default namespace set and reset, prefixed attributes from
// several namespaces, xml:* attributes, escaping, comments, CDATA.
var c14nSeeds = []string{
	`<a/>`,
	`<r xmlns:p="urn:p" xmlns:q="urn:q" xmlns:unused="urn:u"><p:a q:z="1" b="2" p:y="3"><p:b xmlns:p="urn:p2"><q:c/></p:b></p:a></r>`,
	`<r xmlns="urn:d"><a><b xmlns=""><c xmlns="urn:d"/></b></a></r>`,
	`<r xmlns="urn:d" xmlns:p="urn:p"><p:a><b/><p:c xmlns="urn:e"/></p:a></r>`,
	`<r xmlns:p="urn:p"><a xml:lang="en" xml:space="preserve" p:x="1" z="2"><!-- c --><b>t</b></a></r>`,
	"<r><a x=\"&lt;&amp;&quot;&gt;'&#9;&#10;&#13;\">&lt;&amp;&gt;\"'&#13;\r\n<![CDATA[<&>]]> é✓</a></r>",
	`<p:r xmlns:p="urn:p" xmlns:xs="urn:xs"><p:a xmlns:p="urn:p"><p:b xmlns:xs="urn:xs2"/></p:a></p:r>`,
	`<r xmlns:xml="http://www.w3.org/XML/1998/namespace"><a xml:id="x"/></r>`,
	"<r xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\" xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\"><saml:Assertion ID=\"_a\">\n  <saml:Issuer>i</saml:Issuer>\n  <ds:Signature><ds:SignedInfo><ds:CanonicalizationMethod Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"><ec:InclusiveNamespaces xmlns:ec=\"http://www.w3.org/2001/10/xml-exc-c14n#\" PrefixList=\"xs #default\"/></ds:CanonicalizationMethod></ds:SignedInfo></ds:Signature>\n  <saml:Subject/></saml:Assertion></r>",
}

var c14nPrefixLists = []string{"", "#default", "p xs", "q #default unused xml"}

func TestExclusiveC14NMatchesGoxmldsig(t *testing.T) {
	for _, s := range c14nSeeds {
		for _, pl := range c14nPrefixLists {
			if msg := compareExclusiveC14N([]byte(s), pl); msg != "" {
				t.Errorf("%q, PrefixList %q: %s", s, pl, msg)
			}
		}
	}
}

// TestExclusiveC14NSpecExamples holds canonicalizeExclusive to outputs
// written out by hand from the specification, independently of goxmldsig.
func TestExclusiveC14NSpecExamples(t *testing.T) {
	tests := []struct {
		doc, path, prefixes, want string
	}{
		// Only the prefixes the element and its attributes use are written,
		// on the outermost element that uses them.
		{`<r xmlns:p="urn:p" xmlns:q="urn:q"><p:a b="1"><q:c/></p:a></r>`, "a", "",
			`<p:a xmlns:p="urn:p" b="1"><q:c xmlns:q="urn:q"></q:c></p:a>`},
		// PrefixList prefixes are written on the apex even when unused.
		{`<r xmlns:p="urn:p" xmlns:q="urn:q"><p:a/></r>`, "a", "q",
			`<p:a xmlns:p="urn:p" xmlns:q="urn:q"></p:a>`},
		// xmlns="" only undoes a default namespace written above.
		{`<r xmlns="urn:d"><a><b xmlns=""/></a></r>`, "a", "",
			`<a xmlns="urn:d"><b xmlns=""></b></a>`},
		{`<r><a><b xmlns=""/></a></r>`, "a", "", `<a><b></b></a>`},
		// Canonical XML 1.0, example 3.3 (e6 to e9), exclusive: a redundant
		// xmlns="" is dropped, unused prefixes are not written.
		{`<doc><e6 xmlns="" xmlns:a="http://www.w3.org"><e7 xmlns="http://www.ietf.org"><e8 xmlns="" xmlns:a="http://www.w3.org"><e9 xmlns="" xmlns:a="http://www.ietf.org"/></e8></e7></e6></doc>`, "e6", "",
			`<e6><e7 xmlns="http://www.ietf.org"><e8 xmlns=""><e9></e9></e8></e7></e6>`},
		// Attributes by namespace URI, then local name; declarations by
		// prefix; comments dropped; text and attribute escaping.
		{`<r xmlns:z="urn:a" xmlns:a="urn:z"><x a:k="1" z:k="2" b="3" a="4"><!--c--><y>a&amp;b&gt;<![CDATA[<]]></y></x></r>`, "x", "",
			`<x xmlns:a="urn:z" xmlns:z="urn:a" a="4" b="3" z:k="2" a:k="1"><y>a&amp;b&gt;&lt;</y></x>`},
		// The apex's own xmlns="" declares nothing: no output ancestor wrote
		// a default namespace (goxmldsig writes it; libxml2 does not).
		{`<r xmlns="urn:d"><b xmlns=""><c xmlns="urn:d"/></b></r>`, "b", "",
			`<b><c xmlns="urn:d"></c></b>`},
		// A PrefixList #default is written, as inclusive canonicalization
		// does, wherever its value changes (goxmldsig leaves it out).
		{`<r xmlns="urn:d" xmlns:p="urn:p"><p:a><p:c xmlns="urn:e"/></p:a></r>`, "r", "#default",
			`<r xmlns="urn:d"><p:a xmlns:p="urn:p"><p:c xmlns="urn:e"></p:c></p:a></r>`},
		// Prefixed attributes by namespace URI first, whatever their prefixes
		// and local names: xsi's URI sorts before xml's (goxmldsig orders
		// them by local name).
		{`<r xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><v xml:lang="en" xsi:type="xs:string"/></r>`, "v", "",
			`<v xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="xs:string" xml:lang="en"></v>`},
		{"<r><x v=\"&#9;&#10;&#13;&quot;&lt;&gt;\">&#13;</x></r>", "x", "",
			`<x v="&#x9;&#xA;&#xD;&quot;&lt;>">&#xD;</x>`},
	}
	for _, tc := range tests {
		root, rej := parseUntrusted([]byte(tc.doc), responseLimits(), nil)
		if rej != nil {
			t.Fatalf("%s: %v", tc.doc, rej)
		}
		el := root.FindElement("//" + tc.path)
		got, err := canonicalizeExclusive(el, nil, tc.prefixes)
		if err != nil || string(got) != tc.want {
			t.Errorf("%s at %s:\n got %s (%v)\nwant %s", tc.doc, tc.path, got, err, tc.want)
		}
	}
}

// FuzzExclusiveC14N compares canonicalizeExclusive, on every element of
// whatever parseUntrusted accepts and with its first child element left out,
// with goxmldsig's canonicalizer on a detached copy.
func FuzzExclusiveC14N(f *testing.F) {
	for _, s := range c14nSeeds {
		for _, pl := range c14nPrefixLists {
			f.Add([]byte(s), pl)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte, prefixes string) {
		if msg := compareExclusiveC14N(data, prefixes); msg != "" {
			t.Fatal(msg)
		}
	})
}

// compareExclusiveC14N leaves out the three cases where goxmldsig departs
// from the specification (TestExclusiveC14NSpecExamples has each): a
// PrefixList naming #default, documents that declare xmlns="" (goxmldsig
// writes the declaration even where no default namespace is in effect
// above), and elements with prefixed attributes from two namespaces
// (goxmldsig orders them by local name, not by namespace URI first).
func compareExclusiveC14N(data []byte, prefixes string) string {
	root, rej := parseUntrusted(data, responseLimits(), nil)
	if rej != nil || slices.Contains(strings.Fields(prefixes), "#default") || declaresEmptyDefault(root) || mixesAttributeNamespaces(root) {
		return ""
	}
	var msg string
	var walk func(el *etree.Element)
	walk = func(el *etree.Element) {
		if msg != "" {
			return
		}
		skips := []*etree.Element{nil}
		if cs := el.ChildElements(); len(cs) > 0 {
			skips = append(skips, cs[0])
		}
		for _, skip := range skips {
			got, err := canonicalizeExclusive(el, skip, prefixes)
			if err != nil {
				msg = fmt.Sprintf("%s: %v", el.Tag, err)
				return
			}
			cp := detachWithNamespaces(el)
			if skip != nil {
				cp.RemoveChildAt(skip.Index())
			}
			want, err := dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList(prefixes).Canonicalize(cp)
			if err != nil {
				return // goxmldsig refuses what it cannot canonicalize
			}
			if !bytes.Equal(got, want) {
				msg = fmt.Sprintf("element %s (skip %v), PrefixList %q:\n got %s\nwant %s", el.Tag, skip != nil, prefixes, got, want)
				return
			}
		}
		for _, c := range el.ChildElements() {
			walk(c)
		}
	}
	walk(root)
	return msg
}

func mixesAttributeNamespaces(el *etree.Element) bool {
	prefix := ""
	for _, a := range el.Attr {
		if a.Space == "" || a.Space == "xmlns" {
			continue
		}
		if prefix != "" && a.Space != prefix {
			return true
		}
		prefix = a.Space
	}
	return slices.ContainsFunc(el.ChildElements(), mixesAttributeNamespaces)
}

func declaresEmptyDefault(el *etree.Element) bool {
	if v, ok := attr(el, "xmlns"); ok && v == "" {
		return true
	}
	return slices.ContainsFunc(el.ChildElements(), declaresEmptyDefault)
}

// FuzzCanonicalFormReadsBack guards what lets the verifier read the parsed
// element instead of a tree parsed back from the canonical bytes: for every
// element of whatever parseUntrusted accepts, and every allowed method, the
// canonical bytes parse back to the same element as the verifier reads it
// (names with their resolved namespaces, attributes, text; comments and
// namespace declarations are not read). Two elements with the same canonical
// form (so the same signature) therefore read the same.
func FuzzCanonicalFormReadsBack(f *testing.F) {
	for _, s := range append(c14nSeeds, parseTreeSeeds...) {
		f.Add([]byte(s), "")
		f.Add([]byte(s), "#default p")
	}
	f.Fuzz(func(t *testing.T, data []byte, prefixes string) {
		root, rej := parseUntrusted(data, responseLimits(), nil)
		if rej != nil {
			return
		}
		var walk func(el *etree.Element)
		walk = func(el *etree.Element) {
			for _, alg := range []string{algExcC14N, algC14N10, algC14N11} {
				canonical, err := canonicalize(el, nil, alg, prefixes)
				if err != nil {
					if alg == algExcC14N {
						t.Fatalf("%s: %v", el.Tag, err)
					}
					continue // goxmldsig refuses what it cannot canonicalize
				}
				back, rej := parseUntrusted(canonical, responseLimits(), nil)
				if rej != nil {
					t.Fatalf("%s, %s: the canonical form %q does not parse: %v", el.Tag, alg, canonical, rej)
				}
				if got, want := readerView(back), readerView(el); got != want {
					t.Fatalf("%s, %s: reads back as\n%s\nnot\n%s", el.Tag, alg, got, want)
				}
			}
			for _, c := range el.ChildElements() {
				walk(c)
			}
		}
		walk(root)
	})
}

func TestCanonicalFormReadsBack(t *testing.T) {
	for _, s := range append(c14nSeeds, parseTreeSeeds...) {
		root, rej := parseUntrusted([]byte(s), responseLimits(), nil)
		if rej != nil {
			t.Fatalf("%s: %v", s, rej)
		}
		canonical, err := canonicalizeExclusive(root, nil, "")
		if err != nil {
			t.Fatal(err)
		}
		back, rej := parseUntrusted(canonical, responseLimits(), nil)
		if rej != nil {
			t.Fatal(rej)
		}
		if got, want := readerView(back), readerView(root); got != want {
			t.Errorf("%s reads back as\n%s\nnot\n%s", s, got, want)
		}
	}
}

// readerView describes el as the verifier's readers see it: each element's
// namespace and name, its attributes other than namespace declarations (with
// their namespaces, sorted), and its content with comments dropped and
// adjacent text joined. The xml prefix is bound to its namespace whether or
// not it is declared (etree resolves it only where it is).
func readerView(el *etree.Element) string {
	var b strings.Builder
	ns := func(prefix, resolved string) string {
		if prefix == "xml" {
			return xmlNamespace
		}
		return resolved
	}
	var walk func(e *etree.Element)
	walk = func(e *etree.Element) {
		fmt.Fprintf(&b, "<{%s}%s", ns(e.Space, e.NamespaceURI()), e.Tag)
		var attrs []string
		for i := range e.Attr {
			a := &e.Attr[i]
			if a.Space == "xmlns" || (a.Space == "" && a.Key == "xmlns") {
				continue
			}
			attrs = append(attrs, fmt.Sprintf(" {%s}%s=%q", ns(a.Space, a.NamespaceURI()), a.Key, a.Value))
		}
		slices.Sort(attrs)
		b.WriteString(strings.Join(attrs, ""))
		b.WriteString(">")
		text := ""
		flush := func() {
			if text != "" {
				fmt.Fprintf(&b, "%q", text)
				text = ""
			}
		}
		for _, t := range e.Child {
			switch t := t.(type) {
			case *etree.CharData:
				text += t.Data
			case *etree.Element:
				flush()
				walk(t)
			}
		}
		flush()
		b.WriteString("</>")
	}
	walk(el)
	return b.String()
}

// TestExclusiveScopeAtIsWhatTheFormSigns: the bindings in effect at an
// element in the exclusive canonical form are the ones a signed name uses
// (or the PrefixList names) on it and its ancestors; a declaration no signed
// name uses is not among them, whatever it binds. These are what a signed
// Response lends an encrypted assertion's plaintext.
func TestExclusiveScopeAtIsWhatTheFormSigns(t *testing.T) {
	doc := `<samlp:Response xmlns:samlp="urn:p" xmlns:saml="urn:a" xmlns:xsi="urn:rebound" xmlns:extra="urn:e" ID="_r">` +
		`<saml:EncryptedAssertion><x:Data xmlns:x="urn:x"/></saml:EncryptedAssertion></samlp:Response>`
	root, rej := parseUntrusted([]byte(doc), responseLimits(), nil)
	if rej != nil {
		t.Fatal(rej)
	}
	enc := root.ChildElements()[0]
	for _, c := range []struct {
		prefixList string
		want       map[string]string
	}{
		{"", map[string]string{"samlp": "urn:p", "saml": "urn:a"}},
		{"xsi #default", map[string]string{"samlp": "urn:p", "saml": "urn:a", "xsi": "urn:rebound"}},
	} {
		got, err := exclusiveScopeAt(root, enc, c.prefixList)
		if err != nil || !maps.Equal(got, c.want) {
			t.Errorf("PrefixList %q: %v, %v; want %v", c.prefixList, got, err, c.want)
		}
	}
	// The inclusive methods sign every namespace in scope.
	got, rej := signedScopeAt(root, enc, &reference{c14n: algC14N10})
	if rej != nil || len(got) != 4 {
		t.Errorf("inclusive: %v, %v", got, rej)
	}
	got, rej = signedScopeAt(root, enc, &reference{c14n: algExcC14N})
	if rej != nil || got["xsi"] != "" || got["extra"] != "" || got["saml"] != "urn:a" {
		t.Errorf("exclusive: %v, %v", got, rej)
	}
}
