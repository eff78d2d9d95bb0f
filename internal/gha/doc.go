// Package gha is the boundary between a Slipway action and the world that
// runs it: GitHub Actions or a terminal.
//
// An action declares its interface once as a [Spec] (inputs with a [Kind],
// outputs, descriptions). From that one declaration gha derives the CLI
// flags, the --help text and the docs tables, and tests compare action.yml
// against it.
//
// [New] resolves every declared input up front, so usage errors surface
// before any work starts. With GITHUB_ACTIONS=true the inputs come from
// INPUT_<NAME> environment variables; otherwise from --flags named exactly
// like the inputs. The resulting [Action] carries typed getters, outputs
// (written to $GITHUB_OUTPUT with a fresh random heredoc delimiter per value,
// or printed as name=value / JSON in CLI mode), the step summary,
// annotations, log groups and secret masks.
//
// [Run] is what every cmd/<action>/main.go calls: it builds the Action, runs
// the action body, reports the error as an annotation and maps it to the
// shared exit codes ([ExitOK], [ExitFailure], [ExitUsage], [ExitFindings]).
//
// Nothing here reads process state: environment, arguments, standard streams,
// working directory and randomness all arrive through [Env]. This package is
// the only importer of github.com/sethvargo/go-githubactions.
package gha
