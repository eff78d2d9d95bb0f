package build

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slipway-dev/slipway/internal/gha"
	"github.com/slipway-dev/slipway/internal/testutil"
)

func TestBadInputs(t *testing.T) {
	if testing.Short() {
		t.Skip("resolves main packages with the go command")
	}
	t.Parallel()
	ws := t.TempDir()
	testutil.GitRepo(t, filepath.Join("..", "..", "examples", "hello"), filepath.Join(ws, "hello"), "v1.0.0")
	if err := os.MkdirAll(filepath.Join(ws, "nomod"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		args  []string
		input string // the input the message must name
		want  string // and what it must say
	}{
		{"unknown pair", []string{"--targets", "linux/amd64,plan9/arm64"}, "targets", "plan9/arm64 is not a port"},
		{"goos only", []string{"--targets", "linux"}, "targets", `"linux" is not goos/goarch`},
		{"empty goarch", []string{"--targets", "linux/"}, "targets", "empty GOARCH"},
		{"empty goos", []string{"--targets", "/amd64"}, "targets", "empty GOOS"},
		{"too many parts", []string{"--targets", "linux/arm/7/x"}, "targets", "is not goos/goarch"},
		{"bad variant", []string{"--targets", "linux/arm/9"}, "targets", "GOARM must be one of"},
		{"binary with separator", []string{"--binary", "bin/hello"}, "binary", "not a file name"},
		{"binary with dots", []string{"--binary", ".."}, "binary", "not a file name"},
		{"binary count", []string{"--binary", "a,b"}, "binary", "2 names for 1 main packages"},
		{"env not key=value", []string{"--env", "FOO"}, "env", `"FOO" is not KEY=VALUE`},
		{"env owns GOOS", []string{"--env", "GOOS=plan9"}, "env", "set from targets"},
		{"missing main package", []string{"--main", "./cmd/nope"}, "main", "main package ./cmd/nope"},
		{"flag as main", []string{"--main", "-toolexec=x"}, "main", "not a package path"},
		{"no go.mod", []string{"--module-dir", "../nomod"}, "module-dir", "has no go.mod"},
		{"dist outside", []string{"--dist", "../../outside"}, "dist", "must be a directory inside the workspace"},
		{"dist is workspace", []string{"--dist", "."}, "dist", "inside the workspace"},
		{"dist absolute outside", []string{"--dist", "/tmp/elsewhere"}, "dist", "inside the workspace"},
		{"bad mode", []string{"--mode", "deploy"}, "mode", "not plan, build or merge"},
		{"bad archives", []string{"--archives", "rar"}, "archives", "not auto, tar.gz, zip or none"},
		{"bad checksums", []string{"--checksums", "md5"}, "checksums", "not sha256, sha512 or none"},
		{"bad bool", []string{"--verify-reproducible=maybe"}, "verify-reproducible", ""},
		{"bad int", []string{"--parallelism", "many"}, "parallelism", ""},
		{"negative parallelism", []string{"--parallelism", "-1"}, "parallelism", "negative"},
		{"bad version", []string{"--version", "1.0/../../x"}, "version", "is not a version"},
		{"flags with -o", []string{"--flags", "-o /tmp/x"}, "flags", "not -o"},
		{"flags not flags", []string{"--flags", "./other"}, "flags", "only go build flags"},
		{"bad link var", []string{"--link-vars", "color=main.color"}, "link-vars", "key one of"},
		{"bad runner", []string{"--mode", "plan", "--runners", "linux"}, "runners", "not pattern=runner"},
		{"cgo unknown", []string{"--cgo", "linux/sparc"}, "cgo", "not a port"},
		{"unknown shard", []string{"--shard", "nope"}, "shard", `"nope" is not a shard of the plan`},
		{"extra file missing", []string{"--extra-files", "NOTICE"}, "extra-files", "matches no file"},
		{"extra file escapes", []string{"--extra-files", "../secret"}, "extra-files", "not a glob relative"},
		{"merge without inputs", []string{"--mode", "merge"}, "inputs", "merge needs"},
		{"merge input missing", []string{"--mode", "merge", "--inputs", "nowhere"}, "inputs", "does not exist"},
		{"merge input not a shard", []string{"--mode", "merge", "--inputs", "nomod"}, "inputs", "holds no manifest.json"},
		{"previous manifest missing", []string{"--targets", "linux/amd64", "--previous-manifest", "nope.json"}, "previous-manifest", "nope.json"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dist := "dist-" + strings.ReplaceAll(tc.name, " ", "-")
			args := append([]string{"--module-dir", "hello", "--dist", dist}, tc.args...)
			r := runCLI(t, ws, nil, args...)
			r.mustCode(t, gha.ExitUsage)
			if !strings.Contains(r.stderr, `input "`+tc.input+`"`) || !strings.Contains(r.stderr, tc.want) {
				t.Errorf("message does not name input %q with %q:\n%s", tc.input, tc.want, r.stderr)
			}
			if _, err := os.Stat(filepath.Join(ws, dist)); !os.IsNotExist(err) {
				t.Errorf("%s was written despite the usage error", dist)
			}
		})
	}
}

// TestInputsNeverReachAShell passes shell syntax in every input and shows
// that nothing runs: inputs go to the go command as argv only.
func TestInputsNeverReachAShell(t *testing.T) {
	if testing.Short() {
		t.Skip("builds")
	}
	t.Parallel()
	payloads := []string{"$(touch pwned)", ";rm -rf x", "`touch pwned`", "| touch pwned", "&& rm -rf x"}
	for _, in := range ActionSpec().Inputs {
		t.Run(in.Name, func(t *testing.T) {
			t.Parallel()
			for _, p := range payloads {
				ws := t.TempDir()
				testutil.GitRepo(t, filepath.Join("..", "..", "examples", "hello"), filepath.Join(ws, "hello"), "v1.0.0")
				if err := os.MkdirAll(filepath.Join(ws, "x"), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(ws, "x", "keep"), nil, 0o644); err != nil {
					t.Fatal(err)
				}
				args := []string{"--module-dir", "hello", "--targets", "linux/amd64", "--dist", "dist", "--" + in.Name + "=" + p}
				r := runCLI(t, ws, map[string]string{"SLIPWAY_DEBUG": ""}, args...)
				for _, dir := range []string{ws, filepath.Join(ws, "hello"), filepath.Join(ws, "dist")} {
					if _, err := os.Stat(filepath.Join(dir, "pwned")); err == nil {
						t.Fatalf("--%s=%q ran a shell command (exit %d)", in.Name, p, r.code)
					}
				}
				if _, err := os.Stat(filepath.Join(ws, "x", "keep")); err != nil {
					t.Fatalf("--%s=%q removed x (exit %d)", in.Name, p, r.code)
				}
			}
		})
	}
}
