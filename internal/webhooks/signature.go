package webhooks

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"io"
	"strconv"
	"strings"
)

// SecretPrefix starts every signing secret (Svix's and Standard Webhooks'
// form: whsec_ and the base64 of the key).
const SecretPrefix = "whsec_"

// secretBytes is the key size: 32 bytes, inside Standard Webhooks' 24 to 64.
const secretBytes = 32

// NewSecret returns a fresh signing secret read from r.
func NewSecret(r io.Reader) (string, error) {
	b := make([]byte, secretBytes)
	if _, err := io.ReadFull(r, b); err != nil {
		return "", err
	}
	return SecretPrefix + base64.StdEncoding.EncodeToString(b), nil
}

// secretKey is the HMAC key of a secret.
func secretKey(secret string) ([]byte, error) {
	if !strings.HasPrefix(secret, SecretPrefix) {
		return nil, errors.New("webhooks: signing secret without " + SecretPrefix)
	}
	return base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, SecretPrefix))
}

// Sign is one signature, "v1," and the base64 HMAC-SHA256 of
// "msgID.timestamp.body" under key.
func Sign(key []byte, msgID string, timestamp int64, body []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msgID))
	m.Write([]byte{'.'})
	m.Write([]byte(strconv.FormatInt(timestamp, 10)))
	m.Write([]byte{'.'})
	m.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// SignatureHeader is the signature header value: one signature per key,
// space-separated (a verifier accepts the message when any one matches, so
// both secrets sign during a rotation's overlap).
func SignatureHeader(keys [][]byte, msgID string, timestamp int64, body []byte) string {
	sigs := make([]string, len(keys))
	for i, k := range keys {
		sigs[i] = Sign(k, msgID, timestamp, body)
	}
	return strings.Join(sigs, " ")
}
