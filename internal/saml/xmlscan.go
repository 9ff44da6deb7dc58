package saml

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/beevik/etree"
	xrv "github.com/mattermost/xml-roundtrip-validator"
)

// xmlLimits bound what an untrusted document may cost while its tree is
// built: every later stage (canonicalization, goxmldsig's copies for the
// inclusive methods, our own walks) is linear in these numbers.
type xmlLimits struct {
	maxBytes    int
	maxElements int
	maxDepth    int
	maxAttrs    int // attributes (namespace declarations included) per element
	maxPrefixes int // distinct namespace prefixes in scope at any point
	commentText bool
}

func responseLimits() xmlLimits {
	return xmlLimits{
		maxBytes:    MaxResponseSize,
		maxElements: 10000,
		maxDepth:    48,
		maxAttrs:    64,
		maxPrefixes: 64,
		commentText: true,
	}
}

// parseUntrusted is the only way untrusted XML becomes a tree in this package.
// One strict encoding/xml pass both checks the document (UTF-8, no DTD,
// limits, round-trip stability, comment injection: scanXML) and builds the
// etree tree from the tokens it accepted, so the bytes are tokenized once.
//
// inherited holds namespace declarations in scope where the document came
// from (an EncryptedAssertion's plaintext); prefixes the document uses without
// declaring are resolved from it and declared on the returned root.
func parseUntrusted(data []byte, lim xmlLimits, inherited map[string]string) (*etree.Element, *Rejection) {
	return scanXML(bytes.TrimPrefix(data, []byte(utf8BOM)), lim, inherited)
}

// scanXML checks an untrusted document in one streaming pass and builds its
// tree as it goes; a token becomes a node only after every check on it
// passed, and nothing is returned unless the whole document passed.
//
// The tree is the one etree's own parser (Document.ReadFromBytes with default
// settings) builds from the same tokens: elements with their attributes in
// document order, text as CharData (CDATA sections as plain text,
// whitespace-only text flagged as such), comments, and the XML declaration on
// the document; canonical bytes depend on it.
func scanXML(data []byte, lim xmlLimits, inherited map[string]string) (*etree.Element, *Rejection) {
	if len(data) > lim.maxBytes {
		return nil, reject(ReasonTooLarge, fmt.Sprintf("the XML exceeds %d bytes", lim.maxBytes))
	}
	if !utf8.Valid(data) {
		return nil, reject(ReasonMalformed, "the XML is not valid UTF-8")
	}
	if hasDirective(data) {
		return nil, reject(ReasonDoctypeForbidden, "the XML contains a DOCTYPE or another markup declaration")
	}
	// Replacing a literal tab, CR or LF by a space inside what looks like an
	// attribute value cannot change whether the strict pass below accepts the
	// document (XML treats the four alike everywhere they are allowed, and
	// the checks here refuse them alike in names and namespace URIs), so it
	// runs before the pass rather than on its result.
	data = normalizeAttributeWhitespace(data)

	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = true
	dec.CharsetReader = utf8Only

	doc := etree.NewDocument()
	s := scanner{lim: lim, inherited: inherited, scope: map[string]string{}, doc: &doc.Element}
	for {
		tok, err := dec.RawToken()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, reject(ReasonMalformed, "the XML is not well-formed")
		}
		if !roundTrips(tok) {
			return nil, reject(ReasonUnstableXML, "the XML does not survive an encoding/xml round trip")
		}
		if rej := s.token(tok); rej != nil {
			return nil, rej
		}
	}
	if len(s.stack) != 0 || !s.sawRoot {
		return nil, reject(ReasonMalformed, "the XML is not a single complete element")
	}
	root := doc.Root()
	if root == nil {
		return nil, reject(ReasonMalformed, "the XML has no root element")
	}
	for _, prefix := range sortedKeys(s.used) {
		root.CreateAttr("xmlns:"+prefix, s.used[prefix])
	}
	return root, nil
}

// roundTrips is the check of github.com/mattermost/xml-roundtrip-validator
// (xrv.Validate), applied token by token on the scanner's own pass. The
// validator re-encodes each token with a fresh encoder and decoder, which
// allocates about 5 KB per token and dominated both the CPU time and the
// memory of a scan, so the tokens that cannot be unstable skip it:
//
//   - text, unless empty: re-encoding escapes it and decoding restores it
//     exactly for every character the strict decoder lets through; only the
//     empty text token (an empty CDATA section) encodes to nothing;
//   - comments: every comment the strict decoder produces survives;
//   - start tags whose name is a QName (an optional NCName prefix and an
//     NCName local part) and whose attributes are unprefixed NCNames,
//     namespace declarations and at most one prefixed QName (xsi:type on
//     every SAML AttributeValue), and end tags whose name is a QName: the
//     instabilities the validator exists for (CVE-2020-29509/29510/29511)
//     involve names that are not QNames or several prefixed attributes.
//
// FuzzRoundTripShortcut checks each claim against the validator itself.
// Everything else, including every tag with an unusual name, still goes
// through xrv.CheckToken.
func roundTrips(tok xml.Token) bool {
	switch t := tok.(type) {
	case xml.CharData:
		return len(t) > 0
	case xml.Comment:
		return true
	case xml.StartElement:
		if isQName(t.Name) && plainAttributes(t.Attr) {
			return true
		}
	case xml.EndElement:
		if isQName(t.Name) {
			return true
		}
	}
	return xrv.CheckToken(tok) == nil
}

// plainAttributes reports whether every attribute is an unprefixed NCName
// or a namespace declaration, except for at most one prefixed QName. Two or
// more prefixed attributes (xsi:type and xml:lang) are left to the
// validator: its re-encoding of them on one element is not always stable.
// TestRoundTripShortcutEnumerated holds one against the validator, with the
// prefixes the encoder itself generates (_xmlns, _xml, p_1) among them.
func plainAttributes(attrs []xml.Attr) bool {
	prefixed := 0
	for _, a := range attrs {
		switch {
		case a.Name.Space == "" && isNCName(a.Name.Local):
		case a.Name.Space == "xmlns" && isNCName(a.Name.Local):
		case isQName(a.Name):
			prefixed++ // a.Name.Space is neither "" nor "xmlns" here
		default:
			return false
		}
	}
	return prefixed <= 1
}

// isQName reports whether a raw (prefix, local) name is a namespace QName.
func isQName(n xml.Name) bool {
	return isNCName(n.Local) && (n.Space == "" || isNCName(n.Space))
}

// isNCName implements NCName of Namespaces in XML 1.0 over the NameStartChar
// and NameChar productions of XML 1.0 (fifth edition), without ':'.
func isNCName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if r < utf8.RuneSelf { // ASCII, nearly every name: no range tables
			switch {
			case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r == '_':
			case i > 0 && (r >= '0' && r <= '9' || r == '-' || r == '.'):
			default:
				return false
			}
			continue
		}
		if isNameStartChar(r) {
			continue
		}
		if i == 0 {
			return false
		}
		switch {
		case r == '-' || r == '.' || (r >= '0' && r <= '9') || r == 0xB7,
			r >= 0x300 && r <= 0x36F, r >= 0x203F && r <= 0x2040:
		default:
			return false
		}
	}
	return true
}

func isNameStartChar(r rune) bool {
	switch {
	case r >= 'A' && r <= 'Z', r >= 'a' && r <= 'z', r == '_',
		r >= 0xC0 && r <= 0xD6, r >= 0xD8 && r <= 0xF6, r >= 0xF8 && r <= 0x2FF,
		r >= 0x370 && r <= 0x37D, r >= 0x37F && r <= 0x1FFF, r >= 0x200C && r <= 0x200D,
		r >= 0x2070 && r <= 0x218F, r >= 0x2C00 && r <= 0x2FEF, r >= 0x3001 && r <= 0xD7FF,
		r >= 0xF900 && r <= 0xFDCF, r >= 0xFDF0 && r <= 0xFFFD, r >= 0x10000 && r <= 0xEFFFF:
		return true
	}
	return false
}

type nsUndo struct {
	prefix  string
	prev    string
	hadPrev bool
}

type scanFrame struct {
	el      *etree.Element
	name    xml.Name
	undo    []nsUndo
	comment bool
	text    bool
}

type scanner struct {
	lim       xmlLimits
	inherited map[string]string
	used      map[string]string
	scope     map[string]string
	stack     []scanFrame
	elements  int
	tokens    int
	comments  int
	sawRoot   bool
	// doc is the document node, the parent of the root element and of
	// anything outside it.
	doc *etree.Element
}

// top is the element the next node belongs to.
func (s *scanner) top() *etree.Element {
	if len(s.stack) == 0 {
		return s.doc
	}
	return s.stack[len(s.stack)-1].el
}

// maxComments bounds comments; IdPs send none or a handful.
const maxComments = 256

func (s *scanner) token(tok xml.Token) *Rejection {
	s.tokens++
	// Start and end tags are capped through maxElements; text tokens (each
	// CDATA section is one) and comments would otherwise be unbounded and
	// each becomes a node of the tree.
	if s.tokens > 5*s.lim.maxElements {
		return reject(ReasonTooLarge, "the XML has too many text, comment or CDATA tokens")
	}
	switch t := tok.(type) {
	case xml.StartElement:
		return s.start(t)
	case xml.EndElement:
		return s.end(t)
	case xml.CharData:
		space := isXMLSpace(t)
		if len(s.stack) == 0 && !space {
			return reject(ReasonMalformed, "the XML has text outside the root element")
		}
		if len(s.stack) > 0 && !space {
			s.stack[len(s.stack)-1].text = true
		}
		// SetData flags whitespace-only text as etree's parser does.
		data := string(t)
		s.top().CreateText(data).SetData(data)
	case xml.Comment:
		if s.comments++; s.comments > maxComments {
			return reject(ReasonTooLarge, fmt.Sprintf("the XML has more than %d comments", maxComments))
		}
		if len(s.stack) > 0 {
			s.stack[len(s.stack)-1].comment = true
		}
		s.top().CreateComment(string(t))
	case xml.ProcInst:
		if t.Target != "xml" || s.tokens != 1 {
			return reject(ReasonMalformed, "the XML contains a processing instruction")
		}
		s.top().CreateProcInst(t.Target, string(t.Inst))
	case xml.Directive:
		return reject(ReasonDoctypeForbidden, "the XML contains a DOCTYPE or another markup declaration")
	}
	return nil
}

func (s *scanner) start(t xml.StartElement) *Rejection {
	if len(s.stack) == 0 {
		if s.sawRoot {
			return reject(ReasonMalformed, "the XML has more than one root element")
		}
		s.sawRoot = true
	}
	s.elements++
	if s.elements > s.lim.maxElements {
		return reject(ReasonTooLarge, fmt.Sprintf("the XML has more than %d elements", s.lim.maxElements))
	}
	if len(s.stack) >= s.lim.maxDepth {
		return reject(ReasonTooLarge, fmt.Sprintf("the XML nests deeper than %d elements", s.lim.maxDepth))
	}
	if len(t.Attr) > s.lim.maxAttrs {
		return reject(ReasonTooLarge, fmt.Sprintf("an element has more than %d attributes", s.lim.maxAttrs))
	}
	if strings.Contains(t.Name.Local, ":") {
		return reject(ReasonMalformed, "an element name has more than one colon")
	}
	frame := scanFrame{name: t.Name}
	for i, a := range t.Attr {
		if strings.Contains(a.Name.Local, ":") {
			return reject(ReasonMalformed, "an attribute name has more than one colon")
		}
		for _, b := range t.Attr[:i] {
			if a.Name == b.Name {
				return reject(ReasonMalformed, "an element repeats an attribute")
			}
		}
		prefix, isDecl := "", false
		switch {
		case a.Name.Space == "xmlns":
			prefix, isDecl = a.Name.Local, true
		case a.Name.Space == "" && a.Name.Local == "xmlns":
			isDecl = true
		}
		if !isDecl {
			continue
		}
		if rej := checkNamespaceDecl(prefix, a.Value); rej != nil {
			return rej
		}
		prev, had := s.scope[prefix]
		frame.undo = append(frame.undo, nsUndo{prefix: prefix, prev: prev, hadPrev: had})
		s.scope[prefix] = a.Value
	}
	el := etree.NewElement(t.Name.Local)
	el.Space = t.Name.Space
	el.Attr = make([]etree.Attr, 0, len(t.Attr)) // CreateAttr appends without growing
	for _, a := range t.Attr {
		// CreateAttr links the attribute to el (Attr.NamespaceURI needs
		// that); it replaces an attribute of the same prefix and name, which
		// the duplicate check above rules out. A prefixed attribute is
		// created unprefixed and then given its prefix, which saves joining
		// "prefix:name" for CreateAttr to split again, unless an unprefixed
		// attribute of that name exists and would be replaced.
		if a.Name.Space != "" && el.SelectAttr(a.Name.Local) == nil {
			el.CreateAttr(a.Name.Local, a.Value).Space = a.Name.Space
			continue
		}
		key := a.Name.Local
		if a.Name.Space != "" {
			key = a.Name.Space + ":" + key
		}
		el.CreateAttr(key, a.Value)
	}
	s.top().AddChild(el)
	frame.el = el
	// Push before resolving so declarations on this element apply to it.
	s.stack = append(s.stack, frame)
	if len(s.scope)+len(s.used) > s.lim.maxPrefixes {
		return reject(ReasonTooLarge, fmt.Sprintf("more than %d namespace prefixes are in scope", s.lim.maxPrefixes))
	}
	if rej := s.resolve(t.Name.Space); rej != nil {
		return rej
	}
	for _, a := range t.Attr {
		if a.Name.Space == "xmlns" {
			continue
		}
		if rej := s.resolve(a.Name.Space); rej != nil {
			return rej
		}
	}
	return nil
}

func (s *scanner) end(t xml.EndElement) *Rejection {
	if len(s.stack) == 0 {
		return reject(ReasonMalformed, "the XML closes an element that is not open")
	}
	top := s.stack[len(s.stack)-1]
	if top.name != t.Name {
		return reject(ReasonMalformed, "the XML closes an element that is not open")
	}
	if s.lim.commentText && top.comment && top.text {
		return reject(ReasonCommentInText,
			fmt.Sprintf("element %s mixes a comment with text (comment injection)", clean(top.name.Local)))
	}
	for i := len(top.undo) - 1; i >= 0; i-- {
		u := top.undo[i]
		if u.hadPrev {
			s.scope[u.prefix] = u.prev
		} else {
			delete(s.scope, u.prefix)
		}
	}
	s.stack = s.stack[:len(s.stack)-1]
	return nil
}

// resolve checks that a prefix used by an element or attribute is declared.
func (s *scanner) resolve(prefix string) *Rejection {
	switch prefix {
	case "", "xml":
		return nil
	case "xmlns":
		return reject(ReasonMalformed, "the reserved prefix xmlns is used as a name prefix")
	}
	if _, ok := s.scope[prefix]; ok {
		return nil
	}
	if uri, ok := s.inherited[prefix]; ok {
		if s.used == nil {
			s.used = map[string]string{}
		}
		s.used[prefix] = uri
		return nil
	}
	return reject(ReasonMalformed, "the XML uses an undeclared namespace prefix")
}

const (
	xmlNamespace   = "http://www.w3.org/XML/1998/namespace"
	xmlnsNamespace = "http://www.w3.org/2000/xmlns/"
)

// checkNamespaceDecl refuses declarations that namespace-aware parsers treat
// differently (reserved prefixes, prefix undeclaration, control characters in
// the URI as in CVE-2025-25292).
func checkNamespaceDecl(prefix, uri string) *Rejection {
	switch {
	case prefix == "xmlns":
		return reject(ReasonMalformed, "the prefix xmlns is declared")
	case prefix == "xml" && uri != xmlNamespace:
		return reject(ReasonMalformed, "the prefix xml is bound to a foreign namespace")
	case prefix != "xml" && (uri == xmlNamespace || uri == xmlnsNamespace):
		return reject(ReasonMalformed, "a reserved namespace is bound to another prefix")
	case prefix != "" && uri == "":
		return reject(ReasonMalformed, "a namespace prefix is undeclared")
	}
	for _, r := range uri {
		if r <= 0x20 || (r >= 0x7f && r <= 0x9f) {
			return reject(ReasonMalformed, "a namespace URI contains whitespace or control characters")
		}
	}
	return nil
}

// hasDirective reports whether data contains "<!" that does not open a
// comment or a CDATA section. Only DOCTYPE (and the ENTITY, ATTLIST, ELEMENT
// and NOTATION declarations inside it) start that way; an occurrence inside a
// comment or CDATA section is refused too, which no IdP needs.
func hasDirective(data []byte) bool {
	for {
		i := bytes.Index(data, []byte("<!"))
		if i < 0 {
			return false
		}
		rest := data[i+2:]
		if !bytes.HasPrefix(rest, []byte("--")) && !bytes.HasPrefix(rest, []byte("[CDATA[")) {
			return true
		}
		data = rest
	}
}

func utf8Only(label string, input io.Reader) (io.Reader, error) {
	switch strings.ToLower(label) {
	case "utf-8", "utf8", "us-ascii", "ascii":
		return input, nil // the bytes were checked to be valid UTF-8
	}
	return nil, errors.New("unsupported encoding")
}

func isXMLSpace(b []byte) bool {
	for _, c := range b {
		switch c {
		case ' ', '\t', '\r', '\n':
		default:
			return false
		}
	}
	return true
}

// normalizeAttributeWhitespace applies XML 1.0's attribute-value
// normalization (section 3.3.3) to a scanned document: a literal tab, line
// feed, carriage return or CR LF pair inside an attribute value becomes one
// space. encoding/xml (and so etree and every Go XML-DSig library) keeps them
// as they are, so an attribute written with a literal tab or line break would
// canonicalize differently than in the signer's spec-conforming parser and
// its signature would never verify. Character references (&#9;) are not
// literal and stay as they are, as the specification requires.
//
// data is UTF-8 without markup declarations (scanXML's first checks); when it
// is also well-formed (which the strict pass that follows decides), attribute
// values occur only inside start tags, between quotes, and '<' never appears
// in them.
func normalizeAttributeWhitespace(data []byte) []byte {
	if !hasTabCRLF(data) {
		return data
	}
	// out stays nil, and data is returned as it is, until a tag needs a
	// change; copied is how much of data out already holds.
	var out []byte
	copied := 0
	skipTo := func(i int, end string) int {
		j := bytes.Index(data[i:], []byte(end))
		if j < 0 {
			return len(data)
		}
		return i + j + len(end)
	}
	for i := 0; i < len(data); {
		j := bytes.IndexByte(data[i:], '<')
		if j < 0 {
			break
		}
		i += j
		switch {
		case bytes.HasPrefix(data[i:], []byte("<!--")):
			i = skipTo(i, "-->")
		case bytes.HasPrefix(data[i:], []byte("<![CDATA[")):
			i = skipTo(i, "]]>")
		case bytes.HasPrefix(data[i:], []byte("<?")):
			i = skipTo(i, "?>")
		default:
			end := i + startTagLen(data[i:])
			if hasTabCRLF(data[i:end]) {
				if out == nil {
					out = make([]byte, 0, len(data))
				}
				out = append(out, data[copied:i]...)
				out = appendNormalizedTag(out, data[i:end])
				copied = end
			}
			i = end
		}
	}
	if out == nil {
		return data
	}
	return append(out, data[copied:]...)
}

// hasTabCRLF reports whether b holds a tab, CR or LF (three vectorized
// bytes.IndexByte scans, several times cheaper than a byte loop or
// bytes.ContainsAny on a whole document).
func hasTabCRLF(b []byte) bool {
	return bytes.IndexByte(b, '\n') >= 0 || bytes.IndexByte(b, '\r') >= 0 || bytes.IndexByte(b, '\t') >= 0
}

// startTagLen is the length of the tag at the start of b, up to and
// including its '>' outside quotes.
func startTagLen(b []byte) int {
	var quote byte
	for i := 1; i < len(b); i++ {
		switch c := b[i]; {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '>':
			return i + 1
		}
	}
	return len(b)
}

func appendNormalizedTag(out, tag []byte) []byte {
	var quote byte
	for i := 0; i < len(tag); i++ {
		c := tag[i]
		switch {
		case quote == 0:
			if c == '"' || c == '\'' {
				quote = c
			}
		case c == quote:
			quote = 0
		case c == '\r':
			if i+1 < len(tag) && tag[i+1] == '\n' {
				i++
			}
			c = ' '
		case c == '\t' || c == '\n':
			c = ' '
		}
		out = append(out, c)
	}
	return out
}
