// Command wiretrace finds copies, rewrites and translations of news stories,
// groups coverage of one event into stories, and shows who reused what from
// whom. See README.md.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"

	"github.com/spf13/cobra"
)

// exitError carries an exit code for main.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	root, g := newRoot(os.Stdin, os.Stdout, os.Stderr)
	err := root.ExecuteContext(ctx)
	if g.stopProfile != nil {
		g.stopProfile()
	}
	if err == nil {
		return
	}
	fmt.Fprintln(os.Stderr, "wiretrace:", err)
	var ee *exitError
	if errors.As(err, &ee) {
		os.Exit(ee.code)
	}
	os.Exit(1)
}

// globals are the flags every subcommand shares.
type globals struct {
	verbose     bool
	quiet       bool
	cpuProfile  string
	stopProfile func()
	stdin       io.Reader
	stdout      io.Writer
	stderr      io.Writer
}

func (g *globals) logger() *slog.Logger {
	level := slog.LevelWarn
	if g.verbose {
		level = slog.LevelDebug
	}
	if g.quiet {
		level = slog.LevelError
	}
	return slog.New(slog.NewTextHandler(g.stderr, &slog.HandlerOptions{Level: level}))
}

func newRoot(stdin io.Reader, stdout, stderr io.Writer) (*cobra.Command, *globals) {
	g := &globals{stdin: stdin, stdout: stdout, stderr: stderr}
	root := &cobra.Command{
		Use:   "wiretrace",
		Short: "Find copies, rewrites and translations of news stories, and who reused what from whom",
		Long: `wiretrace finds every copy, rewrite and translation of a news story, groups
independent coverage of the same event into stories, and shows sentence by
sentence who reused what from whom.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.PersistentFlags().BoolVarP(&g.verbose, "verbose", "v", false, "log progress and every skipped input")
	root.PersistentFlags().BoolVarP(&g.quiet, "quiet", "q", false, "log errors only")
	root.PersistentFlags().StringVar(&g.cpuProfile, "cpuprofile", "", "write a CPU profile to this file")
	root.PersistentPreRunE = func(cmd *cobra.Command, args []string) error {
		if g.cpuProfile == "" {
			return nil
		}
		f, err := os.Create(g.cpuProfile)
		if err != nil {
			return err
		}
		g.stopProfile = func() { pprof.StopCPUProfile(); f.Close() }
		return pprof.StartCPUProfile(f)
	}

	root.AddCommand(newAnalyzeCmd(g), newCompareCmd(g), newServeCmd(g), newDedupCmd(g), newEvalCmd(g), newGenCmd(g), newBenchCmd(g), newBenchRunCmd(g))
	return root, g
}
