package checks

import (
	"fmt"
	"strings"
)

// MarkdownTable is the catalogue as the README shows it; the README's table is this output,
// and a test keeps the two equal.
func MarkdownTable(all []Check) string {
	var b strings.Builder
	b.WriteString("| id | severity | catches | looks at |\n|---|---|---|---|\n")
	for _, c := range all {
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", c.ID, cell(c.Levels), cell(c.Title), cell(c.LooksAt))
	}
	return b.String()
}

func cell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
