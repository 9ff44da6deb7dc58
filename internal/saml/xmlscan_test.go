package saml

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/beevik/etree"
)

// parseTreeSeeds are documents whose trees are easy to get subtly wrong:
// CDATA next to text, whitespace-only text, comments, the XML declaration,
// whitespace outside the root, prefixed and default namespaces, escaped and
// literal whitespace in attribute values.
var parseTreeSeeds = []string{
	`<a/>`,
	`<?xml version="1.0" encoding="UTF-8"?>` + "\n<a>\n  <b>x</b>\n</a>\n",
	`<a><![CDATA[x<y]]>z<![CDATA[ ]]></a>`,
	"<a>\n <!-- c -->\n<b/> \t</a>",
	`<!-- top --><a/><!-- tail -->`,
	`<p:a xmlns:p="urn:x" xmlns="urn:d" p:b="1" c="2"><b xmlns=""/><p:c p:d="&lt;&amp;&quot;"/></p:a>`,
	"<a b=\"x\ty\r\nz\n\" c='&#9;&#10;&#13;'>a&#13;b\r\nc\rd</a>",
	`<a xml:lang="en"><b>&gt;&apos;&#x41;é✓</b></a>`,
	`<a xmlns:p="urn:p" xmlns:q="urn:q" x="1" p:x="2" q:x="3"/>`,
	`<a xmlns:p="urn:p" xmlns:q="urn:q" p:x="2" x="1" q:x="3"><b xmlns="urn:d" q:y="4" xml:lang="en"/></a>`,
	`<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_r"><saml:Issuer xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">i</saml:Issuer></samlp:Response>`,
}

func TestParseUntrustedBuildsEtreesTree(t *testing.T) {
	for _, s := range parseTreeSeeds {
		if msg := compareWithEtree([]byte(s)); msg != "" {
			t.Errorf("%q: %s", s, msg)
		}
	}
}

// FuzzParseUntrustedTree checks that whatever parseUntrusted accepts, it
// builds exactly the tree etree's parser builds from the same (normalized)
// bytes: canonical bytes, and so signatures, depend on it.
func FuzzParseUntrustedTree(f *testing.F) {
	for _, s := range parseTreeSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if msg := compareWithEtree(data); msg != "" {
			t.Fatal(msg)
		}
	})
}

// compareWithEtree returns "" when parseUntrusted refuses data or builds the
// same tree as etree.Document.ReadFromBytes on its normalized form.
func compareWithEtree(data []byte) string {
	got, rej := parseUntrusted(data, responseLimits(), nil)
	if rej != nil {
		return ""
	}
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(normalizeAttributeWhitespace(bytes.TrimPrefix(data, []byte(utf8BOM)))); err != nil {
		return fmt.Sprintf("accepted, but etree refuses it: %v", err)
	}
	gotDoc := got.Parent()
	if gotDoc == nil {
		return "the root has no document"
	}
	var b strings.Builder
	describeTree(&b, gotDoc)
	var w strings.Builder
	describeTree(&w, &doc.Element)
	if b.String() != w.String() {
		return fmt.Sprintf("tree differs:\n got %s\nwant %s", b.String(), w.String())
	}
	return ""
}

// describeTree writes every node with the fields canonicalization and the
// readers use, parent links included.
func describeTree(b *strings.Builder, el *etree.Element) {
	fmt.Fprintf(b, "<%q:%q", el.Space, el.Tag)
	for _, a := range el.Attr {
		if a.Element() != el {
			b.WriteString(" [attr not linked]")
		}
		fmt.Fprintf(b, " %q:%q=%q", a.Space, a.Key, a.Value)
	}
	b.WriteString(">")
	for i, c := range el.Child {
		if c.Parent() != el || c.Index() != i {
			b.WriteString("[child not linked]")
		}
		switch c := c.(type) {
		case *etree.Element:
			describeTree(b, c)
		case *etree.CharData:
			fmt.Fprintf(b, "text(%q,cdata=%v,space=%v)", c.Data, c.IsCData(), c.IsWhitespace())
		case *etree.Comment:
			fmt.Fprintf(b, "comment(%q)", c.Data)
		case *etree.ProcInst:
			fmt.Fprintf(b, "pi(%q,%q)", c.Target, c.Inst)
		default:
			fmt.Fprintf(b, "%T", c)
		}
	}
	b.WriteString("</>")
}

// TestIsNCNameASCII holds isNCName's ASCII shortcut to the productions: every
// ASCII character as the first and as a later character.
func TestIsNCNameASCII(t *testing.T) {
	for c := rune(0); c < 0x80; c++ {
		letter := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_'
		later := letter || c >= '0' && c <= '9' || c == '-' || c == '.'
		if got := isNCName(string(c)); got != letter {
			t.Errorf("isNCName(%q) = %v", string(c), got)
		}
		if got := isNCName("a" + string(c)); got != later {
			t.Errorf("isNCName(%q) = %v", "a"+string(c), got)
		}
	}
	for _, s := range []string{"é", "aé·", "a\u0300", "\u0300a", "·a"} {
		want := s == "é" || s == "aé·" || s == "a\u0300"
		if got := isNCName(s); got != want {
			t.Errorf("isNCName(%q) = %v, want %v", s, got, want)
		}
	}
}
