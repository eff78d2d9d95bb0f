package oci

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
)

// GHCR is GitHub's container registry, where GITHUB_TOKEN authenticates.
const GHCR = "ghcr.io"

// Credentials are a username and a password or token.
type Credentials struct {
	Username, Password string
}

// AuthConfig says where credentials come from, in order of precedence.
type AuthConfig struct {
	// Explicit credentials (the username/password inputs) for these registries.
	Explicit           Credentials
	ExplicitRegistries []string
	// DockerConfigDir holds config.json (DOCKER_CONFIG, else ~/.docker); "" skips it.
	DockerConfigDir string
	// GitHubToken authenticates ghcr.io as GitHubActor when nothing else does.
	GitHubToken, GitHubActor string
	// HelperPath is the PATH searched for docker-credential-<name> helpers
	// named by config.json's credHelpers and credsStore.
	HelperPath string
	// RunHelper runs a credential helper's get; nil: RunCredentialHelper.
	RunHelper func(bin, serverURL string) ([]byte, error)
}

// Auth resolves credentials per registry host. It is an authn.Keychain for
// go-containerregistry, kept inside this package.
type Auth struct {
	cfg     AuthConfig
	docker  map[string]Credentials // host → credentials from config.json auths
	helpers map[string]string      // host → helper name (credHelpers)
	store   string                 // credsStore: the helper for every other host

	mu     sync.Mutex
	helped map[string]helped // host → what the helper answered
}

type helped struct {
	c   Credentials
	ok  bool
	err error
}

// LoadAuth reads the docker config (a missing file is no credentials; an
// unreadable or malformed one is an error naming it).
func LoadAuth(cfg AuthConfig) (*Auth, error) {
	a := &Auth{cfg: cfg, docker: map[string]Credentials{}, helpers: map[string]string{}, helped: map[string]helped{}}
	if a.cfg.RunHelper == nil {
		a.cfg.RunHelper = RunCredentialHelper
	}
	if cfg.DockerConfigDir == "" {
		return a, nil
	}
	p := filepath.Join(cfg.DockerConfigDir, "config.json")
	b, err := os.ReadFile(p)
	if errors.Is(err, os.ErrNotExist) {
		return a, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading docker config: %w", err)
	}
	var doc struct {
		Auths map[string]struct {
			Auth          string `json:"auth"`
			Username      string `json:"username"`
			Password      string `json:"password"`
			IdentityToken string `json:"identitytoken"`
		} `json:"auths"`
		CredHelpers map[string]string `json:"credHelpers"`
		CredsStore  string            `json:"credsStore"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("docker config %s: %w", p, err)
	}
	for key, e := range doc.Auths {
		c := Credentials{Username: e.Username, Password: e.Password}
		if e.Auth != "" {
			raw, err := base64.StdEncoding.DecodeString(e.Auth)
			if err != nil {
				return nil, fmt.Errorf("docker config %s: auths[%q].auth is not base64", p, key)
			}
			u, pw, ok := strings.Cut(string(raw), ":")
			if !ok {
				return nil, fmt.Errorf("docker config %s: auths[%q].auth is not base64 of user:password", p, key)
			}
			c = Credentials{Username: u, Password: pw}
		}
		if e.IdentityToken != "" {
			c = Credentials{Username: "<token>", Password: e.IdentityToken}
		}
		a.docker[configHost(key)] = c
	}
	for key, h := range doc.CredHelpers {
		a.helpers[configHost(key)] = h
	}
	a.store = doc.CredsStore
	return a, nil
}

// configHost normalises a config.json auths key: https://index.docker.io/v1/
// and docker.io are the same registry, a scheme and path are dropped.
func configHost(k string) string {
	k = strings.TrimPrefix(strings.TrimPrefix(k, "https://"), "http://")
	k, _, _ = strings.Cut(k, "/")
	if k == "docker.io" || k == "registry-1.docker.io" {
		return name.DefaultRegistry
	}
	return k
}

// lookup returns the credentials for host and where they came from.
func (a *Auth) lookup(host string) (Credentials, string, bool) {
	if a.cfg.Explicit.Username != "" || a.cfg.Explicit.Password != "" {
		for _, r := range a.cfg.ExplicitRegistries {
			if configHost(r) == host {
				return a.cfg.Explicit, "the username and password inputs", true
			}
		}
	}
	if h := a.helperFor(host); h != "" {
		r := a.fromHelper(h, host)
		if r.ok {
			return r.c, "the docker credential helper docker-credential-" + h, true
		}
	}
	if c, ok := a.docker[host]; ok {
		return c, "the docker config (" + filepath.Join(a.cfg.DockerConfigDir, "config.json") + ")", true
	}
	if host == GHCR && a.cfg.GitHubToken != "" {
		user := a.cfg.GitHubActor
		if user == "" {
			user = "github-actions"
		}
		return Credentials{Username: user, Password: a.cfg.GitHubToken}, "GITHUB_TOKEN", true
	}
	return Credentials{}, "", false
}

// source names where host's credentials come from, "" when anonymous.
func (a *Auth) source(host string) string {
	_, src, _ := a.lookup(host)
	return src
}

// Resolve implements authn.Keychain.
func (a *Auth) Resolve(r authn.Resource) (authn.Authenticator, error) {
	c, _, ok := a.lookup(r.RegistryStr())
	if !ok {
		return authn.Anonymous, nil
	}
	if c.Username == "<token>" {
		return authn.FromConfig(authn.AuthConfig{IdentityToken: c.Password}), nil
	}
	return authn.FromConfig(authn.AuthConfig{Username: c.Username, Password: c.Password}), nil
}

// RegistryOf returns the registry host of a repository or reference.
func RegistryOf(ref string) string {
	if r, err := name.ParseReference(ref); err == nil {
		return r.Context().RegistryStr()
	}
	if r, err := name.NewRepository(ref); err == nil {
		return r.RegistryStr()
	}
	return ""
}
