package scan

import (
	_ "embed"
	"fmt"
	"strings"
	"sync"
)

//go:embed spdx_licenses.txt
var spdxList string

// spdxIDs is the SPDX license list keyed by lower-case ID; read-only after
// the first use.
var spdxIDs = sync.OnceValue(func() map[string]string {
	m := make(map[string]string)
	for _, l := range strings.Split(spdxList, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			m[strings.ToLower(l)] = l
		}
	}
	return m
})

// deprecatedGNU maps the SPDX IDs the list deprecated for the GNU licences
// (and their "+" forms) to the IDs that replaced them, so that a policy
// naming GPL-3.0 matches a package Trivy reports as GPL-3.0-only.
var deprecatedGNU = map[string]string{
	"gpl-1.0": "GPL-1.0-only", "gpl-1.0+": "GPL-1.0-or-later",
	"gpl-2.0": "GPL-2.0-only", "gpl-2.0+": "GPL-2.0-or-later",
	"gpl-3.0": "GPL-3.0-only", "gpl-3.0+": "GPL-3.0-or-later",
	"lgpl-2.0": "LGPL-2.0-only", "lgpl-2.0+": "LGPL-2.0-or-later",
	"lgpl-2.1": "LGPL-2.1-only", "lgpl-2.1+": "LGPL-2.1-or-later",
	"lgpl-3.0": "LGPL-3.0-only", "lgpl-3.0+": "LGPL-3.0-or-later",
	"agpl-1.0": "AGPL-1.0-only", "agpl-3.0": "AGPL-3.0-only",
	"gfdl-1.1": "GFDL-1.1-only", "gfdl-1.2": "GFDL-1.2-only", "gfdl-1.3": "GFDL-1.3-only",
}

// CanonicalLicense returns the SPDX ID spelled as the list spells it (a
// deprecated GNU ID as the one that replaced it), or an error naming the
// unknown ID. "LicenseRef-..." IDs are accepted as given.
func CanonicalLicense(id string) (string, error) {
	id = strings.TrimSpace(id)
	if strings.HasPrefix(id, "LicenseRef-") && len(id) > len("LicenseRef-") {
		return id, nil
	}
	if c, ok := deprecatedGNU[strings.ToLower(id)]; ok {
		return c, nil
	}
	if c, ok := spdxIDs()[strings.ToLower(id)]; ok {
		return c, nil
	}
	return "", fmt.Errorf("%q is not an SPDX license ID (see https://spdx.org/licenses/; e.g. MIT, Apache-2.0, BSD-3-Clause, GPL-3.0-only)", id)
}

// ParseLicenses checks a list of SPDX IDs and returns them canonical.
func ParseLicenses(ids []string) ([]string, error) {
	var out []string
	for _, id := range ids {
		c, err := CanonicalLicense(id)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// licenseIDs splits a package's licence field into IDs: SPDX expressions
// ("MIT OR Apache-2.0", "(A AND B)") give each ID they name.
func licenseIDs(lic string) []string {
	r := strings.NewReplacer("(", " ", ")", " ")
	var out []string
	for _, f := range strings.Fields(r.Replace(lic)) {
		switch strings.ToUpper(f) {
		case "AND", "OR", "WITH":
			continue
		}
		if c, err := CanonicalLicense(f); err == nil {
			f = c
		}
		out = append(out, f)
	}
	return out
}
