package publish

import (
	"path/filepath"
	"testing"

	"github.com/slipway-dev/slipway/internal/testutil"
)

// TestDocsTables keeps the inputs and outputs tables of docs/publish.md
// equal to the action's declaration; go test -update rewrites them.
func TestDocsTables(t *testing.T) {
	t.Parallel()
	if err := ActionSpec().Validate(); err != nil {
		t.Fatal(err)
	}
	testutil.DocsTables(t, filepath.Join("..", "..", "docs", "publish.md"), ActionSpec().MarkdownTables())
}
