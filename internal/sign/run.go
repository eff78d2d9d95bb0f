package sign

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/slipway-dev/slipway/internal/atomicfile"
	"github.com/slipway-dev/slipway/internal/gha"
	"github.com/slipway-dev/slipway/internal/manifest"
	"github.com/slipway-dev/slipway/internal/oci"
)

// Deps are the sign action's outside world.
type Deps struct {
	Transport http.RoundTripper // Fulcio, Rekor, the OIDC endpoint and registries; nil: the default
	Retry     Retry             // Fulcio, Rekor, OIDC; zero: 5 tries, 500ms..10s
	OCIRetry  oci.RetryPolicy   // registries; zero: publish's defaults
	Now       func() time.Time  // the clock when neither SOURCE_DATE_EPOCH nor a commit time is known
}

// sigDir is where signatures of files go, inside dist.
const sigDir = "sig"

// run is one sign run's shared state.
type run struct {
	a       *gha.Action
	c       Config
	d       Deps
	http    *http.Client
	oci     *oci.Client
	m       *manifest.Manifest // nil when there is no manifest (paths only)
	signer  *Signer
	ver     *Verifier
	rekor   *Rekor
	records []Record
	written []manifest.Artifact
	bundles []string
}

// Run executes the sign action.
func Run(ctx context.Context, a *gha.Action, d Deps) error {
	c, err := ParseConfig(a)
	if err != nil {
		return err
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	tr := d.Transport
	if tr == nil {
		tr = http.DefaultTransport.(*http.Transport).Clone()
	}
	r := &run{a: a, c: c, d: d, http: &http.Client{Transport: tr, Timeout: 60 * time.Second}}
	if c.Mode == ModeGenerateKey {
		return r.generateKey()
	}
	if err := r.loadManifest(); err != nil {
		return err
	}
	r.oci = r.newOCIClient()
	if c.Mode == ModeVerify {
		return r.verify(ctx)
	}
	return r.sign(ctx)
}

func (r *run) generateKey() error {
	end := r.a.Group("Generating a cosign key pair")
	defer end()
	pub := strings.TrimSuffix(r.c.Key, filepath.Ext(r.c.Key)) + ".pub"
	for _, p := range []string{r.c.Key, pub} {
		if _, err := os.Stat(p); err == nil {
			return gha.Usagef("key", "%s exists: generate-key never overwrites a key", gha.RelPath(r.c.Workspace, p))
		}
	}
	kp, err := GenerateKeyPair(r.c.Password)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(r.c.Key), 0o755); err != nil {
		return err
	}
	if err := atomicfile.Write(r.c.Key, kp.PrivatePEM, 0o600); err != nil {
		return err
	}
	if err := atomicfile.Write(pub, kp.PublicPEM, 0o644); err != nil {
		return err
	}
	r.a.Infof("wrote %s (encrypted private key) and %s", gha.RelPath(r.c.Workspace, r.c.Key), gha.RelPath(r.c.Workspace, pub))
	if err := r.a.SetOutput("public-key", gha.RelPath(r.c.Workspace, pub)); err != nil {
		return err
	}
	return r.a.Summary(fmt.Sprintf("### sign: generate-key\n\n| file | |\n|---|---|\n| `%s` | private key (encrypted; keep it in a secret) |\n| `%s` | public key (commit it) |\n",
		gha.RelPath(r.c.Workspace, r.c.Key), gha.RelPath(r.c.Workspace, pub)))
}

func (r *run) loadManifest() error {
	p := filepath.Join(r.c.Dist, manifest.FileName)
	if _, err := os.Stat(p); errors.Is(err, os.ErrNotExist) {
		if len(r.c.Paths) == 0 && len(r.c.Images) == 0 {
			return gha.Usagef("dist", "%s has no %s: run build-matrix first, or give paths or images", gha.RelPath(r.c.Workspace, r.c.Dist), manifest.FileName)
		}
		return nil
	}
	m, err := manifest.Load(p)
	if err != nil {
		return gha.Usagef("dist", "%v", err)
	}
	r.m = m
	return nil
}

func (r *run) newOCIClient() *oci.Client {
	dockerDir := r.a.Getenv("DOCKER_CONFIG")
	if dockerDir == "" {
		if home := r.a.Getenv("HOME"); home != "" {
			dockerDir = filepath.Join(home, ".docker")
		}
	}
	token := r.a.Getenv("GITHUB_TOKEN")
	r.a.Mask(token)
	auth, err := oci.LoadAuth(oci.AuthConfig{DockerConfigDir: dockerDir, GitHubToken: token, GitHubActor: r.a.Getenv("GITHUB_ACTOR"), HelperPath: r.a.Getenv("PATH")})
	if err != nil {
		r.a.Warnf("DOCKER_CONFIG: %v: registries are read anonymously", err)
		auth = nil
	}
	return oci.NewClient(oci.ClientOptions{Auth: auth, Transport: r.d.Transport, Retry: r.d.OCIRetry, UserAgent: "slipway-sign"})
}

// timestamp is SOURCE_DATE_EPOCH, else the commit time, else the clock.
func (r *run) timestamp() time.Time {
	if s := r.a.Getenv("SOURCE_DATE_EPOCH"); s != "" {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return time.Unix(n, 0).UTC()
		}
	}
	if r.m != nil && !r.m.Project.CommitTime.IsZero() {
		return r.m.Project.CommitTime
	}
	return r.d.Now().UTC()
}

// newSigner opens the configured signer.
func (r *run) newSigner(ctx context.Context) error {
	c := r.c
	end := r.a.Group("Opening the " + c.Signer + " signer")
	defer end()
	var err error
	switch c.Signer {
	case SignerKey:
		pemBytes := []byte(c.Key)
		if !c.KeyIsPEM {
			if pemBytes, err = os.ReadFile(c.Key); err != nil {
				return gha.Usagef("key", "%v", err)
			}
		}
		priv, err := DecryptPrivateKey(pemBytes, c.Password)
		if errors.Is(err, ErrWrongPassword) {
			return gha.Usagef("key-password", "%v (set key-password or COSIGN_PASSWORD to the key's password)", err)
		}
		if err != nil {
			return gha.Usagef("key", "%v", err)
		}
		if r.signer, err = NewKeySigner(priv); err != nil {
			return gha.Usagef("key", "%v", err)
		}
	case SignerKMS:
		r.signer, err = NewKMSSigner(ctx, c.Key)
		if errors.Is(err, ErrBadKMSURI) {
			return gha.Usagef("key", "%v", err)
		}
		if err != nil {
			return err
		}
	case SignerKeyless:
		tok, err := GitHubIDToken(ctx, r.a.Getenv, r.http, r.d.Retry, OIDCAudience)
		if errors.Is(err, ErrNoIDToken) {
			return gha.Usagef("signer", "%v", err)
		}
		if err != nil {
			return err
		}
		r.a.Mask(tok)
		iss, sub, err := TokenClaims(tok)
		if err != nil {
			return err
		}
		if c.OIDCIssuer != "" && iss != c.OIDCIssuer {
			return gha.Usagef("oidc-issuer", "the identity token comes from %q, not %q", iss, c.OIDCIssuer)
		}
		if r.signer, err = NewKeylessSigner(ctx, NewFulcio(c.FulcioURL, r.http, r.d.Retry), tok); err != nil {
			return err
		}
		r.a.Infof("Fulcio certified an ephemeral key for %s (issuer %s)", sub, iss)
	}
	if c.TlogUpload {
		r.rekor = NewRekor(c.RekorURL, r.http, r.d.Retry)
	}
	return nil
}

func (r *run) sign(ctx context.Context) error {
	c, a := r.c, r.a
	if err := r.newSigner(ctx); err != nil {
		return err
	}
	blobs, err := r.blobSubjects(ctx)
	if err != nil {
		return err
	}
	images, err := r.imageSubjects(ctx)
	if err != nil {
		return err
	}
	if err := r.signBlobs(ctx, blobs); err != nil {
		return err
	}
	if err := r.signImages(ctx, images); err != nil {
		return err
	}
	if err := r.writePublicKey(); err != nil {
		return err
	}
	if r.m != nil {
		if err := r.saveManifest(); err != nil {
			return err
		}
		if err := a.SetOutput("manifest", gha.RelPath(c.Workspace, filepath.Join(c.Dist, manifest.FileName))); err != nil {
			return err
		}
	}
	if err := r.setOutputs(); err != nil {
		return err
	}
	return a.Summary(r.summary("sign"))
}

// writePublicKey puts the key's public half beside the signatures
// (dist/sig/cosign.pub, an artifact of kind public-key) so that the release
// carries what verifies it; keyless signatures carry certificates instead.
func (r *run) writePublicKey() error {
	if len(r.signer.CertPEM) > 0 {
		return nil
	}
	p, err := r.writeDist(sigPath("cosign", ".pub"), r.signer.PublicKeyPEM(), KindPublicKey, manifest.Artifact{Name: "cosign.pub"})
	if err != nil {
		return err
	}
	return r.a.SetOutput("public-key", gha.RelPath(r.c.Workspace, filepath.Join(r.c.Dist, filepath.FromSlash(p))))
}

func (r *run) setOutputs() error {
	recs := r.records
	if recs == nil {
		recs = []Record{}
	}
	js, err := json.Marshal(recs)
	if err != nil {
		return err
	}
	if err := r.a.SetOutput("signatures", string(js)); err != nil {
		return err
	}
	return r.a.SetOutput("bundles", strings.Join(r.bundles, "\n"))
}

// saveManifest replaces the signatures section and sign's own artifacts.
func (r *run) saveManifest() error {
	for _, k := range []manifest.Kind{KindSignature, KindCertificate, KindBundle} {
		r.m.Remove(k)
	}
	r.m.Add(r.written...)
	recs := r.records
	if recs == nil {
		recs = []Record{}
	}
	raw, err := json.Marshal(recs)
	if err != nil {
		return err
	}
	r.m.Signatures = raw
	return manifest.Save(filepath.Join(r.c.Dist, manifest.FileName), r.m)
}

// writeDist writes a file under dist/sig and records it as an artifact of
// kind; it returns the dist-relative path.
func (r *run) writeDist(relPath string, data []byte, kind manifest.Kind, of manifest.Artifact) (string, error) {
	full := filepath.Join(r.c.Dist, filepath.FromSlash(relPath))
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		return "", err
	}
	if err := atomicfile.Write(full, data, 0o644); err != nil {
		return "", err
	}
	r.written = append(r.written, manifest.Artifact{Name: of.Name, Kind: kind, Path: relPath, GOOS: of.GOOS, GOARCH: of.GOARCH, Variant: of.Variant,
		SHA256: sha256Hex(data), Size: int64(len(data))})
	return relPath, nil
}
