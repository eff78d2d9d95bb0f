package publish

import "github.com/slipway-dev/slipway/internal/gha"

// Modes of the publish action.
const (
	ModeAuto         = "auto"
	ModeBuild        = "build"
	ModePush         = "push"
	ModePushByDigest = "push-by-digest"
	ModeMerge        = "merge"
)

// DefaultBase is the base image when none is given.
const DefaultBase = "gcr.io/distroless/static-debian12:nonroot"

// ActionSpec declares the publish action's inputs and outputs: action.yml,
// CLI flags, --help and docs/publish.md come from or are tested against it.
func ActionSpec() gha.Spec {
	return gha.Spec{
		Name:        "publish",
		Description: "Build multi-platform OCI images from the binaries build-matrix produced, without Docker; push them by digest or with tags, merge fan-out pushes into one index, and publish release files to an OCI registry and a GitHub Release.",
		Inputs: []gha.Input{
			{Name: "mode", Description: "auto (push when repository is set, else build), build (OCI layout in dist/oci only), push, push-by-digest (untagged platform images, for fan-out runners) or merge (index over the inputs' pushed images, then tags).", Default: ModeAuto},
			{Name: "dist", Description: "The dist directory inside the workspace; its manifest.json says what was built.", Default: "dist"},
			{Name: "repository", Description: "Repositories to push to (ghcr.io/owner/name); several allowed.", Kind: gha.KindList},
			{Name: "base", Description: "Base image reference, resolved to a digest and recorded, or scratch; a multi-platform base gives each platform its own image.", Default: DefaultBase},
			{Name: "binary", Description: "Which binaries of the manifest to package; several go in one image, each at /usr/local/bin/<name>, the first as the entrypoint (a tool suite in one image); default: the project's binary.", Kind: gha.KindList},
			{Name: "path", Description: "Where the binary goes in the image (one binary only); default: /usr/local/bin/<binary>."},
			{Name: "owner", Description: "uid:gid owning the binary and extra files in the image.", Default: "65532:65532"},
			{Name: "extra-files", Description: "SOURCE=/image/path lines: more files for every image (SOURCE relative to the workspace), mode 0644.", Kind: gha.KindList},
			{Name: "entrypoint", Description: "Entrypoint, one argument per list item; default: the binary's path.", Kind: gha.KindList},
			{Name: "user", Description: "User the container runs as; default: the base image's, or 65532:65532 on scratch."},
			{Name: "env", Description: "KEY=VALUE lines set in the image config.", Kind: gha.KindList},
			{Name: "workdir", Description: "Working directory of the container."},
			{Name: "ports", Description: "Exposed ports: 8080, 8080/tcp, 53/udp.", Kind: gha.KindList},
			{Name: "labels", Description: "KEY=VALUE config labels, over the org.opencontainers.image.* labels filled from the manifest and git context.", Kind: gha.KindList},
			{Name: "annotations", Description: "KEY=VALUE manifest and index annotations, over the org.opencontainers.image.* ones filled in.", Kind: gha.KindList},
			{Name: "tags", Description: "Tags to push besides those of tag-strategy.", Kind: gha.KindList},
			{Name: "tag-strategy", Description: "semver (1.2.3, 1.2, 1, latest for the highest release; branch or pr-N otherwise; sha-<short>) or none (only tags).", Default: "semver"},
			{Name: "platforms", Description: "Platforms to build images for (linux/arm64, linux/arm/v7); default: every linux binary in the manifest.", Kind: gha.KindList},
			{Name: "jobs", Description: "Concurrent uploads and image builds.", Default: "4", Kind: gha.KindInt},
			{Name: "username", Description: "Registry username for the repositories (else DOCKER_CONFIG, else GITHUB_TOKEN on ghcr.io)."},
			{Name: "password", Description: "Registry password or token for username.", Secret: true},
			{Name: "release", Description: "Upload archives, checksums, signatures and SBOMs to the GitHub Release of the tag (needs GITHUB_TOKEN).", Default: "false", Kind: gha.KindBool},
			{Name: "replace-assets", Description: "Replace release assets that exist with different content instead of failing.", Default: "false", Kind: gha.KindBool},
			{Name: "artifacts-repository", Description: "Repository to push binaries, archives and checksums to as one OCI artifact (readable by ORAS)."},
			{Name: "inputs", Description: "Merge: the shard dist directories or manifests (globs allowed) whose push-by-digest images to merge.", Kind: gha.KindList},
		},
		Outputs: []gha.Output{
			{Name: "digest", Description: "Digest of the image index."},
			{Name: "images", Description: "JSON array of the platform images: [{\"platform\",\"digest\"}]."},
			{Name: "tags", Description: "JSON array of the tags pushed."},
			{Name: "refs", Description: "JSON array of fully qualified, digest-pinned references (repo:tag@sha256:…, repo@sha256:…)."},
			{Name: "layout", Description: "Path of the OCI image layout (dist/oci)."},
			{Name: "manifest", Description: "Path of dist/manifest.json."},
		},
	}
}
