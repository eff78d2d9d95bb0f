package sign

import (
	"encoding/json"
	"time"
)

// BuildType of Slipway's SLSA provenance: a reproducible go build by
// build-matrix (and, for images, publish's single-layer assembly).
const BuildType = "https://github.com/slipway-dev/slipway/buildtypes/go-release/v1"

// ProvenanceInput is what a provenance statement records about a build.
type ProvenanceInput struct {
	BuilderID    string         // the workflow: https://github.com/OWNER/REPO/.github/workflows/F.yml@REF
	InvocationID string         // the run: https://github.com/OWNER/REPO/actions/runs/ID/attempts/N
	SourceURI    string         // git+https://github.com/OWNER/REPO@REF
	Commit       string         // 40 hex
	External     map[string]any // module, version, ref, target, ...
	Internal     map[string]any // toolchain and environment the manifest records
	StartedOn    time.Time      // the commit time (SOURCE_DATE_EPOCH)
	Extra        []ResourceDescriptor
}

// ResourceDescriptor is an in-toto resource descriptor.
type ResourceDescriptor struct {
	URI    string            `json:"uri,omitempty"`
	Name   string            `json:"name,omitempty"`
	Digest map[string]string `json:"digest,omitempty"`
}

type slsaPredicate struct {
	BuildDefinition struct {
		BuildType            string               `json:"buildType"`
		ExternalParameters   map[string]any       `json:"externalParameters"`
		InternalParameters   map[string]any       `json:"internalParameters,omitempty"`
		ResolvedDependencies []ResourceDescriptor `json:"resolvedDependencies,omitempty"`
	} `json:"buildDefinition"`
	RunDetails struct {
		Builder struct {
			ID string `json:"id"`
		} `json:"builder"`
		Metadata struct {
			InvocationID string `json:"invocationId,omitempty"`
			StartedOn    string `json:"startedOn,omitempty"`
		} `json:"metadata"`
	} `json:"runDetails"`
}

// ProvenanceStatement returns an in-toto statement with a SLSA provenance v1
// predicate over subjects.
func ProvenanceStatement(subjects []Subject, in ProvenanceInput) ([]byte, error) {
	var p slsaPredicate
	p.BuildDefinition.BuildType = BuildType
	p.BuildDefinition.ExternalParameters = in.External
	if p.BuildDefinition.ExternalParameters == nil {
		p.BuildDefinition.ExternalParameters = map[string]any{}
	}
	p.BuildDefinition.InternalParameters = in.Internal
	if in.SourceURI != "" || in.Commit != "" {
		d := ResourceDescriptor{URI: in.SourceURI}
		if in.Commit != "" {
			d.Digest = map[string]string{"gitCommit": in.Commit}
		}
		p.BuildDefinition.ResolvedDependencies = append(p.BuildDefinition.ResolvedDependencies, d)
	}
	p.BuildDefinition.ResolvedDependencies = append(p.BuildDefinition.ResolvedDependencies, in.Extra...)
	p.RunDetails.Builder.ID = in.BuilderID
	p.RunDetails.Metadata.InvocationID = in.InvocationID
	if !in.StartedOn.IsZero() {
		p.RunDetails.Metadata.StartedOn = in.StartedOn.UTC().Format(time.RFC3339)
	}
	return NewStatement(subjects, PredicateSLSA1, p)
}

// NewStatement marshals an in-toto statement of predicateType over subjects.
func NewStatement(subjects []Subject, predicateType string, predicate any) ([]byte, error) {
	raw, err := json.Marshal(predicate)
	if err != nil {
		return nil, err
	}
	return json.Marshal(Statement{Type: StatementType, Subject: subjects, PredicateType: predicateType, Predicate: raw})
}
