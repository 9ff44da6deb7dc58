package config

import (
	"strings"
	"testing"
	"time"
)

func TestLifecycleSettings(t *testing.T) {
	const otherKey = "AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI="
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
		want string // substring of the error; "" means valid
		ok   func(Config) bool
	}{
		{"default interval", nil, nil, "", func(c Config) bool { return c.MetadataRefreshInterval == 24*time.Hour && c.SecretKeyPrevious == "" }},
		{"interval", map[string]string{"SEAM_METADATA_REFRESH_INTERVAL": "6h"}, nil, "", func(c Config) bool { return c.MetadataRefreshInterval == 6*time.Hour }},
		{"interval flag wins", map[string]string{"SEAM_METADATA_REFRESH_INTERVAL": "6h"}, []string{"--metadata-refresh-interval", "2h"}, "",
			func(c Config) bool { return c.MetadataRefreshInterval == 2*time.Hour }},
		{"interval in days", map[string]string{"SEAM_METADATA_REFRESH_INTERVAL": "1d"}, nil, `SEAM_METADATA_REFRESH_INTERVAL="1d" (--metadata-refresh-interval) is not a duration: there is no d unit`, nil},
		{"interval too short", map[string]string{"SEAM_METADATA_REFRESH_INTERVAL": "1m"}, nil, "must be between 5m0s and 720h0m0s, e.g. 24h", nil},
		{"interval too long", map[string]string{"SEAM_METADATA_REFRESH_INTERVAL": "1000h"}, nil, "SEAM_METADATA_REFRESH_INTERVAL", nil},
		{"previous key", map[string]string{"SEAM_SECRET_KEY": goodKey, "SEAM_SECRET_KEY_PREVIOUS": otherKey}, nil, "",
			func(c Config) bool { return c.SecretKeyPrevious == otherKey }},
		{"previous key malformed", map[string]string{"SEAM_SECRET_KEY": goodKey, "SEAM_SECRET_KEY_PREVIOUS": "c2hvcnQ="}, nil, "SEAM_SECRET_KEY_PREVIOUS is not a master key", nil},
		{"previous key equals current", map[string]string{"SEAM_SECRET_KEY": goodKey, "SEAM_SECRET_KEY_PREVIOUS": goodKey}, nil, "SEAM_SECRET_KEY_PREVIOUS equals SEAM_SECRET_KEY", nil},
		{"previous key without current", map[string]string{"SEAM_SECRET_KEY_PREVIOUS": otherKey}, nil, "SEAM_SECRET_KEY is not", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := parse(tc.env, tc.args...)
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				if !tc.ok(c) {
					t.Errorf("config = %+v", c)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %v, want it to contain %q", err, tc.want)
			}
			if strings.Contains(err.Error(), otherKey) || strings.Contains(err.Error(), goodKey) {
				t.Errorf("the error repeats a key: %v", err)
			}
		})
	}
	if unknown := UnknownVariables([]string{"SEAM_SECRET_KEY_PREVIOUS=x", "SEAM_METADATA_REFRESH_INTERVAL=1h"}); len(unknown) != 0 {
		t.Errorf("unknown = %v", unknown)
	}
}
