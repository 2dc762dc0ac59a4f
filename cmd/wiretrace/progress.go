package main

import (
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"

	"github.com/wiretrace/wiretrace/dedup"
)

// dedupProgress shows a dedup run's progress on standard error: one bar
// per pass when standard error is a terminal; otherwise a line at most
// every logEvery; nothing with --quiet.
type dedupProgress struct {
	mu        sync.Mutex
	bars      *mpb.Progress
	bar       *mpb.Bar
	log       *slog.Logger
	pass      dedup.Pass
	last      dedup.Progress
	passStart time.Time
	lastLog   time.Time
	readStart time.Time
	readTime  time.Duration
	// For the bar's decorator, which runs on the display's goroutine and
	// so must not take mu.
	articles  atomic.Int64
	readSince atomic.Int64 // UnixNano
	readUntil atomic.Int64 // UnixNano; 0 while reading
}

const logEvery = 10 * time.Second

func newDedupProgress(g *globals) *dedupProgress {
	pr := &dedupProgress{}
	if g.quiet {
		return pr
	}
	if f, ok := g.stderr.(*os.File); ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd())) {
		pr.bars = mpb.New(mpb.WithOutput(f), mpb.WithWidth(32), mpb.WithRefreshRate(250*time.Millisecond))
		return pr
	}
	pr.log = slog.New(slog.NewTextHandler(g.stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	return pr
}

// update is dedup.Options.Progress.
func (pr *dedupProgress) update(p dedup.Progress) {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	now := time.Now()
	if p.Pass != pr.pass {
		pr.endPass(now)
		pr.pass, pr.passStart = p.Pass, now
		if p.Pass == dedup.PassRead {
			pr.readStart = now
			pr.readSince.Store(now.UnixNano())
		}
		if pr.bars != nil {
			pr.bar = pr.newBar(p)
		}
	}
	if p.Done < pr.last.Done && p.Pass == pr.last.Pass {
		p.Done = pr.last.Done // reports from concurrent goroutines may cross
	}
	pr.last = p
	if p.Pass == dedup.PassRead {
		pr.articles.Store(p.Articles)
	}
	if pr.bar != nil {
		if p.Total > 0 {
			pr.bar.SetTotal(p.Total, false)
		}
		pr.bar.SetCurrent(p.Done)
	}
	if pr.log != nil && now.Sub(pr.lastLog) >= logEvery {
		pr.lastLog = now
		pr.logLine(p, now)
	}
}

func (pr *dedupProgress) logLine(p dedup.Progress, now time.Time) {
	el := now.Sub(pr.passStart).Seconds()
	args := []any{"pass", string(p.Pass), "done", p.Done, "unit", p.Unit}
	if p.Total > 0 {
		args = append(args, "total", p.Total, "percent", fmt.Sprintf("%.1f", 100*float64(p.Done)/float64(p.Total)))
	}
	if p.Pass == dedup.PassRead && el > 0 {
		args = append(args, "articles", p.Articles, "skipped", p.Skipped,
			"articles_per_s", fmt.Sprintf("%.0f", float64(p.Articles)/el),
			"mb_per_s", fmt.Sprintf("%.1f", float64(p.Done)/el/1e6))
		if p.Total > 0 && p.Done > 0 {
			eta := time.Duration(el * float64(p.Total-p.Done) / float64(p.Done) * float64(time.Second))
			args = append(args, "eta", eta.Round(time.Second))
		}
	}
	pr.log.Info("dedup progress", args...)
}

func (pr *dedupProgress) newBar(p dedup.Progress) *mpb.Bar {
	name := decor.Name(fmt.Sprintf("%-10s", p.Pass))
	if p.Pass != dedup.PassRead {
		return pr.bars.AddBar(p.Total, mpb.PrependDecorators(name, decor.CountersNoUnit("%d / %d "+p.Unit)),
			mpb.AppendDecorators(decor.Elapsed(decor.ET_STYLE_GO)))
	}
	articles := decor.Any(func(decor.Statistics) string {
		end := time.Now()
		if u := pr.readUntil.Load(); u != 0 {
			end = time.Unix(0, u)
		}
		el := end.Sub(time.Unix(0, pr.readSince.Load())).Seconds()
		if el <= 0 {
			return ""
		}
		n := pr.articles.Load()
		return fmt.Sprintf("%d articles, %.0f/s", n, float64(n)/el)
	})
	opts := []mpb.BarOption{
		mpb.PrependDecorators(name, decor.CountersKiloByte("% .1f / % .1f")),
		mpb.AppendDecorators(articles, decor.Name("  "), decor.AverageSpeed(decor.SizeB1000(0), "% .1f"), decor.Name("  ETA "), decor.AverageETA(decor.ET_STYLE_GO)),
	}
	if p.Total <= 0 {
		opts = []mpb.BarOption{
			mpb.PrependDecorators(name, decor.CurrentKiloByte("% .1f")),
			mpb.AppendDecorators(articles, decor.Name("  "), decor.AverageSpeed(decor.SizeB1000(0), "% .1f")),
		}
		return pr.bars.New(0, mpb.SpinnerStyle(), opts...)
	}
	return pr.bars.AddBar(p.Total, opts...)
}

// endPass completes the current pass's bar.
func (pr *dedupProgress) endPass(now time.Time) {
	if pr.pass == dedup.PassRead {
		pr.readTime = now.Sub(pr.readStart)
		pr.readUntil.Store(now.UnixNano())
	}
	if pr.bar != nil {
		pr.bar.SetTotal(-1, true)
		pr.bar = nil
	}
}

// finish ends the display.
func (pr *dedupProgress) finish(ok bool) {
	pr.mu.Lock()
	if ok {
		pr.endPass(time.Now())
	} else if pr.bar != nil {
		pr.bar.Abort(false)
		pr.bar = nil
	}
	pr.mu.Unlock()
	if pr.bars != nil {
		pr.bars.Wait()
	}
}

// readElapsed is how long reading and preparing took (0 when this run
// resumed after it).
func (pr *dedupProgress) readElapsed() time.Duration {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	return pr.readTime
}
