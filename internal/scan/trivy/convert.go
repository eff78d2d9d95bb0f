package trivy

import (
	"slices"
	"strings"

	ftypes "github.com/aquasecurity/trivy/pkg/fanal/types"
	tutils "github.com/aquasecurity/trivy/pkg/scan/utils"
	"github.com/aquasecurity/trivy/pkg/types"

	"github.com/slipway-dev/slipway/internal/scan"
)

type reportT = types.Report

// convert turns Trivy's report into the subject's result: every package of
// every target, and every vulnerability with its severity and fix.
func convert(s scan.Subject, rep types.Report) scan.Result {
	res := scan.Result{Subject: s, Packages: []scan.Package{}, Vulns: []scan.Vulnerability{}}
	seen := make(map[string]bool)
	for _, t := range rep.Results {
		target := t.Target
		if s.Kind == scan.KindGoMod {
			target = "go.mod"
		}
		mainModule := ""
		if t.Type == ftypes.GoBinary {
			for _, p := range t.Packages {
				if p.Relationship == ftypes.RelationshipRoot {
					mainModule = p.Name
				}
			}
		}
		for _, p := range t.Packages {
			// FormatVersion: an OS package's whole version (epoch:version-release),
			// as its vulnerabilities' installed version says it.
			pkg := scan.Package{Name: p.Name, Version: tutils.FormatVersion(p), Type: string(t.Type), PURL: purl(p.Identifier), Licenses: slices.Clone(p.Licenses)}
			k := pkg.Type + "\x00" + pkg.Name + "\x00" + pkg.Version + "\x00" + pkg.PURL
			if seen[k] {
				continue
			}
			seen[k] = true
			res.Packages = append(res.Packages, pkg)
		}
		for _, v := range t.Vulnerabilities {
			sev, err := scan.ParseSeverity(v.Severity)
			if err != nil {
				sev = scan.SeverityUnknown
			}
			res.Vulns = append(res.Vulns, scan.Vulnerability{
				ID: v.VulnerabilityID, Aliases: aliases(v), Package: v.PkgName, Installed: v.InstalledVersion,
				Fixed: v.FixedVersion, PkgType: string(t.Type), PURL: purl(v.PkgIdentifier), Severity: sev,
				Title: v.Title, Description: v.Description, URL: v.PrimaryURL, Target: target, MainModule: mainModule,
			})
		}
	}
	return res
}

func purl(id ftypes.PkgIdentifier) string {
	if id.PURL == nil {
		return ""
	}
	return id.PURL.String()
}

// aliases are the vendor IDs and the references that name another ID
// (GHSA-..., GO-...), so that govulncheck's IDs and ignore rules match.
func aliases(v types.DetectedVulnerability) []string {
	var out []string
	add := func(id string) {
		if id != "" && id != v.VulnerabilityID && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	for _, id := range v.VendorIDs {
		add(id)
	}
	for _, r := range v.References {
		for _, p := range []string{"GHSA-", "GO-", "CVE-"} {
			if i := strings.LastIndex(r, "/"+p); i >= 0 {
				add(strings.TrimRight(r[i+1:], "/"))
			}
		}
	}
	return out
}
