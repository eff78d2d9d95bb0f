package trivy

import (
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/slipway-dev/slipway/internal/gha"
)

// debianImage is a one-layer linux/amd64 image with a Debian 12 package
// database: libfoo1 (GPL-3.0 per its machine-readable copyright file) and
// zlib1g (Zlib).
func debianImage(t *testing.T) v1.Image {
	t.Helper()
	files := []struct{ name, body string }{
		{"etc/debian_version", "12.5\n"},
		{"etc/os-release", "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nID=debian\n"},
		{"var/lib/dpkg/status", "Package: libfoo1\nStatus: install ok installed\nPriority: optional\nSection: libs\nInstalled-Size: 100\n" +
			"Maintainer: Foo <foo@example.com>\nArchitecture: amd64\nSource: foo\nVersion: 1.2-3\nDescription: foo library\n\n" +
			"Package: zlib1g\nStatus: install ok installed\nPriority: optional\nSection: libs\nInstalled-Size: 100\n" +
			"Maintainer: Z <z@example.com>\nArchitecture: amd64\nSource: zlib\nVersion: 1:1.2.13.dfsg-1\nDescription: compression library\n\n"},
		{"usr/share/doc/libfoo1/copyright", "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\nUpstream-Name: foo\n\nFiles: *\nCopyright: 2020 Foo\nLicense: GPL-3.0\n"},
		{"usr/share/doc/zlib1g/copyright", "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\nUpstream-Name: zlib\n\nFiles: *\nCopyright: 1995 Jean-loup Gailly and Mark Adler\nLicense: Zlib\n"},
	}
	var fs []imageFile
	for _, f := range files {
		fs = append(fs, imageFile{f.name, []byte(f.body), 0o644})
	}
	return layerImage(t, "amd64", nil, fs...)
}

// TestOSPackageLicenses scans an image with Debian packages: the licence
// gate sees each OS package's licence from its copyright file (forbidding
// GPL-3.0 fails on libfoo1 alone; allowing only Zlib fails on libfoo1;
// allowing both passes), and the report lists the OS packages with their
// whole versions (epoch:version-release).
func TestOSPackageLicenses(t *testing.T) {
	skipShort(t)
	f := newFixture(t)
	ws, _ := workspace(t, "notcalled")
	ref := f.host + "/example/debian:12"
	idx := mutate.AppendManifests(mutate.IndexMediaType(empty.Index, types.OCIImageIndex),
		mutate.IndexAddendum{Add: debianImage(t), Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "amd64"}}})
	pushIndex(t, ref, idx)
	base := f.args(t, "--images", ref, "--reachability", "false", "--fail-on", "CRITICAL")

	r := runCLI(t, ws, nil, append(base, "--licenses-forbidden", "GPL-3.0")...)
	r.mustCode(t, gha.ExitFindings)
	rep := r.report(t)
	if len(rep.Results) != 1 || len(rep.Results[0].Licenses) != 1 || rep.Results[0].Licenses[0].Package != "libfoo1" || rep.Results[0].Licenses[0].Reason != "forbidden" {
		t.Fatalf("licence violations: %+v", rep.Results)
	}
	want := map[string]string{"libfoo1": "1.2-3 GPL-3.0-only", "zlib1g": "1:1.2.13.dfsg-1 Zlib"}
	for _, p := range rep.Results[0].Packages {
		if got := p.Version + " " + strings.Join(p.Licenses, ","); got != want[p.Name] {
			t.Errorf("package %s: %q, want %q", p.Name, got, want[p.Name])
		}
		delete(want, p.Name)
	}
	if len(want) != 0 {
		t.Errorf("OS packages not found: %v", want)
	}
	r = runCLI(t, ws, nil, append(base, "--licenses-allowed", "Zlib")...)
	r.mustCode(t, gha.ExitFindings)
	if rep := r.report(t); len(rep.Results[0].Licenses) != 1 || rep.Results[0].Licenses[0].Package != "libfoo1" {
		t.Errorf("allow-list violations: %+v", rep.Results[0].Licenses)
	}
	runCLI(t, ws, nil, append(base, "--licenses-allowed", "Zlib,GPL-3.0")...).mustCode(t, gha.ExitOK)
}
