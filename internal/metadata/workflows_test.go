package metadata

import (
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/slipway-dev/slipway/internal/testutil"
)

var pinned = regexp.MustCompile(`^[A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+@[0-9a-f]{40}$`)

type workflow struct {
	Permissions any `yaml:"permissions"`
	Jobs        map[string]struct {
		Permissions any    `yaml:"permissions"`
		Uses        string `yaml:"uses"`
		Steps       []struct {
			Uses string `yaml:"uses"`
		} `yaml:"steps"`
	} `yaml:"jobs"`
}

// workflowRules checks a workflow: every action and reusable workflow
// outside this repository pinned by full commit SHA; with strict (this
// repository's own workflows), permissions: {} at the top and permissions
// declared by every job.
func workflowRules(b []byte, strict bool) error {
	var w workflow
	if err := yaml.Unmarshal(b, &w); err != nil {
		return err
	}
	var problems []string
	check := func(job, uses string) {
		if uses != "" && !strings.HasPrefix(uses, "./") && !pinned.MatchString(uses) {
			problems = append(problems, fmt.Sprintf("job %s: %s is not pinned by full commit SHA", job, uses))
		}
	}
	for name, j := range w.Jobs {
		check(name, j.Uses)
		for _, s := range j.Steps {
			check(name, s.Uses)
		}
		if strict && j.Permissions == nil {
			problems = append(problems, "job "+name+" does not declare permissions")
		}
	}
	if m, ok := w.Permissions.(map[string]any); strict && (!ok || len(m) != 0) {
		problems = append(problems, fmt.Sprintf("top-level permissions are %v, want {}", w.Permissions))
	}
	slices.Sort(problems)
	if len(problems) > 0 {
		return fmt.Errorf("%s", strings.Join(problems, "; "))
	}
	return nil
}

// TestWorkflowPins checks every workflow and composite action of the
// repository for unpinned actions, and this repository's workflows for
// least permissions; go-release.yml keeps its privileged permissions in the
// jobs that need them.
func TestWorkflowPins(t *testing.T) {
	t.Parallel()
	root := testutil.RepoRoot(t)
	own, _ := filepath.Glob(filepath.Join(root, ".github", "workflows", "*.yml"))
	examples, _ := filepath.Glob(filepath.Join(root, "examples", "workflows", "*.yml"))
	if len(own) < 3 || len(examples) < 5 {
		t.Fatalf("found %d workflows and %d examples", len(own), len(examples))
	}
	for _, f := range append(own, examples...) {
		strict := slices.Contains(own, f)
		if err := workflowRules(testutil.ReadFile(t, f), strict); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
	actions, _ := filepath.Glob(filepath.Join(root, "actions", "*", "action.yml"))
	for _, f := range append(actions, filepath.Join(root, "action.yml")) {
		for _, m := range regexp.MustCompile(`(?m)^\s+uses: (\S+)`).FindAllStringSubmatch(string(testutil.ReadFile(t, f)), -1) {
			if !pinned.MatchString(m[1]) {
				t.Errorf("%s: %s is not pinned by full commit SHA", f, m[1])
			}
		}
	}

	// Who may do what in go-release.yml.
	var w struct {
		Jobs map[string]struct {
			Permissions map[string]string `yaml:"permissions"`
		} `yaml:"jobs"`
	}
	if err := yaml.Unmarshal(testutil.ReadFile(t, filepath.Join(root, ".github", "workflows", "go-release.yml")), &w); err != nil {
		t.Fatal(err)
	}
	allowed := map[string][]string{
		"id-token: write":        {"sign", "sign-images"},
		"packages: write":        {"build", "publish", "sign-images"},
		"contents: write":        {"publish"},
		"security-events: write": {"scan"},
	}
	for job, j := range w.Jobs {
		for scope, level := range j.Permissions {
			p := scope + ": " + level
			if level == "write" && !slices.Contains(allowed[p], job) {
				t.Errorf("go-release.yml: job %s has %s", job, p)
			}
		}
	}
	for p, jobs := range allowed {
		for _, job := range jobs {
			if scope, level, _ := strings.Cut(p, ": "); w.Jobs[job].Permissions[scope] != level {
				t.Errorf("go-release.yml: job %s lacks %s", job, p)
			}
		}
	}
}

// TestWorkflowRulesFindProblems shows workflowRules failing on each problem.
func TestWorkflowRulesFindProblems(t *testing.T) {
	t.Parallel()
	good := "permissions: {}\njobs:\n  a:\n    permissions:\n      contents: read\n    steps:\n      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683\n      - uses: ./actions/scan\n"
	if err := workflowRules([]byte(good), true); err != nil {
		t.Fatalf("good workflow: %v", err)
	}
	for _, tc := range []struct{ name, from, to, want string }{
		{"tag", "checkout@11bd71901bbe5b1630ceea73d27597364c9af683", "checkout@v4", "actions/checkout@v4 is not pinned"},
		{"short sha", "checkout@11bd71901bbe5b1630ceea73d27597364c9af683", "checkout@11bd719", "is not pinned"},
		{"reusable", "    steps:\n", "    uses: org/repo/.github/workflows/r.yml@main\n    steps:\n", "r.yml@main is not pinned"},
		{"top-level", "permissions: {}\n", "permissions: write-all\n", "top-level permissions are write-all"},
		{"job", "    permissions:\n      contents: read\n", "", "job a does not declare permissions"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := workflowRules([]byte(strings.Replace(good, tc.from, tc.to, 1)), true)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %v, want %q", err, tc.want)
			}
		})
	}
}
