package keys

import (
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// maxKeyFileLen bounds what LoadOrCreateKeyFile reads; a valid file is 45 bytes.
const maxKeyFileLen = 1024

// ParseMasterKey decodes SEAM_SECRET_KEY: standard or URL-safe base64, padded
// or not, surrounding whitespace ignored. It must decode to 32 bytes. The
// error never repeats the input.
func ParseMasterKey(b64 string) ([]byte, error) {
	s := strings.TrimSpace(b64)
	if s == "" {
		return nil, errors.New("keys: master key is empty")
	}
	if len(s) > 128 {
		return nil, ErrMasterKeySize
	}
	for _, enc := range []*base64.Encoding{
		base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding,
	} {
		k, err := enc.Strict().DecodeString(s)
		if err != nil {
			continue
		}
		if len(k) != MasterKeySize {
			return nil, fmt.Errorf("%w (decoded %d bytes)", ErrMasterKeySize, len(k))
		}
		return k, nil
	}
	return nil, errors.New("keys: master key is not valid base64")
}

// LoadOrCreateKeyFile returns the master key stored at path, creating the file
// with a fresh random key (mode 0600) when it does not exist.
//
// Creation writes a complete temporary file beside path and then hard-links it
// into place. link(2) fails if path already exists, so of several processes or
// goroutines racing, exactly one installs its key and every other one reads
// that key back (created=false); nobody ever sees a partly written file, and
// an existing key is never replaced (which rename(2) would do).
func LoadOrCreateKeyFile(path string, random io.Reader) (key []byte, created bool, err error) {
	key, err = readKeyFile(path)
	if err == nil {
		return key, false, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, false, err
	}

	fresh := make([]byte, MasterKeySize)
	if _, err := io.ReadFull(random, fresh); err != nil {
		return nil, false, fmt.Errorf("keys: generate master key: %w", err)
	}
	installed, err := installKeyFile(path, []byte(base64.StdEncoding.EncodeToString(fresh)+"\n"))
	if err != nil {
		return nil, false, err
	}
	if !installed {
		key, err = readKeyFile(path)
		return key, false, err
	}
	return fresh, true, nil
}

func readKeyFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxKeyFileLen+1))
	if err != nil {
		return nil, fmt.Errorf("keys: read key file %s: %w", path, err)
	}
	if len(b) > maxKeyFileLen {
		return nil, fmt.Errorf("keys: key file %s is too large", path)
	}
	k, err := ParseMasterKey(string(b))
	if err != nil {
		return nil, fmt.Errorf("keys: key file %s: %w", path, err)
	}
	return k, nil
}

// installKeyFile reports whether it created path (false: another writer won).
func installKeyFile(path string, content []byte) (bool, error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return false, fmt.Errorf("keys: create key file: %w", err)
	}
	tmpName := tmp.Name()
	defer os.Remove(tmpName)

	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return false, fmt.Errorf("keys: create key file: %w", err)
	}
	if _, err := tmp.Write(content); err != nil {
		tmp.Close()
		return false, fmt.Errorf("keys: write key file: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return false, fmt.Errorf("keys: write key file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return false, fmt.Errorf("keys: write key file: %w", err)
	}

	if err := os.Link(tmpName, path); err != nil {
		if errors.Is(err, os.ErrExist) {
			return false, nil
		}
		// Some filesystems have no hard links; fall back to an exclusive
		// create of the final name.
		return createExclusive(path, content)
	}
	syncDir(dir)
	return true, nil
}

func createExclusive(path string, content []byte) (bool, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("keys: create key file: %w", err)
	}
	if _, err := f.Write(content); err != nil {
		f.Close()
		return false, fmt.Errorf("keys: write key file: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return false, fmt.Errorf("keys: write key file: %w", err)
	}
	if err := f.Close(); err != nil {
		return false, fmt.Errorf("keys: write key file: %w", err)
	}
	syncDir(filepath.Dir(path))
	return true, nil
}

// syncDir makes the new directory entry durable; failure only weakens
// durability after a crash, so it is not reported.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}
