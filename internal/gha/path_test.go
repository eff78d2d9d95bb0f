package gha

import (
	"path/filepath"
	"testing"
)

func TestWorkspacePaths(t *testing.T) {
	t.Parallel()
	ws := filepath.FromSlash("/work/repo")
	for _, tc := range []struct {
		p       string
		self    bool
		want    string
		wantErr bool
	}{
		{p: "dist", want: "/work/repo/dist"},
		{p: "a/../dist", want: "/work/repo/dist"},
		{p: "/work/repo/out", want: "/work/repo/out"},
		{p: ".", wantErr: true},
		{p: ".", self: true, want: "/work/repo"},
		{p: "..", wantErr: true},
		{p: "../other", wantErr: true},
		{p: "/tmp/x", wantErr: true},
		{p: "..dist", want: "/work/repo/..dist"},
	} {
		got, err := InsideWorkspace(ws, tc.p, tc.self)
		if (err != nil) != tc.wantErr || (err == nil && got != filepath.FromSlash(tc.want)) {
			t.Errorf("InsideWorkspace(%q, self=%v) = %q, %v; want %q, error %v", tc.p, tc.self, got, err, tc.want, tc.wantErr)
		}
	}
	for p, want := range map[string]string{"/work/repo/dist/m.json": "dist/m.json", "/work/other/x": "/work/other/x", "/work/repo/..x": "..x"} {
		if got := RelPath(ws, filepath.FromSlash(p)); got != want {
			t.Errorf("RelPath(%q) = %q, want %q", p, got, want)
		}
	}
}
