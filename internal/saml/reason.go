package saml

// Reason is the typed cause of a rejected SAML response. It is stored with
// the login attempt so an IT admin can see why a login failed, and it maps to
// the Stytch error_type returned to the client (see ErrorType).
type Reason string

// Reasons produced by VerifyResponse.
const (
	ReasonTrustInvalid               Reason = "trust_invalid"
	ReasonMissingResponse            Reason = "missing_response"
	ReasonMalformed                  Reason = "malformed"
	ReasonTooLarge                   Reason = "too_large"
	ReasonDoctypeForbidden           Reason = "doctype_forbidden"
	ReasonUnstableXML                Reason = "unstable_xml"
	ReasonNotAResponse               Reason = "not_a_response"
	ReasonStatusNotSuccess           Reason = "status_not_success"
	ReasonDuplicateID                Reason = "duplicate_id"
	ReasonNoAssertion                Reason = "no_assertion"
	ReasonMultipleAssertions         Reason = "multiple_assertions"
	ReasonSignatureMissing           Reason = "signature_missing"
	ReasonSignatureInvalid           Reason = "signature_invalid"
	ReasonSignatureShapeInvalid      Reason = "signature_shape_invalid"
	ReasonReferenceURIMismatch       Reason = "reference_uri_mismatch"
	ReasonAlgorithmNotAllowed        Reason = "algorithm_not_allowed"
	ReasonTransformNotAllowed        Reason = "transform_not_allowed"
	ReasonUnknownCertificate         Reason = "unknown_certificate"
	ReasonCertificateExpired         Reason = "certificate_expired"
	ReasonDecryptionFailed           Reason = "decryption_failed"
	ReasonEncryptedAssertionUnsigned Reason = "encrypted_assertion_unsigned"
	ReasonIssuerMismatch             Reason = "issuer_mismatch"
	ReasonAudienceMismatch           Reason = "audience_mismatch"
	ReasonRecipientMismatch          Reason = "recipient_mismatch"
	ReasonDestinationMismatch        Reason = "destination_mismatch"
	ReasonExpired                    Reason = "expired"
	ReasonNotYetValid                Reason = "not_yet_valid"
	ReasonMissingBearerConfirmation  Reason = "missing_bearer_confirmation"
	ReasonMissingNameID              Reason = "missing_nameid"
	ReasonCommentInText              Reason = "comment_in_text"
	ReasonInResponseToMismatch       Reason = "in_response_to_mismatch"
	ReasonReplay                     Reason = "replay"
	ReasonUnsolicitedResponse        Reason = "unsolicited_response"
	ReasonMissingEmailAttribute      Reason = "missing_email_attribute"
	ReasonMissingNameAttribute       Reason = "missing_name_attribute"
	ReasonInvalidGroupsAttribute     Reason = "invalid_groups_attribute"
)

// Reasons that only the caller (the login service) detects, because they need
// the database or the connection's policy: ReasonReplay, ReasonUnsolicitedResponse,
// ReasonInResponseToMismatch (against the stored request; VerifyResponse also
// uses it when the assertion contradicts its own Response),
// ReasonMissingEmailAttribute, ReasonMissingNameAttribute and
// ReasonInvalidGroupsAttribute.

// AllReasons lists every Reason in a stable order, for documentation and
// exhaustive tests.
func AllReasons() []Reason {
	return []Reason{
		ReasonTrustInvalid, ReasonMissingResponse, ReasonMalformed, ReasonTooLarge,
		ReasonDoctypeForbidden, ReasonUnstableXML, ReasonNotAResponse, ReasonStatusNotSuccess,
		ReasonDuplicateID, ReasonNoAssertion, ReasonMultipleAssertions, ReasonSignatureMissing,
		ReasonSignatureInvalid, ReasonSignatureShapeInvalid, ReasonReferenceURIMismatch,
		ReasonAlgorithmNotAllowed, ReasonTransformNotAllowed, ReasonUnknownCertificate,
		ReasonCertificateExpired, ReasonDecryptionFailed, ReasonEncryptedAssertionUnsigned,
		ReasonIssuerMismatch, ReasonAudienceMismatch, ReasonRecipientMismatch,
		ReasonDestinationMismatch, ReasonExpired, ReasonNotYetValid,
		ReasonMissingBearerConfirmation, ReasonMissingNameID, ReasonCommentInText,
		ReasonInResponseToMismatch, ReasonReplay, ReasonUnsolicitedResponse,
		ReasonMissingEmailAttribute, ReasonMissingNameAttribute, ReasonInvalidGroupsAttribute,
	}
}

// Stytch error types used by ErrorType.
const (
	errTypeInvalidResponse  = "invalid_saml_response"
	errTypeInvalidXML       = "invalid_xml_saml_response"
	errTypeInvalidSignature = "invalid_signature_saml_response"
	errTypeMissingSignature = "missing_signature_saml_response"
	errTypeInvalidAudience  = "invalid_audience_saml_response"
	errTypeExpired          = "expired_saml_response"
	errTypeNotYetValid      = "not_yet_valid_saml_response"
	errTypeDuplicate        = "duplicate_saml_response"
	errTypeUnsolicited      = "unsolicited_saml_response"
	errTypeFailed           = "failed_saml_response"
	errTypeMissingResponse  = "missing_saml_response"
	errTypeInvalidEmail     = "invalid_saml_response_email"
	errTypeInvalidGroups    = "invalid_saml_response_groups"
)

// ErrorType returns the Stytch error_type for r. Unknown reasons map to
// invalid_saml_response.
//
// Deliberate choices: decryption_failed and encrypted_assertion_unsigned both
// map to invalid_saml_response so the client cannot tell a ciphertext that
// failed to decrypt from one that decrypted to something unusable (no
// decryption oracle through the HTTP error). status_not_success maps to
// failed_saml_response, Stytch's type for an IdP that reported a failure.
func (r Reason) ErrorType() string {
	switch r {
	case ReasonMalformed, ReasonDoctypeForbidden, ReasonUnstableXML:
		return errTypeInvalidXML
	case ReasonSignatureInvalid, ReasonSignatureShapeInvalid, ReasonReferenceURIMismatch,
		ReasonAlgorithmNotAllowed, ReasonTransformNotAllowed, ReasonUnknownCertificate,
		ReasonCertificateExpired:
		return errTypeInvalidSignature
	case ReasonSignatureMissing:
		return errTypeMissingSignature
	case ReasonAudienceMismatch:
		return errTypeInvalidAudience
	case ReasonExpired:
		return errTypeExpired
	case ReasonNotYetValid:
		return errTypeNotYetValid
	case ReasonReplay:
		return errTypeDuplicate
	case ReasonUnsolicitedResponse:
		return errTypeUnsolicited
	case ReasonStatusNotSuccess:
		return errTypeFailed
	case ReasonMissingResponse:
		return errTypeMissingResponse
	case ReasonMissingEmailAttribute:
		return errTypeInvalidEmail
	case ReasonInvalidGroupsAttribute:
		return errTypeInvalidGroups
	default:
		return errTypeInvalidResponse
	}
}
