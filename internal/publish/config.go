package publish

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/slipway-dev/slipway/internal/gha"
	"github.com/slipway-dev/slipway/internal/oci"
)

// ExtraFile is one extra-files entry.
type ExtraFile struct {
	Source string // absolute
	Path   string // in the image
}

// Config is the publish action's input, parsed and checked.
type Config struct {
	Mode          string
	Workspace     string // absolute
	Dist          string // absolute, inside Workspace
	Repositories  []string
	Base          string
	Binaries      []string // first: the entrypoint's
	Path          string
	UID, GID      int
	ExtraFiles    []ExtraFile
	Entrypoint    []string
	User          string
	Env           []string
	WorkDir       string
	Ports         []string
	Labels        map[string]string
	Annotations   map[string]string
	Tags          []string
	TagStrategy   string
	Platforms     []oci.Platform
	Jobs          int
	Username      string
	Password      string
	Release       bool
	ReplaceAssets bool
	ArtifactsRepo string
	Inputs        []string // merge: absolute paths or globs
}

// ParseConfig reads and checks the action's inputs.
func ParseConfig(a *gha.Action) (Config, error) {
	c := Config{
		Mode:          a.String("mode"),
		Workspace:     a.Workspace(),
		Base:          strings.TrimSpace(a.String("base")),
		Binaries:      a.List("binary"),
		Path:          a.String("path"),
		Entrypoint:    a.List("entrypoint"),
		User:          a.String("user"),
		WorkDir:       a.String("workdir"),
		TagStrategy:   a.String("tag-strategy"),
		Jobs:          a.Int("jobs"),
		Username:      a.String("username"),
		Password:      a.String("password"),
		Release:       a.Bool("release"),
		ReplaceAssets: a.Bool("replace-assets"),
	}
	var err error
	if c.Dist, err = gha.InsideWorkspace(c.Workspace, a.String("dist"), false); err != nil {
		return c, gha.Usagef("dist", "%v", err)
	}
	for _, r := range a.List("repository") {
		name, err := oci.ParseRepository(r)
		if err != nil {
			return c, gha.Usagef("repository", "%v", err)
		}
		if !slices.Contains(c.Repositories, name) {
			c.Repositories = append(c.Repositories, name)
		}
	}
	if c.Mode == ModeAuto {
		c.Mode = ModeBuild
		if len(c.Repositories) > 0 {
			c.Mode = ModePush
		}
	}
	switch c.Mode {
	case ModeBuild:
	case ModePush, ModePushByDigest, ModeMerge:
		if len(c.Repositories) == 0 {
			return c, gha.Usagef("repository", "mode %s needs at least one repository to push to", c.Mode)
		}
	default:
		return c, gha.Usagef("mode", "%q is not auto, build, push, push-by-digest or merge", c.Mode)
	}
	if c.Base == "" {
		return c, gha.Usagef("base", "empty: give an image reference or scratch")
	}
	if c.Base != oci.Scratch {
		if _, err := oci.ParseReference(c.Base); err != nil {
			return c, gha.Usagef("base", "%v", err)
		}
	}
	if c.Path != "" && len(c.Binaries) > 1 {
		return c, gha.Usagef("path", "path places one binary; with several binaries each goes to /usr/local/bin/<name>")
	}
	if c.Path != "" {
		if err := oci.CheckImagePath(c.Path); err != nil {
			return c, gha.Usagef("path", "%v", err)
		}
	}
	if c.UID, c.GID, err = parseOwner(a.String("owner")); err != nil {
		return c, gha.Usagef("owner", "%v", err)
	}
	for _, e := range a.List("extra-files") {
		src, dst, ok := strings.Cut(e, "=")
		if !ok || src == "" {
			return c, gha.Usagef("extra-files", "%q is not SOURCE=/image/path", e)
		}
		if err := oci.CheckImagePath(dst); err != nil {
			return c, gha.Usagef("extra-files", "%q: %v", e, err)
		}
		c.ExtraFiles = append(c.ExtraFiles, ExtraFile{Source: gha.ResolvePath(c.Workspace, src), Path: dst})
	}
	if c.Env, err = keyValues("env", a.List("env")); err != nil {
		return c, err
	}
	for _, p := range a.List("ports") {
		if _, err := oci.CheckPort(p); err != nil {
			return c, gha.Usagef("ports", "%v", err)
		}
		c.Ports = append(c.Ports, p)
	}
	if c.Labels, err = keyMap("labels", a.List("labels")); err != nil {
		return c, err
	}
	if c.Annotations, err = keyMap("annotations", a.List("annotations")); err != nil {
		return c, err
	}
	for _, t := range a.List("tags") {
		if err := oci.CheckTag(t); err != nil {
			return c, gha.Usagef("tags", "%v", err)
		}
		c.Tags = append(c.Tags, t)
	}
	if c.TagStrategy != oci.StrategySemver && c.TagStrategy != oci.StrategyNone {
		return c, gha.Usagef("tag-strategy", "%q is not semver or none", c.TagStrategy)
	}
	for _, p := range a.List("platforms") {
		pl, err := oci.ParsePlatform(p)
		if err != nil {
			return c, gha.Usagef("platforms", "%v", err)
		}
		if pl.OS != "linux" {
			return c, gha.Usagef("platforms", "%q: only linux images are built (windows images need a Windows base and layer format this action does not write)", p)
		}
		c.Platforms = append(c.Platforms, pl)
	}
	if c.Jobs < 1 {
		return c, gha.Usagef("jobs", "%d: give 1 or more", c.Jobs)
	}
	if (c.Username == "") != (c.Password == "") {
		return c, gha.Usagef("password", "username and password go together: give both or neither")
	}
	if r := a.String("artifacts-repository"); r != "" {
		if c.ArtifactsRepo, err = oci.ParseRepository(r); err != nil {
			return c, gha.Usagef("artifacts-repository", "%v", err)
		}
	}
	for _, in := range a.List("inputs") {
		c.Inputs = append(c.Inputs, gha.ResolvePath(c.Workspace, in))
	}
	if c.Mode == ModeMerge && len(c.Inputs) == 0 {
		return c, gha.Usagef("inputs", "merge needs the shard dist directories or manifests written by push-by-digest")
	}
	return c, nil
}

func parseOwner(s string) (int, int, error) {
	u, g, ok := strings.Cut(s, ":")
	if !ok {
		g = u
	}
	uid, err1 := strconv.Atoi(u)
	gid, err2 := strconv.Atoi(g)
	if err1 != nil || err2 != nil || uid < 0 || gid < 0 {
		return 0, 0, fmt.Errorf("%q is not uid:gid (numbers, such as 65532:65532)", s)
	}
	return uid, gid, nil
}

func keyValues(input string, items []string) ([]string, error) {
	var out []string
	for _, kv := range items {
		k, _, ok := strings.Cut(kv, "=")
		if !ok || strings.TrimSpace(k) == "" || strings.ContainsAny(k, " \t") {
			return nil, gha.Usagef(input, "%q is not KEY=VALUE", kv)
		}
		out = append(out, kv)
	}
	return out, nil
}

func keyMap(input string, items []string) (map[string]string, error) {
	kvs, err := keyValues(input, items)
	if err != nil {
		return nil, err
	}
	m := map[string]string{}
	for _, kv := range kvs {
		k, v, _ := strings.Cut(kv, "=")
		m[k] = v
	}
	return m, nil
}
