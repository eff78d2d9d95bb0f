package sign

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/oci"
	"github.com/slipway-dev/slipway/internal/testutil"
)

// TestCosignBlobs runs the real cosign v2.6.5: it accepts our blob
// signatures made with our generate-key output, we sign with a key cosign
// generated, our verify mode accepts cosign's signature, and rejects a
// tampered file and a signature from another key (exit 3 naming it).
func TestCosignBlobs(t *testing.T) {
	t.Parallel()
	ws := t.TempDir()
	writeFile(t, filepath.Join(ws, "files", "a.txt"), []byte("hello\n"))
	writeFile(t, filepath.Join(ws, "files", "b.txt"), []byte("world\n"))
	env := map[string]string{"COSIGN_PASSWORD": "pw"}
	runCLI(t, ws, env, "--mode", "generate-key", "--key", "keys/cosign.key").mustCode(t, 0)
	runCLI(t, ws, env, "--key", "keys/cosign.key", "--paths", "files/a.txt,files/b.txt").mustCode(t, 0)
	mustCosign(t, ws, "pw", "verify-blob", "--key", "keys/cosign.pub", "--signature", "dist/sig/files/a.txt.sig", "--insecure-ignore-tlog", "files/a.txt")
	if out, err := cosign(t, ws, "pw", "verify-blob", "--key", "keys/cosign.pub", "--signature", "dist/sig/files/a.txt.sig", "--insecure-ignore-tlog", "files/b.txt"); err == nil {
		t.Fatalf("cosign accepted a's signature for b:\n%s", out)
	}
	// The Sigstore bundles and the provenance: cosign v2 reads new-format
	// bundles only with a trusted root (an empty one: the key is the trust),
	// v3 without; both reject the bundle for another file.
	writeFile(t, filepath.Join(ws, "empty_root.json"), []byte(`{"mediaType":"application/vnd.dev.sigstore.trustedroot+json;version=0.1"}`))
	for tool, extra := range map[string][]string{"cosign": {"--trusted-root", "empty_root.json"}, "cosign3": nil} {
		bundle := append([]string{"verify-blob", "--key", "keys/cosign.pub", "--bundle", "dist/sig/files/a.txt.sigstore.json", "--insecure-ignore-tlog"}, extra...)
		mustCosignTool(t, tool, ws, "", append(bundle, "files/a.txt")...)
		if out, err := cosignTool(t, tool, ws, "", append(bundle, "files/b.txt")...); err == nil {
			t.Errorf("%s accepted a's bundle for b:\n%s", tool, out)
		}
		mustCosignTool(t, tool, ws, "", "verify-blob", "--key", "keys/cosign.pub", "--signature", "dist/sig/files/b.txt.sig", "--insecure-ignore-tlog", "files/b.txt")
		for _, f := range []string{"files/a.txt", "files/b.txt"} {
			mustCosignTool(t, tool, ws, "", append(append([]string{"verify-blob-attestation", "--key", "keys/cosign.pub", "--bundle", "dist/sig/provenance.intoto.sigstore.json",
				"--type", "slsaprovenance1", "--insecure-ignore-tlog"}, extra...), f)...)
		}
	}
	if pub := testutil.ReadFile(t, filepath.Join(ws, "dist", "sig", "cosign.pub")); string(pub) != string(testutil.ReadFile(t, filepath.Join(ws, "keys", "cosign.pub"))) {
		t.Errorf("dist/sig/cosign.pub is not the signing key's public half:\n%s", pub)
	}

	// A key made by cosign generate-key-pair signs here; cosign verifies it.
	mustCosign(t, ws, "cpw", "generate-key-pair", "--output-key-prefix", "ck")
	runCLI(t, ws, map[string]string{"COSIGN_PASSWORD": "cpw"}, "--key", "ck.key", "--paths", "files/b.txt", "--dist", "dist2").mustCode(t, 0)
	mustCosign(t, ws, "cpw", "verify-blob", "--key", "ck.pub", "--signature", "dist2/sig/files/b.txt.sig", "--insecure-ignore-tlog", "files/b.txt")

	// cosign's own signature passes our verify mode.
	if err := os.MkdirAll(filepath.Join(ws, "dist3", "sig", "files"), 0o755); err != nil {
		t.Fatal(err)
	}
	mustCosign(t, ws, "pw", "sign-blob", "--key", "keys/cosign.key", "--tlog-upload=false", "--output-signature", "dist3/sig/files/a.txt.sig", "files/a.txt")
	runCLI(t, ws, nil, "--mode", "verify", "--public-key", "keys/cosign.pub", "--paths", "files/a.txt", "--dist", "dist3").mustCode(t, 0)
	// Another key's signature: exit 3 naming the subject.
	r := runCLI(t, ws, nil, "--mode", "verify", "--public-key", "ck.pub", "--paths", "files/a.txt", "--dist", "dist3")
	r.mustCode(t, 3)
	if !strings.Contains(r.stdout+r.stderr, "files/a.txt") {
		t.Errorf("the finding does not name the subject:\n%s", r.stdout)
	}
	// Tampered file: exit 3.
	runCLI(t, ws, nil, "--mode", "verify", "--public-key", "keys/cosign.pub", "--paths", "files/a.txt,files/b.txt").mustCode(t, 0)
	writeFile(t, filepath.Join(ws, "files", "a.txt"), []byte("hellO\n"))
	r = runCLI(t, ws, nil, "--mode", "verify", "--public-key", "keys/cosign.pub", "--paths", "files/a.txt,files/b.txt")
	r.mustCode(t, 3)
	if !strings.Contains(r.stderr, "1 of 2 subjects failed verification: files/a.txt") {
		t.Errorf("want exactly files/a.txt named:\n%s", r.stderr)
	}
}

// TestCosignImages signs a two-platform index in the CNCF registry: cosign
// verify accepts the index and each platform manifest, a second signature is
// appended (the first still verifies), cosign verify-attestation accepts the
// SLSA provenance, our verify accepts cosign's signature and rejects a
// missing one.
func TestCosignImages(t *testing.T) {
	t.Parallel()
	reg := testutil.StartRegistry(t, testutil.RegistryOptions{})
	ws := t.TempDir()
	repo := reg.Host + "/slipway/hello"
	x := pushIndex(t, ws, repo)
	env := map[string]string{"COSIGN_PASSWORD": "pw"}
	runCLI(t, ws, env, "--mode", "generate-key", "--key", "k1.key").mustCode(t, 0)
	runCLI(t, ws, env, "--mode", "generate-key", "--key", "k2.key").mustCode(t, 0)
	// The same index by tag and by digest: signed once.
	r := runCLI(t, ws, env, "--key", "k1.key", "--images", repo+":v1,"+repo+"@"+x.Digest)
	r.mustCode(t, 0)
	if !strings.Contains(r.stderr, "Signing 3 image manifests") {
		t.Errorf("the index given twice was not signed once:\n%s", r.stderr)
	}
	subjects := []string{repo + "@" + x.Digest}
	for _, m := range x.Manifests {
		subjects = append(subjects, repo+"@"+m.Digest)
	}
	for _, s := range subjects {
		mustCosign(t, ws, "pw", "verify", "--key", "k1.pub", "--insecure-ignore-tlog", "--allow-insecure-registry", s)
		mustCosign(t, ws, "pw", "verify-attestation", "--key", "k1.pub", "--type", "slsaprovenance1", "--insecure-ignore-tlog", "--allow-insecure-registry", s)
		// cosign v3 reads cosign's tag scheme with the new bundle format off.
		mustCosignTool(t, "cosign3", ws, "", "verify", "--key", "k1.pub", "--insecure-ignore-tlog", "--allow-insecure-registry", "--new-bundle-format=false", s)
		mustCosignTool(t, "cosign3", ws, "", "verify-attestation", "--key", "k1.pub", "--type", "slsaprovenance1", "--insecure-ignore-tlog", "--allow-insecure-registry", "--new-bundle-format=false", s)
	}
	// Append a second signature: both keys verify.
	runCLI(t, ws, env, "--key", "k2.key", "--images", repo+":v1", "--attest=false").mustCode(t, 0)
	for _, k := range []string{"k1.pub", "k2.pub"} {
		mustCosign(t, ws, "pw", "verify", "--key", k, "--insecure-ignore-tlog", "--allow-insecure-registry", subjects[0])
	}
	c := oci.NewClient(oci.ClientOptions{})
	sigs, err := c.Signatures(context.Background(), repo, x.Digest, oci.SuffixSignature)
	if err != nil || len(sigs) != 2 {
		t.Fatalf("index signatures: %d, %v; want 2 layers", len(sigs), err)
	}
	// Signing again with k1 adds nothing (same payload and signature are not duplicated only when identical;
	// ECDSA signatures differ, so a third layer appears and the earlier two stay).
	runCLI(t, ws, nil, "--mode", "verify", "--public-key", "k1.pub", "--images", repo+":v1").mustCode(t, 0)

	// cosign signs another tag's index; our verify accepts it.
	x2 := pushIndexNamed(t, ws, reg.Host+"/slipway/other", "other")
	mustCosign(t, ws, "pw", "sign", "--key", "k2.key", "--tlog-upload=false", "--allow-insecure-registry", "--recursive", reg.Host+"/slipway/other@"+x2.Digest)
	runCLI(t, ws, nil, "--mode", "verify", "--public-key", "k2.pub", "--images", reg.Host+"/slipway/other:v1").mustCode(t, 0)
	r = runCLI(t, ws, nil, "--mode", "verify", "--public-key", "k1.pub", "--images", reg.Host+"/slipway/other:v1")
	r.mustCode(t, 3)
	if !strings.Contains(r.stderr, "failed verification: "+reg.Host+"/slipway/other@"+x2.Digest) {
		t.Errorf("the finding does not name the image:\n%s", r.stderr)
	}
	// cosign attests the index (SLSA provenance): our verify checks the
	// attestation and records its predicate type; an index whose only
	// attestation was made by another key fails.
	writeFile(t, filepath.Join(ws, "provenance.json"), []byte(`{"buildDefinition":{"buildType":"https://example.com/build"},"runDetails":{"builder":{"id":"https://example.com/builder"}}}`))
	mustCosign(t, ws, "pw", "attest", "--key", "k2.key", "--tlog-upload=false", "--allow-insecure-registry", "--type", "slsaprovenance1",
		"--predicate", "provenance.json", reg.Host+"/slipway/other@"+x2.Digest)
	r = runCLI(t, ws, nil, "--mode", "verify", "--public-key", "k2.pub", "--recursive=false", "--images", reg.Host+"/slipway/other:v1")
	r.mustCode(t, 0)
	if !strings.Contains(r.stdout, `"predicateType":"https://slsa.dev/provenance/v1"`) {
		t.Errorf("cosign's attestation is not in the verified records:\n%s", r.stdout)
	}
	x3 := pushIndexNamed(t, ws, reg.Host+"/slipway/third", "third")
	mustCosign(t, ws, "pw", "sign", "--key", "k2.key", "--tlog-upload=false", "--allow-insecure-registry", reg.Host+"/slipway/third@"+x3.Digest)
	mustCosign(t, ws, "pw", "attest", "--key", "k1.key", "--tlog-upload=false", "--allow-insecure-registry", "--type", "slsaprovenance1",
		"--predicate", "provenance.json", reg.Host+"/slipway/third@"+x3.Digest)
	r = runCLI(t, ws, nil, "--mode", "verify", "--public-key", "k2.pub", "--recursive=false", "--images", reg.Host+"/slipway/third:v1")
	r.mustCode(t, 3)
	if !strings.Contains(r.stderr, "attestations verifies") {
		t.Errorf("an attestation by another key was accepted:\n%s", r.stderr)
	}

	// An image not in the registry: usage error naming it.
	r = runCLI(t, ws, env, "--key", "k1.key", "--images", reg.Host+"/slipway/none:v9")
	r.mustCode(t, 2)
}

func pushIndex(t *testing.T, ws, repo string) *oci.Index { return pushIndexNamed(t, ws, repo, "hello") }

// pushIndexNamed builds a two-platform scratch index with publish's oci
// package and pushes it to repo:v1.
func pushIndexNamed(t *testing.T, ws, repo, name string) *oci.Index {
	t.Helper()
	var imgs []*oci.Image
	for _, arch := range []string{"amd64", "arm64"} {
		bin := filepath.Join(ws, name+"-"+arch)
		if err := os.WriteFile(bin, []byte(name+" binary for "+arch), 0o755); err != nil {
			t.Fatal(err)
		}
		img, err := oci.BuildImage(&oci.Base{Ref: oci.Scratch}, oci.ImageSpec{
			Platform: oci.Platform{OS: "linux", Architecture: arch},
			Files:    []oci.LayerFile{{Path: "/usr/local/bin/" + name, Source: bin}},
			Config:   oci.ImageConfig{Entrypoint: []string{"/usr/local/bin/" + name}, Created: time.Unix(1700000000, 0)},
		})
		if err != nil {
			t.Fatal(err)
		}
		imgs = append(imgs, img)
	}
	x, err := oci.NewIndex(imgs, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := oci.NewClient(oci.ClientOptions{})
	if err := c.PushIndex(context.Background(), repo, x); err != nil {
		t.Fatal(err)
	}
	if err := c.Tag(context.Background(), repo, x, []string{"v1"}); err != nil {
		t.Fatal(err)
	}
	return x
}

// TestTamperedCosignSignatures: signature layers cosign made, moved or
// edited, are rejected by our verify mode: a valid layer copied under
// another image's .sig tag (its payload names the first digest), and the
// same layer with its payload edited to name the second digest (the
// signature no longer matches). --recursive=false keeps the check to the
// index itself.
func TestTamperedCosignSignatures(t *testing.T) {
	t.Parallel()
	reg := testutil.StartRegistry(t, testutil.RegistryOptions{})
	ws := t.TempDir()
	a := pushIndexNamed(t, ws, reg.Host+"/slipway/a", "a")
	b := pushIndexNamed(t, ws, reg.Host+"/slipway/b", "b")
	c := pushIndexNamed(t, ws, reg.Host+"/slipway/c", "c")
	mustCosign(t, ws, "pw", "generate-key-pair", "--output-key-prefix", "ck")
	mustCosign(t, ws, "pw", "sign", "--key", "ck.key", "--tlog-upload=false", "--allow-insecure-registry", reg.Host+"/slipway/a@"+a.Digest)
	runCLI(t, ws, nil, "--mode", "verify", "--public-key", "ck.pub", "--recursive=false", "--images", reg.Host+"/slipway/a:v1").mustCode(t, 0)

	ctx := context.Background()
	client := oci.NewClient(oci.ClientOptions{})
	layers, err := client.Signatures(ctx, reg.Host+"/slipway/a", a.Digest, oci.SuffixSignature)
	if err != nil || len(layers) != 1 {
		t.Fatalf("cosign's signature: %d layers, %v", len(layers), err)
	}
	// Moved: a's signature under b's tag.
	if _, _, err := client.AppendSignature(ctx, reg.Host+"/slipway/b", b.Digest, oci.SuffixSignature, layers[0]); err != nil {
		t.Fatal(err)
	}
	r := runCLI(t, ws, nil, "--mode", "verify", "--public-key", "ck.pub", "--recursive=false", "--images", reg.Host+"/slipway/b:v1")
	r.mustCode(t, 3)
	if !strings.Contains(r.stderr, "the payload signs "+a.Digest+", not "+b.Digest) {
		t.Errorf("the moved signature is not explained:\n%s", r.stderr)
	}
	// Edited: the payload names c, the signature is still a's.
	edited := layers[0]
	edited.Payload = []byte(strings.Replace(string(edited.Payload), a.Digest, c.Digest, 1))
	if _, _, err := client.AppendSignature(ctx, reg.Host+"/slipway/c", c.Digest, oci.SuffixSignature, edited); err != nil {
		t.Fatal(err)
	}
	r = runCLI(t, ws, nil, "--mode", "verify", "--public-key", "ck.pub", "--recursive=false", "--images", reg.Host+"/slipway/c:v1")
	r.mustCode(t, 3)
	if !strings.Contains(r.stderr, "signature does not verify") {
		t.Errorf("the edited payload is not rejected for its signature:\n%s", r.stderr)
	}
	// cosign agrees on both.
	for _, ref := range []string{reg.Host + "/slipway/b@" + b.Digest, reg.Host + "/slipway/c@" + c.Digest} {
		if out, err := cosign(t, ws, "", "verify", "--key", "ck.pub", "--insecure-ignore-tlog", "--allow-insecure-registry", ref); err == nil {
			t.Errorf("cosign accepted the tampered signature on %s:\n%s", ref, out)
		}
	}
}
