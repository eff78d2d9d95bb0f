package oci

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSemverTags(t *testing.T) {
	t.Parallel()
	const sha = "0123456789abcdef0123456789abcdef01234567"
	for _, tc := range []struct {
		name string
		in   TagInput
		want []string
	}{
		{"release", TagInput{Version: "v1.2.3", Commit: sha, Ref: "refs/tags/v1.2.3"}, []string{"1.2.3", "1.2", "1", "latest", "sha-0123456"}},
		{"release without ref", TagInput{Version: "1.2.3"}, []string{"1.2.3", "1.2", "1", "latest"}},
		{"prerelease moves nothing", TagInput{Version: "1.3.0-rc.1", Commit: sha, Ref: "refs/tags/v1.3.0-rc.1", Existing: []string{"1.2.3"}}, []string{"1.3.0-rc.1", "sha-0123456"}},
		{"0.x has no bare 0", TagInput{Version: "0.4.1", Ref: "refs/tags/v0.4.1"}, []string{"0.4.1", "0.4", "latest"}},
		{"hotfix of an older minor", TagInput{Version: "1.2.4", Existing: []string{"1.3.0", "1.2.3", "latest"}}, []string{"1.2.4", "1.2"}},
		{"hotfix of an older major", TagInput{Version: "1.9.1", Existing: []string{"2.0.0", "1.9.0"}}, []string{"1.9.1", "1.9", "1"}},
		{"higher prerelease does not count", TagInput{Version: "1.2.3", Existing: []string{"1.3.0-rc.1"}}, []string{"1.2.3", "1.2", "1", "latest"}},
		{"build metadata", TagInput{Version: "1.2.3+meta"}, []string{"1.2.3-meta", "1.2", "1", "latest"}},
		{"branch", TagInput{Version: "1.2.4-0.20261120100000-0123456789ab", Commit: sha, Ref: "refs/heads/feature/New_UI"}, []string{"feature-New_UI", "sha-0123456"}},
		{"pull request", TagInput{Version: "1.2.4-0.20261120100000-0123456789ab", Commit: sha, Ref: "refs/pull/42/merge"}, []string{"pr-42", "sha-0123456"}},
		{"non-semver tag", TagInput{Version: "1.2.4-0.20261120100000-0123456789ab", Commit: sha, Ref: "refs/tags/nightly"}, []string{"nightly", "sha-0123456"}},
		{"pseudo-version on a tag ref is no release", TagInput{Version: "0.0.0-20261120100000-0123456789ab", Ref: "refs/tags/x"}, []string{"x"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if d := cmp.Diff(tc.want, SemverTags(tc.in)); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

func TestCheckTag(t *testing.T) {
	t.Parallel()
	for tag, ok := range map[string]bool{
		"1.2.3": true, "latest": true, "_x": true, "sha-0123456": true,
		"": false, "-x": false, ".x": false, "a/b": false, "a:b": false, "é": false,
		string(make([]byte, 129)): false,
	} {
		if err := CheckTag(tag); (err == nil) != ok {
			t.Errorf("CheckTag(%q) = %v, want ok=%v", tag, err, ok)
		}
	}
}
