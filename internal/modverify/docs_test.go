package modverify

import (
	"path/filepath"
	"testing"

	"github.com/slipway-dev/slipway/internal/testutil"
)

// TestDocs keeps docs/verify-mod.md equal to the declarations: the inputs
// and outputs tables, the rules table and the rule reference; go test
// -update rewrites them.
func TestDocs(t *testing.T) {
	t.Parallel()
	if err := ActionSpec().Validate(); err != nil {
		t.Fatal(err)
	}
	doc := filepath.Join("..", "..", "docs", "verify-mod.md")
	testutil.DocsTables(t, doc, ActionSpec().MarkdownTables())
	testutil.GoldenSection(t, doc,
		"<!-- generated rules table: begin -->\n", "<!-- generated rules table: end -->\n", RulesMarkdown())
	testutil.GoldenSection(t, doc,
		"<!-- generated rule reference: begin -->\n", "<!-- generated rule reference: end -->\n", RulesReference())
}
