package scan

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func multiArch() []Result {
	text := Package{Name: "golang.org/x/text", Version: "v0.3.7", Type: "gobinary", PURL: "pkg:golang/golang.org/x/text@v0.3.7"}
	std := Package{Name: "stdlib", Version: "v1.26.8", Type: "gobinary", PURL: "pkg:golang/stdlib@v1.26.8"}
	musl := Package{Name: "musl", Version: "1.2.5", Type: "alpine", PURL: "pkg:apk/alpine/musl@1.2.5?arch=aarch64", Licenses: []string{"MIT"}}
	return []Result{
		{Subject: Subject{Kind: KindImage, Name: "img linux/amd64", Platform: "linux/amd64", Image: "img"}, Packages: []Package{text, std}},
		{Subject: Subject{Kind: KindImage, Name: "img linux/arm64", Platform: "linux/arm64", Image: "img"}, Packages: []Package{text, std, musl}},
	}
}

// TestCombine lists each component once with the platforms it is on.
func TestCombine(t *testing.T) {
	t.Parallel()
	got := Combine(multiArch())
	var names []string
	for _, c := range got {
		names = append(names, c.Name+" "+strings.Join(c.Platforms, ","))
	}
	want := []string{"golang.org/x/text linux/amd64,linux/arm64", "musl linux/arm64", "stdlib linux/amd64,linux/arm64"}
	if d := cmp.Diff(want, names); d != "" {
		t.Errorf("components (-want +got):\n%s", d)
	}
	doc := SBOMDoc{Name: "img", Kind: KindImage, Platforms: []string{"linux/amd64", "linux/arm64"}, Tool: "slipway-scan test", Created: day, Components: got}
	a, err := CycloneDX(doc)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := CycloneDX(doc)
	if string(a) != string(b) {
		t.Error("CycloneDX output is not deterministic")
	}
	var bom struct {
		Components []struct {
			Name       string
			Properties []struct{ Name, Value string }
		}
	}
	if err := json.Unmarshal(a, &bom); err != nil {
		t.Fatal(err)
	}
	if len(bom.Components) != 3 || len(bom.Components[0].Properties) != 3 || bom.Components[0].Properties[2].Value != "linux/arm64" {
		t.Errorf("CycloneDX components: %+v", bom.Components)
	}
}

// TestSARIFFailedSubject keeps the log valid-shaped when a subject fails:
// an unsuccessful invocation with a notification, results for the others.
func TestSARIFFailedSubject(t *testing.T) {
	t.Parallel()
	v := textVuln(SeverityHigh, "0.3.8")
	v.Status, v.Fails = StatusAffected, true
	nv := textVuln(SeverityHigh, "0.3.8")
	nv.Status, nv.Note, nv.Justification = StatusNotAffected, NoteNotCalled, JustificationNotCalled
	b, err := WriteSARIF([]Result{
		{Subject: Subject{Name: "a", Location: "dist/a"}, Vulns: []Vulnerability{v}},
		{Subject: Subject{Name: "b", Location: "dist/b"}, Vulns: []Vulnerability{nv}},
		{Subject: Subject{Name: "broken"}, Err: "no such file"},
	}, "test")
	if err != nil {
		t.Fatal(err)
	}
	var log sarifLog
	if err := json.Unmarshal(b, &log); err != nil {
		t.Fatal(err)
	}
	run := log.Runs[0]
	if run.Invocations[0].ExecutionSuccessful || len(run.Invocations[0].Notifications) != 1 || !strings.Contains(run.Invocations[0].Notifications[0].Message.Text, "broken could not be scanned") {
		t.Errorf("invocation: %+v", run.Invocations)
	}
	if len(run.Tool.Driver.Rules) != 1 || len(run.Results) != 2 || run.Results[1].RuleIndex != 0 {
		t.Fatalf("rules %d results %d", len(run.Tool.Driver.Rules), len(run.Results))
	}
	if len(run.Results[0].Suppressions) != 0 || len(run.Results[1].Suppressions) != 1 || run.Results[1].Suppressions[0].Justification != NoteNotCalled {
		t.Errorf("suppressions: %+v / %+v", run.Results[0].Suppressions, run.Results[1].Suppressions)
	}
	if run.Tool.Driver.Rules[0].Properties["security-severity"] != "8.0" {
		t.Errorf("rule properties: %v", run.Tool.Driver.Rules[0].Properties)
	}

}
