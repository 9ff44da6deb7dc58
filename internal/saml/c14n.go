package saml

import (
	"bytes"
	"errors"
	"io"
	"slices"
	"strings"

	"github.com/beevik/etree"
)

// excC14N is Exclusive XML Canonicalization 1.0 without comments
// (https://www.w3.org/TR/xml-exc-c14n/), the method nearly every IdP signs
// with, written straight from the parsed tree: no detached copy of the
// element, no namespace maps copied per element and no re-serialization
// through etree. The inclusive methods stay with goxmldsig (canonicalize).
//
// The apex is canonicalized where it stands in its document: the namespaces
// it inherits from its ancestors are in scope but, as the method requires,
// only those it or its descendants visibly use (and those named in the
// InclusiveNamespaces PrefixList) are written, each on the outermost output
// element that needs it. skip, when not nil, is left out with its subtree:
// the enveloped-signature transform.
//
// The tree comes from parseUntrusted, so it holds only elements, text and
// comments below the root (processing instructions and DTDs are refused);
// anything else is an error rather than a guess.
type excC14N struct {
	// out collects output until it is flushed to w (a hash, usually: the
	// canonical bytes are never needed whole).
	out []byte
	w   io.Writer
	// scope is the stack of namespace declarations in effect (later entries
	// shadow earlier ones); rendered is the stack of declarations written on
	// output ancestors. Both are searched from the end: documents have a
	// handful of prefixes (parseUntrusted caps them).
	scope    []nsBinding
	rendered []nsBinding
	// inclusive holds the PrefixList prefixes ("" for #default).
	inclusive []string
	skip      *etree.Element
	// at, when set, is an element whose rendered declarations (its own and
	// its output ancestors') are kept in atScope as its start tag is written.
	at      *etree.Element
	atScope []nsBinding
	// scratch buffers reused across elements.
	decls []nsBinding
	attrs []c14nAttr
}

type nsBinding struct{ prefix, uri string }

type c14nAttr struct {
	uri  string
	attr *etree.Attr
}

var errC14NUnexpectedNode = errors.New("saml: unexpected node in canonicalized content")

// canonicalizeExclusive returns the exclusive canonical form of el in its
// document, without skip.
func canonicalizeExclusive(el, skip *etree.Element, prefixList string) ([]byte, error) {
	var b bytes.Buffer
	if err := writeExclusiveC14N(&b, el, skip, prefixList); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// c14nFlushAt is the size at which buffered output goes to the writer.
const c14nFlushAt = 512

// writeExclusiveC14N writes the exclusive canonical form of el in its
// document, without skip, to w.
func writeExclusiveC14N(w io.Writer, el, skip *etree.Element, prefixList string) error {
	return newExcC14N(w, skip, prefixList).run(el)
}

// exclusiveScopeAt returns the namespace bindings in effect at at, a
// descendant of el, in the exclusive canonical form of el: the ones a
// signature over that form covers. Declarations in the document that the
// form leaves out (no signed name uses them) are not among them.
func exclusiveScopeAt(el, at *etree.Element, prefixList string) (map[string]string, error) {
	c := newExcC14N(io.Discard, nil, prefixList)
	c.at = at
	if err := c.run(el); err != nil {
		return nil, err
	}
	scope := map[string]string{}
	for _, b := range c.atScope {
		scope[b.prefix] = b.uri // later bindings shadow earlier ones
	}
	if scope[""] == "" {
		delete(scope, "") // xmlns="" undoes a default namespace: none
	}
	return scope, nil
}

func newExcC14N(w io.Writer, skip *etree.Element, prefixList string) *excC14N {
	c := &excC14N{skip: skip, w: w, out: make([]byte, 0, 2*c14nFlushAt)}
	for _, p := range strings.Fields(prefixList) {
		if p == "#default" {
			p = ""
		}
		c.inclusive = append(c.inclusive, p)
	}
	return c
}

// run writes the canonical form of el in its document to the writer.
func (c *excC14N) run(el *etree.Element) error {
	// The declarations on el's ancestors, outermost first, so that inner
	// ones shadow outer ones as lookup searches from the end.
	var ancestors []*etree.Element
	for e := el.Parent(); e != nil; e = e.Parent() {
		ancestors = append(ancestors, e)
	}
	for i := len(ancestors) - 1; i >= 0; i-- {
		for _, a := range ancestors[i].Attr {
			switch {
			case a.Space == "xmlns":
				c.scope = append(c.scope, nsBinding{a.Key, a.Value})
			case a.Space == "" && a.Key == "xmlns":
				c.scope = append(c.scope, nsBinding{"", a.Value})
			}
		}
	}
	if err := c.element(el); err != nil {
		return err
	}
	_, err := c.w.Write(c.out)
	return err
}

// lookup returns the URI bound to prefix in bindings ("" and false when it is
// not bound; the default namespace unbound and bound to "" are the same).
func lookup(bindings []nsBinding, prefix string) (string, bool) {
	for i := len(bindings) - 1; i >= 0; i-- {
		if bindings[i].prefix == prefix {
			return bindings[i].uri, true
		}
	}
	return "", false
}

func (c *excC14N) element(el *etree.Element) error {
	scopeMark, renderedMark := len(c.scope), len(c.rendered)
	for _, a := range el.Attr {
		switch {
		case a.Space == "xmlns":
			c.scope = append(c.scope, nsBinding{a.Key, a.Value})
		case a.Space == "" && a.Key == "xmlns":
			c.scope = append(c.scope, nsBinding{"", a.Value})
		}
	}

	// Namespace declarations to write: the prefixes this element visibly
	// uses and the PrefixList ones in scope, each unless an output ancestor
	// already wrote the same binding.
	c.decls = c.decls[:0]
	consider := func(prefix string, utilized bool) {
		if prefix == "xml" {
			return
		}
		for _, d := range c.decls {
			if d.prefix == prefix {
				return
			}
		}
		uri, bound := lookup(c.scope, prefix)
		if !bound && !utilized {
			return
		}
		prev, done := lookup(c.rendered, prefix)
		if prefix == "" {
			// xmlns="" is written only to undo a default namespace an
			// output ancestor wrote.
			if uri == prev {
				return
			}
		} else if done && uri == prev {
			return
		}
		c.decls = append(c.decls, nsBinding{prefix, uri})
	}
	consider(el.Space, true)
	for _, a := range el.Attr {
		if a.Space != "" && a.Space != "xmlns" {
			consider(a.Space, true)
		}
	}
	for _, p := range c.inclusive {
		consider(p, false)
	}
	if len(c.decls) > 1 {
		slices.SortFunc(c.decls, func(a, b nsBinding) int { return strings.Compare(a.prefix, b.prefix) })
	}

	// Attributes (not namespace declarations), by namespace URI and then
	// local name; unqualified ones have no URI and come first.
	c.attrs = c.attrs[:0]
	for i := range el.Attr {
		a := &el.Attr[i]
		switch {
		case a.Space == "xmlns", a.Space == "" && a.Key == "xmlns":
			continue
		case a.Space == "":
			c.attrs = append(c.attrs, c14nAttr{"", a})
		case a.Space == "xml":
			c.attrs = append(c.attrs, c14nAttr{xmlNamespace, a})
		default:
			uri, bound := lookup(c.scope, a.Space)
			if !bound || uri == "" {
				return errC14NUnexpectedNode
			}
			c.attrs = append(c.attrs, c14nAttr{uri, a})
		}
	}
	if len(c.attrs) > 1 {
		slices.SortFunc(c.attrs, func(a, b c14nAttr) int {
			if n := strings.Compare(a.uri, b.uri); n != 0 {
				return n
			}
			return strings.Compare(a.attr.Key, b.attr.Key)
		})
	}

	c.out = append(c.out, '<')
	c.out = appendQName(c.out, el.Space, el.Tag)
	for _, d := range c.decls {
		c.rendered = append(c.rendered, d)
		if d.prefix == "" {
			c.out = append(c.out, ` xmlns="`...)
		} else {
			c.out = append(c.out, " xmlns:"...)
			c.out = append(c.out, d.prefix...)
			c.out = append(c.out, `="`...)
		}
		c.out = appendEscapedAttr(c.out, d.uri)
		c.out = append(c.out, '"')
	}
	if el == c.at {
		c.atScope = slices.Clone(c.rendered)
	}
	for _, a := range c.attrs {
		c.out = append(c.out, ' ')
		c.out = appendQName(c.out, a.attr.Space, a.attr.Key)
		c.out = append(c.out, `="`...)
		c.out = appendEscapedAttr(c.out, a.attr.Value)
		c.out = append(c.out, '"')
	}
	c.out = append(c.out, '>')

	for _, t := range el.Child {
		if len(c.out) >= c14nFlushAt {
			if _, err := c.w.Write(c.out); err != nil {
				return err
			}
			c.out = c.out[:0]
		}
		switch t := t.(type) {
		case *etree.Element:
			if t == c.skip {
				continue
			}
			if err := c.element(t); err != nil {
				return err
			}
		case *etree.CharData:
			c.out = appendEscapedText(c.out, t.Data)
		case *etree.Comment:
			// without comments
		default:
			return errC14NUnexpectedNode
		}
	}

	c.out = append(c.out, "</"...)
	c.out = appendQName(c.out, el.Space, el.Tag)
	c.out = append(c.out, '>')
	c.scope, c.rendered = c.scope[:scopeMark], c.rendered[:renderedMark]
	return nil
}

func appendQName(out []byte, prefix, local string) []byte {
	if prefix != "" {
		out = append(out, prefix...)
		out = append(out, ':')
	}
	return append(out, local...)
}

// appendEscapedText escapes text as Canonical XML 1.0 (section 2.3) does.
func appendEscapedText(out []byte, s string) []byte { return appendEscaped(out, s, false) }

// appendEscapedAttr escapes an attribute value as Canonical XML 1.0 does.
func appendEscapedAttr(out []byte, s string) []byte { return appendEscaped(out, s, true) }

// appendEscaped appends s with the replacements Canonical XML 1.0 makes in
// text (attr false) or in an attribute value (attr true); the runs between
// them are appended whole.
func appendEscaped(out []byte, s string, attr bool) []byte {
	start := 0
	for i := 0; i < len(s); i++ {
		var r string
		switch c := s[i]; {
		case c == '&':
			r = "&amp;"
		case c == '<':
			r = "&lt;"
		case c == '\r':
			r = "&#xD;"
		case c == '>' && !attr:
			r = "&gt;"
		case c == '"' && attr:
			r = "&quot;"
		case c == '\t' && attr:
			r = "&#x9;"
		case c == '\n' && attr:
			r = "&#xA;"
		default:
			continue
		}
		out = append(out, s[start:i]...)
		out = append(out, r...)
		start = i + 1
	}
	return append(out, s[start:]...)
}
