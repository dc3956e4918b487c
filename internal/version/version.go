// Package version tells which Portico this is, from what the Go toolchain
// stamped into the binary: the module version (a tag when installed with
// go install ...@v1.2.3, a pseudo-version when built from a clone) and the
// VCS revision.
package version

import (
	"runtime/debug"
	"sync"
)

// Info is what is known of this build.
type Info struct {
	// Version is the module version, or "devel" when the toolchain knew
	// none (go run, go test).
	Version string `json:"version"`
	// Commit is the VCS revision, with "+dirty" when the tree had changes;
	// empty when unknown.
	Commit string `json:"commit,omitempty"`
	// Go is the toolchain that built the binary.
	Go string `json:"go"`
}

// stampedVersion and stampedCommit are set by builds that have no VCS
// information to read, such as the Dockerfile's:
//
//	go build -ldflags "-X github.com/portico-dev/portico/internal/version.stampedCommit=$(git rev-parse HEAD)"
var stampedVersion, stampedCommit string

// Get returns the build's Info.
var Get = sync.OnceValue(compute)

func compute() (info Info) {
	info.Version = "devel"
	defer func() {
		if stampedVersion != "" {
			info.Version = stampedVersion
		}
		if stampedCommit != "" {
			info.Commit = stampedCommit
		}
	}()
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return info
	}
	info.Go = bi.GoVersion
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		info.Version = v
	}
	var dirty bool
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			info.Commit = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if dirty && info.Commit != "" {
		info.Commit += "+dirty"
	}
	return info
}

// String is the one-line form `portico version` prints.
func (i Info) String() string {
	s := "portico " + i.Version
	if i.Commit != "" {
		s += " (" + i.Commit + ")"
	}
	if i.Go != "" {
		s += " " + i.Go
	}
	return s
}
