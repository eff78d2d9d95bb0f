package oci

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"golang.org/x/sync/errgroup"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// ErrIndexRejected marks a registry that refused the image index manifest
// itself (typically one that does not accept the OCI index media type).
var ErrIndexRejected = errors.New("registry rejected the image index")

// ErrDigestMismatch marks a manifest read back with another digest than the
// one pushed.
var ErrDigestMismatch = errors.New("pushed digest differs from the one read back")

// PushImages uploads platform images to repo by digest, without tags: blobs
// the registry has are skipped, up to Jobs uploads run at once. An image the
// registry already holds under its digest (a HEAD answers with that digest)
// is left as it is; every other image gets its blobs uploaded, then its
// manifest, which is read back by digest.
func (c *Client) PushImages(ctx context.Context, repo string, images []*Image) error {
	r, err := name.NewRepository(repo)
	if err != nil {
		return fmt.Errorf("%q is not a repository: %w", repo, err)
	}
	for _, img := range images {
		if img.img == nil {
			return fmt.Errorf("image %s (%s) is not held here", img.Digest, img.Platform)
		}
	}
	if err := c.pushImages(ctx, r, images); err != nil {
		var mm *mismatchError
		if errors.As(err, &mm) {
			return err
		}
		return fmt.Errorf("pushing %d images to %s: %w", len(images), repo, c.explain(r, r, err))
	}
	return nil
}

// mismatchError is a read-back that found another digest; it already names
// the reference.
type mismatchError struct{ msg string }

func (e *mismatchError) Error() string { return e.msg }
func (e *mismatchError) Unwrap() error { return ErrDigestMismatch }

func (c *Client) pushImages(ctx context.Context, r name.Repository, images []*Image) error {
	_, pusher, err := c.remotes()
	if err != nil {
		return err
	}
	// 1. Which images does the registry lack?
	missing := make([]bool, len(images))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(c.opts.Jobs)
	for i, img := range images {
		g.Go(func() error {
			ok, err := c.holds(gctx, r.Digest(img.Digest), img.Digest)
			missing[i] = !ok
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	// 2. Their blobs, each once (platform images share their base's layers).
	var blobs []v1.Layer
	seen := map[v1.Hash]bool{}
	for i, img := range images {
		if !missing[i] {
			continue
		}
		ls, err := img.img.Layers()
		if err != nil {
			return err
		}
		cl, err := partial.ConfigLayer(img.img)
		if err != nil {
			return err
		}
		for _, l := range append(ls, cl) {
			h, err := l.Digest()
			if err != nil {
				return err
			}
			if !seen[h] {
				seen[h] = true
				blobs = append(blobs, l)
			}
		}
	}
	g, gctx = errgroup.WithContext(ctx)
	g.SetLimit(c.opts.Jobs)
	for _, l := range blobs {
		g.Go(func() error { return pusher.Upload(gctx, r, l) })
	}
	if err := g.Wait(); err != nil {
		return err
	}
	// 3. Their manifests, each read back.
	g, gctx = errgroup.WithContext(ctx)
	g.SetLimit(c.opts.Jobs)
	for i, img := range images {
		if !missing[i] {
			continue
		}
		g.Go(func() error {
			ref := r.Digest(img.Digest)
			if err := pusher.Put(gctx, ref, img.img); err != nil {
				return err
			}
			return c.readBack(gctx, ref, img.Digest)
		})
	}
	return g.Wait()
}

// holds reports whether ref resolves to want in the registry: a HEAD, which
// is also the read-back of a manifest pushed before. A missing manifest is
// false; another digest is an ErrDigestMismatch.
func (c *Client) holds(ctx context.Context, ref name.Reference, want string) (bool, error) {
	d, err := c.head(ctx, ref)
	if err != nil {
		if errors.Is(c.explain(ref, ref.Context(), err), ErrNotFound) {
			return false, nil
		}
		return false, err
	}
	if _, byDigest := ref.(name.Digest); byDigest || d.Digest.String() == want {
		if d.Digest.String() != want {
			return false, &mismatchError{fmt.Sprintf("%s: %v: pushed %s, registry has %s", ref, ErrDigestMismatch, want, d.Digest)}
		}
		return true, nil
	}
	return false, nil // a tag pointing elsewhere: it is to move
}

// CheckManifests verifies that repo holds every manifest of x with the
// recorded media type and size: what merge checks before it pushes an index
// over digests other runners pushed. A missing one wraps ErrNotFound.
func (c *Client) CheckManifests(ctx context.Context, repo string, descs []Descriptor) error {
	r, err := name.NewRepository(repo)
	if err != nil {
		return fmt.Errorf("%q is not a repository: %w", repo, err)
	}
	var errs []error
	for _, d := range descs {
		got, err := c.Head(ctx, r.Digest(d.Digest).String())
		if err != nil {
			errs = append(errs, fmt.Errorf("%s image %s: %w", d.Platform, d.Digest, err))
			continue
		}
		if got.Size != d.Size || (got.MediaType != "" && got.MediaType != d.MediaType) {
			errs = append(errs, fmt.Errorf("%s image %s in %s is a %d-byte %s, the manifest records a %d-byte %s", d.Platform, d.Digest, repo, got.Size, got.MediaType, d.Size, d.MediaType))
		}
	}
	return errors.Join(errs...)
}

// PushIndex pushes x to repo by digest. When x holds its images they are
// pushed first (PushImages); an index assembled from descriptors needs its
// images in repo already (CheckManifests). The index manifest goes last, so
// nothing refers to a manifest the registry lacks, and is read back; an index
// the registry already holds under its digest is not written again.
func (c *Client) PushIndex(ctx context.Context, repo string, x *Index) error {
	r, err := name.NewRepository(repo)
	if err != nil {
		return fmt.Errorf("%q is not a repository: %w", repo, err)
	}
	if x.images != nil {
		if err := c.PushImages(ctx, repo, x.images); err != nil {
			return err
		}
	} else if err := c.CheckManifests(ctx, repo, x.Manifests); err != nil {
		return err
	}
	ref := r.Digest(x.Digest)
	have, err := c.holds(ctx, ref, x.Digest)
	if err != nil {
		var mm *mismatchError
		if errors.As(err, &mm) {
			return err
		}
		return fmt.Errorf("reading %s: %w", ref, c.explain(ref, r, err))
	}
	if have {
		return nil
	}
	_, pusher, err := c.remotes()
	if err != nil {
		return err
	}
	if err := pusher.Put(ctx, ref, x.idx); err != nil {
		var te *transport.Error
		if errors.As(err, &te) && (te.StatusCode == http.StatusBadRequest || te.StatusCode == http.StatusUnsupportedMediaType || te.StatusCode == http.StatusNotAcceptable) {
			return fmt.Errorf("pushing the index to %s: %w: %s does not take an %s manifest: %v", repo, ErrIndexRejected, r.RegistryStr(), x.MediaType, c.explain(ref, r, err))
		}
		return fmt.Errorf("pushing the index to %s: %w", repo, c.explain(ref, r, err))
	}
	return c.readBack(ctx, ref, x.Digest)
}

// Tag points each tag of repo at x, which PushIndex has stored, and reads
// each tag back: it must resolve to x.Digest. A tag that already resolves to
// x.Digest (its HEAD is that read-back) is not written again. Tags are the
// last thing written, so a failure before them leaves every tag where it was;
// up to Jobs tags are handled at once.
func (c *Client) Tag(ctx context.Context, repo string, x *Index, tags []string) error {
	r, err := name.NewRepository(repo)
	if err != nil {
		return fmt.Errorf("%q is not a repository: %w", repo, err)
	}
	_, pusher, err := c.remotes()
	if err != nil {
		return err
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(c.opts.Jobs)
	for _, t := range tags {
		ref := r.Tag(t)
		g.Go(func() error {
			have, err := c.holds(gctx, ref, x.Digest)
			if err != nil {
				return fmt.Errorf("reading %s: %w", ref, c.explain(ref, r, err))
			}
			if have {
				return nil
			}
			if err := pusher.Put(gctx, ref, x.idx); err != nil {
				return fmt.Errorf("tagging %s: %w", ref, c.explain(ref, r, err))
			}
			return c.readBack(gctx, ref, x.Digest)
		})
	}
	return g.Wait()
}

func (c *Client) readBack(ctx context.Context, ref name.Reference, want string) error {
	d, err := c.head(ctx, ref)
	if err != nil {
		return fmt.Errorf("reading back %s: %w", ref, c.explain(ref, ref.Context(), err))
	}
	if d.Digest.String() != want {
		return &mismatchError{fmt.Sprintf("%s: %v: pushed %s, registry has %s", ref, ErrDigestMismatch, want, d.Digest)}
	}
	return nil
}
