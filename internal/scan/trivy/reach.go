package trivy

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"golang.org/x/vuln/scan"

	slscan "github.com/slipway-dev/slipway/internal/scan"
)

// govulncheck's JSON stream, the parts read here.
type vcMessage struct {
	OSV     *vcOSV     `json:"osv,omitempty"`
	Finding *vcFinding `json:"finding,omitempty"`
}

type vcOSV struct {
	ID      string   `json:"id"`
	Aliases []string `json:"aliases"`
}

type vcFinding struct {
	OSV   string    `json:"osv"`
	Trace []vcFrame `json:"trace"`
}

type vcFrame struct {
	Module   string `json:"module"`
	Function string `json:"function,omitempty"`
}

// Reachable runs govulncheck in-process (symbol level) over the module in
// dir against vulnDB. Every vulnerability govulncheck reports an OSV entry
// for is known; it is called when a finding's trace starts at a function.
func (b *Backend) Reachable(ctx context.Context, dir, vulnDB string) (*slscan.Reachability, error) {
	var stdout, stderr bytes.Buffer
	cmd := scan.Command(ctx, "-C", dir, "-db", vulnDB, "-format", "json", "./...")
	cmd.Stdout, cmd.Stderr, cmd.Stdin = &stdout, &stderr, strings.NewReader("")
	cmd.Env = b.opts.Environ
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("govulncheck: %w", err)
	}
	if err := cmd.Wait(); err != nil {
		return nil, fmt.Errorf("govulncheck: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	return parseGovulncheck(dir, &stdout)
}

func parseGovulncheck(dir string, r io.Reader) (*slscan.Reachability, error) {
	dec := json.NewDecoder(r)
	osvs := make(map[string][]string) // ID → ID and aliases
	called := make(map[string]bool)
	for {
		var m vcMessage
		if err := dec.Decode(&m); err == io.EOF {
			break
		} else if err != nil {
			return nil, fmt.Errorf("reading govulncheck's output: %w", err)
		}
		if m.OSV != nil {
			osvs[m.OSV.ID] = append([]string{m.OSV.ID}, m.OSV.Aliases...)
		}
		if m.Finding != nil && len(m.Finding.Trace) > 0 && m.Finding.Trace[0].Function != "" {
			called[m.Finding.OSV] = true
		}
	}
	reach := &slscan.Reachability{ModuleDir: dir, Called: make(map[string]bool)}
	for id, ids := range osvs {
		for _, x := range ids {
			reach.Called[x] = reach.Called[x] || called[id]
		}
	}
	return reach, nil
}
