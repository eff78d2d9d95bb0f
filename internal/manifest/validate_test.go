package manifest_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/slipway-dev/slipway/internal/manifest"
)

func TestValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		change func(m *manifest.Manifest) // applied to sample()
		want   []string                   // substrings of the error; nil for valid
		is     error
	}{
		{name: "sample is valid", change: func(*manifest.Manifest) {}},
		{name: "new manifest is valid", change: func(m *manifest.Manifest) { *m = *manifest.New(manifest.Project{Name: "x"}) }},

		// schemaVersion
		{
			name:   "schema version 2",
			change: func(m *manifest.Manifest) { m.SchemaVersion = 2 },
			want:   []string{"unsupported schemaVersion 2: this Slipway reads 1; upgrade Slipway"},
			is:     manifest.ErrUnsupportedVersion,
		},
		{
			name:   "schema version 0",
			change: func(m *manifest.Manifest) { m.SchemaVersion = 0 },
			want:   []string{"schemaVersion 0 is not valid"},
			is:     manifest.ErrUnsupportedVersion,
		},
		{
			name:   "schema version negative",
			change: func(m *manifest.Manifest) { m.SchemaVersion = -1 },
			want:   []string{"schemaVersion -1 is not valid"},
		},

		// project
		{
			name:   "project name empty",
			change: func(m *manifest.Manifest) { m.Project.Name = "" },
			want:   []string{"project.name is empty"},
		},
		{
			name:   "project without optional fields",
			change: func(m *manifest.Manifest) { m.Project = manifest.Project{Name: "hello"} },
		},

		// raw sections
		{
			name:   "raw section not JSON",
			change: func(m *manifest.Manifest) { m.Scans = json.RawMessage(`[{`) },
			want:   []string{"scans is not valid JSON"},
		},

		// name and kind
		{
			name:   "artifact name empty",
			change: func(m *manifest.Manifest) { m.Artifacts[0].Name = "" },
			want:   []string{"artifacts[0] (hello_1.2.3_linux_arm64.tar.gz): name is empty"},
		},
		{
			name:   "artifact kind empty",
			change: func(m *manifest.Manifest) { m.Artifacts[1].Kind = "" },
			want:   []string{"artifacts[1] (hello_linux_arm64/hello): kind is empty"},
		},
		{
			name:   "unknown kind is allowed",
			change: func(m *manifest.Manifest) { m.Artifacts[1].Kind = "sbom" },
		},

		// path
		{
			name:   "path empty",
			change: func(m *manifest.Manifest) { m.Artifacts[1].Path = "" },
			want:   []string{"artifacts[1]: path is empty"},
		},
		{
			name:   "path with backslash",
			change: func(m *manifest.Manifest) { m.Artifacts[1].Path = `hello_linux_arm64\hello` },
			want:   []string{"contains a backslash: use forward slashes"},
		},
		{
			name:   "absolute path",
			change: func(m *manifest.Manifest) { m.Artifacts[1].Path = "/tmp/hello" },
			want:   []string{`path "/tmp/hello" is absolute`},
		},
		{
			name:   "dot-dot element",
			change: func(m *manifest.Manifest) { m.Artifacts[1].Path = "../outside/hello" },
			want:   []string{`has a ".." element`},
		},
		{
			name:   "dot-dot inside",
			change: func(m *manifest.Manifest) { m.Artifacts[1].Path = "a/../../hello" },
			want:   []string{`has a ".." element`},
		},
		{
			name:   "dot-dot as part of a name is fine",
			change: func(m *manifest.Manifest) { m.Artifacts[1].Path = "hello..linux/hello" },
		},
		{
			name:   "unclean path",
			change: func(m *manifest.Manifest) { m.Artifacts[1].Path = "./hello_linux_arm64//hello" },
			want:   []string{`is not clean: write "hello_linux_arm64/hello"`},
		},
		{
			name:   "trailing slash",
			change: func(m *manifest.Manifest) { m.Artifacts[1].Path = "hello_linux_arm64/" },
			want:   []string{"is not clean"},
		},
		{
			name:   "dist itself",
			change: func(m *manifest.Manifest) { m.Artifacts[1].Path = "." },
			want:   []string{`path "." does not name a file inside dist`},
		},

		// sha256 and size
		{
			name:   "sha256 empty",
			change: func(m *manifest.Manifest) { m.Artifacts[1].SHA256 = "" },
			want:   []string{`sha256 "" is not 64 lowercase hex digits`},
		},
		{
			name:   "sha256 upper case",
			change: func(m *manifest.Manifest) { m.Artifacts[1].SHA256 = strings.ToUpper(m.Artifacts[1].SHA256) },
			want:   []string{"is not 64 lowercase hex digits"},
		},
		{
			name:   "sha256 short",
			change: func(m *manifest.Manifest) { m.Artifacts[1].SHA256 = m.Artifacts[1].SHA256[:63] },
			want:   []string{"is not 64 lowercase hex digits"},
		},
		{
			name:   "sha256 with prefix",
			change: func(m *manifest.Manifest) { m.Artifacts[1].SHA256 = "sha256:" + m.Artifacts[1].SHA256[7:] },
			want:   []string{"is not 64 lowercase hex digits"},
		},
		{
			name:   "size zero",
			change: func(m *manifest.Manifest) { m.Artifacts[1].Size = 0 },
		},
		{
			name:   "size negative",
			change: func(m *manifest.Manifest) { m.Artifacts[1].Size = -1 },
			want:   []string{"artifacts[1] (hello_linux_arm64/hello): size -1 is negative"},
		},

		// platform
		{
			name:   "goos without goarch",
			change: func(m *manifest.Manifest) { m.Artifacts[1].GOARCH = "" },
			want:   []string{`goos "linux" is set without goarch`},
		},
		{
			name:   "goarch without goos",
			change: func(m *manifest.Manifest) { m.Artifacts[1].GOOS = "" },
			want:   []string{`goarch "arm64" is set without goos`},
		},
		{
			name: "variant without platform",
			change: func(m *manifest.Manifest) {
				m.Artifacts[1].GOOS, m.Artifacts[1].GOARCH, m.Artifacts[1].Variant = "", "", "7"
			},
			want: []string{`variant "7" is set without goos and goarch`},
		},
		{
			name: "no platform",
			change: func(m *manifest.Manifest) {
				m.Artifacts[1].GOOS, m.Artifacts[1].GOARCH, m.Artifacts[1].Variant = "", "", ""
			},
		},

		// duplicates
		{
			name:   "duplicate path",
			change: func(m *manifest.Manifest) { m.Artifacts[3].Path = m.Artifacts[1].Path },
			want:   []string{"artifacts[3] (hello_linux_arm64/hello): same path as artifacts[1]"},
		},
		{
			name: "duplicate key",
			change: func(m *manifest.Manifest) {
				m.Artifacts[3].GOARCH, m.Artifacts[3].Variant = "arm64", ""
			},
			want: []string{`artifacts[3] (hello_linux_arm_7/hello): "binary hello linux/arm64" is also artifacts[1] (hello_linux_arm64/hello)`},
		},
		{
			name: "same name and platform with another kind",
			change: func(m *manifest.Manifest) {
				m.Artifacts[0].GOOS, m.Artifacts[0].GOARCH = m.Artifacts[1].GOOS, m.Artifacts[1].GOARCH
			},
		},
		{
			name: "two checksums files",
			change: func(m *manifest.Manifest) {
				c := m.ByKind(manifest.KindChecksums)[0]
				c.Path = "hello_1.2.3_checksums.sha512.txt"
				m.Add(c)
			},
		},

		// several problems at once
		{
			name: "all problems are reported",
			change: func(m *manifest.Manifest) {
				m.Project.Name = ""
				m.Artifacts[0].Name = ""
				m.Artifacts[2].SHA256 = "x"
				m.Artifacts[2].Size = -5
			},
			want: []string{"project.name is empty", "artifacts[0]", "name is empty", "artifacts[2]", "sha256", "size -5"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := sample()
			tt.change(m)
			err := m.Validate()
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate succeeded, want an error containing %q", tt.want)
			}
			for _, s := range tt.want {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error does not contain %q:\n%v", s, err)
				}
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("errors.Is(err, %v) = false for %v", tt.is, err)
			}
			if s := err.Error(); strings.Contains(s, "failed to") || s[:1] != strings.ToLower(s[:1]) {
				t.Errorf("error message style: %q", s)
			}
		})
	}
}
