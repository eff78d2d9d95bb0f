package oci

import (
	"log"
	"net/http"

	"github.com/google/go-containerregistry/pkg/registry"
)

func newRegistry(l *log.Logger) http.Handler { return registry.New(registry.Logger(l)) }
