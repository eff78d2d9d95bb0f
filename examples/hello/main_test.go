package main

import (
	"bytes"
	"strings"
	"testing"

	"golang.org/x/text/language"
)

func TestGreet(t *testing.T) {
	for _, tc := range []struct{ lang, name, want string }{
		{"en", "world", "Hello, World!"},
		{"de", "welt", "Hallo, Welt!"},
		{"tr", "istanbul", "Merhaba, İstanbul!"},
	} {
		if got := greet(language.MustParse(tc.lang), tc.name); got != tc.want {
			t.Errorf("greet(%s, %s) = %q, want %q", tc.lang, tc.name, got, tc.want)
		}
	}
}

func TestVersionFlag(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"--version"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if !strings.HasPrefix(out.String(), "hello dev (commit none") {
		t.Errorf("version line = %q", out.String())
	}
}
