package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// VersionCmd prints the module version and VCS information.
type VersionCmd struct {
	outputFlag
}

// Release builds stamp these with -ldflags -X (see .goreleaser.yaml);
// they win over what debug.ReadBuildInfo knows, which is all a
// `go install` build has.
var (
	stampVersion  string // e.g. v1.2.3
	stampCommit   string // full git revision
	stampDate     string // RFC 3339 commit time
	stampModified string // "true" when built from a dirty tree
)

type versionInfo struct {
	Version  string `json:"version"`
	Revision string `json:"revision,omitempty"`
	Time     string `json:"time,omitempty"`
	Modified bool   `json:"modified,omitempty"`
	Go       string `json:"go"`
	Platform string `json:"platform"`
}

func buildVersion() versionInfo {
	v := versionInfo{Version: "(devel)", Go: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Version != "" {
			v.Version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				v.Revision = s.Value
			case "vcs.time":
				v.Time = s.Value
			case "vcs.modified":
				v.Modified = s.Value == "true"
			}
		}
	}
	if stampVersion != "" {
		v.Version = stampVersion
	}
	if stampCommit != "" {
		v.Revision = stampCommit
	}
	if stampDate != "" {
		v.Time = stampDate
	}
	if stampModified != "" {
		v.Modified = stampModified == "true"
	}
	return v
}

func version() string {
	v := buildVersion()
	s := "azcred " + v.Version
	if v.Revision != "" {
		rev := v.Revision
		if len(rev) > 12 {
			rev = rev[:12]
		}
		s += " (" + rev
		if v.Modified {
			s += ", modified"
		}
		s += ")"
	}
	return s + " " + v.Go + " " + v.Platform
}

func (c *VersionCmd) Run(a *app) error {
	if c.Output == "json" {
		return writeJSON(a, buildVersion())
	}
	fmt.Fprintln(a.stdout, version())
	return nil
}
