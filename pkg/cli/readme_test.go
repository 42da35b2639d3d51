package cli_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apigw-drift/driftaudit/pkg/checks"
)

// TestReadme keeps the README's check table equal to the registry; -update rewrites it.
func TestReadme(t *testing.T) {
	readmeSection(t, "checks", checks.MarkdownTable(checks.All()), "TestReadme")
}

// TestReadmeCommandReference keeps the README's command reference equal to the CLI's own help;
// -update rewrites it.
func TestReadmeCommandReference(t *testing.T) {
	var want strings.Builder
	for _, page := range helpPages {
		_, help, _ := run(t, append([]string{"help"}, page...)...)
		fmt.Fprintf(&want, "\n### `%s`\n\n```text\n%s```\n\n", helpName(page), help)
	}
	readmeSection(t, "cli", want.String(), "TestReadmeCommandReference")
}

// readmeSection checks that the README holds want between <!-- name:begin --> and
// <!-- name:end -->, or writes it there with -update.
func readmeSection(t *testing.T, name, want, test string) {
	t.Helper()
	begin, end := "<!-- "+name+":begin -->\n", "<!-- "+name+":end -->"
	path := filepath.Join("..", "..", "README.md")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	readme := string(data)
	start, stop := strings.Index(readme, begin), strings.Index(readme, end)
	if start < 0 || stop < start {
		t.Fatalf("README.md lacks the %q ... %q markers", strings.TrimSpace(begin), end)
	}
	if readme[start+len(begin):stop] == want {
		return
	}
	if !*update {
		t.Errorf("README.md's %s section is out of date: run go test ./pkg/cli -run %s -update", name, test)
		return
	}
	readme = readme[:start+len(begin)] + want + readme[stop:]
	if err := os.WriteFile(path, []byte(readme), 0o644); err != nil {
		t.Fatal(err)
	}
}
