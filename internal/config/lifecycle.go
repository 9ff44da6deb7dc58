package config

import (
	"flag"
	"fmt"
	"time"

	"github.com/seamsso/seam/internal/keys"
)

// DefaultMetadataRefreshInterval is how often SAML metadata URLs are
// fetched again.
const DefaultMetadataRefreshInterval = 24 * time.Hour

// registerLifecycle adds the key and certificate lifecycle settings.
func registerLifecycle(fs *flag.FlagSet, env Getenv, c *Config) {
	const name, envName = "metadata-refresh-interval", "SEAM_METADATA_REFRESH_INTERVAL"
	rule := durationRule{5 * time.Minute, 30 * 24 * time.Hour, "24h"}
	c.MetadataRefreshInterval = DefaultMetadataRefreshInterval
	st := &setting{env: envName, show: func() string { return c.MetadataRefreshInterval.String() }, parse: func(v string) error {
		d, err := parseDuration(v, rule)
		if err != nil {
			return err
		}
		c.MetadataRefreshInterval = d
		return nil
	}}
	if v := env(envName); v != "" {
		if err := st.parse(v); err != nil {
			st.envErr = fmt.Errorf("%s=%q (--%s) %w", envName, v, name, err)
		}
	}
	c.settings = append(c.settings, st)
	fs.Var(st, name, "how often a SAML connection configured from a metadata URL fetches it again ("+envName+")")
	// Like SEAM_SECRET_KEY, from the environment only (never argv).
	c.SecretKeyPrevious = env("SEAM_SECRET_KEY_PREVIOUS")
}

// checkLifecycle validates the previous master key: a value that is not a
// key, or the current key again, is refused rather than ignored.
func (c *Config) checkLifecycle() error {
	if c.SecretKeyPrevious == "" {
		return nil
	}
	prev, err := keys.ParseMasterKey(c.SecretKeyPrevious)
	if err != nil {
		return fmt.Errorf("SEAM_SECRET_KEY_PREVIOUS is not a master key (%v): it must be the 32-byte base64 key that SEAM_SECRET_KEY held before the rotation", err)
	}
	if c.SecretKey == "" {
		return fmt.Errorf("SEAM_SECRET_KEY_PREVIOUS is set but SEAM_SECRET_KEY is not: set SEAM_SECRET_KEY to the new key, e.g. the output of `openssl rand -base64 32`")
	}
	if cur, err := keys.ParseMasterKey(c.SecretKey); err == nil && string(cur) == string(prev) {
		return fmt.Errorf("SEAM_SECRET_KEY_PREVIOUS equals SEAM_SECRET_KEY: give the new key in SEAM_SECRET_KEY and the old one in SEAM_SECRET_KEY_PREVIOUS")
	}
	return nil
}
