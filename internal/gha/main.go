package gha

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

// Main is the body of every cmd/<action>/main.go and the one place that
// touches the process: it reads the arguments, environment, standard streams
// and working directory into an Env, cancels the context on SIGINT or
// SIGTERM, runs fn through Run and returns the exit code for main to pass
// to os.Exit.
func Main(spec Spec, fn func(ctx context.Context, a *Action) error) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	wd, err := os.Getwd()
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", spec.Name, err)
		return ExitFailure
	}
	env := Env{Args: os.Args[1:], Getenv: os.Getenv, Stdout: os.Stdout, Stderr: os.Stderr, Dir: wd}
	return Run(ctx, spec, env, fn)
}
