package main

import (
	"strings"
	"testing"
)

// A release build's -X stamps win over the module's build info, and a
// build without them (go install) still reports something.
func TestBuildVersionStamps(t *testing.T) {
	if v := buildVersion(); v.Version == "" || v.Go == "" || v.Platform == "" {
		t.Fatalf("unstamped build: %+v", v)
	}
	old := [4]string{stampVersion, stampCommit, stampDate, stampModified}
	t.Cleanup(func() { stampVersion, stampCommit, stampDate, stampModified = old[0], old[1], old[2], old[3] })
	stampVersion, stampCommit, stampDate, stampModified = "v1.2.3", "0123456789abcdef0123", "2026-12-04T00:00:00Z", "false"
	v := buildVersion()
	if v.Version != "v1.2.3" || v.Revision != stampCommit || v.Time != stampDate || v.Modified {
		t.Fatalf("stamped build: %+v", v)
	}
	if s := version(); !strings.HasPrefix(s, "azcred v1.2.3 (0123456789ab) go") {
		t.Fatalf("version() = %q", s)
	}
}
