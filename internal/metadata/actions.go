package metadata

import (
	"github.com/slipway-dev/slipway/internal/build"
	"github.com/slipway-dev/slipway/internal/modverify"
	"github.com/slipway-dev/slipway/internal/publish"
	"github.com/slipway-dev/slipway/internal/scan"
	"github.com/slipway-dev/slipway/internal/sign"
)

// Actions are the composite actions of the suite, in pipeline order.
func Actions() []Action {
	return []Action{
		{Spec: modverify.ActionSpec(), Branding: Branding{Icon: "check-circle", Color: "blue"}, Source: "internal/modverify/spec.go"},
		{Spec: build.ActionSpec(), Branding: Branding{Icon: "grid", Color: "blue"}, Source: "internal/build/spec.go"},
		{Spec: scan.ActionSpec(), Branding: Branding{Icon: "search", Color: "blue"}, Source: "internal/scan/spec.go"},
		{Spec: sign.ActionSpec(), Branding: Branding{Icon: "shield", Color: "blue"}, Source: "internal/sign/spec.go"},
		{Spec: publish.ActionSpec(), Branding: Branding{Icon: "package", Color: "blue"}, Source: "internal/publish/spec.go"},
	}
}
