package oci

import (
	"fmt"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Platform is an OCI platform: linux/arm64, linux/arm/v7.
type Platform struct {
	OS           string `json:"os"`
	Architecture string `json:"architecture"`
	Variant      string `json:"variant,omitempty"`
}

// String returns os/architecture[/variant].
func (p Platform) String() string {
	s := p.OS + "/" + p.Architecture
	if p.Variant != "" {
		s += "/" + p.Variant
	}
	return s
}

// PlatformFromGo maps a Go target to its OCI platform. The Go variant becomes
// the OCI variant where OCI has one: GOARM 7 → v7, GOAMD64 v2..v4 stay (v1 is
// the baseline and has none); other variants (GOARM64, GO386, GOMIPS, ...)
// have no OCI equivalent and are dropped.
func PlatformFromGo(goos, goarch, variant string) Platform {
	p := Platform{OS: goos, Architecture: goarch}
	switch {
	case goarch == "arm" && variant != "":
		p.Variant = "v" + strings.TrimPrefix(variant, "v")
	case goarch == "amd64" && variant != "" && variant != "v1":
		p.Variant = variant
	}
	return p
}

// ParsePlatform reads os/architecture[/variant]; a bare arm variant digit
// (linux/arm/7) is read as v7.
func ParsePlatform(s string) (Platform, error) {
	parts := strings.Split(strings.TrimSpace(s), "/")
	if len(parts) < 2 || len(parts) > 3 || parts[0] == "" || parts[1] == "" {
		return Platform{}, fmt.Errorf("%q is not os/architecture[/variant] (linux/arm64, linux/arm/v7)", s)
	}
	variant := ""
	if len(parts) == 3 {
		if parts[2] == "" {
			return Platform{}, fmt.Errorf("%q has an empty variant", s)
		}
		variant = parts[2]
	}
	return PlatformFromGo(parts[0], parts[1], variant), nil
}

func (p Platform) v1() *v1.Platform {
	return &v1.Platform{OS: p.OS, Architecture: p.Architecture, Variant: p.Variant}
}

func platformOf(p *v1.Platform) Platform {
	if p == nil {
		return Platform{}
	}
	return Platform{OS: p.OS, Architecture: p.Architecture, Variant: p.Variant}
}

// matches reports whether an image of platform have can run as p. A missing
// variant on arm64 is v8; a missing amd64 variant is the baseline.
func (p Platform) matches(have Platform) bool {
	if p.OS != have.OS || p.Architecture != have.Architecture {
		return false
	}
	if p.Variant == have.Variant {
		return true
	}
	if p.Architecture == "arm64" && (p.Variant == "" || p.Variant == "v8") && (have.Variant == "" || have.Variant == "v8") {
		return true
	}
	return false
}
