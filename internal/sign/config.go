package sign

import (
	"os"
	"regexp"
	"slices"
	"strings"

	"github.com/slipway-dev/slipway/internal/gha"
)

// Config is the sign action's input, parsed and checked.
type Config struct {
	Mode        string
	Signer      string
	Key         string // a path (absolute), PEM contents, or a KMS URI
	KeyIsPEM    bool
	Password    []byte
	Workspace   string
	Dist        string // absolute
	Paths       []string
	Images      []string
	NoImages    bool
	Recursive   bool
	Storage     string
	Attest      bool
	SBOMs       []string
	TlogUpload  bool
	PublicKey   string // path or KMS URI
	Identity    string
	IdentityRE  string
	Issuer      string
	TrustedRoot string
	FulcioURL   string
	RekorURL    string
	OIDCIssuer  string
}

// ParseConfig reads and checks the inputs. Secrets (the key contents, the
// password) are masked here, before anything can print them.
func ParseConfig(a *gha.Action) (Config, error) {
	c := Config{
		Mode: a.String("mode"), Signer: a.String("signer"), Workspace: a.Workspace(),
		Recursive: a.Bool("recursive"), Storage: a.String("storage"), Attest: a.Bool("attest"),
		Identity: a.String("certificate-identity"), IdentityRE: a.String("certificate-identity-regexp"), Issuer: a.String("certificate-oidc-issuer"),
		FulcioURL: a.String("fulcio-url"), RekorURL: a.String("rekor-url"), OIDCIssuer: a.String("oidc-issuer"),
	}
	key := a.String("key")
	if strings.Contains(key, "-----BEGIN") {
		maskPEM(a, key)
		c.Key, c.KeyIsPEM = key, true
	}
	pw := a.String("key-password")
	if pw == "" {
		pw = a.Getenv("COSIGN_PASSWORD")
	}
	a.Mask(pw)
	c.Password = []byte(pw)

	if !slices.Contains([]string{ModeSign, ModeVerify, ModeGenerateKey}, c.Mode) {
		return c, gha.Usagef("mode", "%q is not sign, verify or generate-key", c.Mode)
	}
	if !slices.Contains([]string{SignerKey, SignerKMS, SignerKeyless}, c.Signer) {
		return c, gha.Usagef("signer", "%q is not key, kms or keyless", c.Signer)
	}
	if !slices.Contains([]string{StorageAuto, StorageTag, StorageReferrers}, c.Storage) {
		return c, gha.Usagef("storage", "%q is not auto, tag or referrers", c.Storage)
	}
	dist, err := gha.InsideWorkspace(c.Workspace, a.String("dist"), false)
	if err != nil {
		return c, gha.Usagef("dist", "%v", err)
	}
	c.Dist = dist
	for _, p := range a.List("paths") {
		c.Paths = append(c.Paths, gha.ResolvePath(c.Workspace, p))
	}
	for _, s := range a.List("sbom") {
		c.SBOMs = append(c.SBOMs, gha.ResolvePath(c.Workspace, s))
	}
	if imgs := a.List("images"); len(imgs) == 1 && imgs[0] == "none" {
		c.NoImages = true
	} else {
		c.Images = imgs
	}

	switch c.Mode {
	case ModeGenerateKey:
		if c.KeyIsPEM {
			return c, gha.Usagef("key", "generate-key writes the key: give a file path, not key contents")
		}
		if key == "" {
			key = "cosign.key"
		}
		c.Key = gha.ResolvePath(c.Workspace, key)
		if len(c.Password) == 0 {
			return c, gha.Usagef("key-password", "generate-key needs a password (key-password or COSIGN_PASSWORD) to encrypt the key")
		}
		return c, nil
	case ModeVerify:
		return c, c.parseVerify(a)
	}
	switch c.Signer {
	case SignerKey:
		if key == "" {
			return c, gha.Usagef("key", "signer key needs a cosign private key: a file path or the key's contents (from a secret)")
		}
		if !c.KeyIsPEM {
			c.Key = gha.ResolvePath(c.Workspace, key)
			if _, err := os.Stat(c.Key); err != nil {
				return c, gha.Usagef("key", "%s: no such key file (make one with mode generate-key or cosign generate-key-pair)", key)
			}
		}
	case SignerKMS:
		if err := CheckKMSURI(key); err != nil {
			return c, gha.Usagef("key", "%v", err)
		}
		c.Key = key
	case SignerKeyless:
		if key != "" {
			return c, gha.Usagef("key", "keyless signing takes no key")
		}
		for _, in := range []string{"fulcio-url", "rekor-url"} {
			if u := a.String(in); !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://") {
				return c, gha.Usagef(in, "%q is not an http(s) URL", u)
			}
		}
	}
	switch tl := a.String("tlog-upload"); tl {
	case "auto":
		c.TlogUpload = c.Signer == SignerKeyless
	case "true":
		c.TlogUpload = true
	case "false":
		if c.Signer == SignerKeyless {
			return c, gha.Usagef("tlog-upload", "keyless signatures must be logged: a short-lived certificate only verifies with the log's timestamp")
		}
	default:
		return c, gha.Usagef("tlog-upload", "%q is not auto, true or false", tl)
	}
	return c, nil
}

func (c *Config) parseVerify(a *gha.Action) error {
	pk := a.String("public-key")
	if c.Signer == SignerKeyless {
		switch {
		case c.Identity == "" && c.IdentityRE == "":
			return gha.Usagef("certificate-identity", "keyless verification needs the signer's identity (the workflow URL), or certificate-identity-regexp")
		case c.Identity != "" && c.IdentityRE != "":
			return gha.Usagef("certificate-identity-regexp", "give certificate-identity or certificate-identity-regexp, not both")
		case c.IdentityRE != "":
			if _, err := regexp.Compile(c.IdentityRE); err != nil {
				return gha.Usagef("certificate-identity-regexp", "%q is not a regular expression: %v", c.IdentityRE, err)
			}
		}
		tr := a.String("trusted-root")
		if tr == "" {
			return gha.Usagef("trusted-root", "keyless verification needs a trusted_root.json (Fulcio CAs and Rekor keys)")
		}
		c.TrustedRoot = gha.ResolvePath(c.Workspace, tr)
		return nil
	}
	if pk == "" {
		return gha.Usagef("public-key", "verify needs the public key (cosign.pub), or signer keyless with certificate-identity")
	}
	if strings.Contains(pk, "://") {
		if err := CheckKMSURI(pk); err != nil {
			return gha.Usagef("public-key", "%v", err)
		}
		c.PublicKey = pk
		return nil
	}
	c.PublicKey = gha.ResolvePath(c.Workspace, pk)
	if _, err := os.Stat(c.PublicKey); err != nil {
		return gha.Usagef("public-key", "%s: no such file", pk)
	}
	return nil
}

func maskPEM(a *gha.Action, s string) {
	a.Mask(s)
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); len(l) > 8 && !strings.HasPrefix(l, "-----") {
			a.Mask(l)
		}
	}
}
