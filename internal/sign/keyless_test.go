package sign

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slipway-dev/slipway/internal/sign/sigstoretest"
	"github.com/slipway-dev/slipway/internal/testutil"
)

// keylessEnv starts a private Sigstore on loopback and returns the env of
// a job with `id-token: write` and the flags pointing sign at it.
func keylessEnv(t *testing.T, ws string) (*sigstoretest.Sigstore, map[string]string, []string) {
	t.Helper()
	ss := sigstoretest.Start(t, sigstoretest.Options{})
	writeFile(t, filepath.Join(ws, "trusted_root.json"), ss.TrustedRootJSON(t))
	return ss, ss.Env(), []string{"--signer", "keyless", "--fulcio-url", ss.FulcioURL, "--rekor-url", ss.RekorURL, "--oidc-issuer", ss.Issuer}
}

// TestKeylessBlobs signs files keyless against loopback Fulcio and Rekor:
// the real cosign (v2 and v3) verifies the Sigstore bundles with the
// private trusted root (certificate chain, embedded SCT, log inclusion
// proof and SET, identity and issuer), and so does our verify mode, which
// rejects a tampered file and another identity.
func TestKeylessBlobs(t *testing.T) {
	t.Parallel()
	ws := t.TempDir()
	writeFile(t, filepath.Join(ws, "files", "a.txt"), []byte("hello\n"))
	writeFile(t, filepath.Join(ws, "files", "b.txt"), []byte("world\n"))
	ss, env, flags := keylessEnv(t, ws)
	r := runCLI(t, ws, env, append(flags, "--paths", "files/a.txt,files/b.txt")...)
	r.mustCode(t, 0)
	if n := ss.Entries(); n != 3 {
		t.Errorf("Rekor holds %d entries, want 3 (one per file, one for the provenance)", n)
	}
	for _, f := range []string{"a.txt.sig", "a.txt.pem", "a.txt.sigstore.json", "b.txt.sigstore.json"} {
		if _, err := os.Stat(filepath.Join(ws, "dist", "sig", "files", f)); err != nil {
			t.Errorf("%s not written: %v", f, err)
		}
	}
	if pem := string(testutil.ReadFile(t, filepath.Join(ws, "dist", "sig", "files", "a.txt.pem"))); !strings.Contains(pem, "BEGIN CERTIFICATE") {
		t.Errorf("a.txt.pem is not a certificate:\n%s", pem)
	}

	verify := []string{"verify-blob", "--bundle", "dist/sig/files/a.txt.sigstore.json", "--trusted-root", "trusted_root.json",
		"--certificate-identity", ss.Identity, "--certificate-oidc-issuer", ss.Issuer}
	for _, tool := range []string{"cosign", "cosign3"} {
		out := mustCosignTool(t, tool, ws, "", append(verify, "files/a.txt")...)
		if !strings.Contains(out, "Verified OK") {
			t.Errorf("%s: no Verified OK:\n%s", tool, out)
		}
		if out, err := cosignTool(t, tool, ws, "", append(verify, "files/b.txt")...); err == nil {
			t.Errorf("%s accepted a.txt's bundle for b.txt:\n%s", tool, out)
		}
		att := []string{"verify-blob-attestation", "--bundle", "dist/sig/provenance.intoto.sigstore.json", "--type", "slsaprovenance1",
			"--trusted-root", "trusted_root.json", "--certificate-identity", ss.Identity, "--certificate-oidc-issuer", ss.Issuer}
		for _, f := range []string{"files/a.txt", "files/b.txt"} {
			mustCosignTool(t, tool, ws, "", append(att, f)...)
		}
		other := append([]string(nil), verify...)
		other[6] = "https://github.com/someone/else/.github/workflows/release.yml@refs/heads/main"
		if out, err := cosignTool(t, tool, ws, "", append(other, "files/a.txt")...); err == nil {
			t.Errorf("%s accepted another identity:\n%s", tool, out)
		}
	}

	vflags := func(identity, issuer string) []string {
		return []string{"--mode", "verify", "--signer", "keyless", "--trusted-root", "trusted_root.json",
			"--certificate-identity", identity, "--certificate-oidc-issuer", issuer, "--paths", "files/a.txt,files/b.txt"}
	}
	runCLI(t, ws, nil, vflags(ss.Identity, ss.Issuer)...).mustCode(t, 0)
	runCLI(t, ws, nil, vflags("https://github.com/someone/else/.github/workflows/x.yml@refs/heads/main", ss.Issuer)...).mustCode(t, 3)
	runCLI(t, ws, nil, vflags(ss.Identity, "https://accounts.example.com")...).mustCode(t, 3)
	// An identity pattern (any tag of the workflow, as cosign's --certificate-identity-regexp).
	re := func(pattern string) []string {
		return []string{"--mode", "verify", "--signer", "keyless", "--trusted-root", "trusted_root.json",
			"--certificate-identity-regexp", pattern, "--certificate-oidc-issuer", ss.Issuer, "--paths", "files/a.txt"}
	}
	runCLI(t, ws, nil, re(`^https://github\.com/slipway-dev/hello/\.github/workflows/release\.yml@refs/`)...).mustCode(t, 0)
	runCLI(t, ws, nil, re(`^https://github\.com/someone/`)...).mustCode(t, 3)
	runCLI(t, ws, nil, re(`(unclosed`)...).mustCode(t, 2)
	runCLI(t, ws, nil, append(re(`.*`), "--certificate-identity", ss.Identity)...).mustCode(t, 2)
	writeFile(t, filepath.Join(ws, "files", "b.txt"), []byte("World\n"))
	r = runCLI(t, ws, nil, vflags(ss.Identity, ss.Issuer)...)
	r.mustCode(t, 3)
	if !strings.Contains(r.stderr, "1 of 2 subjects failed verification: files/b.txt") {
		t.Errorf("want exactly files/b.txt named:\n%s", r.stderr)
	}
}

// TestKeylessResilience: transient Fulcio, Rekor and token-endpoint
// failures are retried (503 with Retry-After, 502, 500) and the signing
// succeeds; a Rekor that keeps failing stops the run with an error naming
// the service and the subject, and nothing is written; a job without the
// OIDC token variables gets a usage error naming the permission.
func TestKeylessResilience(t *testing.T) {
	t.Parallel()
	ws := t.TempDir()
	writeFile(t, filepath.Join(ws, "files", "a.txt"), []byte("hello\n"))
	ss, env, flags := keylessEnv(t, ws)
	ss.Fail(sigstoretest.OIDC, http.StatusServiceUnavailable)
	ss.Fail(sigstoretest.Fulcio, http.StatusServiceUnavailable, http.StatusBadGateway)
	ss.Fail(sigstoretest.Rekor, http.StatusInternalServerError, http.StatusTooManyRequests)
	runCLI(t, ws, env, append(flags, "--paths", "files/a.txt")...).mustCode(t, 0)
	for svc, want := range map[string]int{sigstoretest.OIDC: 2, sigstoretest.Fulcio: 3, sigstoretest.Rekor: 4} { // Rekor: 2 failures, the file, the provenance
		if got := ss.Requests(svc); got != want {
			t.Errorf("%s got %d requests, want %d", svc, got, want)
		}
	}
	mustCosignTool(t, "cosign", ws, "", "verify-blob", "--bundle", "dist/sig/files/a.txt.sigstore.json", "--trusted-root", "trusted_root.json",
		"--certificate-identity", ss.Identity, "--certificate-oidc-issuer", ss.Issuer, "files/a.txt")

	// Rekor down for longer than the retries: exit 1 naming Rekor and the file; no signature left.
	ss.Fail(sigstoretest.Rekor, 503, 503, 503, 503, 503, 503)
	r := runCLI(t, ws, env, append(flags, "--paths", "files/a.txt", "--dist", "dist2")...)
	r.mustCode(t, 1)
	for _, want := range []string{"Rekor at " + ss.RekorURL, "giving up after 4 tries", "files/a.txt"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("the error does not say %q:\n%s", want, r.stderr)
		}
	}
	if _, err := os.Stat(filepath.Join(ws, "dist2", "sig", "files", "a.txt.sig")); err == nil {
		t.Error("a signature was written although the log entry failed")
	}

	// No id-token permission.
	r = runCLI(t, ws, nil, append(flags, "--paths", "files/a.txt")...)
	r.mustCode(t, 2)
	if !strings.Contains(r.stderr, "id-token: write") {
		t.Errorf("the error does not name the permission:\n%s", r.stderr)
	}
	// A token from another issuer than oidc-issuer.
	r = runCLI(t, ws, env, "--signer", "keyless", "--fulcio-url", ss.FulcioURL, "--rekor-url", ss.RekorURL, "--oidc-issuer", "https://token.actions.githubusercontent.com", "--paths", "files/a.txt")
	r.mustCode(t, 2)
}

// TestKeylessImages signs a two-platform index keyless: cosign verify
// accepts the index and each platform manifest with the private deployment's
// CA, Rekor and CT keys (its certificate, chain and SET annotations), and
// verify-attestation accepts the provenance; our verify mode accepts them
// with the trusted root and rejects another identity.
func TestKeylessImages(t *testing.T) {
	t.Parallel()
	reg := testutil.StartRegistry(t, testutil.RegistryOptions{})
	ws := t.TempDir()
	repo := reg.Host + "/slipway/keyless"
	x := pushIndex(t, ws, repo)
	ss, env, flags := keylessEnv(t, ws)
	runCLI(t, ws, env, append(flags, "--images", repo+":v1")...).mustCode(t, 0)
	if n := ss.Entries(); n != 6 {
		t.Errorf("Rekor holds %d entries, want 6 (a signature and a provenance per manifest)", n)
	}
	cenv := ss.Files(t, ws)
	subjects := []string{repo + "@" + x.Digest}
	for _, m := range x.Manifests {
		subjects = append(subjects, repo+"@"+m.Digest)
	}
	id := []string{"--certificate-identity", ss.Identity, "--certificate-oidc-issuer", ss.Issuer, "--allow-insecure-registry"}
	for _, s := range subjects {
		for _, args := range [][]string{
			append([]string{"verify"}, id...),
			append([]string{"verify-attestation", "--type", "slsaprovenance1"}, id...),
		} {
			if out, err := cosignEnv(t, "cosign", ws, cenv, append(args, s)...); err != nil {
				t.Fatalf("cosign %s %s: %v\n%s", args[0], s, err, out)
			}
		}
	}
	if out, err := cosignEnv(t, "cosign", ws, cenv, "verify", "--certificate-identity", "https://github.com/someone/else/.github/workflows/release.yml@refs/heads/main",
		"--certificate-oidc-issuer", ss.Issuer, "--allow-insecure-registry", subjects[0]); err == nil {
		t.Errorf("cosign accepted another identity:\n%s", out)
	}

	vflags := func(identity string) []string {
		return []string{"--mode", "verify", "--signer", "keyless", "--trusted-root", "trusted_root.json",
			"--certificate-identity", identity, "--certificate-oidc-issuer", ss.Issuer, "--images", repo + ":v1"}
	}
	runCLI(t, ws, nil, vflags(ss.Identity)...).mustCode(t, 0)
	r := runCLI(t, ws, nil, vflags("https://github.com/someone/else/.github/workflows/release.yml@refs/heads/main")...)
	r.mustCode(t, 3)
	if !strings.Contains(r.stderr, "3 of 3 subjects failed verification") {
		t.Errorf("want all three manifests named:\n%s", r.stderr)
	}
}

// TestKeyWithRekor: a key signer with tlog-upload true logs every
// signature; cosign verifies the bundle with the log's key from the trusted
// root and without --insecure-ignore-tlog, and so do image signatures.
func TestKeyWithRekor(t *testing.T) {
	t.Parallel()
	reg := testutil.StartRegistry(t, testutil.RegistryOptions{})
	ws := t.TempDir()
	writeFile(t, filepath.Join(ws, "files", "a.txt"), []byte("hello\n"))
	repo := reg.Host + "/slipway/logged"
	x := pushIndex(t, ws, repo)
	ss, _, _ := keylessEnv(t, ws)
	env := map[string]string{"COSIGN_PASSWORD": "pw"}
	runCLI(t, ws, env, "--mode", "generate-key", "--key", "k.key").mustCode(t, 0)
	runCLI(t, ws, env, "--key", "k.key", "--tlog-upload", "true", "--rekor-url", ss.RekorURL, "--paths", "files/a.txt", "--images", repo+":v1", "--attest=false").mustCode(t, 0)
	if n := ss.Entries(); n != 4 {
		t.Errorf("Rekor holds %d entries, want 4 (the file, the index, two platforms)", n)
	}
	for _, tool := range []string{"cosign", "cosign3"} {
		mustCosignTool(t, tool, ws, "", "verify-blob", "--key", "k.pub", "--bundle", "dist/sig/files/a.txt.sigstore.json", "--trusted-root", "trusted_root.json", "files/a.txt")
	}
	cenv := ss.Files(t, ws)
	if out, err := cosignEnv(t, "cosign", ws, cenv, "verify", "--key", "k.pub", "--allow-insecure-registry", repo+"@"+x.Digest); err != nil {
		t.Fatalf("cosign verify with the log: %v\n%s", err, out)
	}
}
