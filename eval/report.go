package eval

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"text/tabwriter"
)

// ReportVersion is the version of the Report JSON format, written in its
// "version" field. ReadReport refuses any other.
//
// Changelog:
//   - 1: first version: stories, copy groups, derivations, similarity.
const ReportVersion = 1

// ErrReportVersion is returned by ReadReport for a report of a version it
// does not know.
var ErrReportVersion = errors.New("unknown report version")

// Report gathers the scores of one evaluation run. Sections the data set
// cannot score are nil and left out of the JSON.
type Report struct {
	Version int    `json:"version"`          // ReportVersion
	Dataset string `json:"dataset"`          // name or path of the data set
	Format  string `json:"format,omitempty"` // one of the Format constants
	// Articles and Skipped are the reader's counts (Stats.Articles,
	// Stats.Skipped).
	Articles int `json:"articles"`
	Skipped  int `json:"skipped"`
	// ElapsedSeconds is the time the system took to analyse the articles,
	// when the caller measured it.
	ElapsedSeconds float64 `json:"elapsed_seconds,omitempty"`

	Stories     *ClusterScores    `json:"stories,omitempty"`
	CopyGroups  *ClusterScores    `json:"copy_groups,omitempty"`
	Derivations *EdgeScores       `json:"derivations,omitempty"`
	Similarity  *SimilarityScores `json:"similarity,omitempty"`
}

// NewReport starts a report for the data set d, named name.
func NewReport(name string, d *Dataset) *Report {
	return &Report{
		Version:  ReportVersion,
		Dataset:  name,
		Format:   d.Name,
		Articles: d.Stats.Articles,
		Skipped:  d.Stats.Skipped,
	}
}

// WriteJSON writes the report as indented JSON, with Version set to
// ReportVersion whatever r holds.
func (r *Report) WriteJSON(w io.Writer) error {
	c := *r
	c.Version = ReportVersion
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(&c); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	return nil
}

// ReadReport reads a report written by WriteJSON, refusing unknown
// versions with ErrReportVersion.
func ReadReport(rd io.Reader) (*Report, error) {
	var r Report
	if err := json.NewDecoder(rd).Decode(&r); err != nil {
		return nil, fmt.Errorf("read report: %w", err)
	}
	if r.Version != ReportVersion {
		return nil, fmt.Errorf("read report: %w %d (this build reads %d)", ErrReportVersion, r.Version, ReportVersion)
	}
	return &r, nil
}

// WriteTable prints the report as aligned plain-text tables, one section
// per score family, for a terminal.
func (r *Report) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	p := func(format string, args ...any) { fmt.Fprintf(tw, format, args...) }
	p("wiretrace eval report (version %d)\n", ReportVersion)
	p("data set\t%s", r.Dataset)
	if r.Format != "" {
		p(" (%s)", r.Format)
	}
	p("\n")
	p("articles\t%d read, %d records skipped\n", r.Articles, r.Skipped)
	if r.ElapsedSeconds > 0 {
		p("elapsed\t%.2f s (%.0f articles/s)\n", r.ElapsedSeconds, float64(r.Articles)/r.ElapsedSeconds)
	}
	if r.Stories == nil && r.CopyGroups == nil && r.Derivations == nil && r.Similarity == nil {
		p("\nno scores\n")
	}
	for _, c := range []struct {
		name string
		s    *ClusterScores
	}{{"Stories", r.Stories}, {"Copy groups", r.CopyGroups}} {
		if c.s == nil {
			continue
		}
		s := c.s
		p("\n%s: %d items, %d true clusters, %d predicted; %d missing from the prediction, %d extra\n",
			c.name, s.Items, s.TrueClusters, s.PredictedClusters, s.MissingPredictions, s.ExtraPredictions)
		p("  score\tprecision\trecall\tF1\n")
		p("  pairwise\t%.4f\t%.4f\t%.4f\t(%d true pairs, %d predicted, %d agreeing)\n",
			s.Pairwise.Precision, s.Pairwise.Recall, s.Pairwise.F1, s.Pairs.True, s.Pairs.Predicted, s.Pairs.Agreeing)
		p("  B-cubed\t%.4f\t%.4f\t%.4f\n", s.BCubed.Precision, s.BCubed.Recall, s.BCubed.F1)
		p("  ARI\t%.4f\n", s.ARI)
		p("  NMI\t%.4f\n", s.NMI)
	}
	if e := r.Derivations; e != nil {
		p("\nDerivations: %d true pairs, %d predicted, %d matched\n", e.True, e.Predicted, e.Matched)
		p("  kind\ttrue\tpredicted\tfound P\tfound R\tfound F1\texact P\texact R\texact F1\n")
		row := func(kind string, t, pr int, f, x PRF) {
			p("  %s\t%d\t%d\t%.4f\t%.4f\t%.4f\t%.4f\t%.4f\t%.4f\n", kind, t, pr,
				f.Precision, f.Recall, f.F1, x.Precision, x.Recall, x.F1)
		}
		row("all", e.True, e.Predicted, e.PairFound, e.LabelExact)
		for _, k := range e.ByKind {
			name := string(k.Kind)
			if name == "" {
				name = "(no kind)"
			}
			row(name, k.True, k.Predicted, k.PairFound, k.LabelExact)
		}
		p("  coverage\tMAE %.4f over %d matched pairs in the true direction (%d of %d matched pairs in that direction)\n",
			e.CoverageMAE, e.CoveragePairs, e.SameDirection, e.Matched)
		if n := e.DuplicateTrue + e.DuplicatePredicted + e.InvalidTrue + e.InvalidPredicted; n > 0 {
			p("  left out\t%d repeated true, %d repeated predicted, %d invalid true, %d invalid predicted edges\n",
				e.DuplicateTrue, e.DuplicatePredicted, e.InvalidTrue, e.InvalidPredicted)
		}
	}
	if s := r.Similarity; s != nil {
		p("\nSimilarity (SemEval-2022 task 8): %d pairs: %d same story (Overall ≤ %.1f), %d different (≥ %.1f), %d in between, %d invalid\n",
			s.Pairs, s.Positives, SameStoryMax, s.Negatives, DifferentStoryMin, s.Ignored, s.Invalid)
		p("  score\tprecision\trecall\tF1\n")
		p("  same story\t%.4f\t%.4f\t%.4f\t(tp %d, fp %d, fn %d, tn %d)\n",
			s.SameStory.Precision, s.SameStory.Recall, s.SameStory.F1, s.TP, s.FP, s.FN, s.TN)
		if s.PearsonDefined {
			p("  Pearson r\t%.4f\t\t\t(raw, over %d pairs; similar articles have a low Overall, so good is near -1)\n", s.Pearson, s.PearsonPairs)
		} else {
			p("  Pearson r\tundefined\t\t\t(%d pairs with a similarity, or one side constant)\n", s.PearsonPairs)
		}
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write report table: %w", err)
	}
	return nil
}
