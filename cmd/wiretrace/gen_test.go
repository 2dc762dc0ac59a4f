package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wiretrace/wiretrace/gen"
)

// TestGenCLI generates a small set from the fixture corpus with the
// fixture WordNet, checks the manifest and scores the set.
func TestGenCLI(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "small.jsonl.gz")
	_, stderr, err := runCLI(t, "", "gen", "--n", "120", "--seed", "3", "--out", out,
		"--wordnet", "../../gen/testdata/wordnet", "--seeds", "../../testdata/seeds", "../../gen/testdata/corpus/mixed.jsonl")
	if err != nil {
		t.Fatalf("gen: %v\n%s", err, stderr)
	}
	for _, want := range []string{"120 articles", "recipes:", "Jaccard", "seeds 000–002"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	b, err := os.ReadFile(filepath.Join(dir, "small.manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m manifest
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if m.Version != ManifestVersion || m.GeneratorVersion != gen.Version || m.N != 120 || m.Stats.Articles != 120 ||
		len(m.OutputSHA256) != 64 || m.SeedsJaccard == nil || m.SeedsJaccard.N != 3 || len(m.WordNet) != 5 {
		t.Errorf("manifest: got %+v", m)
	}
	r := evalJSON(t, out)
	if r.Articles != 120 || r.CopyGroups == nil || r.Derivations == nil || r.Stories == nil {
		t.Errorf("eval of the generated set: got %+v", r)
	}
}

func TestGenNoWordNet(t *testing.T) {
	_, _, err := runCLI(t, "", "gen", "--n", "10", "--wordnet", t.TempDir(), "../../gen/testdata/corpus/mixed.jsonl")
	if err == nil || !strings.Contains(err.Error(), "wordnet-base") {
		t.Fatalf("got %v, want an error naming the wordnet-base package", err)
	}
}

// TestDevSetReproducible regenerates the committed dev set and compares
// its checksum with the manifest's, when the corpora and WordNet are here.
func TestDevSetReproducible(t *testing.T) {
	if testing.Short() {
		t.Skip("short mode")
	}
	shared, ok := sharedDir()
	if !ok {
		t.Skip("DEV SET NOT REGENERATED: needs the shared corpora (set WIRETRACE_SHARED or put ../shared beside the checkout)")
	}
	if _, err := os.Stat(filepath.Join(gen.DefaultWordNet, "data.noun")); err != nil {
		t.Skipf("DEV SET NOT REGENERATED: needs WordNet at %s (apt-get install wordnet-base)", gen.DefaultWordNet)
	}
	b, err := os.ReadFile("../../testdata/dev/dev-1k.manifest.json")
	if err != nil {
		t.Fatal(err)
	}
	var want manifest
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "dev-1k.jsonl.gz")
	args := []string{"gen", "--n", "1000", "--seed", "1", "--out", out}
	for _, f := range []string{"basil.jsonl", "bbc.jsonl", "reuters21578.jsonl"} {
		args = append(args, filepath.Join(shared, "data", f))
	}
	if _, stderr, err := runCLI(t, "", args...); err != nil {
		t.Fatalf("gen: %v\n%s", err, stderr)
	}
	b, err = os.ReadFile(filepath.Join(filepath.Dir(out), "dev-1k.manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var got manifest
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if got.OutputSHA256 != want.OutputSHA256 {
		t.Fatalf("regenerated dev set: sha256 %s, want %s (the committed set): the generator's output changed; bump gen.Version and regenerate testdata/dev", got.OutputSHA256, want.OutputSHA256)
	}
}
