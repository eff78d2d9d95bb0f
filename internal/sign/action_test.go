package sign

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBadInput: every bad input is exit 2 naming the input, and nothing is
// written to dist.
func TestBadInput(t *testing.T) {
	t.Parallel()
	ws := t.TempDir()
	writeFile(t, filepath.Join(ws, "a.txt"), []byte("a"))
	kp, err := GenerateKeyPair([]byte("right"))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(ws, "cosign.key"), kp.PrivatePEM)
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"unknown mode", []string{"--mode", "stamp"}, `input "mode": "stamp" is not sign, verify or generate-key`},
		{"unknown signer", []string{"--signer", "gpg", "--paths", "a.txt"}, `input "signer": "gpg" is not key, kms or keyless`},
		{"unknown storage", []string{"--storage", "oci", "--paths", "a.txt"}, `input "storage"`},
		{"missing key", []string{"--key", "nokey.key", "--paths", "a.txt"}, `input "key": nokey.key: no such key file`},
		{"wrong password", []string{"--key", "cosign.key", "--key-password", "wrong-pass", "--paths", "a.txt"}, `input "key-password": wrong password`},
		{"bad kms uri", []string{"--signer", "kms", "--key", "pkcs11://x", "--paths", "a.txt"}, `input "key": unsupported KMS key URI: scheme "pkcs11://"`},
		{"missing path", []string{"--key", "cosign.key", "--key-password", "right", "--paths", "gone.txt"}, `input "paths": gone.txt: no such file`},
		{"keyless without id-token", []string{"--signer", "keyless", "--paths", "a.txt"}, "id-token: write"},
		{"verify without key", []string{"--mode", "verify", "--paths", "a.txt"}, `input "public-key"`},
		{"no manifest", []string{"--key", "cosign.key"}, `input "dist"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := runCLI(t, ws, nil, append(tc.args, "--dist", "dist-"+strings.ReplaceAll(tc.name, " ", "-"))...)
			r.mustCode(t, 2)
			if !strings.Contains(r.stderr+r.stdout, tc.want) {
				t.Errorf("output lacks %q:\n%s%s", tc.want, r.stdout, r.stderr)
			}
			if strings.Contains(r.stdout+r.stderr, "wrong-pass") {
				t.Error("the password was printed")
			}
			if _, err := os.Stat(filepath.Join(ws, "dist-"+strings.ReplaceAll(tc.name, " ", "-"))); !os.IsNotExist(err) {
				t.Error("dist was written for a usage error")
			}
		})
	}
}

// TestSecretsMasked: key contents given as an input and the password are
// masked in Actions mode and never printed.
func TestSecretsMasked(t *testing.T) {
	t.Parallel()
	ws := t.TempDir()
	writeFile(t, filepath.Join(ws, "a.txt"), []byte("a"))
	kp, err := GenerateKeyPair([]byte("hunter2-secret"))
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(ws, "out")
	env := map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": ws, "GITHUB_OUTPUT": out, "GITHUB_STEP_SUMMARY": filepath.Join(ws, "sum"),
		"INPUT_KEY": string(kp.PrivatePEM), "COSIGN_PASSWORD": "hunter2-secret", "INPUT_PATHS": "a.txt", "RUNNER_DEBUG": "1"}
	r := runCLI(t, ws, env)
	r.mustCode(t, 0)
	all := r.stdout + r.stderr
	if !strings.Contains(all, "::add-mask::hunter2-secret") {
		t.Errorf("the password was not masked:\n%s", all)
	}
	body := strings.Split(string(kp.PrivatePEM), "\n")[1]
	if !strings.Contains(all, "::add-mask::"+body) {
		t.Errorf("the key contents were not masked")
	}
	var rest strings.Builder
	for _, l := range strings.Split(all, "\n") {
		if !strings.HasPrefix(l, "::add-mask::") {
			rest.WriteString(l + "\n")
		}
	}
	for _, secret := range []string{"hunter2-secret", body} {
		if strings.Contains(rest.String(), secret) {
			t.Errorf("secret %q printed outside a mask command", secret[:8])
		}
	}
	// Wrong password: the error is clear and the password is not in it.
	env["COSIGN_PASSWORD"] = "hunter3-secret"
	bad := runCLI(t, ws, env)
	bad.mustCode(t, 2)
	if !strings.Contains(bad.stdout, "wrong password") || strings.Contains(strings.ReplaceAll(bad.stdout, "::add-mask::hunter3-secret", ""), "hunter3-secret") {
		t.Errorf("wrong password output:\n%s", bad.stdout)
	}
}
