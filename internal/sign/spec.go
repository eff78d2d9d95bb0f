package sign

import "github.com/slipway-dev/slipway/internal/gha"

// Modes of the sign action.
const (
	ModeSign        = "sign"
	ModeVerify      = "verify"
	ModeGenerateKey = "generate-key"
)

// Storage schemes for image signatures.
const (
	StorageAuto      = "auto"
	StorageTag       = "tag"
	StorageReferrers = "referrers"
)

// ActionSpec declares the sign action's inputs and outputs: action.yml, CLI
// flags, --help and docs/sign.md come from or are tested against it.
func ActionSpec() gha.Spec {
	return gha.Spec{
		Name:        "sign",
		Description: "Sign release files and images in cosign's formats with Sigstore bundles and SLSA provenance, verify them, or generate a cosign key pair.",
		Inputs: []gha.Input{
			{Name: "mode", Description: "sign, verify (check every subject's signatures and attestations) or generate-key (write a cosign key pair).", Default: ModeSign},
			{Name: "signer", Description: "key (a cosign key file or its contents), kms (a KMS key URI in key) or keyless (GitHub OIDC → Fulcio certificate → Rekor).", Default: SignerKey},
			{Name: "key", Description: "key: path of a cosign private key (ENCRYPTED SIGSTORE PRIVATE KEY), or its PEM contents from a secret; kms: awskms://, gcpkms://, azurekms:// or hashivault:// URI; generate-key: where to write the private key (the public key goes beside it as .pub).", Default: ""},
			{Name: "key-password", Description: "Password of the key file; default: COSIGN_PASSWORD.", Secret: true},
			{Name: "dist", Description: "The dist directory holding manifest.json, relative to the workspace.", Default: "dist"},
			{Name: "paths", Description: "Files to sign or verify instead of the manifest's artifacts (relative to the workspace).", Kind: gha.KindList},
			{Name: "images", Description: "Image references (repo:tag or repo@digest) to sign or verify; default: the image indexes publish recorded in the manifest. none skips images.", Kind: gha.KindList},
			{Name: "recursive", Description: "Also sign every platform manifest of an index.", Default: "true", Kind: gha.KindBool},
			{Name: "storage", Description: "Where image signatures go: tag (cosign's sha256-<hex>.sig tags), referrers (OCI 1.1 manifests with subject) or auto (referrers where the registry serves the API, else tag).", Default: StorageAuto},
			{Name: "attest", Description: "Write SLSA provenance v1 attestations for the files and images, and SBOM attestations for the sbom files.", Default: "true", Kind: gha.KindBool},
			{Name: "sbom", Description: "CycloneDX or SPDX JSON files to attest; default: dist/sbom/*.json when present.", Kind: gha.KindList},
			{Name: "tlog-upload", Description: "Log signatures in Rekor: auto (yes for keyless, no for key and kms), true or false.", Default: "auto"},
			{Name: "public-key", Description: "verify: the public key (cosign.pub) or a kms URI; default for signer key: none (required)."},
			{Name: "certificate-identity", Description: "verify, keyless: the certificate's identity (the workflow URL https://github.com/OWNER/REPO/.github/workflows/F.yml@REF)."},
			{Name: "certificate-identity-regexp", Description: "verify, keyless: a regular expression the certificate's identity must match instead (e.g. ^https://github.com/OWNER/REPO/.github/workflows/release.yml@refs/tags/v), as cosign's --certificate-identity-regexp."},
			{Name: "certificate-oidc-issuer", Description: "verify, keyless: the certificate's OIDC issuer.", Default: DefaultOIDCIssuer},
			{Name: "trusted-root", Description: "verify, keyless: a Sigstore trusted_root.json holding the Fulcio CAs and Rekor keys (as cosign --trusted-root)."},
			{Name: "fulcio-url", Description: "Fulcio for keyless signing.", Default: DefaultFulcioURL},
			{Name: "rekor-url", Description: "Rekor for the transparency log.", Default: DefaultRekorURL},
			{Name: "oidc-issuer", Description: "The OIDC issuer the identity token must come from (keyless).", Default: DefaultOIDCIssuer},
		},
		Outputs: []gha.Output{
			{Name: "signatures", Description: "The signatures written or verified, as compact JSON (the manifest's signatures section)."},
			{Name: "bundles", Description: "Paths of the Sigstore bundles written, relative to the workspace, one per line."},
			{Name: "manifest", Description: "Path of dist/manifest.json."},
			{Name: "public-key", Description: "Path of the public key written: by generate-key, or by sign with a key or KMS signer (dist/sig/cosign.pub, published with the release)."},
		},
	}
}
