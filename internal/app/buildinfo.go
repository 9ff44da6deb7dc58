package app

import (
	"runtime"
	"runtime/debug"
)

// BuildInfo is what `seam version` prints and seam_build_info exports.
type BuildInfo struct {
	Version   string // -ldflags -X ...app.Version, else the module version, else "dev"
	Commit    string // vcs.revision stamped by go build, with "-dirty" when modified; "unknown" without VCS
	GoVersion string
}

// ReadBuildInfo reads the version set at link time and what the Go
// toolchain stamped into the binary.
func ReadBuildInfo() BuildInfo {
	b := BuildInfo{Version: Version, Commit: "unknown", GoVersion: runtime.Version()}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return b
	}
	if b.Version == "dev" && info.Main.Version != "" && info.Main.Version != "(devel)" {
		b.Version = info.Main.Version
	}
	dirty := false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			b.Commit = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if dirty && b.Commit != "unknown" {
		b.Commit += "-dirty"
	}
	return b
}
