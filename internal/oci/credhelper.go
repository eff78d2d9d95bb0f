package oci

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// helperFor is the credential helper of host: credHelpers, else
// credsStore, else none.
func (a *Auth) helperFor(host string) string {
	if h, ok := a.helpers[host]; ok {
		return h
	}
	return a.store
}

// fromHelper asks helper for host's credentials once; a helper that does
// not know the host, or that cannot run, leaves the other sources to
// answer (its error is kept for the explanation of a refusal).
func (a *Auth) fromHelper(helper, host string) helped {
	a.mu.Lock()
	defer a.mu.Unlock()
	if r, ok := a.helped[host]; ok {
		return r
	}
	var r helped
	bin, err := findHelper(a.cfg.HelperPath, "docker-credential-"+helper)
	if err == nil {
		var out []byte
		out, err = a.cfg.RunHelper(bin, host)
		if err == nil {
			r.c, r.ok, err = parseHelperOutput(out)
		}
	}
	if err != nil && !errors.Is(err, errHelperNoCredentials) {
		r.err = fmt.Errorf("docker credential helper docker-credential-%s for %s: %w", helper, host, err)
	}
	a.helped[host] = r
	return r
}

// findHelper looks for an executable named name (name.exe on Windows) in
// the directories of path (a PATH value).
func findHelper(path, name string) (string, error) {
	if runtime.GOOS == "windows" {
		name += ".exe"
	}
	for _, dir := range filepath.SplitList(path) {
		if dir == "" {
			continue
		}
		p := filepath.Join(dir, name)
		if st, err := os.Stat(p); err == nil && !st.IsDir() && (runtime.GOOS == "windows" || st.Mode()&0o111 != 0) {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s is not on PATH", name)
}

// errHelperNoCredentials is a helper's "credentials not found" answer.
var errHelperNoCredentials = errors.New("credentials not found")

// RunCredentialHelper runs `bin get` with serverURL on stdin, as the docker
// CLI does, for at most a minute. A helper that does not know the server
// exits non-zero saying "credentials not found": that is no credentials,
// not an error.
func RunCredentialHelper(bin, serverURL string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "get")
	cmd.Stdin = strings.NewReader(serverURL)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stdout.String() + " " + stderr.String())
		if strings.Contains(strings.ToLower(msg), "credentials not found") {
			return nil, errHelperNoCredentials
		}
		if len(msg) > 200 {
			msg = msg[:200] + "…"
		}
		return nil, fmt.Errorf("%w: %s", err, msg)
	}
	return stdout.Bytes(), nil
}

// parseHelperOutput reads {"ServerURL", "Username", "Secret"}; the
// username <token> marks an identity token.
func parseHelperOutput(out []byte) (Credentials, bool, error) {
	var doc struct {
		Username string `json:"Username"`
		Secret   string `json:"Secret"`
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		return Credentials{}, false, fmt.Errorf("its answer is not JSON: %w", err)
	}
	if doc.Secret == "" {
		return Credentials{}, false, nil
	}
	return Credentials{Username: doc.Username, Password: doc.Secret}, true, nil
}

// helperError is why host's credential helper gave nothing, if it failed.
func (a *Auth) helperError(host string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.helped[host].err
}
