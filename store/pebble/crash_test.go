package pebble_test

import (
	"bufio"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/wiretrace/wiretrace"
	"github.com/wiretrace/wiretrace/store"
	"github.com/wiretrace/wiretrace/store/pebble"
)

// The crash test re-executes the test binary as a writer process (selected by
// these variables), SIGKILLs it at a random moment, and checks that every
// write the writer saw acknowledged survived, intact.
const (
	envCrashDir  = "WIRETRACE_CRASH_DIR"
	envCrashSeed = "WIRETRACE_CRASH_SEED"
	crashWriters = 4
)

func TestMain(m *testing.M) {
	if dir := os.Getenv(envCrashDir); dir != "" {
		seed, _ := strconv.ParseUint(os.Getenv(envCrashSeed), 10, 64)
		if err := crashWriter(dir, seed); err != nil {
			fmt.Fprintln(os.Stderr, "crash writer:", err)
			os.Exit(3)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// crashRecord is the content the writer stores for version v of id: text of
// 100 B to 8 KB (one in 500 is 2.5 MB, so its batch exceeds half a memtable
// and takes Pebble's large-batch path), and a State that starts with a
// SHA-256 of (id, v, text), so checkCrash can tell intact records from
// damaged ones without regenerating the text.
func crashRecord(id string, v int) *store.Record {
	rng := crashRNG(id, v, 7)
	n := crashTextLen(rng)
	text := make([]byte, n+8)
	for i := 0; i < n; i += 8 {
		x := rng.Uint64()
		for j := range 8 {
			text[i+j] = "abcdefghij klmnopqrstuvwxyz.\n"[(x>>(8*j))%29]
		}
	}
	text = text[:n]
	return &store.Record{
		Article: wiretrace.Article{ID: id, Title: "v" + strconv.Itoa(v), Text: string(text)},
		State:   append(crashSum(id, v, string(text)), crashTail(id, v)...),
	}
}

func crashRNG(id string, v int, stream uint64) *rand.Rand {
	h := fnv.New64a()
	fmt.Fprintf(h, "%s/%d", id, v)
	return rand.New(rand.NewPCG(h.Sum64(), stream))
}

func crashTextLen(rng *rand.Rand) int {
	if rng.IntN(500) == 0 {
		return 2560 << 10
	}
	return 100 + rng.IntN(8<<10)
}

func crashSum(id string, v int, text string) []byte {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%d\x00", id, v)
	io.WriteString(h, text)
	return h.Sum(nil)
}

func crashTail(id string, v int) []byte {
	rng := crashRNG(id, v, 8)
	tail := make([]byte, rng.IntN(1024))
	for i := range tail {
		tail[i] = byte(rng.Uint32())
	}
	return tail
}

// checkCrash describes the damage in r, or returns "" when r is exactly
// what crashRecord wrote for its ID and version.
func checkCrash(r *store.Record) string {
	id, v := r.Article.ID, recordVersion(r)
	if v < 1 {
		return fmt.Sprintf("title %q is not a version", r.Article.Title)
	}
	if n := crashTextLen(crashRNG(id, v, 7)); len(r.Article.Text) != n {
		return fmt.Sprintf("text: %d bytes, want %d", len(r.Article.Text), n)
	}
	want := append(crashSum(id, v, r.Article.Text), crashTail(id, v)...)
	if string(r.State) != string(want) {
		return fmt.Sprintf("text or state damaged (%d state bytes, want %d)", len(r.State), len(want))
	}
	return ""
}

func recordVersion(r *store.Record) int {
	v, err := strconv.Atoi(strings.TrimPrefix(r.Article.Title, "v"))
	if err != nil {
		return -1
	}
	return v
}

// crashWriter runs until killed: crashWriters goroutines put new records in
// batches, replace and delete their own records, and print one line per
// operation before it starts ("try") and after it returned ("ok").
func crashWriter(dir string, seed uint64) error {
	s, err := pebble.Open(dir, nil)
	if err != nil {
		return err
	}
	ctx := context.Background()
	// Each writer owns the IDs starting with its number; learn what exists.
	owned := make([]map[string]int, crashWriters)
	for w := range owned {
		owned[w] = map[string]int{}
	}
	if err := s.Scan(ctx, func(r *store.Record) error {
		var w int
		if _, err := fmt.Sscanf(r.Article.ID, "w%d-", &w); err == nil && w < crashWriters {
			owned[w][r.Article.ID] = recordVersion(r)
		}
		return nil
	}); err != nil {
		return err
	}
	var outMu sync.Mutex
	emit := func(line string) {
		outMu.Lock()
		defer outMu.Unlock()
		os.Stdout.WriteString(line) // one write per line: the parent sees whole lines
	}
	emit("ready\n")
	errc := make(chan error, crashWriters)
	for w := range crashWriters {
		go func() {
			rng := rand.New(rand.NewPCG(seed, uint64(w)))
			mine := owned[w]
			for n := 0; ; n++ {
				switch op := rng.IntN(10); {
				case op < 2 && len(mine) > 0: // replace one
					id := pick(rng, mine)
					r := crashRecord(id, mine[id]+1)
					emit(fmt.Sprintf("try put %s %d\n", id, mine[id]+1))
					if err := s.Put(ctx, r); err != nil {
						errc <- err
						return
					}
					mine[id]++
					emit(fmt.Sprintf("ok put %s %d %d\n", id, mine[id], r.Seq))
				case op < 3 && len(mine) > 0: // delete one
					id := pick(rng, mine)
					emit(fmt.Sprintf("try del %s\n", id))
					if err := s.Delete(ctx, id); err != nil {
						errc <- err
						return
					}
					delete(mine, id)
					emit(fmt.Sprintf("ok del %s\n", id))
				default: // a batch of new records
					recs := make([]*store.Record, 1+rng.IntN(8))
					for i := range recs {
						recs[i] = crashRecord(fmt.Sprintf("w%d-%d-%d", w, seed, n*10+i), 1)
					}
					if err := s.Put(ctx, recs...); err != nil {
						errc <- err
						return
					}
					var b strings.Builder
					for _, r := range recs {
						mine[r.Article.ID] = 1
						fmt.Fprintf(&b, "ok put %s 1 %d\n", r.Article.ID, r.Seq)
					}
					emit(b.String())
				}
			}
		}()
	}
	return <-errc
}

func pick(rng *rand.Rand, m map[string]int) string {
	k := rng.IntN(len(m))
	for id := range m {
		if k == 0 {
			return id
		}
		k--
	}
	panic("unreachable")
}

// crashModel is what the parent knows from acknowledgements.
type crashModel struct {
	version  int    // last acknowledged version
	seq      uint64 // Seq of that version
	deleted  bool   // delete acknowledged
	deleting bool   // delete started, not acknowledged: either outcome is fine
}

func TestCrashDurability(t *testing.T) {
	rounds := 20
	if testing.Short() {
		rounds = 5
	}
	dir := t.TempDir()
	model := map[string]*crashModel{}
	var prevMax uint64
	seeds := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	acked := 0
	start := time.Now()
	for round := range rounds {
		seed := seeds.Uint64()
		lines := runCrashWriter(t, dir, seed, time.Duration(5+seeds.IntN(100))*time.Millisecond)
		var roundMin, roundMax uint64 = ^uint64(0), 0
		for _, line := range lines {
			f := strings.Fields(line)
			switch {
			case len(f) == 5 && f[0] == "ok" && f[1] == "put":
				v, _ := strconv.Atoi(f[3])
				seq, _ := strconv.ParseUint(f[4], 10, 64)
				model[f[2]] = &crashModel{version: v, seq: seq}
				roundMin, roundMax = min(roundMin, seq), max(roundMax, seq)
				acked++
			case len(f) == 3 && f[0] == "try" && f[1] == "del":
				if m := model[f[2]]; m != nil {
					m.deleting = true
				}
			case len(f) == 3 && f[0] == "ok" && f[1] == "del":
				model[f[2]] = &crashModel{deleted: true}
				acked++
			}
		}
		if roundMax > 0 && roundMin <= prevMax {
			t.Fatalf("round %d: acknowledged Seq %d, but an earlier run already handed out %d", round, roundMin, prevMax)
		}
		prevMax = max(prevMax, roundMax)
		vt := time.Now()
		verifyCrash(t, round, dir, model)
		t.Logf("round %d: %d lines, verify %v", round, len(lines), time.Since(vt))
	}
	t.Logf("%d rounds, %d acknowledged writes checked, %d IDs, %v", rounds, acked, len(model), time.Since(start).Round(time.Millisecond))
}

// runCrashWriter starts the writer, kills it with SIGKILL after it has
// run for life, and returns the complete lines it printed.
func runCrashWriter(t *testing.T, dir string, seed uint64, life time.Duration) []string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envCrashDir+"="+dir, envCrashSeed+"="+strconv.FormatUint(seed, 10))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(out)
	var lines []string
	first, err := r.ReadString('\n')
	if first != "ready\n" {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("writer did not start: %q, %v; stderr: %s", first, err, stderr.String())
	}
	timer := time.AfterFunc(life, func() { cmd.Process.Signal(syscall.SIGKILL) })
	defer timer.Stop()
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			if !errors.Is(err, io.EOF) {
				t.Fatal(err)
			}
			break // a partial last line is a write cut off by the kill
		}
		lines = append(lines, line)
	}
	err = cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("writer ended with %v, want killed by SIGKILL; stderr: %s", err, stderr.String())
	}
	return lines
}

// verifyCrash reopens the store and checks it against the acknowledgements.
func verifyCrash(t *testing.T, round int, dir string, model map[string]*crashModel) {
	t.Helper()
	ctx := context.Background()
	s, err := pebble.Open(dir, nil)
	if err != nil {
		t.Fatalf("round %d: reopen after kill: %v", round, err)
	}
	defer s.Close()
	for id, m := range model {
		r, err := s.Get(ctx, id)
		switch {
		case m.deleted:
			if !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("round %d: %s: deletion was acknowledged, Get returned %v", round, id, err)
			}
			continue
		case m.deleting && errors.Is(err, store.ErrNotFound):
			m.deleted = true // the unacknowledged delete landed
			continue
		case err != nil:
			t.Fatalf("round %d: %s (v%d, Seq %d acknowledged): %v", round, id, m.version, m.seq, err)
		}
		m.deleting = false
		v := recordVersion(r)
		if v < m.version {
			t.Fatalf("round %d: %s: got version %d, version %d was acknowledged", round, id, v, m.version)
		}
		if v == m.version && r.Seq != m.seq {
			t.Fatalf("round %d: %s v%d: got Seq %d, acknowledged %d", round, id, v, r.Seq, m.seq)
		}
		if v > m.version { // an unacknowledged replace landed
			m.version, m.seq = v, r.Seq
		}
	}
	// Everything present, acknowledged or not, is intact and in Seq order
	// (this also checks the content of every record the loop above found).
	var prev uint64
	count := 0
	if err := s.Scan(ctx, func(r *store.Record) error {
		count++
		if r.Seq <= prev {
			return fmt.Errorf("Seq %d after %d", r.Seq, prev)
		}
		prev = r.Seq
		if diff := checkCrash(r); diff != "" {
			return fmt.Errorf("%s damaged: %s", r.Article.ID, diff)
		}
		return nil
	}); err != nil {
		t.Fatalf("round %d: scan: %v", round, err)
	}
	if n, err := s.Len(ctx); err != nil || n != count {
		t.Fatalf("round %d: Len %d, %v; Scan saw %d", round, n, err, count)
	}
}
