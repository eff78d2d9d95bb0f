package publish

import (
	"encoding/base64"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/registry"

	"github.com/slipway-dev/slipway/internal/gha"
	"github.com/slipway-dev/slipway/internal/testutil"
)

// TestAuthAndTLS pushes to an htpasswd registry (wrong password: usage error
// naming the registry and status, password masked; inputs and the docker
// config: pushed) and to a TLS registry with a test CA.
func TestAuthAndTLS(t *testing.T) {
	t.Parallel()
	reg := testutil.StartRegistry(t, testutil.RegistryOptions{Htpasswd: true})
	ws := t.TempDir()
	writeDist(t, ws, "dist", fixtureProject("1.0.0", "refs/tags/v1.0.0"), amd64)
	repo := reg.Host + "/auth/hello"

	bad := runCLI(t, ws, nil, nil, "--repository", repo, "--base", "scratch", "--username", testutil.RegistryUser, "--password", "wrong-password-123")
	bad.mustCode(t, gha.ExitUsage)
	if !strings.Contains(bad.stderr, `input "password"`) || !strings.Contains(bad.stderr, `registry `+reg.Host+` refused the credentials from the username and password inputs for `+repo+": 401 Unauthorized") {
		t.Errorf("wrong password:\n%s", bad.stderr)
	}
	if strings.Contains(bad.stderr+bad.stdout, "wrong-password-123") {
		t.Error("the password was printed")
	}
	anon := runCLI(t, ws, nil, nil, "--repository", repo, "--base", "scratch")
	anon.mustCode(t, gha.ExitUsage)
	if !strings.Contains(anon.stderr, "refused anonymous access") {
		t.Errorf("anonymous:\n%s", anon.stderr)
	}

	runCLI(t, ws, nil, nil, "--repository", repo, "--base", "scratch", "--username", testutil.RegistryUser, "--password", testutil.RegistryPassword).mustCode(t, 0)

	cfgDir := t.TempDir()
	auth := base64.StdEncoding.EncodeToString([]byte(testutil.RegistryUser + ":" + testutil.RegistryPassword))
	if err := os.WriteFile(filepath.Join(cfgDir, "config.json"), []byte(`{"auths":{"`+reg.Host+`":{"auth":"`+auth+`"}}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	r := runCLI(t, ws, nil, map[string]string{"DOCKER_CONFIG": cfgDir}, "--repository", repo, "--base", "scratch", "--tags", "from-docker-config")
	r.mustCode(t, 0)

	tlsReg := testutil.StartRegistry(t, testutil.RegistryOptions{TLS: true})
	r = runCLI(t, ws, tlsReg.Transport(), nil, "--repository", tlsReg.Host+"/tls/hello", "--base", "scratch")
	r.mustCode(t, 0)
	if !strings.Contains(r.stdout, "refs=[\""+tlsReg.Host+"/tls/hello@sha256:") {
		t.Errorf("TLS push refs:\n%s", r.stdout)
	}
}

// TestBadInput checks every bad input the issue names: a clear message
// naming the input, exit 2, and nothing written.
func TestBadInput(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(srv.Close)
	host := strings.TrimPrefix(srv.URL, "http://")
	// A single-platform base in the registry: it lacks arm64.
	baseWS := t.TempDir()
	writeDist(t, baseWS, "dist", fixtureProject("0.1.0", "refs/tags/v0.1.0"), amd64)
	runCLI(t, baseWS, nil, nil, "--repository", host+"/base/amd64only", "--base", "scratch", "--tag-strategy", "none", "--tags", "v1").mustCode(t, 0)

	for _, tc := range []struct {
		name    string
		targets [][3]string
		noDist  bool
		args    []string
		want    string
	}{
		{name: "unparsable repository", args: []string{"--repository", "Not A Repo!"}, want: `input "repository": "Not A Repo!" is not a repository`},
		{name: "repository with a tag", args: []string{"--repository", host + "/x/y:1.0"}, want: `input "repository": "` + host + `/x/y:1.0" has a tag`},
		{name: "bad tag", args: []string{"--tags", "-bad"}, want: `input "tags": "-bad" is not a valid tag`},
		{name: "bad base reference", args: []string{"--base", "UPPER CASE"}, want: `input "base": "UPPER CASE" is not an image reference`},
		{name: "base does not exist", args: []string{"--base", host + "/no/such:1"}, want: `input "base": fetching ` + host + `/no/such:1: registry ` + host + ` has no`},
		{name: "base lacks a platform", targets: [][3]string{amd64, arm64}, args: []string{"--base", host + "/base/amd64only:v1"}, want: `input "base": ` + host + `/base/amd64only:v1 has no linux/arm64 image (it has linux/amd64)`},
		{name: "no linux binaries", targets: [][3]string{win}, want: `input "dist": the manifest lists no linux binary of hello (it has windows/amd64)`},
		{name: "platform not built", args: []string{"--platforms", "linux/s390x"}, want: `input "platforms": linux/s390x: the manifest has no hello binary for it (it has linux/amd64)`},
		{name: "windows platform", args: []string{"--platforms", "windows/amd64"}, want: `input "platforms": "windows/amd64": only linux images`},
		{name: "no dist", noDist: true, want: `input "dist": dist has no manifest.json`},
		{name: "bad mode", args: []string{"--mode", "deploy"}, want: `input "mode": "deploy" is not auto, build, push, push-by-digest or merge`},
		{name: "push without repository", args: []string{"--mode", "push"}, want: `input "repository": mode push needs at least one repository`},
		{name: "merge without inputs", args: []string{"--mode", "merge", "--repository", host + "/x/y"}, want: `input "inputs": merge needs`},
		{name: "bad port", args: []string{"--ports", "http"}, want: `input "ports": "http" is not a port`},
		{name: "bad owner", args: []string{"--owner", "root"}, want: `input "owner": "root" is not uid:gid`},
		{name: "relative path", args: []string{"--path", "bin/hello"}, want: `input "path": "bin/hello" is not absolute`},
		{name: "username without password", args: []string{"--username", "me"}, want: `input "password": username and password go together`},
		{name: "release without token", args: []string{"--release"}, want: `input "release": uploading to a GitHub Release needs GITHUB_TOKEN`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ws := t.TempDir()
			if !tc.noDist {
				targets := tc.targets
				if targets == nil {
					targets = [][3]string{amd64}
				}
				writeDist(t, ws, "dist", fixtureProject("1.0.0", "refs/tags/v1.0.0"), targets...)
			}
			before := snapshot(t, ws)
			args := append([]string{"--base", "scratch"}, tc.args...)
			r := runCLI(t, ws, nil, nil, args...)
			r.mustCode(t, gha.ExitUsage)
			if !strings.Contains(r.stderr, tc.want) {
				t.Errorf("stderr lacks %q:\n%s", tc.want, r.stderr)
			}
			if after := snapshot(t, ws); after != before {
				t.Errorf("files changed on a usage error:\nbefore %s\nafter  %s", before, after)
			}
		})
	}
}

// snapshot lists the workspace's files with their sizes.
func snapshot(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err == nil {
			r, _ := filepath.Rel(dir, p)
			b.WriteString(r + ":" + info.ModTime().String() + " ")
		}
		return nil
	})
	return b.String()
}

// TestCredentialHelpers pushes to the htpasswd registry with credentials
// from real docker-credential-* executables named by config.json: a
// credHelpers entry for the registry, a credsStore for the rest; a helper
// that does not know the registry falls back to auths; a helper that
// fails is named in the refusal; the secret is never printed.
func TestCredentialHelpers(t *testing.T) {
	t.Parallel()
	reg := testutil.StartRegistry(t, testutil.RegistryOptions{Htpasswd: true})
	ws := t.TempDir()
	writeDist(t, ws, "dist", fixtureProject("1.0.0", "refs/tags/v1.0.0"), amd64)
	repo := reg.Host + "/helpers/hello"
	bin := t.TempDir()
	helper := func(name, script string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(bin, "docker-credential-"+name), []byte("#!/bin/sh\n"+script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// A helper answering for exactly this registry, as docker-credential-* do.
	helper("good", `read -r server
if [ "$server" = "`+reg.Host+`" ]; then
  printf '{"ServerURL":"%s","Username":"`+testutil.RegistryUser+`","Secret":"`+testutil.RegistryPassword+`"}' "$server"
else
  echo "credentials not found in native keychain"; exit 1
fi
`)
	helper("unknown", "echo 'credentials not found in native keychain'; exit 1\n")
	helper("broken", "echo 'keychain locked' >&2; exit 3\n")
	path := bin + string(os.PathListSeparator) + os.Getenv("PATH")
	goodAuth := base64.StdEncoding.EncodeToString([]byte(testutil.RegistryUser + ":" + testutil.RegistryPassword))
	badAuth := base64.StdEncoding.EncodeToString([]byte(testutil.RegistryUser + ":wrong"))
	for _, tc := range []struct {
		name, config string
		code         int
		want         string
	}{
		{"credHelpers", `{"credHelpers":{"` + reg.Host + `":"good"},"auths":{"` + reg.Host + `":{"auth":"` + badAuth + `"}}}`, 0, ""},
		{"credsStore", `{"credsStore":"good"}`, 0, ""},
		{"unknown to the helper: auths", `{"credsStore":"unknown","auths":{"` + reg.Host + `":{"auth":"` + goodAuth + `"}}}`, 0, ""},
		{"broken helper", `{"credHelpers":{"` + reg.Host + `":"broken"}}`, gha.ExitUsage, "docker-credential-broken for " + reg.Host + ": exit status 3: keychain locked"},
		{"helper not installed", `{"credsStore":"nowhere"}`, gha.ExitUsage, "docker-credential-nowhere is not on PATH"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg := t.TempDir()
			if err := os.WriteFile(filepath.Join(cfg, "config.json"), []byte(tc.config), 0o600); err != nil {
				t.Fatal(err)
			}
			r := runCLI(t, ws, nil, map[string]string{"DOCKER_CONFIG": cfg, "PATH": path}, "--repository", repo, "--base", "scratch", "--tag-strategy", "none", "--tags", strings.ReplaceAll(tc.name, " ", "-")[:10])
			r.mustCode(t, tc.code)
			if !strings.Contains(r.stderr, tc.want) {
				t.Errorf("stderr lacks %q:\n%s", tc.want, r.stderr)
			}
			if strings.Contains(r.stdout+r.stderr, testutil.RegistryPassword) {
				t.Error("the secret was printed")
			}
		})
	}
}
