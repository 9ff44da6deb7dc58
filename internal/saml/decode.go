package saml

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"io"
)

// MaxResponseSize bounds the SAMLResponse form value, its base64-decoded
// bytes and, for a DEFLATE-compressed response, the inflated XML.
const MaxResponseSize = 1 << 20

// decodeResponse turns the SAMLResponse form value into XML bytes: base64
// (whitespace tolerated, padding optional), then raw DEFLATE when the decoded
// bytes do not look like XML. Every stage is size-capped before it allocates.
func decodeResponse(encoded []byte) ([]byte, *Rejection) {
	if len(encoded) > MaxResponseSize {
		return nil, reject(ReasonTooLarge, "the SAMLResponse value exceeds 1 MiB")
	}
	compact := encoded
	if hasFormSpace(encoded) {
		compact = make([]byte, 0, len(encoded))
		for _, c := range encoded {
			switch c {
			case ' ', '\t', '\r', '\n', '\f', '\v':
				continue
			}
			compact = append(compact, c)
		}
	}
	if len(compact) == 0 {
		return nil, reject(ReasonMissingResponse, "the SAMLResponse value is empty")
	}
	enc := base64.StdEncoding
	if len(compact)%4 != 0 {
		enc = base64.RawStdEncoding
	}
	decoded := make([]byte, enc.DecodedLen(len(compact)))
	n, err := enc.Decode(decoded, compact)
	if err != nil {
		return nil, reject(ReasonMalformed, "the SAMLResponse value is not valid base64")
	}
	decoded = decoded[:n]
	if len(decoded) > MaxResponseSize {
		return nil, reject(ReasonTooLarge, "the decoded SAMLResponse exceeds 1 MiB")
	}
	if looksLikeXML(decoded) {
		return decoded, nil
	}
	inflated, rej := inflate(decoded, MaxResponseSize)
	if rej != nil {
		return nil, rej
	}
	if !looksLikeXML(inflated) {
		return nil, reject(ReasonMalformed, "the SAMLResponse is neither XML nor DEFLATE-compressed XML")
	}
	return inflated, nil
}

// hasFormSpace reports whether b holds a byte decodeResponse drops. One
// bytes.IndexByte (vectorized) per byte value is several times cheaper on a
// response-sized value than a byte loop or bytes.ContainsAny, and a wrapped
// value is caught by the first.
func hasFormSpace(b []byte) bool {
	for _, c := range []byte{'\n', '\r', ' ', '\t', '\f', '\v'} {
		if bytes.IndexByte(b, c) >= 0 {
			return true
		}
	}
	return false
}

// CheckEncoding runs the size and encoding checks of a SAMLResponse form
// value (size, base64, optional DEFLATE, an XML start) without parsing it:
// the cheap refusal made before anything about a login is written. It
// returns the verifier's *Rejection for the same input, or nil.
func CheckEncoding(encoded []byte) error {
	if _, rej := decodeResponse(encoded); rej != nil {
		return rej
	}
	return nil
}

// inflate decompresses raw DEFLATE data, refusing output beyond limit so a
// deflate bomb costs at most limit+1 bytes.
func inflate(data []byte, limit int) ([]byte, *Rejection) {
	r := flate.NewReader(bytes.NewReader(data))
	defer r.Close()
	var out bytes.Buffer
	n, err := io.Copy(&out, io.LimitReader(r, int64(limit)+1))
	if err != nil {
		return nil, reject(ReasonMalformed, "the SAMLResponse is neither XML nor valid DEFLATE data")
	}
	if n > int64(limit) {
		return nil, reject(ReasonTooLarge, "the inflated SAMLResponse exceeds 1 MiB")
	}
	return out.Bytes(), nil
}

// looksLikeXML reports whether the first non-whitespace byte (after an
// optional UTF-8 byte order mark) opens a tag.
func looksLikeXML(b []byte) bool {
	b = bytes.TrimPrefix(b, []byte(utf8BOM))
	for _, c := range b {
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		case '<':
			return true
		default:
			return false
		}
	}
	return false
}

const utf8BOM = "\xEF\xBB\xBF"
