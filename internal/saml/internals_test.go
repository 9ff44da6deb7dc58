package saml

import (
	"bytes"
	"encoding/base64"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"

	"github.com/seamsso/seam/internal/saml/samltest"
)

func TestReasonErrorTypes(t *testing.T) {
	want := map[Reason]string{
		ReasonMalformed:                  "invalid_xml_saml_response",
		ReasonDoctypeForbidden:           "invalid_xml_saml_response",
		ReasonUnstableXML:                "invalid_xml_saml_response",
		ReasonSignatureInvalid:           "invalid_signature_saml_response",
		ReasonSignatureShapeInvalid:      "invalid_signature_saml_response",
		ReasonReferenceURIMismatch:       "invalid_signature_saml_response",
		ReasonAlgorithmNotAllowed:        "invalid_signature_saml_response",
		ReasonTransformNotAllowed:        "invalid_signature_saml_response",
		ReasonUnknownCertificate:         "invalid_signature_saml_response",
		ReasonCertificateExpired:         "invalid_signature_saml_response",
		ReasonSignatureMissing:           "missing_signature_saml_response",
		ReasonAudienceMismatch:           "invalid_audience_saml_response",
		ReasonExpired:                    "expired_saml_response",
		ReasonNotYetValid:                "not_yet_valid_saml_response",
		ReasonReplay:                     "duplicate_saml_response",
		ReasonUnsolicitedResponse:        "unsolicited_saml_response",
		ReasonMissingEmailAttribute:      "invalid_saml_response_email",
		ReasonInvalidGroupsAttribute:     "invalid_saml_response_groups",
		ReasonStatusNotSuccess:           "failed_saml_response",
		ReasonMissingResponse:            "missing_saml_response",
		ReasonDecryptionFailed:           "invalid_saml_response",
		ReasonEncryptedAssertionUnsigned: "invalid_saml_response",
		ReasonTooLarge:                   "invalid_saml_response",
		ReasonNotAResponse:               "invalid_saml_response",
		ReasonDuplicateID:                "invalid_saml_response",
		ReasonNoAssertion:                "invalid_saml_response",
		ReasonMultipleAssertions:         "invalid_saml_response",
		ReasonIssuerMismatch:             "invalid_saml_response",
		ReasonRecipientMismatch:          "invalid_saml_response",
		ReasonDestinationMismatch:        "invalid_saml_response",
		ReasonMissingBearerConfirmation:  "invalid_saml_response",
		ReasonMissingNameID:              "invalid_saml_response",
		ReasonCommentInText:              "invalid_saml_response",
		ReasonInResponseToMismatch:       "invalid_saml_response",
		ReasonMissingNameAttribute:       "invalid_saml_response",
		ReasonTrustInvalid:               "invalid_saml_response",
		Reason("something_new"):          "invalid_saml_response",
	}
	snake := regexp.MustCompile(`^[a-z]+(_[a-z]+)*$`)
	seen := map[Reason]bool{}
	for _, r := range AllReasons() {
		if seen[r] {
			t.Errorf("%s listed twice", r)
		}
		seen[r] = true
		if !snake.MatchString(string(r)) {
			t.Errorf("%s is not snake_case", r)
		}
		if _, ok := want[r]; !ok {
			t.Errorf("%s has no expected error type in this test", r)
		}
	}
	for r, typ := range want {
		if got := r.ErrorType(); got != typ {
			t.Errorf("%s.ErrorType() = %s, want %s", r, got, typ)
		}
	}
}

func TestRejectionError(t *testing.T) {
	r := NewRejection(ReasonReplay, "assertion _a was already used")
	if r.Error() != "saml: replay: assertion _a was already used" || r.ErrorType() != "duplicate_saml_response" {
		t.Errorf("%q %q", r.Error(), r.ErrorType())
	}
	var err error = r
	if got, ok := AsRejection(err); !ok || got != r {
		t.Error("AsRejection failed")
	}
	if _, ok := AsRejection(bytes.ErrTooLarge); ok {
		t.Error("AsRejection accepted a foreign error")
	}
	if NewRejection(ReasonReplay, "").Error() != "saml: replay" {
		t.Error("empty detail")
	}
}

func TestClean(t *testing.T) {
	tests := map[string]string{
		"plain":                     "plain",
		"a\x00b\x1bc\u200bd\u202ee": "a?b?c?d?e",
		"bad\xffutf8":               "bad?utf8",
	}
	for in, want := range tests {
		if got := clean(in); got != want {
			t.Errorf("clean(%q) = %q, want %q", in, got, want)
		}
	}
	long := clean(strings.Repeat("é", 1000))
	if len(long) > maxFactLen+len("…") || !strings.HasSuffix(long, "…") {
		t.Errorf("long value not truncated: %d bytes", len(long))
	}
}

func TestDecodeResponse(t *testing.T) {
	xml := []byte(`<samlp:Response/>`)
	b64 := base64.StdEncoding.EncodeToString(xml)
	deflated := base64.StdEncoding.EncodeToString(samltest.Deflate(xml))
	tests := []struct {
		name string
		in   string
		want []byte
		rej  Reason
	}{
		{"plain", b64, xml, ""},
		{"line breaks and spaces", b64[:8] + "\r\n " + b64[8:] + "\n", xml, ""},
		{"unpadded", strings.TrimRight(b64, "="), xml, ""},
		{"deflated", deflated, xml, ""},
		{"BOM", base64.StdEncoding.EncodeToString(append([]byte(utf8BOM), xml...)), append([]byte(utf8BOM), xml...), ""},
		{"empty", "", nil, ReasonMissingResponse},
		{"only whitespace", "\r\n\t ", nil, ReasonMissingResponse},
		{"not base64", "***", nil, ReasonMalformed},
		{"base64 of text", base64.StdEncoding.EncodeToString([]byte("hello")), nil, ReasonMalformed},
		{"deflate of text", base64.StdEncoding.EncodeToString(samltest.Deflate([]byte("hello"))), nil, ReasonMalformed},
		{"inflates to exactly the limit", base64.StdEncoding.EncodeToString(samltest.Deflate(append([]byte("<"), make([]byte, MaxResponseSize-1)...))), nil, ""},
		{"inflates one byte over the limit", base64.StdEncoding.EncodeToString(samltest.Deflate(append([]byte("<"), make([]byte, MaxResponseSize)...))), nil, ReasonTooLarge},
		{"encoded over the limit", strings.Repeat("A", MaxResponseSize+1), nil, ReasonTooLarge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, rej := decodeResponse([]byte(tc.in))
			if tc.rej != "" {
				if rej == nil || rej.Reason != tc.rej {
					t.Fatalf("rejection %v, want %s", rej, tc.rej)
				}
				return
			}
			if rej != nil {
				t.Fatal(rej)
			}
			if tc.want != nil && !bytes.Equal(got, tc.want) {
				t.Errorf("got %q", got)
			}
		})
	}
}

func TestScanXML(t *testing.T) {
	deep := func(n int) string { return strings.Repeat("<a>", n) + strings.Repeat("</a>", n) }
	tests := []struct {
		name string
		in   string
		want Reason
	}{
		{"minimal", `<a/>`, ""},
		{"declaration", `<?xml version="1.0" encoding="UTF-8"?><a/>`, ""},
		{"declaration utf8 lowercase", `<?xml version="1.0" encoding="utf-8"?><a/>`, ""},
		{"comment between elements", `<a><!-- c --><b>x</b><!-- d --></a>`, ""},
		{"comment in whitespace-only element", "<a>\n <!-- c -->\n</a>", ""},
		{"comment splits text", `<a>x<!---->y</a>`, ReasonCommentInText},
		{"comment after text", `<a>x<!-- c --></a>`, ReasonCommentInText},
		{"CDATA", `<a><![CDATA[x<y]]></a>`, ""},
		{"depth at the limit", deep(48), ""},
		{"depth over the limit", deep(49), ReasonTooLarge},
		{"DOCTYPE", `<!DOCTYPE a><a/>`, ReasonDoctypeForbidden},
		{"ENTITY inside DOCTYPE", `<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>`, ReasonDoctypeForbidden},
		{"DOCTYPE hidden in a comment", `<a><!-- <!DOCTYPE a> --></a>`, ReasonDoctypeForbidden},
		{"lowercase doctype", `<!doctype a><a/>`, ReasonDoctypeForbidden},
		{"undefined entity", `<a>&e;</a>`, ReasonMalformed},
		{"predefined entities", `<a b="&lt;&amp;&quot;">&gt;&apos;&#x41;</a>`, ""},
		{"declaration not first", `<a/><?xml version="1.0"?>`, ReasonMalformed},
		{"stylesheet PI", `<?xml-stylesheet href="x"?><a/>`, ReasonMalformed},
		{"UTF-16 declared", `<?xml version="1.0" encoding="UTF-16"?><a/>`, ReasonMalformed},
		{"mismatched end tag", `<a></b>`, ReasonMalformed},
		{"unclosed", `<a><b></a>`, ReasonMalformed},
		{"empty", ``, ReasonMalformed},
		{"two roots", `<a/><b/>`, ReasonMalformed},
		{"undeclared element prefix", `<p:a/>`, ReasonMalformed},
		{"undeclared attribute prefix", `<a p:b="1"/>`, ReasonMalformed},
		{"declared prefix", `<p:a xmlns:p="urn:x" p:b="1"/>`, ""},
		{"prefix out of scope", `<a><b xmlns:p="urn:x"/><p:c/></a>`, ReasonMalformed},
		{"xml prefix", `<a xml:lang="en"/>`, ""},
		{"xmlns prefix declared", `<a xmlns:xmlns="urn:x"/>`, ReasonMalformed},
		{"xml prefix rebound", `<a xmlns:xml="urn:x"/>`, ReasonMalformed},
		{"xml namespace bound elsewhere", `<a xmlns:p="http://www.w3.org/XML/1998/namespace"/>`, ReasonMalformed},
		{"prefix undeclared with empty URI", `<a xmlns:p=""/>`, ReasonMalformed},
		{"default namespace reset", `<a xmlns="urn:x"><b xmlns=""/></a>`, ""},
		{"namespace URI with space", `<a xmlns:p="urn:x y"/>`, ReasonMalformed},
		{"namespace URI with C1 control", "<a xmlns:p=\"urn:x\u0085\"/>", ReasonMalformed},
		{"duplicate attribute", `<a b="1" b="2"/>`, ReasonMalformed},
		{"NUL character", "<a>\x00</a>", ReasonMalformed},
		{"unstable element name", `<a xmlns:p="urn:x"><p:-/></a>`, ReasonUnstableXML},
		{"empty CDATA", `<a><![CDATA[]]></a>`, ReasonUnstableXML},
		{"comments at the limit", "<a>" + strings.Repeat("<!---->", maxComments) + "</a>", ""},
		{"too many comments", "<a>" + strings.Repeat("<!---->", maxComments+1) + "</a>", ReasonTooLarge},
		{"too many CDATA sections", "<a>" + strings.Repeat("<![CDATA[x]]>", 5*responseLimits().maxElements) + "</a>", ReasonTooLarge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, rej := scanXML([]byte(tc.in), responseLimits(), nil)
			switch {
			case tc.want == "" && rej != nil:
				t.Fatalf("rejected: %v", rej)
			case tc.want != "" && (rej == nil || rej.Reason != tc.want):
				t.Fatalf("got %v, want %s", rej, tc.want)
			}
		})
	}
}

func TestScanXMLElementLimit(t *testing.T) {
	lim := responseLimits()
	at := "<r>" + strings.Repeat("<x/>", lim.maxElements-1) + "</r>"
	if _, rej := scanXML([]byte(at), lim, nil); rej != nil {
		t.Fatalf("at the limit: %v", rej)
	}
	over := "<r>" + strings.Repeat("<x/>", lim.maxElements) + "</r>"
	if _, rej := scanXML([]byte(over), lim, nil); rej == nil || rej.Reason != ReasonTooLarge {
		t.Fatalf("over the limit: %v", rej)
	}
}

func TestParseUntrustedInheritedNamespaces(t *testing.T) {
	inherited := map[string]string{"saml": nsAssertion, "unused": "urn:unused"}
	root, rej := parseUntrusted([]byte(`<saml:Assertion ID="_a"><saml:Issuer>x</saml:Issuer></saml:Assertion>`), responseLimits(), inherited)
	if rej != nil {
		t.Fatal(rej)
	}
	if !is(root, nsAssertion, "Assertion") {
		t.Fatal("inherited prefix not declared on the root")
	}
	if root.SelectAttr("xmlns:unused") != nil {
		t.Error("an unused inherited prefix was declared")
	}
}

// TestStringValueConcatenates is the comment-injection regression at the
// extraction level: text split by a comment or CDATA is read whole.
func TestStringValueConcatenates(t *testing.T) {
	doc := etree.NewDocument()
	if err := doc.ReadFromString(`<n>ada@example.com<!---->.evil.test<![CDATA[!]]></n>`); err != nil {
		t.Fatal(err)
	}
	if got := stringValue(doc.Root()); got != "ada@example.com.evil.test!" {
		t.Errorf("stringValue = %q", got)
	}
}

func TestParseTime(t *testing.T) {
	tests := map[string]time.Time{
		"2031-03-04T05:06:07Z":           time.Date(2031, 3, 4, 5, 6, 7, 0, time.UTC),
		"2031-03-04T05:06:07.123Z":       time.Date(2031, 3, 4, 5, 6, 7, 123e6, time.UTC),
		"2031-03-04T06:06:07+01:00":      time.Date(2031, 3, 4, 5, 6, 7, 0, time.UTC),
		" 2031-03-04T05:06:07.1234567Z ": time.Date(2031, 3, 4, 5, 6, 7, 123456700, time.UTC),
		"2031-03-04T05:06:07":            time.Date(2031, 3, 4, 5, 6, 7, 0, time.UTC),
	}
	for in, want := range tests {
		got, ok := parseTime(in)
		if !ok || !got.Equal(want) {
			t.Errorf("parseTime(%q) = %v, %v; want %v", in, got, ok, want)
		}
	}
	for _, bad := range []string{"", "yesterday", "2031-13-04T05:06:07Z", "2031-03-04", "1700000000"} {
		if _, ok := parseTime(bad); ok {
			t.Errorf("parseTime(%q) accepted", bad)
		}
	}
}

func TestTrustValidate(t *testing.T) {
	k := mustKeys(t)
	tests := map[string]func(*Trust){
		"zero clock":         func(tr *Trust) { tr.Now = time.Time{} },
		"no entity ID":       func(tr *Trust) { tr.IDPEntityID = "" },
		"no certificates":    func(tr *Trust) { tr.Certificates = nil },
		"nil certificate":    func(tr *Trust) { tr.Certificates = append(tr.Certificates, nil) },
		"no audiences":       func(tr *Trust) { tr.Audiences = nil },
		"no ACS URLs":        func(tr *Trust) { tr.ACSURLs = nil },
		"nil decryption key": func(tr *Trust) { tr.DecryptionKeys = append(tr.DecryptionKeys, nil) },
	}
	body := encodeDoc(t, makeDoc(t, testIDP(k.idp), goodOptions()))
	for name, mut := range tests {
		t.Run(name, func(t *testing.T) {
			tr := testTrust(k)
			mut(&tr)
			expectReason(t, body, tr, ReasonTrustInvalid)
		})
	}
}

// TestClockSkewBoundaries pins the exact instants at which time checks flip.
func TestClockSkewBoundaries(t *testing.T) {
	k := mustKeys(t)
	body := encodeDoc(t, makeDoc(t, testIDP(k.idp), goodOptions()))
	// A second response whose Conditions start after its IssueInstant, so
	// NotBefore is the binding lower bound.
	late := makeDoc(t, testIDP(k.idp), goodOptions())
	notBefore := testNow.Add(time.Minute)
	findPath(samltest.AssertionOf(late), "Conditions").SelectAttr("NotBefore").Value = samltest.Time(notBefore)
	resign(t, late, k.idp)
	lateBody := encodeDoc(t, late)
	notOnOrAfter := testNow.Add(5 * time.Minute)
	tests := []struct {
		name string
		skew time.Duration
		now  time.Time
		want Reason
		body []byte
	}{
		{"last instant with default skew", 0, notOnOrAfter.Add(DefaultClockSkew - time.Nanosecond), "", nil},
		{"first expired instant with default skew", 0, notOnOrAfter.Add(DefaultClockSkew), ReasonExpired, nil},
		{"earliest instant with default skew", 0, notBefore.Add(-DefaultClockSkew), "", lateBody},
		{"too early with default skew", 0, notBefore.Add(-DefaultClockSkew - time.Nanosecond), ReasonNotYetValid, lateBody},
		{"custom skew", 10 * time.Second, notOnOrAfter.Add(9 * time.Second), "", nil},
		{"custom skew expired", 10 * time.Second, notOnOrAfter.Add(10 * time.Second), ReasonExpired, nil},
		{"negative skew means none", -time.Second, notOnOrAfter, ReasonExpired, nil},
		{"negative skew, last instant", -time.Second, notOnOrAfter.Add(-time.Nanosecond), "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tr := testTrust(k)
			tr.ClockSkew, tr.Now = tc.skew, tc.now
			in := body
			if tc.body != nil {
				in = tc.body
			}
			if tc.want == "" {
				a := mustVerify(t, in, tr)
				skew := tr.skew()
				if !a.NotOnOrAfter.Equal(notOnOrAfter.Add(skew)) {
					t.Errorf("NotOnOrAfter = %v, want %v", a.NotOnOrAfter, notOnOrAfter.Add(skew))
				}
				return
			}
			expectReason(t, in, tr, tc.want)
		})
	}
}

// TestFactsOnRejection checks what an admin gets to see.
func TestFactsOnRejection(t *testing.T) {
	k := mustKeys(t)
	t.Run("unverified facts before the signature check", func(t *testing.T) {
		doc := makeDoc(t, testIDP(k.attacker), goodOptions())
		rej := expectReason(t, encodeDoc(t, doc), testTrust(k), ReasonUnknownCertificate)
		f := rej.Facts
		if f.Issuer != testIDPEntityID || f.Destination != testACS || f.InResponseTo != testRequestID ||
			f.Recipient != testACS || len(f.Audiences) != 1 || f.AssertionID == "" {
			t.Errorf("facts %+v", f)
		}
		if f.Attributes != nil {
			t.Errorf("attributes from an unverified assertion: %v", f.Attributes)
		}
	})
	t.Run("attributes after verification", func(t *testing.T) {
		tr := testTrust(k)
		tr.Now = testNow.Add(time.Hour)
		rej := expectReason(t, encodeDoc(t, makeDoc(t, testIDP(k.idp), goodOptions())), tr, ReasonExpired)
		if got := rej.Facts.Attributes["email"]; len(got) != 1 || got[0] != testEmail {
			t.Errorf("attributes %v", rej.Facts.Attributes)
		}
		if rej.Facts.CertificateFingerprint != Fingerprint(k.idp.Certificate.Raw) {
			t.Error("fingerprint missing")
		}
	})
	t.Run("hostile values are cleaned", func(t *testing.T) {
		o := goodOptions()
		o.Destination = "https://evil.example/\u202eacs"
		rej := expectReason(t, encodeDoc(t, makeDoc(t, testIDP(k.idp), o)), testTrust(k), ReasonDestinationMismatch)
		if strings.ContainsRune(rej.Facts.Destination, '\u202e') || strings.ContainsRune(rej.Detail, '\u202e') {
			t.Errorf("bidi control survived: %q / %q", rej.Facts.Destination, rej.Detail)
		}
	})
}
