package sign

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/registry"

	"github.com/slipway-dev/slipway/internal/oci"
	"github.com/slipway-dev/slipway/internal/testutil"
)

// TestReferrersStorage signs an index in go-containerregistry's registry
// with the OCI 1.1 referrers API: storage auto picks referrers (no .sig
// tag is written), every manifest gets a signature and a provenance
// referrer and the index the SBOM, cosign (--experimental-oci11) verifies them, our verify
// mode finds them; storage tag on the same registry writes the tag scheme;
// storage referrers on a registry without the API is a usage error.
func TestReferrersStorage(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0)), registry.WithReferrersSupport(true)))
	t.Cleanup(srv.Close)
	host := strings.TrimPrefix(srv.URL, "http://")
	ws := t.TempDir()
	repo := host + "/slipway/referrers"
	x := pushIndex(t, ws, repo)
	writeFile(t, filepath.Join(ws, "sbom.cdx.json"), []byte(`{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"components":[]}`))
	// An explicit sbom input goes on the index only.
	env := map[string]string{"COSIGN_PASSWORD": "pw"}
	runCLI(t, ws, env, "--mode", "generate-key", "--key", "k.key").mustCode(t, 0)
	runCLI(t, ws, env, "--key", "k.key", "--images", repo+":v1", "--sbom", "sbom.cdx.json").mustCode(t, 0)

	ctx := context.Background()
	c := oci.NewClient(oci.ClientOptions{})
	subjects := []string{x.Digest}
	for _, m := range x.Manifests {
		subjects = append(subjects, m.Digest)
	}
	for _, d := range subjects {
		sigs, err := c.Referrers(ctx, repo, d, oci.ArtifactTypeSignature)
		if err != nil || len(sigs) != 1 {
			t.Errorf("%s: %d signature referrers (%v), want 1", d, len(sigs), err)
		}
		atts, err := c.Referrers(ctx, repo, d, oci.ArtifactTypeAttestation)
		if want := map[bool]int{true: 2, false: 1}[d == x.Digest]; err != nil || len(atts) != want {
			t.Errorf("%s: %d attestation referrers (%v), want %d (provenance, and the SBOM on the index)", d, len(atts), err, want)
		}
		if tagged, err := c.Signatures(ctx, repo, d, oci.SuffixSignature); err != nil || len(tagged) != 0 {
			t.Errorf("%s: %d layers under the .sig tag (%v), want none with referrers storage", d, len(tagged), err)
		}
		mustCosign(t, ws, "pw", "verify", "--key", "k.pub", "--insecure-ignore-tlog", "--allow-insecure-registry", "--experimental-oci11", repo+"@"+d)
	}
	runCLI(t, ws, nil, "--mode", "verify", "--public-key", "k.pub", "--images", repo+":v1").mustCode(t, 0)

	// Forced tag storage on the same registry.
	runCLI(t, ws, env, "--key", "k.key", "--images", repo+":v1", "--storage", "tag", "--attest=false").mustCode(t, 0)
	if tagged, err := c.Signatures(ctx, repo, x.Digest, oci.SuffixSignature); err != nil || len(tagged) != 1 {
		t.Errorf("storage tag: %d layers under the .sig tag (%v), want 1", len(tagged), err)
	}

	// Forced referrers on the CNCF registry, which has no referrers API.
	reg := testutil.StartRegistry(t, testutil.RegistryOptions{})
	repo2 := reg.Host + "/slipway/noreferrers"
	pushIndex(t, ws, repo2)
	r := runCLI(t, ws, env, "--key", "k.key", "--images", repo2+":v1", "--storage", "referrers")
	r.mustCode(t, 2)
	if !strings.Contains(r.stderr, "referrers API") {
		t.Errorf("the usage error does not explain the storage:\n%s", r.stderr)
	}
}

// TestCosignSBOMAttestation: cosign verify-attestation --type cyclonedx
// (and spdxjson) accepts the SBOM attestations sign attaches to the
// manifests the SBOMs name, and only to those.
func TestCosignSBOMAttestation(t *testing.T) {
	t.Parallel()
	reg := testutil.StartRegistry(t, testutil.RegistryOptions{})
	ws := t.TempDir()
	repo := reg.Host + "/slipway/sbom"
	x := pushIndex(t, ws, repo)
	// As the scan action writes them: one SBOM per platform image and a combined one naming the index.
	for i, d := range []string{x.Digest, x.Manifests[0].Digest, x.Manifests[1].Digest} {
		writeFile(t, filepath.Join(ws, "dist", "sbom", fmt.Sprintf("s%d.cdx.json", i)), []byte(`{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,`+
			`"metadata":{"component":{"type":"container","name":"hello","version":"`+d+`"}},"components":[{"type":"library","name":"golang.org/x/text","version":"v0.31.0"}]}`))
	}
	// An SPDX 2.3 SBOM names its subject through the DESCRIBES relationship.
	arm := x.Manifests[1].Digest
	writeFile(t, filepath.Join(ws, "dist", "sbom", "arm.spdx.json"), []byte(`{"spdxVersion":"SPDX-2.3","SPDXID":"SPDXRef-DOCUMENT","name":"hello",`+
		`"packages":[{"SPDXID":"SPDXRef-Subject","name":"hello","versionInfo":"`+arm+`","downloadLocation":"NOASSERTION"}],`+
		`"relationships":[{"spdxElementId":"SPDXRef-DOCUMENT","relationshipType":"DESCRIBES","relatedSpdxElement":"SPDXRef-Subject"}]}`))
	env := map[string]string{"COSIGN_PASSWORD": "pw"}
	runCLI(t, ws, env, "--mode", "generate-key", "--key", "k.key").mustCode(t, 0)
	runCLI(t, ws, env, "--key", "k.key", "--images", repo+":v1").mustCode(t, 0) // the SBOMs are found under dist/sbom
	out := mustCosign(t, ws, "pw", "verify-attestation", "--key", "k.pub", "--type", "spdxjson", "--insecure-ignore-tlog", "--allow-insecure-registry", repo+"@"+arm)
	if st := attestedStatement(t, out); !strings.Contains(st, arm) {
		t.Errorf("the SPDX attestation on %s is not its SBOM:\n%s", arm, st)
	}
	if out, err := cosign(t, ws, "pw", "verify-attestation", "--key", "k.pub", "--type", "spdxjson", "--insecure-ignore-tlog", "--allow-insecure-registry", repo+"@"+x.Digest); err == nil {
		t.Errorf("the index got the arm64 image's SPDX SBOM:\n%s", out)
	}
	for _, d := range []string{x.Digest, x.Manifests[0].Digest, x.Manifests[1].Digest} {
		out := mustCosign(t, ws, "pw", "verify-attestation", "--key", "k.pub", "--type", "cyclonedx", "--insecure-ignore-tlog", "--allow-insecure-registry", repo+"@"+d)
		if st := attestedStatement(t, out); !strings.Contains(st, `"version":"`+d+`"`) || !strings.Contains(st, "golang.org/x/text") {
			t.Errorf("%s: the attested SBOM is not the one naming this manifest:\n%s", d, st)
		}
	}
}

// attestedStatement decodes the payload of the DSSE envelope cosign
// verify-attestation prints.
func attestedStatement(t *testing.T, out string) string {
	t.Helper()
	for _, line := range strings.Split(out, "\n") {
		var env Envelope
		if json.Unmarshal([]byte(line), &env) == nil && env.Payload != "" {
			p, err := env.DecodePayload()
			if err != nil {
				t.Fatal(err)
			}
			return string(p)
		}
	}
	t.Fatalf("no DSSE envelope in cosign's output:\n%s", out)
	return ""
}
