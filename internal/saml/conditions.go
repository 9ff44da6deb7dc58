package saml

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/beevik/etree"
)

const (
	cmBearer = "urn:oasis:names:tc:SAML:2.0:cm:bearer"
)

// responseInfo is what the Response element (verified when it was signed)
// says about itself.
type responseInfo struct {
	id           string
	inResponseTo string
	destination  string
	issuer       string
	hasIssuer    bool
	issueInstant time.Time
	signed       bool
}

func readResponseInfo(el *etree.Element, signed bool) (responseInfo, *Rejection) {
	ri := responseInfo{
		id:           attrValue(el, "ID"),
		inResponseTo: attrValue(el, "InResponseTo"),
		destination:  attrValue(el, "Destination"),
		signed:       signed,
	}
	iss, ok := onlyChild(el, nsAssertion, "Issuer")
	if !ok {
		return ri, reject(ReasonMalformed, "the Response has more than one Issuer")
	}
	if iss != nil {
		v, ok := simpleText(iss)
		if !ok {
			return ri, reject(ReasonMalformed, "the Response Issuer has child elements")
		}
		ri.issuer, ri.hasIssuer = v, true
	}
	it, ok := parseTime(attrValue(el, "IssueInstant"))
	if !ok {
		return ri, reject(ReasonMalformed, "the Response IssueInstant is missing or not a dateTime")
	}
	ri.issueInstant = it
	return ri, nil
}

// checkAssertion applies every rule to the verified assertion a and fills
// out. The order decides which reason a response with several faults gets:
// identity (issuer, destination, audience) before time before subject.
func checkAssertion(a *etree.Element, ri responseInfo, t *Trust, out *Assertion, facts *Facts) *Rejection {
	now, skew := t.Now, t.skew()

	if v := attrValue(a, "Version"); v != "2.0" {
		return reject(ReasonMalformed, "the Assertion Version is not 2.0")
	}
	out.AssertionID = attrValue(a, "ID")
	if !isReferenceID(out.AssertionID) {
		return reject(ReasonMalformed, "the Assertion ID is missing or has characters other than letters, digits, '_', '-' and '.'")
	}
	facts.AssertionID = clean(out.AssertionID)
	issueInstant, ok := parseTime(attrValue(a, "IssueInstant"))
	if !ok {
		return reject(ReasonMalformed, "the Assertion IssueInstant is missing or not a dateTime")
	}

	attrs, rej := extractAttributes(a)
	if rej != nil {
		return rej
	}
	out.Attributes = attrs
	facts.Attributes = cleanAttributes(attrs)

	// Issuer.
	iss, ok := onlyChild(a, nsAssertion, "Issuer")
	if !ok || iss == nil {
		return reject(ReasonIssuerMismatch, "the Assertion must have exactly one Issuer")
	}
	issuer, ok := simpleText(iss)
	if !ok {
		return reject(ReasonMalformed, "the Assertion Issuer has child elements")
	}
	out.Issuer = issuer
	facts.Issuer = clean(issuer)
	if issuer != t.IDPEntityID {
		return reject(ReasonIssuerMismatch, fmt.Sprintf(
			"the Assertion Issuer %q is not the connection's idp_entity_id %q", clean(issuer), clean(t.IDPEntityID)))
	}
	if ri.hasIssuer && ri.issuer != t.IDPEntityID {
		return reject(ReasonIssuerMismatch, fmt.Sprintf(
			"the Response Issuer %q is not the connection's idp_entity_id %q", clean(ri.issuer), clean(t.IDPEntityID)))
	}

	// Destination.
	facts.Destination = clean(ri.destination)
	if ri.destination != "" && !slices.Contains(t.ACSURLs, ri.destination) {
		return reject(ReasonDestinationMismatch, fmt.Sprintf(
			"the Response Destination %q is not the connection's ACS URL", clean(ri.destination)))
	}

	// Conditions and audience.
	conds := children(a, nsAssertion, "Conditions")
	if len(conds) > 1 {
		return reject(ReasonMalformed, "the Assertion has more than one Conditions")
	}
	if len(conds) == 0 {
		return reject(ReasonAudienceMismatch, "the Assertion has no Conditions with an AudienceRestriction")
	}
	cond := conds[0]
	audiences, rej := checkAudiences(cond, t.Audiences)
	facts.Audiences = cleanList(audiences)
	if rej != nil {
		return rej
	}
	notBefore, hasNotBefore, rej := optionalTime(cond, "NotBefore", "Conditions")
	if rej != nil {
		return rej
	}
	notOnOrAfter, hasNotOnOrAfter, rej := optionalTime(cond, "NotOnOrAfter", "Conditions")
	if rej != nil {
		return rej
	}
	if hasNotBefore && now.Add(skew).Before(notBefore) {
		return reject(ReasonNotYetValid, "the Assertion Conditions are not valid before "+notBefore.UTC().Format(time.RFC3339))
	}
	if hasNotOnOrAfter && !now.Before(notOnOrAfter.Add(skew)) {
		return reject(ReasonExpired, "the Assertion Conditions expired at "+notOnOrAfter.UTC().Format(time.RFC3339))
	}
	if issueInstant.After(now.Add(skew)) {
		return reject(ReasonNotYetValid, "the Assertion IssueInstant is in the future")
	}
	if ri.issueInstant.After(now.Add(skew)) {
		return reject(ReasonNotYetValid, "the Response IssueInstant is in the future")
	}

	// Subject.
	subject, ok := onlyChild(a, nsAssertion, "Subject")
	if !ok || subject == nil {
		return reject(ReasonMissingNameID, "the Assertion must have exactly one Subject")
	}
	nameID, ok := onlyChild(subject, nsAssertion, "NameID")
	if !ok || nameID == nil {
		return reject(ReasonMissingNameID, "the Subject has no single NameID (an encrypted NameID is not supported)")
	}
	out.NameID, ok = simpleText(nameID)
	if !ok {
		return reject(ReasonMalformed, "the NameID has child elements")
	}
	if out.NameID == "" {
		return reject(ReasonMissingNameID, "the NameID is empty")
	}
	out.NameIDFormat = attrValue(nameID, "Format")

	bearerNotOnOrAfter, scdInResponseTo, rej := checkBearer(subject, ri, t, facts)
	if rej != nil {
		return rej
	}
	switch {
	case scdInResponseTo != "":
		out.InResponseTo = scdInResponseTo
	case ri.signed:
		out.InResponseTo = ri.inResponseTo
	}
	facts.InResponseTo = clean(out.InResponseTo)

	latest := bearerNotOnOrAfter
	if hasNotOnOrAfter && notOnOrAfter.After(latest) {
		latest = notOnOrAfter
	}
	out.NotOnOrAfter = latest.Add(skew)

	for _, as := range children(a, nsAssertion, "AuthnStatement") {
		out.SessionIndex = attrValue(as, "SessionIndex")
		break
	}
	return nil
}

// checkAudiences enforces SAML's rule: every AudienceRestriction must name
// one of our audiences (restrictions are ANDed, audiences inside one ORed),
// and there must be at least one. It returns the audiences seen.
func checkAudiences(cond *etree.Element, ours []string) ([]string, *Rejection) {
	restrictions := children(cond, nsAssertion, "AudienceRestriction")
	var seen []string
	var failed bool
	for _, ar := range restrictions {
		match := false
		for _, au := range children(ar, nsAssertion, "Audience") {
			v, ok := simpleText(au)
			if !ok {
				return seen, reject(ReasonMalformed, "an Audience has child elements")
			}
			seen = append(seen, v)
			if slices.Contains(ours, v) {
				match = true
			}
		}
		if !match {
			failed = true
		}
	}
	if len(restrictions) == 0 {
		return seen, reject(ReasonAudienceMismatch, "the Assertion has no AudienceRestriction")
	}
	if failed {
		return seen, reject(ReasonAudienceMismatch, fmt.Sprintf(
			"the Assertion's audience %s does not include the connection's audience URI", quoteList(seen)))
	}
	return seen, nil
}

// checkBearer requires at least one bearer SubjectConfirmation whose data
// names one of our ACS URLs as Recipient, has not expired, is already valid,
// and, when it carries InResponseTo, agrees with the Response. It returns the
// accepted confirmation's NotOnOrAfter and InResponseTo. When none is
// acceptable the first bearer confirmation's fault is reported.
func checkBearer(subject *etree.Element, ri responseInfo, t *Trust, facts *Facts) (time.Time, string, *Rejection) {
	var first *Rejection
	bearers := 0
	for _, sc := range children(subject, nsAssertion, "SubjectConfirmation") {
		if attrValue(sc, "Method") != cmBearer {
			continue
		}
		bearers++
		noa, irt, recipient, rej := checkOneBearer(sc, ri, t)
		if rej == nil {
			facts.Recipient = clean(recipient)
			return noa, irt, nil
		}
		if first == nil {
			facts.Recipient = clean(recipient)
			first = rej
		}
	}
	if bearers == 0 {
		return time.Time{}, "", reject(ReasonMissingBearerConfirmation, "the Subject has no bearer SubjectConfirmation")
	}
	return time.Time{}, "", first
}

// extractAttributes reads every AttributeStatement of the verified
// assertion; see Assertion.Attributes for the naming rules.
func extractAttributes(a *etree.Element) (map[string][]string, *Rejection) {
	out := map[string][]string{}
	friendly := map[string]map[string]struct{}{}
	for _, st := range children(a, nsAssertion, "AttributeStatement") {
		for _, at := range children(st, nsAssertion, "Attribute") {
			name := attrValue(at, "Name")
			if name == "" {
				return nil, reject(ReasonMalformed, "an Attribute has no Name")
			}
			values, seen := out[name]
			if !seen {
				values = []string{}
			}
			for _, av := range children(at, nsAssertion, "AttributeValue") {
				if isNil(av) {
					continue
				}
				values = append(values, trimXMLSpace(stringValue(av)))
			}
			out[name] = values
			if fn := attrValue(at, "FriendlyName"); fn != "" && fn != name {
				if friendly[fn] == nil {
					friendly[fn] = map[string]struct{}{}
				}
				friendly[fn][name] = struct{}{}
			}
		}
	}
	for fn, names := range friendly {
		if _, taken := out[fn]; taken || len(names) != 1 {
			continue
		}
		for name := range names {
			out[fn] = slices.Clone(out[name])
		}
	}
	return out, nil
}

func isNil(el *etree.Element) bool {
	for _, a := range el.Attr {
		if a.Key == "nil" && a.Space != "" && a.NamespaceURI() == nsXSI {
			v := trimXMLSpace(a.Value)
			return v == "true" || v == "1"
		}
	}
	return false
}

func optionalTime(el *etree.Element, name, where string) (time.Time, bool, *Rejection) {
	v, present := attr(el, name)
	if !present {
		return time.Time{}, false, nil
	}
	t, ok := parseTime(v)
	if !ok {
		return time.Time{}, false, reject(ReasonMalformed, fmt.Sprintf("the %s %s is not a dateTime", where, name))
	}
	return t, true, nil
}

// parseTime reads an xs:dateTime. SAML requires UTC with a "Z"; other
// offsets are honoured and a missing zone is taken as UTC.
func parseTime(s string) (time.Time, bool) {
	s = trimXMLSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, true
	}
	if t, err := time.Parse("2006-01-02T15:04:05", s); err == nil {
		return t.UTC(), true
	}
	return time.Time{}, false
}

func quoteList(vs []string) string {
	if len(vs) == 0 {
		return "(none)"
	}
	qs := make([]string, 0, len(vs))
	for _, v := range vs[:min(len(vs), maxFactAudiences)] {
		qs = append(qs, fmt.Sprintf("%q", clean(v)))
	}
	return strings.Join(qs, ", ")
}

func checkOneBearer(sc *etree.Element, ri responseInfo, t *Trust) (time.Time, string, string, *Rejection) {
	now, skew := t.Now, t.skew()
	data, ok := onlyChild(sc, nsAssertion, "SubjectConfirmationData")
	if !ok || data == nil {
		return time.Time{}, "", "", reject(ReasonMissingBearerConfirmation,
			"the bearer SubjectConfirmation has no single SubjectConfirmationData")
	}
	recipient := attrValue(data, "Recipient")
	if !slices.Contains(t.ACSURLs, recipient) {
		return time.Time{}, "", recipient, reject(ReasonRecipientMismatch, fmt.Sprintf(
			"the bearer SubjectConfirmationData Recipient %q is not the connection's ACS URL", clean(recipient)))
	}
	noa, has, rej := optionalTime(data, "NotOnOrAfter", "SubjectConfirmationData")
	if rej != nil {
		return time.Time{}, "", recipient, rej
	}
	if !has {
		return time.Time{}, "", recipient, reject(ReasonMissingBearerConfirmation,
			"the bearer SubjectConfirmationData has no NotOnOrAfter")
	}
	if !now.Before(noa.Add(skew)) {
		return time.Time{}, "", recipient, reject(ReasonExpired,
			"the bearer SubjectConfirmationData expired at "+noa.UTC().Format(time.RFC3339))
	}
	nb, has, rej := optionalTime(data, "NotBefore", "SubjectConfirmationData")
	if rej != nil {
		return time.Time{}, "", recipient, rej
	}
	if has && now.Add(skew).Before(nb) {
		return time.Time{}, "", recipient, reject(ReasonNotYetValid,
			"the bearer SubjectConfirmationData is not valid before "+nb.UTC().Format(time.RFC3339))
	}
	irt := attrValue(data, "InResponseTo")
	if irt != "" && irt != ri.inResponseTo {
		return time.Time{}, "", recipient, reject(ReasonInResponseToMismatch, fmt.Sprintf(
			"the SubjectConfirmationData InResponseTo %q differs from the Response InResponseTo %q",
			clean(irt), clean(ri.inResponseTo)))
	}
	return noa, irt, recipient, nil
}
