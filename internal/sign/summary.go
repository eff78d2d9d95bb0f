package sign

import (
	"fmt"
	"strings"
)

// summary is the step summary: one row per signature or attestation.
func (r *run) summary(mode string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "### sign: %s\n\n", mode)
	if len(r.records) == 0 {
		if mode == ModeVerify {
			b.WriteString("No signature verified.\n")
		} else {
			b.WriteString("Nothing to sign.\n")
		}
		return b.String()
	}
	b.WriteString("| subject | kind | digest | signer | where |\n|---|---|---|---|---|\n")
	for _, rec := range r.records {
		where := rec.Bundle
		if where == "" {
			where = rec.Signature
		}
		kind := rec.Kind
		if rec.PredicateType != "" {
			kind += " (" + rec.PredicateType + ")"
		}
		d := rec.Digest
		if len(d) > 19 {
			d = d[:19] + "…"
		}
		fmt.Fprintf(&b, "| `%s` | %s | `%s` | %s | `%s` |\n", rec.Subject, kind, d, rec.Signer, where)
	}
	return b.String()
}
