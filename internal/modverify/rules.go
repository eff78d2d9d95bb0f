package modverify

import (
	"fmt"
	"slices"
	"strings"

	"github.com/slipway-dev/slipway/internal/gha"
)

// Severity is how bad a finding is; fail-on compares against it.
type Severity string

// The severities, from worst.
const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
	SeverityNotice  Severity = "notice"
)

// rank orders severities: error 3, warning 2, notice 1.
func (s Severity) rank() int {
	switch s {
	case SeverityError:
		return 3
	case SeverityWarning:
		return 2
	case SeverityNotice:
		return 1
	}
	return 0
}

// Level is the annotation level of the severity.
func (s Severity) Level() gha.Level {
	switch s {
	case SeverityError:
		return gha.LevelError
	case SeverityWarning:
		return gha.LevelWarning
	}
	return gha.LevelNotice
}

// SARIFLevel is the SARIF result level of the severity.
func (s Severity) SARIFLevel() string {
	if s == SeverityNotice {
		return "note"
	}
	return string(s)
}

// The checks, by the names the checks input takes.
const (
	CheckVerify           = "verify"
	CheckSumDB            = "sumdb"
	CheckTidy             = "tidy"
	CheckVendor           = "vendor"
	CheckReplace          = "replace"
	CheckToolchain        = "toolchain"
	CheckRetracted        = "retracted"
	CheckEnvironment      = "environment"
	CheckDiff             = "diff"
	CheckBuildConstraints = "build-constraints"
)

// AllChecks lists every check in the order they run.
var allChecks = []string{
	CheckEnvironment, CheckToolchain, CheckReplace, CheckBuildConstraints, CheckVerify, CheckSumDB,
	CheckTidy, CheckVendor, CheckRetracted, CheckDiff,
}

// AllChecks returns every check name in the order the checks run.
func AllChecks() []string { return slices.Clone(allChecks) }

// Rule is one kind of finding: a stable ID, the check that reports it, a
// default severity and the text shown in docs and SARIF.
type Rule struct {
	ID       string
	Check    string
	Name     string // PascalCase SARIF rule name
	Severity Severity
	Short    string // one line: what
	Why      string // why it matters
	Fix      string // how to fix it
}

// The rule IDs.
const (
	RuleGoSumZipMismatch    = "SLW-MOD-001"
	RuleGoSumModMismatch    = "SLW-MOD-002"
	RuleModuleFilesModified = "SLW-MOD-003"
	RuleModuleUnavailable   = "SLW-MOD-004"
	RuleGoSumMissing        = "SLW-MOD-005"
	RuleSumDBMismatch       = "SLW-MOD-010"
	RuleSumDBNotFound       = "SLW-MOD-011"
	RuleGoModNotTidy        = "SLW-MOD-020"
	RuleGoSumNotTidy        = "SLW-MOD-021"
	RuleVendorModulesTxt    = "SLW-MOD-030"
	RuleVendorFiles         = "SLW-MOD-031"
	RuleLocalReplace        = "SLW-MOD-040"
	RuleModuleReplace       = "SLW-MOD-041"
	RuleExclude             = "SLW-MOD-042"
	RuleRetractDirective    = "SLW-MOD-043"
	RuleGoLineNewer         = "SLW-MOD-050"
	RuleToolchainNewer      = "SLW-MOD-051"
	RuleToolchainOlder      = "SLW-MOD-052"
	RuleNoGoLine            = "SLW-MOD-053"
	RuleRetracted           = "SLW-MOD-060"
	RuleDeprecated          = "SLW-MOD-061"
	RuleSumDBOff            = "SLW-MOD-070"
	RuleNoSumDBPublic       = "SLW-MOD-071"
	RuleProxyDirect         = "SLW-MOD-072"
	RulePrivateFallback     = "SLW-MOD-073"
	RuleInsecure            = "SLW-MOD-074"
	RuleInsecureFlag        = "SLW-MOD-075"
	RuleMajorChange         = "SLW-MOD-080"
	RuleUnexplainedUpgrade  = "SLW-MOD-081"
	RuleDowngrade           = "SLW-MOD-082"
	RuleConstraintsDisagree = "SLW-MOD-090"
	RulePlusBuildOnly       = "SLW-MOD-091"
	RuleGoModParse          = "SLW-MOD-099"
)

var rules = []Rule{
	{RuleGoSumZipMismatch, CheckVerify, "GoSumZipHashMismatch", SeverityError,
		"A go.sum module hash differs from the module zip in the module cache.",
		"go.sum is the module's record of exactly which code it builds with. When a hash in it differs from the code the build really uses, either go.sum was edited or the cache holds other code; `go mod verify` does not notice a rewritten go.sum line.",
		"Find out which side changed: the sumdb check says whether the line agrees with the checksum database. Restore the line from the base branch, or delete it and run `go mod download MODULE@VERSION` to record the database's hash; if the cache is wrong, `go clean -modcache`."},
	{RuleGoSumModMismatch, CheckVerify, "GoSumModHashMismatch", SeverityError,
		"A go.sum go.mod hash differs from the go.mod in the module cache.",
		"The /go.mod hashes pin the dependency graph: a different go.mod means different requirements, and so different code, for the whole build.",
		"As for SLW-MOD-001: restore the line from the base branch, or delete it and run `go mod download MODULE@VERSION`."},
	{RuleModuleFilesModified, CheckVerify, "ModuleFilesModified", SeverityError,
		"`go mod verify` found extracted module files changed since download.",
		"The build compiles the extracted files, not the zip: an edited file in GOMODCACHE changes the binary without any go.sum change.",
		"Clear the module cache (`go clean -modcache`) and download again; find out what wrote into the cache (a restored CI cache, a tool)."},
	{RuleModuleUnavailable, CheckVerify, "ModuleUnavailable", SeverityError,
		"A module version listed in go.sum could not be downloaded to verify it.",
		"A hash that cannot be checked is not a pass: the build will fail, or use another proxy's copy, on another machine.",
		"Check GOPROXY, GOPRIVATE and credentials for the module; if the version no longer exists, upgrade off it and run `go mod tidy`."},
	{RuleGoSumMissing, CheckVerify, "GoSumMissing", SeverityError,
		"The module has requirements but no go.sum.",
		"Without go.sum nothing pins the dependencies' content, and `go build -mod=readonly` refuses to build.",
		"Run `go mod tidy` and commit go.sum."},
	{RuleSumDBMismatch, CheckSumDB, "SumDBHashMismatch", SeverityError,
		"A go.sum hash differs from the checksum database.",
		"The checksum database is the public, append-only record of every module version's hash. A go.sum that disagrees with it pins code nobody else gets: a go.sum changed together with the module content (a compromised proxy or cache, a hand edit) passes `go mod verify` but not this.",
		"Do not build with it. Delete the line, run `go mod download MODULE@VERSION` with GOSUMDB on, and review the difference in the dependency's code."},
	{RuleSumDBNotFound, CheckSumDB, "SumDBNotFound", SeverityError,
		"A go.sum module version is not in the checksum database.",
		"A public module version the database does not know was never published through the normal path; a private module it was asked about leaks its name.",
		"If the module is private, add its path to GOPRIVATE (or GONOSUMDB). Otherwise the version does not exist publicly: upgrade to one that does."},
	{RuleGoModNotTidy, CheckTidy, "GoModNotTidy", SeverityError,
		"go.mod differs from what `go mod tidy` writes.",
		"Missing requirements break `-mod=readonly` builds; unused ones pull code and advisories into the graph for nothing; wrong `// indirect` marks hide direct dependencies.",
		"Run `go mod tidy` and commit the result."},
	{RuleGoSumNotTidy, CheckTidy, "GoSumNotTidy", SeverityWarning,
		"go.sum differs from what `go mod tidy` writes.",
		"Missing lines make builds fail or fetch hashes at build time; extra lines keep hashes of code the build no longer uses.",
		"Run `go mod tidy` and commit go.sum."},
	{RuleVendorModulesTxt, CheckVendor, "VendorModulesTxtStale", SeverityError,
		"vendor/modules.txt differs from what `go mod vendor` writes.",
		"With vendor/ present the go command builds from it; a stale modules.txt means go.mod and the vendored code disagree.",
		"Run `go mod vendor` and commit vendor/."},
	{RuleVendorFiles, CheckVendor, "VendorFilesModified", SeverityError,
		"A vendored file is missing, extra or differs from the module's content.",
		"Vendored code is not checked against go.sum at build time: an edited file there ships silently.",
		"Run `go mod vendor` and commit vendor/; carry local patches as a `replace` to a fork instead."},
	{RuleLocalReplace, CheckReplace, "LocalPathReplace", SeverityError,
		"A replace directive points at a local directory.",
		"A local-path replace builds only where that directory exists: `go install MODULE@VERSION` ignores it and other machines fail or build other code.",
		"Remove the replace (publish the module and require a version), or allow it with `allow-replace` when the directory is in the same repository."},
	{RuleModuleReplace, CheckReplace, "ModuleReplace", SeverityWarning,
		"A replace directive swaps one module for another version or fork.",
		"A replace changes what code a dependency path means, and only in this module: consumers of the module do not see it.",
		"Upgrade through a normal requirement when you can; otherwise list the module in `allow-replace` to accept it."},
	{RuleExclude, CheckReplace, "ExcludeDirective", SeverityNotice,
		"go.mod has an exclude directive.",
		"exclude applies only to the main module and silently moves the build to another version.",
		"Prefer requiring a version above the excluded one; keep the exclude only with a comment saying why."},
	{RuleRetractDirective, CheckReplace, "RetractDirective", SeverityNotice,
		"go.mod retracts versions of this module.",
		"Retractions are read from the latest version: check that the retracted range is the intended one before releasing.",
		"Nothing to do if intended; give each retract a comment with the reason."},
	{RuleGoLineNewer, CheckToolchain, "GoLineNewerThanRunner", SeverityError,
		"The go line asks for a newer Go than the runner has.",
		"With GOTOOLCHAIN=auto every go command downloads and runs another Go than the one set up for the job; with GOTOOLCHAIN=local the build fails.",
		"Set up that Go on the runner (`actions/setup-go` with `go-version-file: go.mod`), or lower the line with `go mod edit -go=VERSION`."},
	{RuleToolchainNewer, CheckToolchain, "ToolchainLineNewerThanRunner", SeverityWarning,
		"The toolchain line names a newer Go than the runner has.",
		"With GOTOOLCHAIN=auto the go command switches to a downloaded Go; with GOTOOLCHAIN=local the line is ignored and the build uses another Go than go.mod says.",
		"Set up the named Go on the runner, or drop the line with `go mod edit -toolchain=none`."},
	{RuleToolchainOlder, CheckToolchain, "ToolchainLineOlderThanGoLine", SeverityWarning,
		"The toolchain line is older than the go line, so the go command ignores it.",
		"A toolchain line below the go line has no effect and misleads readers about which Go builds the module.",
		"Drop it with `go mod edit -toolchain=none`, or raise it to at least the go line."},
	{RuleNoGoLine, CheckToolchain, "NoGoLine", SeverityWarning,
		"go.mod has no go line.",
		"Without a go line the go command assumes Go 1.16 semantics: no module graph pruning, old language version.",
		"Add one with `go mod edit -go=VERSION`."},
	{RuleRetracted, CheckRetracted, "RetractedVersion", SeverityError,
		"A module in the build list is at a version its author retracted.",
		"Authors retract versions that are broken or unsafe; the go command does not move off them by itself.",
		"Upgrade with `go get MODULE@VERSION` (the message names the version) and run `go mod tidy`."},
	{RuleDeprecated, CheckRetracted, "DeprecatedModule", SeverityWarning,
		"A module in the build list is deprecated by its author.",
		"A deprecated module gets no fixes; its deprecation message usually names the replacement.",
		"Move to the replacement the message names and run `go mod tidy`."},
	{RuleSumDBOff, CheckEnvironment, "SumDBOff", SeverityError,
		"GOSUMDB=off: downloaded modules are never checked against the checksum database.",
		"New go.sum lines are then trusted on first use from whatever the proxy served.",
		"Unset GOSUMDB (`go env -u GOSUMDB`, or remove it from the job env); list private modules in GOPRIVATE instead."},
	{RuleNoSumDBPublic, CheckEnvironment, "NoSumDBCoversPublic", SeverityWarning,
		"GONOSUMDB, GOPRIVATE or GONOSUMCHECK patterns cover public modules.",
		"Modules matched by these patterns are not checked against the checksum database; a pattern as wide as a public host turns the check off for most dependencies.",
		"Narrow the pattern to your own paths (`github.com/your-org/*`)."},
	{RuleProxyDirect, CheckEnvironment, "ProxyDirectOrOff", SeverityWarning,
		"GOPROXY is direct or off.",
		"direct fetches every module from its VCS host (no immutable copy, one more party to trust, rate limits); off makes any missing module a build failure.",
		"Use a module proxy first: GOPROXY=https://proxy.golang.org,direct (or your organisation's proxy)."},
	{RulePrivateFallback, CheckEnvironment, "PrivateFallbackWithoutNoSumDB", SeverityWarning,
		"GOPROXY falls back to direct for private paths that GONOSUMDB does not cover.",
		"The go command then asks the public checksum database about private module paths: their names leak and verification fails.",
		"Set GOPRIVATE (which sets both GONOPROXY and GONOSUMDB) to the private paths."},
	{RuleInsecure, CheckEnvironment, "GoInsecure", SeverityWarning,
		"GOINSECURE lets modules be fetched over plain HTTP or without certificate checks.",
		"Anyone on the network path can serve other code for those modules.",
		"Unset GOINSECURE; serve the modules over HTTPS."},
	{RuleInsecureFlag, CheckEnvironment, "InsecureFlag", SeverityError,
		"GOFLAGS contains -insecure.",
		"The flag disabled HTTPS and checksum checks in old Go versions; current Go rejects it, so every go command in the job fails.",
		"Remove -insecure from GOFLAGS (`go env -u GOFLAGS` or the job env)."},
	{RuleMajorChange, CheckDiff, "MajorVersionChange", SeverityWarning,
		"A dependency moves to another major version.",
		"A new major version is a new API and, often, new behaviour: it deserves its own review.",
		"Review the dependency's changelog and your call sites; nothing to do if intended."},
	{RuleUnexplainedUpgrade, CheckDiff, "UnexplainedIndirectUpgrade", SeverityWarning,
		"An indirect dependency was upgraded though no dependency requires the new version.",
		"Only this go.mod's `// indirect` line asks for it: the upgrade came from a hand edit or an unrelated `go get`, and nobody reviewed it as a dependency change.",
		"Revert the line to the base version, or make the upgrade its own reviewed change."},
	{RuleDowngrade, CheckDiff, "Downgrade", SeverityNotice,
		"A dependency moves to a lower version.",
		"Downgrades can reintroduce fixed bugs and vulnerabilities.",
		"Make sure it is intended (say why in the change)."},
	{RuleConstraintsDisagree, CheckBuildConstraints, "BuildConstraintsDisagree", SeverityError,
		"A file's //go:build and // +build lines select different platforms.",
		"Go 1.17 and later read //go:build, older tools read // +build: different Go versions compile different files.",
		"Run `gofmt -w FILE` (it rewrites // +build from //go:build), or delete the // +build lines when go.mod says go 1.17 or later."},
	{RulePlusBuildOnly, CheckBuildConstraints, "PlusBuildOnly", SeverityWarning,
		"A file has // +build lines but no //go:build line.",
		"The old syntax is deprecated; gofmt and vet expect //go:build.",
		"Run `go fix` or `gofmt -w FILE` to add the //go:build line."},
	{RuleGoModParse, "", "GoModParseError", SeverityError,
		"go.mod, go.work or go.sum cannot be parsed.",
		"No go command can build the module.",
		"Correct the line named in the message; `go mod edit -fmt` then reformats the file."},
}

// Rules returns every rule, in ID order.
func Rules() []Rule { return slices.Clone(rules) }

// RuleByID returns the rule with the ID.
func RuleByID(id string) (Rule, bool) {
	i := slices.IndexFunc(rules, func(r Rule) bool { return r.ID == id })
	if i < 0 {
		return Rule{}, false
	}
	return rules[i], true
}

// ruleOf returns the rule with the ID; IDs are the constants above, so an
// unknown one is a bug that shows as an error finding without docs.
func ruleOf(id string) Rule {
	if r, ok := RuleByID(id); ok {
		return r
	}
	return Rule{ID: id, Severity: SeverityError, Short: id}
}

// RulesReference renders the per-rule reference of docs/verify-mod.md: what,
// why it matters, how to fix it.
func RulesReference() string {
	var b strings.Builder
	for i, r := range rules {
		if i > 0 {
			b.WriteString("\n")
		}
		check := "`" + r.Check + "` check"
		if r.Check == "" {
			check = "always (module files are read before any check)"
		}
		fmt.Fprintf(&b, "### %s\n\n**%s** · %s · %s\n\n", lowerID(r.ID), r.ID+" "+r.Name, r.Severity, check)
		fmt.Fprintf(&b, "- **What:** %s\n- **Why it matters:** %s\n- **Fix:** %s\n", r.Short, r.Why, r.Fix)
	}
	return b.String()
}

// RulesMarkdown renders the rules table of docs/verify-mod.md.
func RulesMarkdown() string {
	var b strings.Builder
	b.WriteString("| Rule | Check | Severity | What |\n|------|-------|----------|------|\n")
	for _, r := range rules {
		check := r.Check
		if check == "" {
			check = "(always)"
		}
		fmt.Fprintf(&b, "| [%s](#%s) | `%s` | %s | %s |\n", r.ID, strings.ToLower(r.ID), check, r.Severity, strings.ReplaceAll(r.Short, "|", `\|`))
	}
	return b.String()
}
