package cli

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// version may be set at link time (-ldflags "-X github.com/apigw-drift/driftaudit/pkg/cli.version=v1.2.3");
// otherwise the module's build information says it.
var version string

// versionInfo is what `driftaudit version` prints: from the build information Go embeds in
// every binary (the module version for go install, the VCS revision and time for a build in a
// checkout), so it cannot disagree with the binary.
type versionInfo struct {
	Version string `json:"version"`
	Commit  string `json:"commit"`
	// CommitTime is when the commit was made; Go's build information holds no build time.
	CommitTime string `json:"commit_time"`
	Modified   bool   `json:"modified,omitempty"`
	Go         string `json:"go"`
}

func buildVersion() versionInfo {
	v := versionInfo{Version: version, Commit: "unknown", CommitTime: "unknown", Go: runtime.Version()}
	if info, ok := debug.ReadBuildInfo(); ok {
		if v.Version == "" && info.Main.Version != "" {
			v.Version = info.Main.Version
		}
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				v.Commit = s.Value
			case "vcs.time":
				v.CommitTime = s.Value
			case "vcs.modified":
				v.Modified = s.Value == "true"
			}
		}
	}
	if v.Version == "" {
		v.Version = "(devel)"
	}
	return v
}

func (v versionInfo) String() string {
	commit := v.Commit
	if v.Modified {
		commit += " with uncommitted changes"
	}
	return fmt.Sprintf("driftaudit %s (commit %s of %s, %s)", v.Version, commit, v.CommitTime, v.Go)
}

func newVersion(st *state) *cobra.Command {
	format := newChoice("text", "text", "json")
	cmd := &cobra.Command{
		Use:   "version [flags]",
		Short: "Print the version, and the commit it was built from",
		Long:  "Print driftaudit's version, the commit it was built from and when, and the Go release\n(also: driftaudit --version).",
		Args:  noArgs,
		RunE: func(*cobra.Command, []string) error {
			if format.value == "json" {
				return writeJSON(st.env.Stdout, buildVersion())
			}
			_, err := fmt.Fprintln(st.env.Stdout, buildVersion())
			return err
		},
	}
	cmd.Flags().Var(format, "format", "output `FORMAT`: text or json")
	group(cmd, groupOutput, "format")
	return cmd
}
