// Package metadata owns the action metadata files (actions/<name>/action.yml):
// it renders each composite action from its Go declaration (gha.Spec), so
// inputs, outputs, defaults and descriptions cannot drift from the binary,
// and parses them back to check that they still agree.
package metadata
