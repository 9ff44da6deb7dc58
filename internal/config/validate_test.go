package config

import (
	"flag"
	"io"
	"strings"
	"testing"
	"time"
)

// parse registers the settings with env and args as a command would.
func parse(env map[string]string, args ...string) (Config, error) {
	var c Config
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	Register(fs, func(k string) string { return env[k] }, &c)
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	return c, c.Finish()
}

const goodKey = "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE="

func TestSettingsAreValidatedWithTheirNameAndAnExample(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
		want []string // substrings of the error
	}{
		{"duration without unit", map[string]string{"SEAM_CLOCK_SKEW": "90"}, nil,
			[]string{`SEAM_CLOCK_SKEW="90" (--clock-skew)`, "needs a unit", "e.g. SEAM_CLOCK_SKEW=90s"}},
		{"days", map[string]string{"SEAM_JWT_KEY_ROTATION": "30d"}, nil,
			[]string{`SEAM_JWT_KEY_ROTATION="30d"`, "no d unit", "720h"}},
		{"garbage duration", map[string]string{"SEAM_SHUTDOWN_TIMEOUT": "soon"}, nil,
			[]string{`SEAM_SHUTDOWN_TIMEOUT="soon"`, "e.g. SEAM_SHUTDOWN_TIMEOUT=20s"}},
		{"negative drain", map[string]string{"SEAM_DRAIN_PERIOD": "-1s"}, nil,
			[]string{`SEAM_DRAIN_PERIOD="-1s"`, "between 0s and 10m0s"}},
		{"skew out of range", map[string]string{"SEAM_CLOCK_SKEW": "1h"}, nil,
			[]string{"SEAM_CLOCK_SKEW", "between 0s and 10m0s"}},
		{"rotation too short", map[string]string{"SEAM_JWT_KEY_ROTATION": "5m"}, nil,
			[]string{"SEAM_JWT_KEY_ROTATION", "between 1h0m0s"}},
		{"bad flag duration", nil, []string{"--clock-skew", "90"}, []string{"-clock-skew", "needs a unit", "e.g. 90s"}},
		{"level", map[string]string{"SEAM_LOG_LEVEL": "verbose"}, nil,
			[]string{`SEAM_LOG_LEVEL="verbose" (--log-level)`, "debug, info, warn or error"}},
		{"level with offset", map[string]string{"SEAM_LOG_LEVEL": "INFO+2"}, nil, []string{"SEAM_LOG_LEVEL"}},
		{"format", map[string]string{"SEAM_LOG_FORMAT": "logfmt"}, nil,
			[]string{`SEAM_LOG_FORMAT="logfmt" (--log-format)`, "e.g. SEAM_LOG_FORMAT=text"}},
		{"base URL scheme", map[string]string{"SEAM_BASE_URL": "sso.example.com"}, nil,
			[]string{`SEAM_BASE_URL="sso.example.com" (--base-url)`, "e.g. SEAM_BASE_URL=https://"}},
		{"database URL", map[string]string{"SEAM_DATABASE_URL": "mysql://x"}, nil,
			[]string{"SEAM_DATABASE_URL (--database-url) must start with sqlite: or postgres://", "e.g."}},
		{"listen address", map[string]string{"SEAM_ADDR": "8080"}, nil,
			[]string{`SEAM_ADDR="8080" (--addr)`, "e.g. SEAM_ADDR=127.0.0.1:8080"}},
		{"short key", map[string]string{"SEAM_SECRET_KEY": "c2hvcnQ="}, nil,
			[]string{"SEAM_SECRET_KEY is not a master key", "openssl rand -base64 32"}},
		{"key not base64", map[string]string{"SEAM_SECRET_KEY": "not base64 at all!"}, nil,
			[]string{"SEAM_SECRET_KEY is not a master key"}},
		{"outbound allow", map[string]string{"SEAM_OUTBOUND_ALLOW": "10.0.0.0/33"}, nil,
			[]string{`SEAM_OUTBOUND_ALLOW="10.0.0.0/33"`, "e.g. SEAM_OUTBOUND_ALLOW="}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parse(tc.env, tc.args...)
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if k := tc.env["SEAM_SECRET_KEY"]; k != "" && strings.Contains(err.Error(), k) {
				t.Errorf("the error quotes the master key: %v", err)
			}
		})
	}
}

func TestValidSettings(t *testing.T) {
	for _, tc := range []struct {
		name  string
		env   map[string]string
		args  []string
		check func(c Config) bool
	}{
		{"defaults", nil, nil, func(c Config) bool {
			return c.ClockSkew == time.Minute && c.DrainPeriod == 5*time.Second && c.LogLevel == "info" && c.BaseURL == "http://127.0.0.1:8080"
		}},
		{"durations", map[string]string{"SEAM_CLOCK_SKEW": "90s", "SEAM_JWT_KEY_ROTATION": "720h", "SEAM_DRAIN_PERIOD": "0s"}, nil, func(c Config) bool {
			return c.ClockSkew == 90*time.Second && c.SessionJWTKeyRotation == 720*time.Hour && c.DrainPeriod == 0
		}},
		{"level in capitals", map[string]string{"SEAM_LOG_LEVEL": "DEBUG"}, nil, func(c Config) bool { return c.LogLevel == "debug" }},
		{"key", map[string]string{"SEAM_SECRET_KEY": goodKey}, nil, func(c Config) bool { return c.SecretKey == goodKey }},
		// The flag wins, also over an environment value that does not parse.
		{"flag over bad variable", map[string]string{"SEAM_CLOCK_SKEW": "90"}, []string{"--clock-skew", "2m"},
			func(c Config) bool { return c.ClockSkew == 2*time.Minute }},
		{"flag over variable", map[string]string{"SEAM_LOG_LEVEL": "verbose"}, []string{"--log-level", "warn"},
			func(c Config) bool { return c.LogLevel == "warn" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := parse(tc.env, tc.args...)
			if err != nil {
				t.Fatal(err)
			}
			if !tc.check(c) {
				t.Fatalf("config %+v", c)
			}
		})
	}
}

func TestUnknownVariables(t *testing.T) {
	for _, tc := range []struct {
		environ []string
		want    string
	}{
		{[]string{"SEAM_ADDR=:1", "SEAM_SECRET_KEY=x", "SEAM_DRAIN_PERIOD=1s", "HOME=/root", "SEAM_TEST_POSTGRES_URL=x", "SEAM_BENCH_SECRET=x", "SEAM_BIN=/tmp/seam"}, ""},
		{[]string{"SEAM_LOGLEVEL=debug"}, "SEAM_LOGLEVEL (did you mean SEAM_LOG_LEVEL?)"},
		{[]string{"SEAM_SECRET=abc", "SEAM_PORT=80"}, "SEAM_PORT,SEAM_SECRET"},
	} {
		if got := strings.Join(UnknownVariables(tc.environ), ","); got != tc.want {
			t.Errorf("UnknownVariables(%v) = %q, want %q", tc.environ, got, tc.want)
		}
	}
}
