package cli_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apigw-drift/driftaudit/pkg/checks"
)

const beginChecks, endChecks = "<!-- checks:begin -->\n", "<!-- checks:end -->"

// TestReadme keeps the README's check table equal to the registry; -update rewrites it.
func TestReadme(t *testing.T) {
	path := filepath.Join("..", "..", "README.md")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	readme := string(data)
	start, end := strings.Index(readme, beginChecks), strings.Index(readme, endChecks)
	if start < 0 || end < start {
		t.Fatalf("README.md lacks the %q ... %q markers", strings.TrimSpace(beginChecks), endChecks)
	}
	want := checks.MarkdownTable(checks.All())
	if got := readme[start+len(beginChecks) : end]; got != want {
		if *update {
			readme = readme[:start+len(beginChecks)] + want + readme[end:]
			if err := os.WriteFile(path, []byte(readme), 0o644); err != nil {
				t.Fatal(err)
			}
			return
		}
		t.Errorf("README.md's check table is out of date: run go test ./pkg/cli -run TestReadme -update")
	}
}

const beginCLI, endCLI = "<!-- cli:begin -->\n", "<!-- cli:end -->"

// TestReadmeCommandReference keeps the README's command reference equal to the CLI's own help;
// -update rewrites it.
func TestReadmeCommandReference(t *testing.T) {
	path := filepath.Join("..", "..", "README.md")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	readme := string(data)
	start, end := strings.Index(readme, beginCLI), strings.Index(readme, endCLI)
	if start < 0 || end < start {
		t.Fatalf("README.md lacks the %q ... %q markers", strings.TrimSpace(beginCLI), endCLI)
	}
	var want strings.Builder
	for _, page := range helpPages {
		_, help, _ := run(t, append([]string{"help"}, page...)...)
		fmt.Fprintf(&want, "\n### `%s`\n\n```text\n%s```\n\n", helpName(page), help)
	}
	if got := readme[start+len(beginCLI) : end]; got != want.String() {
		if *update {
			readme = readme[:start+len(beginCLI)] + want.String() + readme[end:]
			if err := os.WriteFile(path, []byte(readme), 0o644); err != nil {
				t.Fatal(err)
			}
			return
		}
		t.Errorf("README.md's command reference is out of date: run go test ./pkg/cli -run TestReadmeCommandReference -update")
	}
}
