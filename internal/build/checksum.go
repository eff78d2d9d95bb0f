package build

import (
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/slipway-dev/slipway/internal/atomicfile"
)

// Checksum algorithms.
const (
	ChecksumSHA256 = "sha256"
	ChecksumSHA512 = "sha512"
	ChecksumNone   = "none"
)

// HashFile returns the hex digest of a file under algo (sha256 or sha512).
func HashFile(algo, path string) (string, error) {
	var h hash.Hash
	switch algo {
	case ChecksumSHA256:
		h = sha256.New()
	case ChecksumSHA512:
		h = sha512.New()
	default:
		return "", fmt.Errorf("unknown checksum algorithm %q", algo)
	}
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("hashing %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// ChecksumLine is one line of a checksums file.
type ChecksumLine struct {
	Digest string
	Path   string // relative to the checksums file, slash form
}

// FormatChecksums renders lines as `sha256sum -c` reads them, sorted by path.
func FormatChecksums(lines []ChecksumLine) []byte {
	lines = slices.Clone(lines)
	slices.SortFunc(lines, func(a, b ChecksumLine) int { return strings.Compare(a.Path, b.Path) })
	var b strings.Builder
	for _, l := range lines {
		fmt.Fprintf(&b, "%s  %s\n", l.Digest, l.Path)
	}
	return []byte(b.String())
}

// WriteChecksums hashes each file (relative to dir) with algo and writes the
// checksums file atomically.
func WriteChecksums(dst, dir, algo string, paths []string) error {
	var lines []ChecksumLine
	for _, p := range paths {
		d, err := HashFile(algo, dir+string(os.PathSeparator)+p)
		if err != nil {
			return err
		}
		lines = append(lines, ChecksumLine{Digest: d, Path: p})
	}
	return atomicfile.Write(dst, FormatChecksums(lines), 0o644)
}
