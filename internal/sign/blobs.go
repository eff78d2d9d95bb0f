package sign

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/slipway-dev/slipway/internal/gha"
	"github.com/slipway-dev/slipway/internal/manifest"
)

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// blob is a file to sign or verify.
type blob struct {
	art  manifest.Artifact // Path is the subject name: dist-relative, or workspace-relative for paths outside dist
	full string
}

// ownKinds are the artifact kinds sign writes: never signed themselves.
func ownKind(k manifest.Kind) bool {
	return k == KindSignature || k == KindCertificate || k == KindBundle || k == KindPublicKey
}

// blobSubjects returns the paths input, or the manifest's artifacts with the
// checksums file first, after checking every file against its recorded
// digest: what is signed is what was built.
func (r *run) blobSubjects(ctx context.Context) ([]blob, error) {
	var out []blob
	if len(r.c.Paths) > 0 {
		for _, p := range r.c.Paths {
			st, err := os.Stat(p)
			if err != nil || st.IsDir() {
				return nil, gha.Usagef("paths", "%s: no such file", gha.RelPath(r.c.Workspace, p))
			}
			name := gha.RelPath(r.c.Dist, p)
			if strings.HasPrefix(name, "/") || strings.HasPrefix(name, "..") {
				name = gha.RelPath(r.c.Workspace, p)
			}
			out = append(out, blob{art: manifest.Artifact{Name: path.Base(filepath.ToSlash(p)), Path: name}, full: p})
		}
		return out, nil
	}
	if r.m == nil {
		return nil, nil
	}
	end := r.a.Group("Checking dist against the manifest")
	err := r.m.Verify(ctx, r.c.Dist)
	end()
	if errors.Is(err, manifest.ErrMismatch) {
		return nil, gha.Findingsf("%v: refusing to sign files that differ from what was built", err)
	}
	if err != nil {
		return nil, err
	}
	for _, pass := range []bool{true, false} {
		for _, a := range r.m.Artifacts {
			if ownKind(a.Kind) || (a.Kind == manifest.KindChecksums) != pass || a.Kind == "oci-layout" {
				continue
			}
			out = append(out, blob{art: a, full: filepath.Join(r.c.Dist, filepath.FromSlash(a.Path))})
		}
	}
	return out, nil
}

// sigPath is where the signature files of subject go, inside dist.
func sigPath(subject, ext string) string { return path.Join(sigDir, subject+ext) }

type blobResult struct {
	rec               Record
	sig, cert, bundle []byte
	sha               string
}

func (r *run) signBlobs(ctx context.Context, blobs []blob) error {
	if len(blobs) == 0 {
		return nil
	}
	end := r.a.Group(fmt.Sprintf("Signing %d files", len(blobs)))
	defer end()
	res := make([]blobResult, len(blobs))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(8)
	for i, b := range blobs {
		g.Go(func() error {
			data, err := os.ReadFile(b.full)
			if err != nil {
				return fmt.Errorf("reading %s: %w", b.art.Path, err)
			}
			sum := sha256.Sum256(data)
			sig, err := r.signer.Sign(gctx, data)
			if err != nil {
				return fmt.Errorf("%s: %w", b.art.Path, err)
			}
			var tle *TlogEntry
			if r.rekor != nil {
				if tle, err = r.rekor.UploadHashedRekord(gctx, sum[:], sig, r.signer.VerifierPEM()); err != nil {
					return fmt.Errorf("%s: %w", b.art.Path, err)
				}
			}
			bundle, err := MessageBundle(r.signer, sum[:], sig, tle)
			if err != nil {
				return fmt.Errorf("%s: %w", b.art.Path, err)
			}
			rec := Record{Subject: b.art.Path, Kind: SubjectBlob, Digest: "sha256:" + hex.EncodeToString(sum[:]), Signer: r.signer.Kind, Identity: r.identity()}
			if tle != nil {
				rec.LogIndex = &tle.LogIndex
			}
			res[i] = blobResult{rec: rec, sig: []byte(b64(sig)), cert: r.signer.CertPEM, bundle: bundle, sha: hex.EncodeToString(sum[:])}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	for i, b := range blobs {
		br := res[i]
		var err error
		if br.rec.Signature, err = r.writeDist(sigPath(b.art.Path, ".sig"), br.sig, KindSignature, b.art); err != nil {
			return err
		}
		if len(br.cert) > 0 {
			if br.rec.Certificate, err = r.writeDist(sigPath(b.art.Path, ".pem"), br.cert, KindCertificate, b.art); err != nil {
				return err
			}
		}
		if br.rec.Bundle, err = r.writeDist(sigPath(b.art.Path, ".sigstore.json"), br.bundle, KindBundle, b.art); err != nil {
			return err
		}
		r.bundles = append(r.bundles, gha.RelPath(r.c.Workspace, filepath.Join(r.c.Dist, br.rec.Bundle)))
		r.records = append(r.records, br.rec)
	}
	if !r.c.Attest {
		return nil
	}
	subjects := make([]Subject, len(blobs))
	for i, b := range blobs {
		subjects[i] = Subject{Name: b.art.Path, Digest: map[string]string{"sha256": res[i].sha}}
	}
	prov, err := ProvenanceStatement(subjects, r.provenanceInput(nil))
	if err != nil {
		return err
	}
	if err := r.attestBlobs(ctx, "provenance", PredicateSLSA1, prov); err != nil {
		return err
	}
	sboms, err := r.sbomFiles()
	if err != nil {
		return err
	}
	for _, s := range sboms {
		st, err := NewStatement(subjects, s.predicateType, s.doc)
		if err != nil {
			return err
		}
		if err := r.attestBlobs(ctx, "sbom/"+s.name, s.predicateType, st); err != nil {
			return err
		}
	}
	return nil
}

// attestBlobs signs statement in a DSSE envelope and writes it as the
// Sigstore bundle sig/<name>.intoto.sigstore.json.
func (r *run) attestBlobs(ctx context.Context, name, predicateType string, statement []byte) error {
	env, tle, err := r.envelope(ctx, statement)
	if err != nil {
		return err
	}
	b, err := DSSEBundle(r.signer, env, tle)
	if err != nil {
		return err
	}
	p, err := r.writeDist(path.Join(sigDir, name+".intoto.sigstore.json"), b, KindBundle, manifest.Artifact{Name: r.projectName()})
	if err != nil {
		return err
	}
	rec := Record{Subject: p, Kind: SubjectAttestation, Digest: "sha256:" + sha256Hex(statement), Signer: r.signer.Kind, Bundle: p, PredicateType: predicateType, Identity: r.identity()}
	if tle != nil {
		rec.LogIndex = &tle.LogIndex
	}
	r.records = append(r.records, rec)
	r.bundles = append(r.bundles, gha.RelPath(r.c.Workspace, filepath.Join(r.c.Dist, p)))
	return nil
}

// envelope signs statement as DSSE and logs it when the log is on.
func (r *run) envelope(ctx context.Context, statement []byte) (Envelope, *TlogEntry, error) {
	sig, err := r.signer.Sign(ctx, PAE(InTotoPayloadType, statement))
	if err != nil {
		return Envelope{}, nil, err
	}
	env := Envelope{PayloadType: InTotoPayloadType, Payload: b64(statement), Signatures: []EnvelopeSig{{Sig: b64(sig)}}}
	var tle *TlogEntry
	if r.rekor != nil {
		if tle, err = r.rekor.UploadDSSE(ctx, env, r.signer.VerifierPEM()); err != nil {
			return Envelope{}, nil, err
		}
	}
	return env, tle, nil
}

func (r *run) identity() string {
	if r.signer == nil || len(r.signer.CertPEM) == 0 {
		return ""
	}
	id, _ := certIdentity(r.signer.CertPEM)
	return id
}

func (r *run) projectName() string {
	if r.m != nil {
		return r.m.Project.Name
	}
	return "sign"
}

// provenanceInput describes the build from the manifest and the workflow.
func (r *run) provenanceInput(extra map[string]any) ProvenanceInput {
	gh := r.a.GitHub()
	in := ProvenanceInput{External: map[string]any{}, StartedOn: r.timestamp()}
	server := gh.ServerURL
	if server == "" {
		server = "https://github.com"
	}
	if wf := r.a.Getenv("GITHUB_WORKFLOW_REF"); wf != "" {
		in.BuilderID = server + "/" + wf
	} else {
		in.BuilderID = "https://github.com/slipway-dev/slipway/cmd/sign@local"
	}
	if gh.Repository != "" && gh.RunID != "" {
		in.InvocationID = fmt.Sprintf("%s/%s/actions/runs/%s/attempts/%s", server, gh.Repository, gh.RunID, gh.RunAttempt)
	}
	if r.m != nil {
		p := r.m.Project
		in.Commit = p.Commit
		in.External["module"] = p.Module
		in.External["version"] = p.Version
		if p.Ref != "" {
			in.External["ref"] = p.Ref
		}
		if gh.Repository != "" {
			in.SourceURI = fmt.Sprintf("git+%s/%s@%s", server, gh.Repository, p.Ref)
		} else if p.Module != "" {
			in.SourceURI = "git+https://" + p.Module + "@" + p.Ref
		}
		if len(r.m.Module) > 0 {
			var mod any
			if json.Unmarshal(r.m.Module, &mod) == nil {
				in.Internal = map[string]any{"module": mod}
			}
		}
	}
	for k, v := range extra {
		in.External[k] = v
	}
	return in
}

type sbomFile struct {
	name, predicateType string
	doc                 json.RawMessage
	// subject is the image digest the SBOM describes (CycloneDX
	// metadata.component.version, SPDX's described package versionInfo, as
	// the scan action writes them), or "".
	subject string
}

// sbomFiles reads the sbom input, or dist/sbom/*.json.
func (r *run) sbomFiles() ([]sbomFile, error) {
	files := r.c.SBOMs
	if len(files) == 0 {
		files, _ = filepath.Glob(filepath.Join(r.c.Dist, "sbom", "*.json"))
	}
	var out []sbomFile
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, gha.Usagef("sbom", "%v", err)
		}
		var head struct {
			BOMFormat   string `json:"bomFormat"`
			SPDXVersion string `json:"spdxVersion"`
			Metadata    struct {
				Component struct {
					Version string `json:"version"`
				} `json:"component"`
			} `json:"metadata"`
			DocumentDescribes []string `json:"documentDescribes"`
			Packages          []struct {
				SPDXID      string `json:"SPDXID"`
				VersionInfo string `json:"versionInfo"`
			} `json:"packages"`
			Relationships []struct {
				Element string `json:"spdxElementId"`
				Type    string `json:"relationshipType"`
				Related string `json:"relatedSpdxElement"`
			} `json:"relationships"`
		}
		if err := json.Unmarshal(b, &head); err != nil {
			return nil, gha.Usagef("sbom", "%s is not JSON: %v", gha.RelPath(r.c.Workspace, f), err)
		}
		pt := ""
		switch {
		case head.BOMFormat == "CycloneDX":
			pt = PredicateCycloneDX
		case head.SPDXVersion != "":
			pt = PredicateSPDX
		default:
			return nil, gha.Usagef("sbom", "%s is neither CycloneDX (bomFormat) nor SPDX (spdxVersion) JSON", gha.RelPath(r.c.Workspace, f))
		}
		sf := sbomFile{name: strings.TrimSuffix(filepath.Base(f), ".json"), predicateType: pt, doc: b, subject: head.Metadata.Component.Version}
		if pt == PredicateSPDX {
			// The described package: documentDescribes (SPDX 2.2), or the
			// document's DESCRIBES relationship (2.3).
			described := head.DocumentDescribes
			for _, rel := range head.Relationships {
				if rel.Element == "SPDXRef-DOCUMENT" && rel.Type == "DESCRIBES" {
					described = append(described, rel.Related)
				}
			}
			for _, p := range head.Packages {
				if len(described) > 0 && p.SPDXID == described[0] {
					sf.subject = p.VersionInfo
				}
			}
		}
		if !strings.HasPrefix(sf.subject, "sha256:") {
			sf.subject = ""
		}
		out = append(out, sf)
	}
	return out, nil
}
