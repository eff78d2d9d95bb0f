package manifest_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/slipway-dev/slipway/internal/manifest"
)

// shard returns a manifest for one build shard: its artifacts and its own
// checksums file.
func shard(sums string, as ...manifest.Artifact) *manifest.Manifest {
	m := manifest.New(project())
	m.Add(as...)
	m.Add(checksums(sums))
	return m
}

func TestMergeEqualsFull(t *testing.T) {
	t.Parallel()
	linux := shard("linux sums",
		binary("linux", "amd64", ""), archive("linux", "amd64", ""),
		binary("linux", "arm", "7"), archive("linux", "arm", "7"))
	other := shard("other sums",
		binary("darwin", "arm64", ""), archive("darwin", "arm64", ""),
		binary("windows", "amd64", ""))
	other.Project.Ref = "" // ref may be missing in some shards
	linux.Module = json.RawMessage(`{"path":"example.com/hello"}`)
	other.Module = json.RawMessage(`{ "path": "example.com/hello" }`)
	other.Index = json.RawMessage(`{"manifests":[]}`)

	linuxBefore, otherBefore := clone(t, linux), clone(t, other)
	got, err := manifest.Merge(
		manifest.Shard{Source: "slipway-dist-linux", Manifest: linux},
		manifest.Shard{Source: "slipway-dist-other", Manifest: other},
	)
	if err != nil {
		t.Fatalf("Merge: %v", err)
	}

	want := manifest.New(project())
	want.Add(sortedByPath([]manifest.Artifact{
		binary("linux", "amd64", ""), archive("linux", "amd64", ""),
		binary("linux", "arm", "7"), archive("linux", "arm", "7"),
		binary("darwin", "arm64", ""), archive("darwin", "arm64", ""),
		binary("windows", "amd64", ""),
	})...)
	want.Module = json.RawMessage(`{"path":"example.com/hello"}`)
	want.Index = json.RawMessage(`{"manifests":[]}`)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Merge (-want +got):\n%s", diff)
	}
	if len(got.ByKind(manifest.KindChecksums)) != 0 {
		t.Errorf("Merge kept checksums artifacts")
	}
	if diff := cmp.Diff(linuxBefore, linux); diff != "" {
		t.Errorf("Merge changed a shard (-before +after):\n%s", diff)
	}
	if diff := cmp.Diff(otherBefore, other); diff != "" {
		t.Errorf("Merge changed a shard (-before +after):\n%s", diff)
	}
}

func clone(t *testing.T, m *manifest.Manifest) *manifest.Manifest {
	t.Helper()
	c := *m
	c.Artifacts = append([]manifest.Artifact(nil), m.Artifacts...)
	return &c
}

func TestMergeOne(t *testing.T) {
	t.Parallel()
	m := shard("sums", binary("linux", "amd64", ""))
	got, err := manifest.Merge(manifest.Shard{Source: "dist", Manifest: m})
	if err != nil {
		t.Fatal(err)
	}
	want := manifest.New(project())
	want.Add(binary("linux", "amd64", ""))
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Merge of one shard (-want +got):\n%s", diff)
	}
}

func TestMergeDedupe(t *testing.T) {
	t.Parallel()
	// Both shards built the same linux/amd64 binary reproducibly.
	a := shard("a", binary("linux", "amd64", ""), binary("linux", "arm64", ""))
	b := shard("b", binary("linux", "amd64", ""), binary("darwin", "arm64", ""))
	got, err := manifest.Merge(manifest.Shard{Source: "a", Manifest: a}, manifest.Shard{Source: "b", Manifest: b})
	if err != nil {
		t.Fatal(err)
	}
	want := sortedByPath([]manifest.Artifact{
		binary("linux", "amd64", ""), binary("linux", "arm64", ""), binary("darwin", "arm64", ""),
	})
	if diff := cmp.Diff(want, got.Artifacts); diff != "" {
		t.Errorf("merged artifacts (-want +got):\n%s", diff)
	}
}

func TestMergeErrors(t *testing.T) {
	t.Parallel()
	amd64 := binary("linux", "amd64", "")
	tampered := amd64
	tampered.SHA256 = digest("another build")
	moved := amd64
	moved.Path = "elsewhere/hello"
	samePath := binary("linux", "arm64", "")
	samePath.Path = amd64.Path

	tests := []struct {
		name   string
		shards func() []manifest.Shard
		want   []string
		is     error
	}{
		{
			name:   "no shards",
			shards: func() []manifest.Shard { return nil },
			want:   []string{"no shards"},
		},
		{
			name: "nil manifest",
			shards: func() []manifest.Shard {
				return []manifest.Shard{{Source: "a", Manifest: shard("a")}, {Source: "b"}}
			},
			want: []string{"b: no manifest"},
		},
		{
			name: "invalid shard",
			shards: func() []manifest.Shard {
				bad := shard("b", amd64)
				bad.Artifacts[0].SHA256 = "nope"
				return []manifest.Shard{{Source: "a", Manifest: shard("a")}, {Source: "dist-b", Manifest: bad}}
			},
			want: []string{"dist-b: invalid manifest", `sha256 "nope"`},
		},
		{
			name: "same key, different sha256",
			shards: func() []manifest.Shard {
				return []manifest.Shard{
					{Source: "slipway-dist-1", Manifest: shard("1", amd64)},
					{Source: "slipway-dist-2", Manifest: shard("2", tampered)},
				}
			},
			want: []string{"binary hello linux/amd64", "slipway-dist-1", "slipway-dist-2", amd64.SHA256, tampered.SHA256},
			is:   manifest.ErrConflict,
		},
		{
			name: "same key and sha256, different path",
			shards: func() []manifest.Shard {
				return []manifest.Shard{
					{Source: "a", Manifest: shard("1", amd64)},
					{Source: "b", Manifest: shard("2", moved)},
				}
			},
			want: []string{"binary hello linux/amd64", amd64.Path, "elsewhere/hello"},
			is:   manifest.ErrConflict,
		},
		{
			name: "two keys on one path",
			shards: func() []manifest.Shard {
				return []manifest.Shard{
					{Source: "a", Manifest: shard("1", amd64)},
					{Source: "b", Manifest: shard("2", samePath)},
				}
			},
			want: []string{amd64.Path, `"binary hello linux/amd64" in a`, `"binary hello linux/arm64" in b`},
			is:   manifest.ErrConflict,
		},
		{
			name: "project version differs",
			shards: func() []manifest.Shard {
				b := shard("2")
				b.Project.Version = "1.2.4"
				return []manifest.Shard{{Source: "a", Manifest: shard("1")}, {Source: "b", Manifest: b}}
			},
			want: []string{`project.version differs: "1.2.3" in a, "1.2.4" in b`},
			is:   manifest.ErrConflict,
		},
		{
			name: "project commit and module differ",
			shards: func() []manifest.Shard {
				b := shard("2")
				b.Project.Commit = "fedcba9876543210fedcba9876543210fedcba98"
				b.Project.Module = "example.com/other"
				return []manifest.Shard{{Source: "a", Manifest: shard("1")}, {Source: "b", Manifest: b}}
			},
			want: []string{"project.commit differs", "fedcba98", "project.module differs", "example.com/other"},
			is:   manifest.ErrConflict,
		},
		{
			name: "project commit time differs",
			shards: func() []manifest.Shard {
				b := shard("2")
				b.Project.CommitTime = b.Project.CommitTime.Add(time.Second)
				return []manifest.Shard{{Source: "a", Manifest: shard("1")}, {Source: "b", Manifest: b}}
			},
			want: []string{"project.commitTime differs: 2026-11-20T10:00:00Z in a, 2026-11-20T10:00:01Z in b"},
			is:   manifest.ErrConflict,
		},
		{
			name: "project ref differs",
			shards: func() []manifest.Shard {
				b, c := shard("2"), shard("3")
				b.Project.Ref = ""
				c.Project.Ref = "refs/heads/main"
				return []manifest.Shard{{Source: "a", Manifest: shard("1")}, {Source: "b", Manifest: b}, {Source: "c", Manifest: c}}
			},
			want: []string{`project.ref differs: "refs/tags/v1.2.3" in a, "refs/heads/main" in c`},
			is:   manifest.ErrConflict,
		},
		{
			name: "raw section differs",
			shards: func() []manifest.Shard {
				a, b, c := shard("1"), shard("2"), shard("3")
				a.Images = json.RawMessage(`[{"digest":"sha256:1"}]`)
				c.Images = json.RawMessage(`[{"digest":"sha256:2"}]`)
				return []manifest.Shard{{Source: "a", Manifest: a}, {Source: "b", Manifest: b}, {Source: "c", Manifest: c}}
			},
			want: []string{`section "images" differs between a and c`},
			is:   manifest.ErrConflict,
		},
		{
			name: "unlabelled shards",
			shards: func() []manifest.Shard {
				b := shard("2")
				b.Project.Name = "other"
				return []manifest.Shard{{Manifest: shard("1")}, {Manifest: b}}
			},
			want: []string{`project.name differs: "hello" in shards[0], "other" in shards[1]`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, err := manifest.Merge(tt.shards()...)
			if err == nil {
				t.Fatalf("Merge succeeded:\n%+v", m)
			}
			for _, s := range tt.want {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error does not contain %q:\n%v", s, err)
				}
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("errors.Is(err, %v) = false for %v", tt.is, err)
			}
		})
	}
}

func TestMergeRefFromAnyShard(t *testing.T) {
	t.Parallel()
	a, b := shard("1"), shard("2")
	a.Project.Ref = ""
	got, err := manifest.Merge(manifest.Shard{Source: "a", Manifest: a}, manifest.Shard{Source: "b", Manifest: b})
	if err != nil {
		t.Fatal(err)
	}
	if got.Project.Ref != project().Ref {
		t.Errorf("merged ref = %q, want %q", got.Project.Ref, project().Ref)
	}
}
