package version

import (
	"strings"
	"testing"
)

func TestStampedValuesWin(t *testing.T) {
	info := Get()
	if info.Version == "" || !strings.HasPrefix(info.String(), "portico "+info.Version) {
		t.Fatalf("Get() = %+v, String() = %q", info, info.String())
	}
	// The ldflags stamp (the Dockerfile's) overrides what the toolchain knew.
	stampedVersion, stampedCommit = "v9.9.9", "abc123"
	defer func() { stampedVersion, stampedCommit = "", "" }()
	if got := compute(); got.Version != "v9.9.9" || got.Commit != "abc123" {
		t.Errorf("stamped: %+v", got)
	}
}
