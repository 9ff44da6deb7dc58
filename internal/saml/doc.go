// Package saml is Seam's SAML 2.0 service-provider core: pure functions over
// bytes and trust settings, with no HTTP handlers and no storage.
//
//   - VerifyResponse checks a SAMLResponse form value against a connection's
//     Trust and returns a verified *Assertion or a *Rejection with a typed
//     Reason (stored with the login attempt; Reason.ErrorType gives the Stytch
//     error_type).
//   - NewRequestID and RedirectURL start an SP-initiated login with a signed
//     HTTP-Redirect AuthnRequest.
//   - SPMetadata writes a connection's SP metadata; ParseIDPMetadata reads
//     customer-supplied IdP metadata.
//
// The login service does what needs the database or the connection's policy:
// it compares Assertion.InResponseTo with the stored request
// (ReasonInResponseToMismatch), keeps Assertion.AssertionID in a replay cache
// until Assertion.NotOnOrAfter (ReasonReplay), refuses an empty InResponseTo
// unless IdP-initiated login is enabled (ReasonUnsolicitedResponse), and maps
// attributes (ReasonMissingEmailAttribute, ReasonMissingNameAttribute,
// ReasonInvalidGroupsAttribute).
//
// Security decisions, each enforced by a must-reject test:
//
//   - One parser. Untrusted XML is tokenized once, strictly (UTF-8 only, no
//     DOCTYPE or other markup declaration anywhere, undeclared prefixes and
//     reserved-namespace tricks refused, element/depth/attribute/namespace
//     caps, the xml-roundtrip-validator check per token, comments mixed with
//     text refused), and each token joins the etree tree only after it passed.
//     Signatures are checked on that tree, with no copy and no second parse;
//     after a signature verifies, only the signed element minus its signature
//     is read, and everything read from it is in the canonical bytes whose
//     digest matched.
//   - Fixed positions. Exactly one Assertion or EncryptedAssertion exists in
//     the whole document and it is a direct child of the Response; IDs are
//     unique; a ds:Signature appears only directly after the Issuer of the
//     Response or of that Assertion. This defeats XSW1-9 and CVE-2022-41912
//     before any cryptography runs.
//   - Strict signatures. SignedInfo holds one Reference whose URI is "#" and
//     the ID of the element carrying the signature; the transforms are
//     enveloped-signature plus one canonicalization (exclusive or inclusive
//     1.0/1.1, never with comments); RSA or ECDSA with SHA-256/384/512 only;
//     no ds:Object. KeyInfo may only select one of the pinned certificates by
//     byte equality. A pinned certificate outside its validity period is
//     refused (ReasonCertificateExpired) so the admin is told to rotate it.
//   - Encryption. RSA-OAEP key transport (MGF1 with SHA-1 or SHA-2, any
//     OAEP digest from SHA-1 up) with AES-GCM or AES-CBC content; RSA
//     PKCS#1 v1.5 key transport is refused. A signed Response is verified
//     before its EncryptedAssertion is decrypted; when the Response is not
//     signed, every failure between decryption and a verified assertion
//     signature is the single ReasonDecryptionFailed (no padding or format
//     oracle).
//   - Sizes. The form value, the decoded bytes and any inflated DEFLATE
//     output are each capped at MaxResponseSize before allocation; a
//     document has at most 10000 elements, depth 48, 64 attributes per
//     element, 64 namespace prefixes in scope, 256 comments and 50000
//     tokens; at most 4 EncryptedKeys are tried against each decryption key.
//
// Package samltest is an in-process IdP for tests that builds valid and
// hostile responses.
package saml
