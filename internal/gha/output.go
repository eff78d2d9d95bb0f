package gha

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
)

const (
	delimiterPrefix = "ghadelimiter_"
	randomBytes     = 16 // 32 hex characters
	randomAttempts  = 8
)

// SetOutput sets a declared output. In Actions mode it is appended at once to
// the file named by GITHUB_OUTPUT as a heredoc whose delimiter is fresh and
// random for every write and never occurs in the value, so a value cannot
// end its heredoc early and forge other outputs. In CLI mode it is recorded
// and printed by Flush; setting an output again replaces it.
func (a *Action) SetOutput(name, value string) error {
	if !a.spec.declaresOutput(name) {
		return fmt.Errorf("setting output %q: not declared by %s", name, a.spec.Name)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.actions {
		a.outputs[name] = value
		return nil
	}
	path := a.env.Getenv("GITHUB_OUTPUT")
	if path == "" {
		return fmt.Errorf("setting output %q: GITHUB_OUTPUT is not set", name)
	}
	delim, err := a.randomTokenLocked(delimiterPrefix, value)
	if err != nil {
		return fmt.Errorf("setting output %q: %w", name, err)
	}
	record := name + "<<" + delim + "\n" + value + "\n" + delim + "\n"
	if err := appendFile(path, record); err != nil {
		return fmt.Errorf("setting output %q: %w", name, err)
	}
	return nil
}

// randomTokenLocked returns prefix followed by 32 random hex characters that
// do not occur in avoid. a.mu must be held: Env.Rand need not be safe for
// concurrent use.
func (a *Action) randomTokenLocked(prefix, avoid string) (string, error) {
	buf := make([]byte, randomBytes)
	for range randomAttempts {
		if _, err := io.ReadFull(a.env.Rand, buf); err != nil {
			return "", fmt.Errorf("reading randomness: %w", err)
		}
		tok := prefix + hex.EncodeToString(buf)
		if !strings.Contains(avoid, tok) {
			return tok, nil
		}
	}
	return "", fmt.Errorf("no random delimiter absent from the value after %d attempts", randomAttempts)
}

// appendFile appends text to path in one write, creating the file if needed.
func appendFile(path, text string) (err error) {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); cerr != nil && err == nil {
			err = cerr
		}
	}()
	_, err = f.WriteString(text)
	return err
}

// Flush prints the outputs recorded in CLI mode to Stdout, in the order the
// Spec declares them, as "name=value" lines or, with --output-format json, as
// one compact JSON object of strings and a newline. Masks apply. Printed
// outputs are forgotten, so a second Flush prints only outputs set since. In
// Actions mode outputs are already written and Flush does nothing.
func (a *Action) Flush() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.actions || (len(a.outputs) == 0 && (a.flushed || a.format == formatText)) {
		return nil
	}
	a.flushed = true
	var b bytes.Buffer
	if a.format == formatJSON {
		b.WriteByte('{')
	}
	n := 0
	for _, out := range a.spec.Outputs {
		v, ok := a.outputs[out.Name]
		if !ok {
			continue
		}
		v = a.redactLocked(v)
		if a.format == formatText {
			fmt.Fprintf(&b, "%s=%s\n", out.Name, v)
			continue
		}
		if n > 0 {
			b.WriteByte(',')
		}
		writeJSONString(&b, out.Name)
		b.WriteByte(':')
		writeJSONString(&b, v)
		n++
	}
	if a.format == formatJSON {
		b.WriteString("}\n")
	}
	clear(a.outputs)
	if _, err := a.env.Stdout.Write(b.Bytes()); err != nil {
		return fmt.Errorf("writing outputs: %w", err)
	}
	return nil
}

// writeJSONString writes s as a JSON string without HTML escaping, so that
// values such as "a<b" stay readable.
func writeJSONString(b *bytes.Buffer, s string) {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)       // a string always encodes; writes to a Buffer do not fail
	b.Truncate(b.Len() - 1) // Encode's newline
}

// Summary adds markdown to the step summary: appended to the file named by
// GITHUB_STEP_SUMMARY in Actions mode (skipped when unset), written to Stderr
// in CLI mode. Masks apply.
func (a *Action) Summary(markdown string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	text := a.redactLocked(markdown)
	if !strings.HasSuffix(text, "\n") {
		text += "\n"
	}
	if !a.actions {
		if _, err := io.WriteString(a.env.Stderr, text); err != nil {
			return fmt.Errorf("writing step summary: %w", err)
		}
		return nil
	}
	path := a.env.Getenv("GITHUB_STEP_SUMMARY")
	if path == "" {
		return nil
	}
	if err := appendFile(path, text); err != nil {
		return fmt.Errorf("writing step summary: %w", err)
	}
	return nil
}
