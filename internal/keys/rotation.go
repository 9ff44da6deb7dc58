package keys

import "crypto/cipher"

// WithPrevious returns a Sealer that seals under s's key and opens values
// sealed under s's key or any of previous (the master keys before a
// rotation, SEAM_SECRET_KEY_PREVIOUS), so a replica keeps reading what is
// not yet re-sealed.
func (s *Sealer) WithPrevious(previous ...[]byte) (*Sealer, error) {
	out := &Sealer{aead: s.aead, random: s.random, previous: append([]cipher.AEAD(nil), s.previous...)}
	for _, k := range previous {
		if len(k) != MasterKeySize {
			return nil, ErrMasterKeySize
		}
		a, err := newAEAD(k)
		if err != nil {
			return nil, err
		}
		out.previous = append(out.previous, a)
	}
	return out, nil
}

// HasPrevious reports whether s opens values under a previous key.
func (s *Sealer) HasPrevious() bool { return len(s.previous) > 0 }

// Reseal returns sealed unchanged (false) when the current key opens it,
// and the plaintext sealed afresh under the current key (true) when a
// previous key does. A value no key opens is ErrSealedAuth (or
// ErrSealedFormat): it is left for the operator, never overwritten.
func (s *Sealer) Reseal(sealed string, aad []byte) (string, bool, error) {
	pt, current, err := s.open(sealed, aad)
	if err != nil {
		return "", false, err
	}
	if current {
		return sealed, false, nil
	}
	out, err := s.Seal(pt, aad)
	if err != nil {
		return "", false, err
	}
	return out, true, nil
}

// IsCurrent reports whether the current key opens sealed (false for a
// value only a previous key or no key opens).
func (s *Sealer) IsCurrent(sealed string, aad []byte) bool {
	_, current, err := s.open(sealed, aad)
	return err == nil && current
}
