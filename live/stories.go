package live

import (
	"cmp"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/RaduBerinde/btreemap"

	"github.com/wiretrace/wiretrace/engine"
	"github.com/wiretrace/wiretrace/internal/dates"
)

// maxSearchText caps the searchable text kept per story (its members'
// titles and outlets, lower-cased); titles past it are not searchable.
const maxSearchText = 4 << 10

// storyList keeps every live story ordered newest first, so that listing a
// page costs the page, not the index. It mirrors the engine's story
// assignment: it is told every addition and removal, in order, and learns of
// merges by asking the engine where the new article's matches now are (a
// story only changes when an article joins it, and stories only merge
// through the articles a new one reuses text from, which are among its
// matches).
type storyList struct {
	mu       sync.RWMutex
	articles map[string]*member
	stories  map[string]*storyEntry
	order    *btreemap.BTreeMap[storyKey, *storyEntry]
}

type member struct {
	id, title, outlet string
	published         time.Time
	seq               uint64
	story             *storyEntry
}

type storyEntry struct {
	id      string
	members []*member // in Seq order
	key     storyKey
	search  string
}

// storyKey orders stories: latest publication, then latest addition.
type storyKey struct {
	last int64 // Unix nanoseconds of the latest publication; MinInt64 when none
	seq  uint64
}

func compareKeys(a, b storyKey) int {
	if c := cmp.Compare(a.last, b.last); c != 0 {
		return c
	}
	return cmp.Compare(a.seq, b.seq)
}

func newStoryList() *storyList {
	return &storyList{
		articles: map[string]*member{},
		stories:  map[string]*storyEntry{},
		order:    btreemap.New[storyKey, *storyEntry](16, compareKeys),
	}
}

// added records that p was indexed (with Seq seq) and the engine answered r.
// storyOf asks the engine for an article's current story.
func (l *storyList) added(p *engine.Prepared, r *engine.Result, seq uint64, storyOf func(id string) (string, bool)) {
	// Ask the engine before taking the lock: it has its own.
	var elsewhere []string
	l.mu.RLock()
	for _, m := range r.Matches {
		if mm := l.articles[m.ID]; mm != nil && mm.story.id != r.Story {
			elsewhere = append(elsewhere, m.ID)
		}
	}
	l.mu.RUnlock()
	var moved []string
	for _, id := range elsewhere {
		if st, ok := storyOf(id); ok && st == r.Story {
			moved = append(moved, id)
		}
	}

	l.mu.Lock()
	defer l.mu.Unlock()
	a := &p.Article
	if old := l.articles[a.ID]; old != nil {
		l.removeLocked(old)
	}
	target := l.stories[r.Story]
	if target == nil {
		target = &storyEntry{id: r.Story, key: storyKey{last: minTime}}
		l.stories[r.Story] = target
	} else {
		l.order.Delete(target.key)
	}
	merged := false
	for _, id := range moved {
		mm := l.articles[id]
		if mm == nil || mm.story == target {
			continue
		}
		src := mm.story
		l.order.Delete(src.key)
		delete(l.stories, src.id)
		for _, x := range src.members {
			x.story = target
		}
		target.members = append(target.members, src.members...)
		slices.SortFunc(target.members, func(x, y *member) int { return cmp.Compare(x.seq, y.seq) })
		merged = true
	}
	m := &member{id: a.ID, title: a.Title, outlet: engine.Outlet(a), published: a.Published, seq: seq, story: target}
	l.articles[a.ID] = m
	target.members = append(target.members, m)
	if merged {
		l.refresh(target)
		return
	}
	// One more member: O(1), whatever the story's size.
	target.key = target.key.with(m)
	target.search = appendSearch(target.search, m)
	l.order.ReplaceOrInsert(target.key, target)
}

// with returns k extended by member m.
func (k storyKey) with(m *member) storyKey {
	if !m.published.IsZero() && m.published.UnixNano() > k.last {
		k.last = m.published.UnixNano()
	}
	k.seq = max(k.seq, m.seq)
	return k
}

// appendSearch adds m's title and outlet to a story's search text, within
// maxSearchText.
func appendSearch(search string, m *member) string {
	for _, s := range []string{m.title, m.outlet} {
		if s != "" && len(search)+len(s) < maxSearchText {
			search += strings.ToLower(s) + "\n"
		}
	}
	return search
}

// removed records that article id left the index.
func (l *storyList) removed(id string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if m := l.articles[id]; m != nil {
		l.removeLocked(m)
	}
}

func (l *storyList) removeLocked(m *member) {
	st := m.story
	delete(l.articles, m.id)
	l.order.Delete(st.key)
	st.members = slices.DeleteFunc(st.members, func(x *member) bool { return x == m })
	if len(st.members) == 0 {
		delete(l.stories, st.id)
		return
	}
	l.refresh(st)
}

// refresh recomputes st's key and search text and files it in order. st
// must not be in order.
func (l *storyList) refresh(st *storyEntry) {
	key := storyKey{last: minTime}
	search := ""
	for _, m := range st.members {
		key = key.with(m)
		search = appendSearch(search, m)
	}
	st.key, st.search = key, search
	l.order.ReplaceOrInsert(key, st)
}

const minTime = -1 << 63

// StoryQuery selects stories for a listing.
type StoryQuery struct {
	// Since keeps stories with a member published at or after it (zero:
	// all, including stories without dates).
	Since time.Time
	// Q keeps stories whose members' titles or outlets contain every word
	// of it, ignoring case.
	Q string
	// Offset skips that many matching stories; Limit caps the answer.
	Offset, Limit int
}

// ErrBadQuery: a story listing parameter out of range or unreadable.
var ErrBadQuery = errors.New("bad story query")

// Listing limits.
const (
	DefaultLimit = 20
	MaxLimit     = 500
	maxOffset    = 100000
	maxQuery     = 256
)

// ParseStoryQuery reads the since, q, limit and offset parameters of a
// story listing (the API's and the UI's). Errors wrap ErrBadQuery.
func ParseStoryQuery(v url.Values) (StoryQuery, error) {
	sq := StoryQuery{Q: strings.TrimSpace(v.Get("q")), Limit: DefaultLimit}
	if len(sq.Q) > maxQuery {
		return sq, fmt.Errorf("%w: q is over %d bytes", ErrBadQuery, maxQuery)
	}
	if s := v.Get("since"); s != "" {
		t, ok := dates.ParseDate(s)
		if !ok {
			return sq, fmt.Errorf("%w: since: cannot read date %q (use RFC 3339 or YYYY-MM-DD)", ErrBadQuery, clip(s, 64))
		}
		sq.Since = t
	}
	intParam := func(name string, lo, hi int, dst *int) error {
		s := v.Get(name)
		if s == "" {
			return nil
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < lo || n > hi {
			return fmt.Errorf("%w: %s must be an integer from %d to %d, got %q", ErrBadQuery, name, lo, hi, clip(s, 32))
		}
		*dst = n
		return nil
	}
	if err := intParam("limit", 1, MaxLimit, &sq.Limit); err != nil {
		return sq, err
	}
	if err := intParam("offset", 0, maxOffset, &sq.Offset); err != nil {
		return sq, err
	}
	return sq, nil
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// list returns the ids of the stories q selects, newest first, and whether
// more follow.
func (l *storyList) list(q StoryQuery) ([]string, bool) {
	words := strings.Fields(strings.ToLower(q.Q))
	since := int64(minTime)
	if !q.Since.IsZero() {
		since = q.Since.UnixNano()
	}
	l.mu.RLock()
	defer l.mu.RUnlock()
	var ids []string
	skip := q.Offset
	more := false
	for key, st := range l.order.Descend(btreemap.Max[storyKey](), btreemap.Min[storyKey]()) {
		if key.last < since || (since != minTime && key.last == minTime) {
			break // the rest are older
		}
		if !containsAll(st.search, words) {
			continue
		}
		if skip > 0 {
			skip--
			continue
		}
		if len(ids) == q.Limit {
			more = true
			break
		}
		ids = append(ids, st.id)
	}
	return ids, more
}

func containsAll(s string, words []string) bool {
	for _, w := range words {
		if !strings.Contains(s, w) {
			return false
		}
	}
	return true
}

// len returns the number of live stories.
func (l *storyList) len() int {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return len(l.stories)
}
