package ingest

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// ParseJSONLine parses one JSONL line the way Read does; origin names it in
// errors ("path:line"). It is safe for concurrent use, so lines handed on
// by Options.JSONLine can be parsed on several goroutines.
func ParseJSONLine(line []byte, origin string) Item {
	return parseJSONLine(line, origin)
}

// ExpandGlobs replaces each input that does not exist as a path and
// contains a glob pattern (*, ? or [) by the paths it matches, in lexical
// order. "-" and existing paths pass through. A pattern that matches
// nothing, or is malformed, is an error naming it.
func ExpandGlobs(inputs []string) ([]string, error) {
	var out []string
	for _, in := range inputs {
		if in == "-" || !strings.ContainsAny(in, "*?[") {
			out = append(out, in)
			continue
		}
		if _, err := os.Lstat(in); err == nil {
			out = append(out, in)
			continue
		}
		m, err := filepath.Glob(in)
		if err != nil {
			return nil, fmt.Errorf("expand %s: %w", in, err)
		}
		if len(m) == 0 {
			return nil, fmt.Errorf("expand %s: no file matches", in)
		}
		slices.Sort(m)
		out = append(out, m...)
	}
	return out, nil
}
