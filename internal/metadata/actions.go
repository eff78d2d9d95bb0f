package metadata

import (
	"github.com/slipway-dev/slipway/internal/build"
	"github.com/slipway-dev/slipway/internal/publish"
)

// Actions are the composite actions of the suite, in pipeline order.
func Actions() []Action {
	return []Action{
		{Spec: build.ActionSpec(), Branding: Branding{Icon: "grid", Color: "blue"}, Source: "internal/build/spec.go"},
		{Spec: publish.ActionSpec(), Branding: Branding{Icon: "package", Color: "blue"}, Source: "internal/publish/spec.go"},
	}
}
