package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/wiretrace/wiretrace/engine"
	"github.com/wiretrace/wiretrace/live"
	"github.com/wiretrace/wiretrace/server"
	"github.com/wiretrace/wiretrace/store/mem"
)

// TestServeChild is not a test: TestServeCrash runs this test binary with
// WIRETRACE_SERVE_CHILD=1 and the command line after "--" to make it a
// `wiretrace serve` process.
func TestServeChild(t *testing.T) {
	if os.Getenv("WIRETRACE_SERVE_CHILD") != "1" {
		t.Skip("helper process of TestServeCrash")
	}
	root, _ := newRoot(os.Stdin, os.Stdout, os.Stderr)
	root.SetArgs(flag.Args())
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := root.ExecuteContext(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "wiretrace:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

// child is a running `wiretrace serve`.
type child struct {
	cmd  *exec.Cmd
	url  string
	done chan error
}

var servingAddr = regexp.MustCompile(`msg=serving addr=(\S+)`)

// startServe runs `wiretrace serve` on a free loopback port over dir and
// waits until its index is loaded.
func startServe(t *testing.T, dir string, extra ...string) *child {
	t.Helper()
	args := append([]string{"serve", "--addr", "127.0.0.1:0", "--data", dir}, extra...)
	cmd := exec.Command(os.Args[0], append([]string{"-test.run=^TestServeChild$", "--"}, args...)...)
	cmd.Env = append(os.Environ(), "WIRETRACE_SERVE_CHILD=1")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	addr := make(chan string, 1)
	var logTail strings.Builder
	var logMu sync.Mutex
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Text()
			logMu.Lock()
			logTail.WriteString(line + "\n")
			logMu.Unlock()
			if m := servingAddr.FindStringSubmatch(line); m != nil {
				addr <- m[1]
			}
		}
	}()
	c := &child{cmd: cmd, done: make(chan error, 1)}
	go func() { c.done <- cmd.Wait() }()
	select {
	case a := <-addr:
		c.url = "http://" + a
	case err := <-c.done:
		logMu.Lock()
		defer logMu.Unlock()
		t.Fatalf("serve exited before listening: %v\n%s", err, logTail.String())
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatal("serve did not start listening within 30 s")
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(c.url + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return c
			}
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("index not loaded within 60 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// ack is what the server acknowledged for one article.
type ack struct {
	Seq     uint64
	Matches []engine.Match
}

// words are a synthetic vocabulary: distinct articles share few shingles,
// copies share most.
var words = func() []string {
	syll := []string{"ka", "lo", "mer", "tin", "sa", "vor", "en", "dul", "pri", "ost", "ga", "rem", "bu", "lan", "che", "dor"}
	r := rand.New(rand.NewPCG(7, 7))
	var out []string
	for len(out) < 3000 {
		w := ""
		for range 2 + r.IntN(2) {
			w += syll[r.IntN(len(syll))]
		}
		out = append(out, w)
	}
	return out
}()

// feed makes articles: new texts, and copies and edits of earlier ones.
type feed struct {
	mu    sync.Mutex
	r     *rand.Rand
	n     int
	texts []string
}

func (f *feed) next(client int) map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.n++
	id := fmt.Sprintf("c%d-%05d", client, f.n)
	var text string
	if len(f.texts) > 0 && f.r.IntN(3) == 0 {
		src := strings.Split(f.texts[f.r.IntN(len(f.texts))], "\n\n")
		if len(src) > 3 && f.r.IntN(2) == 0 {
			src = src[:len(src)-1] // trimmed
		}
		src = append(src, f.sentence())
		text = strings.Join(src, "\n\n")
	} else {
		var paras []string
		for range 4 + f.r.IntN(5) {
			paras = append(paras, f.sentence())
		}
		text = strings.Join(paras, "\n\n")
	}
	f.texts = append(f.texts, text)
	return map[string]any{"id": id, "text": text, "source": fmt.Sprintf("outlet%d", f.r.IntN(12)),
		"published": time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(f.n) * time.Minute).Format(time.RFC3339)}
}

func (f *feed) batchSize() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return 1 + f.r.IntN(4)
}

func (f *feed) sentence() string {
	n := 10 + f.r.IntN(10)
	ws := make([]string, n)
	for i := range ws {
		ws[i] = words[int(float64(len(words))*f.r.Float64()*f.r.Float64())]
	}
	ws[0] = strings.ToUpper(ws[0][:1]) + ws[0][1:]
	return strings.Join(ws, " ") + "."
}

func getJSON(t *testing.T, u string, v any) int {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode == 200 {
		if err := json.Unmarshal(b, v); err != nil {
			t.Fatalf("GET %s: %v: %s", u, err, b)
		}
	}
	return resp.StatusCode
}

// verify checks that every acknowledged article is stored with its Seq and
// answers the matches it was acknowledged with (its matches with articles
// indexed before it: later ones only add to them).
func verify(t *testing.T, base string, acked map[string]ack, seqs map[string]uint64) {
	t.Helper()
	seqOf := func(id string) uint64 {
		if s, ok := seqs[id]; ok {
			return s
		}
		var a struct{ Seq uint64 }
		if code := getJSON(t, base+"/v1/articles/"+url.PathEscape(id), &a); code != 200 {
			t.Fatalf("article %s, a match, answers %d", id, code)
		}
		seqs[id] = a.Seq
		return a.Seq
	}
	for id, want := range acked {
		var got struct {
			Matches []engine.Match
		}
		if code := getJSON(t, base+"/v1/articles/"+url.PathEscape(id)+"/matches", &got); code != 200 {
			t.Errorf("acknowledged article %s (seq %d) lost: %d", id, want.Seq, code)
			continue
		}
		if s := seqOf(id); s != want.Seq {
			t.Errorf("article %s: seq %d, acknowledged with %d", id, s, want.Seq)
		}
		earlier := []engine.Match{}
		for _, m := range got.Matches {
			if seqOf(m.ID) < want.Seq {
				earlier = append(earlier, m)
			}
		}
		if !reflect.DeepEqual(earlier, want.Matches) {
			t.Errorf("article %s answers other matches after restart:\ngot  %+v\nwant %+v", id, earlier, want.Matches)
		}
	}
}

// TestServeCrash kills `wiretrace serve` with SIGKILL during concurrent
// ingest, round after round, and checks after each restart that every
// acknowledged article is there and answers the same matches.
// WIRETRACE_CRASH_ROUNDS sets the rounds (default 20; 3 with -short).
func TestServeCrash(t *testing.T) {
	rounds := 20
	if testing.Short() {
		rounds = 3
	}
	if v := os.Getenv("WIRETRACE_CRASH_ROUNDS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("WIRETRACE_CRASH_ROUNDS=%q: want a positive integer", v)
		}
		rounds = n
	}
	dir := t.TempDir() + "/data"
	r := rand.New(rand.NewPCG(1, uint64(time.Now().UnixNano())))
	f := &feed{r: rand.New(rand.NewPCG(2, 3))}
	all := map[string]ack{}
	var last map[string]ack
	const clients = 6
	for round := range rounds {
		c := startServe(t, dir)
		verify(t, c.url, last, map[string]uint64{})
		if t.Failed() {
			c.cmd.Process.Kill()
			t.FailNow()
		}
		last = map[string]ack{}
		var mu sync.Mutex
		ctx, stop := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		for cl := range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				hc := &http.Client{Timeout: 20 * time.Second}
				for ctx.Err() == nil {
					var lines [][]byte
					for range f.batchSize() {
						b, _ := json.Marshal(f.next(cl))
						lines = append(lines, b)
					}
					req, _ := http.NewRequestWithContext(ctx, "POST", c.url+"/v1/articles", bytes.NewReader(bytes.Join(lines, []byte("\n"))))
					req.Header.Set("Content-Type", "application/x-ndjson")
					resp, err := hc.Do(req)
					if err != nil {
						return // the server is gone: nothing acknowledged
					}
					var br struct {
						Results []struct {
							ID      string
							Status  int
							Seq     uint64
							Matches []engine.Match
						}
					}
					err = json.NewDecoder(resp.Body).Decode(&br)
					resp.Body.Close()
					if err != nil || resp.StatusCode != 200 {
						return
					}
					mu.Lock()
					for _, res := range br.Results {
						if res.Status == 201 {
							last[res.ID] = ack{Seq: res.Seq, Matches: res.Matches}
						} else {
							t.Errorf("article %s rejected with %d", res.ID, res.Status)
						}
					}
					mu.Unlock()
				}
			}()
		}
		time.Sleep(time.Duration(100+r.IntN(200)) * time.Millisecond)
		c.cmd.Process.Signal(syscall.SIGKILL)
		<-c.done
		stop()
		wg.Wait()
		for id, a := range last {
			all[id] = a
		}
		t.Logf("round %d: %d articles acknowledged before SIGKILL (%d in all)", round+1, len(last), len(all))
	}
	c := startServe(t, dir)
	verify(t, c.url, all, map[string]uint64{})
	var h struct{ Articles int }
	getJSON(t, c.url+"/healthz", &h)
	if h.Articles < len(all) {
		t.Errorf("index holds %d articles, %d were acknowledged", h.Articles, len(all))
	}
	// A clean stop exits 0.
	c.cmd.Process.Signal(syscall.SIGTERM)
	if err := <-c.done; err != nil {
		t.Errorf("serve after SIGTERM: %v", err)
	}
}

// TestServeRefusesOpenNonLoopback: no token, no listening beyond loopback.
func TestServeRefusesOpenNonLoopback(t *testing.T) {
	t.Setenv("WIRETRACE_TOKEN", "")
	var stderr bytes.Buffer
	root, _ := newRoot(strings.NewReader(""), io.Discard, &stderr)
	root.SetArgs([]string{"serve", "--addr", "0.0.0.0:0", "--data", t.TempDir()})
	err := root.ExecuteContext(context.Background())
	if err == nil || !strings.Contains(err.Error(), "without a token") {
		t.Errorf("got %v, want a refusal to listen without a token", err)
	}
	root, _ = newRoot(strings.NewReader(""), io.Discard, &stderr)
	root.SetArgs([]string{"serve", "--addr", ":0", "--data", t.TempDir()})
	if err := root.ExecuteContext(context.Background()); err == nil || !strings.Contains(err.Error(), "without a token") {
		t.Errorf("all interfaces: got %v, want a refusal", err)
	}
}

// TestServeAgreesWithAnalyze: the server and `analyze` are one engine: the
// same JSONL posted as a batch and analysed gives the same stories and the
// same reuse.
func TestServeAgreesWithAnalyze(t *testing.T) {
	const input = "../../engine/testdata/mixed.jsonl"
	body, err := os.ReadFile(input)
	if err != nil {
		t.Fatal(err)
	}
	g := &globals{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard}
	res, err := analyze(context.Background(), g, []string{input}, engine.Options{}, 1)
	if err != nil {
		t.Fatal(err)
	}
	rep := res.Report

	ix, err := live.Open(context.Background(), mem.New(), live.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if err := ix.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(server.New(ix, server.Config{}))
	defer srv.Close()
	resp, err := http.Post(srv.URL+"/v1/articles", "application/x-ndjson", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var br struct{ Indexed, Rejected int }
	json.NewDecoder(resp.Body).Decode(&br)
	resp.Body.Close()
	if br.Indexed != len(rep.Articles) || br.Rejected != res.Stats.Skipped {
		t.Fatalf("server indexed %d and rejected %d; analyze read %d and skipped %d", br.Indexed, br.Rejected, len(rep.Articles), res.Stats.Skipped)
	}
	for _, s := range rep.Stories {
		var d engine.StoryDetail
		if code := getJSON(t, srv.URL+"/v1/stories/"+s.ID, &d); code != 200 {
			t.Fatalf("story %s: %d", s.ID, code)
		}
		var ids []string
		for _, a := range d.Articles {
			ids = append(ids, a.ID)
		}
		if !reflect.DeepEqual(ids, s.Articles) {
			t.Errorf("story %s: server %v, analyze %v", s.ID, ids, s.Articles)
		}
	}
	want := map[string]engine.ReuseInfo{}
	for _, u := range rep.Reuse {
		want[u.Copy+" "+u.Source] = u
	}
	got := map[string]engine.ReuseInfo{}
	for _, a := range rep.Articles {
		var m struct{ Matches []engine.Match }
		getJSON(t, srv.URL+"/v1/articles/"+url.PathEscape(a.ID)+"/matches", &m)
		for _, x := range m.Matches {
			if x.Role == "source" { // a copies x
				got[a.ID+" "+x.ID] = engine.ReuseInfo{Copy: a.ID, Source: x.ID, Coverage: x.Coverage, SourceCoverage: x.OtherCoverage,
					Label: x.Label, AlignedSentences: want[a.ID+" "+x.ID].AlignedSentences, Similarity: x.Similarity, Direction: x.Reason}
			}
		}
	}
	t.Logf("%d articles, %d stories, %d reuse pairs", len(rep.Articles), len(rep.Stories), len(want))
	if len(want) == 0 || !reflect.DeepEqual(got, want) {
		t.Errorf("reuse differs: server %d pairs, analyze %d", len(got), len(want))
		for k, w := range want {
			if got[k] != w {
				t.Errorf("%s: server %+v, analyze %+v", k, got[k], w)
			}
		}
	}
}
