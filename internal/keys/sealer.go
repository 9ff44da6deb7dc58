package keys

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strings"
)

// MasterKeySize is the length in bytes of SEAM_SECRET_KEY after decoding.
const MasterKeySize = 32

// MaxSealedLen bounds the sealed strings Open accepts, so a corrupt or hostile
// database value cannot make Open allocate without limit.
const MaxSealedLen = 1 << 20

const (
	sealedPrefixV1 = "v1."
	nonceSize      = 12
	tagSize        = 16
	// sealInfoV1 separates the AEAD key from any other key that is later
	// derived from the same master key.
	sealInfoV1 = "seam sealer v1 aes-256-gcm"
)

var (
	// ErrMasterKeySize is returned when a master key is not exactly 32 bytes.
	ErrMasterKeySize = errors.New("keys: master key must be 32 bytes")
	// ErrSealedFormat is returned by Open for values that are not a sealed
	// string of a known version.
	ErrSealedFormat = errors.New("keys: sealed value is malformed or of an unknown version")
	// ErrSealedAuth is returned by Open when authentication fails: wrong master
	// key, wrong associated data, or a tampered value.
	ErrSealedAuth = errors.New("keys: sealed value failed authentication")
)

// Sealer encrypts small secrets with AES-256-GCM under a key derived from the
// master key. Every Seal uses a fresh random 96-bit nonce, so one master key
// must not seal more than about 2^32 values (far beyond Seam's use).
//
// A Sealer is safe for concurrent use if its random source is.
type Sealer struct {
	aead cipher.AEAD
	// previous are the AEADs of master keys before a rotation: Open tries
	// them after the current one, Seal never uses them (rotation.go).
	previous []cipher.AEAD
	random   io.Reader
}

// NewSealer returns a Sealer for masterKey, which must be 32 bytes. random
// supplies nonces; pass crypto/rand.Reader outside tests.
func NewSealer(masterKey []byte, random io.Reader) (*Sealer, error) {
	if len(masterKey) != MasterKeySize {
		return nil, ErrMasterKeySize
	}
	if random == nil {
		return nil, errors.New("keys: NewSealer needs a random source")
	}
	aead, err := newAEAD(masterKey)
	if err != nil {
		return nil, err
	}
	return &Sealer{aead: aead, random: random}, nil
}

// newAEAD is the AES-256-GCM AEAD of a master key.
func newAEAD(masterKey []byte) (cipher.AEAD, error) {
	// Derive rather than use the master key directly so that the master key
	// can later feed other derivations (HMAC keys, a v2 format) without
	// reusing one key across algorithms.
	k, err := hkdf.Key(sha256.New, masterKey, nil, sealInfoV1, 32)
	if err != nil {
		return nil, fmt.Errorf("keys: derive sealing key: %w", err)
	}
	block, err := aes.NewCipher(k)
	if err != nil {
		return nil, fmt.Errorf("keys: %w", err)
	}
	return cipher.NewGCM(block)
}

// Seal encrypts plaintext bound to aad (for example "table/column/row-id") and
// returns "v1." followed by base64url(nonce || ciphertext || tag). The same
// aad must be given to Open.
func (s *Sealer) Seal(plaintext, aad []byte) (string, error) {
	// Leave headroom for the encoding so every sealed value opens again.
	if len(plaintext) > (MaxSealedLen-len(sealedPrefixV1))/4*3-nonceSize-tagSize {
		return "", errors.New("keys: plaintext too large to seal")
	}
	buf := make([]byte, nonceSize, nonceSize+len(plaintext)+tagSize)
	if _, err := io.ReadFull(s.random, buf); err != nil {
		return "", fmt.Errorf("keys: read nonce: %w", err)
	}
	buf = s.aead.Seal(buf, buf[:nonceSize], plaintext, aad)
	return sealedPrefixV1 + base64.RawURLEncoding.EncodeToString(buf), nil
}

// Open reverses Seal. It returns ErrSealedFormat for strings that are not a
// sealed value and ErrSealedAuth when the key, aad or ciphertext do not match.
func (s *Sealer) Open(sealed string, aad []byte) ([]byte, error) {
	pt, _, err := s.open(sealed, aad)
	return pt, err
}

// open is Open that also reports whether the current key opened the value
// (false: a previous key did).
func (s *Sealer) open(sealed string, aad []byte) ([]byte, bool, error) {
	if len(sealed) > MaxSealedLen {
		return nil, false, ErrSealedFormat
	}
	body, ok := strings.CutPrefix(sealed, sealedPrefixV1)
	if !ok {
		return nil, false, ErrSealedFormat
	}
	// Strict decoding plus the length check (the decoder skips CR and LF)
	// give every sealed value exactly one valid spelling.
	raw, err := base64.RawURLEncoding.Strict().DecodeString(body)
	if err != nil || len(raw) < nonceSize+tagSize || base64.RawURLEncoding.EncodedLen(len(raw)) != len(body) {
		return nil, false, ErrSealedFormat
	}
	if pt, err := s.aead.Open(nil, raw[:nonceSize], raw[nonceSize:], aad); err == nil {
		return pt, true, nil
	}
	for _, prev := range s.previous {
		if pt, err := prev.Open(nil, raw[:nonceSize], raw[nonceSize:], aad); err == nil {
			return pt, false, nil
		}
	}
	return nil, false, ErrSealedAuth
}
