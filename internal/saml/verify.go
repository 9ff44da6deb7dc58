package saml

import (
	"github.com/beevik/etree"
)

// VerifyResponse verifies a SAMLResponse form value (base64, optionally
// DEFLATE-compressed) against the connection's trust settings and returns the
// verified assertion. The error is always a *Rejection.
//
// Pipeline (the document is parsed once; after signature verification only
// the signed element, minus its signature, is read):
//
//  1. size limits, base64, optional raw DEFLATE with an output cap;
//  2. UTF-8 only, no DOCTYPE/ENTITY, round-trip stable, element/depth/
//     namespace caps, no comment inside text, checked in the one pass that
//     builds the tree;
//  3. root samlp:Response, Version 2.0, Status Success;
//  4. unique IDs, exactly one Assertion or EncryptedAssertion and it is a
//     direct child of the Response, ds:Signature only as a direct child of
//     the Response or of that Assertion;
//  5. signatures: strict shape, Reference "#ID" of the carrying element,
//     allow-listed algorithms and transforms, pinned certificates, then the
//     signature and digest checks on the parsed tree (both signatures of a
//     doubly signed response on the same tree); a signed Response is
//     verified before anything inside it is decrypted or read;
//  6. Response signed, or Assertion signed, or both; EncryptedAssertion is
//     decrypted and its plaintext goes through steps 2, 4 and 5;
//  7. issuer, destination, audience, time bounds with skew, bearer
//     confirmation (recipient, expiry, InResponseTo), NameID.
//
// The caller still checks InResponseTo against its stored request, the replay
// cache (Assertion.AssertionID until Assertion.NotOnOrAfter), whether
// unsolicited responses are allowed, and attribute mapping.
func VerifyResponse(samlResponse []byte, t Trust) (a *Assertion, err error) {
	defer func() {
		// Last resort: the verifier is fuzzed to never panic, but if it does
		// the response is refused rather than the process taken down.
		if p := recover(); p != nil {
			a, err = nil, reject(ReasonMalformed, "the response could not be processed")
		}
	}()
	a, rej := verifyResponse(samlResponse, &t)
	if rej != nil {
		return nil, rej
	}
	return a, nil
}

func verifyResponse(encoded []byte, t *Trust) (*Assertion, *Rejection) {
	facts := &Facts{}
	fail := func(r *Rejection) (*Assertion, *Rejection) {
		r.Facts = *facts
		return nil, r
	}
	if rej := t.validate(); rej != nil {
		return fail(rej)
	}
	data, rej := decodeResponse(encoded)
	if rej != nil {
		return fail(rej)
	}
	root, rej := parseUntrusted(data, responseLimits(), nil)
	if rej != nil {
		return fail(rej)
	}
	parts, rej := inspectResponse(root, facts)
	if rej != nil {
		return fail(rej)
	}

	out := &Assertion{ResponseID: parts.id}
	response := parts.root
	var assertion, encrypted *etree.Element
	var responseRef *reference // the Response signature's Reference, when it is signed

	if parts.signature != nil {
		verified, fp, ref, rej := verifyEnveloped(parts.root, parts.signature, t, facts)
		if rej != nil {
			return fail(rej)
		}
		responseRef = ref
		out.ResponseSigned, out.CertificateFingerprint = true, fp
		response = verified
		assertion, encrypted, rej = assertionOf(verified)
		if rej != nil {
			return fail(rej)
		}
		if assertion != nil && parts.assertionSig != nil {
			// The Response signature already covers this assertion; its own
			// signature must verify too, and then it names the certificate.
			_, fp, _, rej := verifyEnveloped(parts.assertion, parts.assertionSig, t, facts)
			if rej != nil {
				return fail(rej)
			}
			out.AssertionSigned, out.CertificateFingerprint = true, fp
		}
	} else {
		switch {
		case parts.assertion != nil && parts.assertionSig == nil:
			return fail(reject(ReasonSignatureMissing, "neither the Response nor the Assertion is signed"))
		case parts.assertion != nil:
			verified, fp, _, rej := verifyEnveloped(parts.assertion, parts.assertionSig, t, facts)
			if rej != nil {
				return fail(rej)
			}
			out.AssertionSigned, out.CertificateFingerprint = true, fp
			assertion = verified
		default:
			encrypted = parts.encrypted
		}
	}

	if encrypted != nil {
		out.Encrypted = true
		// The plaintext may use prefixes declared outside it. When the
		// Response is signed, only declarations its signature covers count:
		// with exclusive canonicalization an unused declaration on the
		// Response is not signed and could have been added or rebound.
		inherited := inScopeNamespaces(encrypted)
		if responseRef != nil {
			if inherited, rej = signedScopeAt(response, encrypted, responseRef); rej != nil {
				return fail(rej)
			}
		}
		plain, signed, fp, rej := openEncrypted(encrypted, inherited, parts.ids, out.ResponseSigned, t, facts)
		if rej != nil {
			return fail(rej)
		}
		assertion = plain
		if signed {
			out.AssertionSigned, out.CertificateFingerprint = true, fp
		}
	}

	ri, rej := readResponseInfo(response, out.ResponseSigned)
	if rej != nil {
		return fail(rej)
	}
	if rej := checkAssertion(assertion, ri, t, out, facts); rej != nil {
		return fail(rej)
	}
	out.Facts = *facts
	return out, nil
}

// assertionOf returns the single assertion child of a verified Response.
// inspectResponse already proved the shape on the parsed tree; this repeats
// it on the tree that will actually be read.
func assertionOf(response *etree.Element) (assertion, encrypted *etree.Element, rej *Rejection) {
	as := children(response, nsAssertion, "Assertion")
	es := children(response, nsAssertion, "EncryptedAssertion")
	switch {
	case len(as)+len(es) != 1:
		return nil, nil, reject(ReasonMultipleAssertions, "the verified Response does not hold exactly one assertion")
	case len(as) == 1:
		return as[0], nil, nil
	default:
		return nil, es[0], nil
	}
}

// openEncrypted decrypts an EncryptedAssertion and applies the
// single-assertion and signature rules to the plaintext. It returns the
// element to read and whether (and with which certificate) the plaintext
// assertion's own signature verified.
//
// When the Response was not signed, the ciphertext is attacker-malleable
// (AES-CBC), so every failure between decryption and a verified assertion
// signature is reported as the one constant decryption_failed: parse errors,
// structure errors and bad signatures must not tell an attacker anything
// about the plaintext (Jager and Somorovsky's XML Encryption attack). The
// only exception is a well-formed assertion that carries no signature at all,
// reported as encrypted_assertion_unsigned; both map to the same client
// error_type.
func openEncrypted(enc *etree.Element, inherited map[string]string, outerIDs map[string]struct{}, responseSigned bool, t *Trust, facts *Facts) (*etree.Element, bool, string, *Rejection) {
	plaintext, rej := decryptAssertion(enc, t.DecryptionKeys)
	if rej != nil {
		return nil, false, "", rej
	}
	opaque := func(r *Rejection) *Rejection {
		if responseSigned {
			return r
		}
		return decryptFailed()
	}
	root, rej := parseUntrusted(plaintext, responseLimits(), inherited)
	if rej != nil {
		return nil, false, "", opaque(rej)
	}
	if !is(root, nsAssertion, "Assertion") {
		return nil, false, "", opaque(reject(ReasonNoAssertion, "the EncryptedAssertion does not contain an Assertion"))
	}
	st := walkState{root: root, ids: map[string]struct{}{}}
	st.walk(root, map[string]string{})
	if st.rej != nil {
		return nil, false, "", opaque(st.rej)
	}
	for id := range st.ids {
		if _, dup := outerIDs[id]; dup {
			return nil, false, "", opaque(reject(ReasonDuplicateID, "an ID inside the EncryptedAssertion also appears in the Response"))
		}
	}
	if len(st.assertions) != 1 {
		return nil, false, "", opaque(reject(ReasonMultipleAssertions, "the EncryptedAssertion contains more than one assertion"))
	}
	var sig *etree.Element
	for _, s := range st.signatures {
		if s.Parent() != root || sig != nil {
			return nil, false, "", opaque(reject(ReasonSignatureShapeInvalid,
				"a Signature inside the EncryptedAssertion is not the assertion's only direct-child Signature"))
		}
		sig = s
	}
	if sig != nil {
		if rej := checkSignaturePosition(sig); rej != nil {
			return nil, false, "", opaque(rej)
		}
	}
	facts.AssertionID = clean(attrValue(root, "ID"))
	if sig == nil {
		if responseSigned {
			return root, false, "", nil
		}
		return nil, false, "", reject(ReasonEncryptedAssertionUnsigned,
			"the decrypted assertion is not signed and the Response is not signed either")
	}
	verified, fp, _, rej := verifyEnveloped(root, sig, t, facts)
	if rej != nil {
		return nil, false, "", opaque(rej)
	}
	return verified, true, fp, nil
}
