package checks

import (
	"fmt"
	"strings"
)

// MarkdownTable is the catalogue as the README shows it; the README's table is this output,
// and a test keeps the two equal.
func MarkdownTable(all []Check) string {
	var b strings.Builder
	b.WriteString("| id | severity | catches | looks at | also checked by |\n|---|---|---|---|---|\n")
	for _, c := range all {
		peers := c.Peers
		if peers == "" {
			peers = "none"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s |\n", c.ID, cell(c.Levels), cell(c.Title), cell(c.LooksAt), cell(peers))
	}
	return b.String()
}

func cell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
