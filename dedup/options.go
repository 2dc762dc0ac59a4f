package dedup

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"runtime"

	"github.com/wiretrace/wiretrace/engine"
)

// Policy chooses the one article of a copy group that the filtered output
// keeps.
type Policy string

// Policies.
const (
	// Closest keeps the member closest to the source text
	// (provenance.Closest: the one that contains most of the others),
	// which is what analyze reports as closest_to_source.
	Closest Policy = "closest-to-source"
	// Earliest keeps the earliest published member; members without a
	// date come after dated ones, ties go to the earlier in the input.
	Earliest Policy = "earliest"
	// Longest keeps the member with the most words, ties to the earlier in
	// the input.
	Longest Policy = "longest"
)

// ParsePolicy reads a policy name.
func ParsePolicy(s string) (Policy, error) {
	switch p := Policy(s); p {
	case Closest, Earliest, Longest:
		return p, nil
	}
	return "", fmt.Errorf("unknown policy %q (want closest-to-source, earliest or longest)", s)
}

// Options configure a run. WorkDir and OutDir are required; every other
// zero field means its default.
type Options struct {
	// Engine are the engine options, the same analyze and serve take;
	// Engine.Level defaults to engine.LevelReuse here.
	Engine engine.Options
	// Policy picks each copy group's representative. Default Closest.
	Policy Policy
	// DropPartial also leaves out of the filtered output every article
	// that is not in a copy group but reuses part of another article
	// (label partial, as the copy). By default they are kept.
	DropPartial bool
	// Reuse also writes reuse.jsonl: every derivation between two
	// articles, in the form of analyze's report.
	Reuse bool
	// MemBytes bounds the memory the run plans for. Default 2 GiB; at
	// least 64 MiB. Per-article state that stays in memory is about 40
	// bytes (see the package documentation); the rest is spilled.
	MemBytes int64
	// Workers is the number of goroutines for parallel work. Default
	// GOMAXPROCS. Results do not depend on it.
	Workers int
	// WorkDir holds the spilled data and the checkpoint manifest; a run
	// finding a manifest there resumes from it.
	WorkDir string
	// OutDir receives clusters.jsonl, dedup.jsonl, summary.json,
	// skipped.jsonl (and reuse.jsonl).
	OutDir string
	// Fresh discards what WorkDir holds instead of resuming.
	Fresh bool
	// KeepWork keeps the work directory's files after a finished run
	// (by default they are removed once the outputs are written, and
	// WorkDir too when nothing else is in it). An interrupted run always
	// leaves them, to resume.
	KeepWork bool
	// SegmentArticles caps the articles of one pass-1 segment, the unit of
	// checkpointing while reading. Default: as many as the memory budget
	// allows.
	SegmentArticles int
	// Partitions is the number of article ranges passes 2 and 3 work on,
	// and checkpoint by. Default: about one per 8192 articles, at least
	// four per worker.
	Partitions int
	// MaxRecordBytes caps one input record (ingest.Options). Default 16 MiB.
	MaxRecordBytes int
	// Stdin is read for the input "-".
	Stdin io.Reader
	// Logger receives warnings and progress at debug level; nil discards.
	Logger *slog.Logger
	// Progress, when set, is called as work advances (see Progress). It
	// is called from the pipeline's goroutines, possibly concurrently, and
	// must return quickly.
	Progress func(Progress)
}

// Progress reports how far a run is.
type Progress struct {
	Pass     Pass
	Done     int64 // units done in this pass
	Total    int64 // units in this pass; 0 when unknown
	Unit     string
	Articles int64 // articles read so far (pass read)
	Skipped  int64 // inputs skipped so far (pass read)
}

// Pass names a stage of a run.
type Pass string

// The passes, in order.
const (
	PassRead       Pass = "read"       // read, prepare and spill; Done and Total in input bytes
	PassIDs        Pass = "ids"        // find repeated ids
	PassPairs      Pass = "pairs"      // merge the bucket runs into pair partitions; Done/Total key ranges
	PassCandidates Pass = "candidates" // apply the candidate rule; partitions
	PassAlign      Pass = "align"      // judge candidate pairs; partitions
	PassGroups     Pass = "groups"     // copy groups, representatives, stories
	PassOutput     Pass = "output"     // write the outputs; articles
)

// Errors of Run.
var (
	// ErrWorkMismatch: the work directory was made for other inputs or
	// options; run with Fresh to start over.
	ErrWorkMismatch = errors.New("work directory belongs to another run")
	// ErrStdinResume: a run reading standard input was interrupted before
	// it had read all of it; it cannot resume.
	ErrStdinResume = errors.New("cannot resume: standard input was only partly read")
	// ErrDiskFull: the work directory's file system is (nearly) full. The
	// run stops with its checkpoint intact; free space and run again.
	ErrDiskFull = errors.New("not enough free disk space")
)

const minMem = 64 << 20

func (o Options) withDefaults() Options {
	if o.Engine.Level == 0 {
		o.Engine.Level = engine.LevelReuse
	}
	o.Engine = o.Engine.Resolved()
	if o.Policy == "" {
		o.Policy = Closest
	}
	if o.MemBytes == 0 {
		o.MemBytes = 2 << 30
	}
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	if o.MaxRecordBytes == 0 {
		o.MaxRecordBytes = 16 << 20
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

// Validate reports the first invalid field.
func (o Options) Validate() error {
	if err := o.Engine.Validate(); err != nil {
		return err
	}
	if _, err := ParsePolicy(string(o.withDefaults().Policy)); err != nil {
		return fmt.Errorf("options: %w", err)
	}
	switch {
	case o.WorkDir == "":
		return errors.New("options: WorkDir is required")
	case o.OutDir == "":
		return errors.New("options: OutDir is required")
	case o.MemBytes != 0 && o.MemBytes < minMem:
		return fmt.Errorf("options: MemBytes %d is below the minimum of 64 MiB", o.MemBytes)
	case o.SegmentArticles < 0 || o.Partitions < 0 || o.MaxRecordBytes < 0:
		return errors.New("options: SegmentArticles, Partitions and MaxRecordBytes must not be negative")
	}
	return nil
}

// workHash names what the spilled data depends on: the engine options
// and the record limit (not memory, workers or output choices, which change
// how the work is cut, never its result).
func (o Options) workHash() string {
	b, _ := json.Marshal(struct {
		Format         int
		Engine         engine.Options
		MaxRecordBytes int
	}{FormatVersion, o.Engine, o.MaxRecordBytes})
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// budget is how the memory budget is spent.
type budget struct {
	segment    int // bytes of tuples and sentence payloads buffered per pass-1 segment (twice, with one committing, plus sort scratch)
	partition  int // bytes of pair tuples one worker loads at a time
	merge      int // bytes of read blocks for all run cursors of all merging workers (see mergeBlock)
	partBuffer int // bytes buffered per pair partition per worker
}

func (o Options) budget(workers int) budget {
	m := o.MemBytes
	b := budget{
		segment:    int(m / 12),
		partition:  int(m / 4 / int64(workers)),
		merge:      int(m / 16),
		partBuffer: 16 << 10,
	}
	return b
}

// mergeBlock is the read block of a run cursor when workers merge runs of
// segments segments at once: each cursor holds two blocks (one read
// ahead), and all of them share budget.merge, between 64 KiB and 1 MiB a
// block (large blocks read the disk faster; 37 segments of a 1M-article
// run on two workers get about 0.8 MiB).
func (b budget) mergeBlock(workers, segments int) int {
	n := b.merge / max(2*workers*segments, 1)
	return min(max(n, 64<<10), 1<<20)
}
