package warc

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzRead feeds arbitrary bytes to the reader: no panic, no error but
// ErrNotWARC, one callback per counted page, payloads within the cap, and
// no more input consumed than given.
func FuzzRead(f *testing.F) {
	for _, compress := range []bool{true, false} {
		data := writeFixture(f, compress)
		f.Add(data)
		f.Add(data[:len(data)/2])
		f.Add(data[len(data)/3:])
	}
	f.Add([]byte("WARC/1.1\r\nWARC-Type: response\r\nContent-Length: 10\r\n\r\nHTTP/1.1 2"))
	f.Add([]byte("WARC/1.0\r\nContent-Length: 99999999999999999999\r\n\r\n"))
	f.Add([]byte{0x1f, 0x8b, 0x08, 0x04, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff})
	const maxBody = 1 << 16
	f.Fuzz(func(t *testing.T, data []byte) {
		calls := 0
		st, err := ReadWith(bytes.NewReader(data), Options{MaxBody: maxBody}, func(p Page) error {
			calls++
			if len(p.Body) > maxBody {
				t.Fatalf("body of %d bytes over the cap", len(p.Body))
			}
			return nil
		})
		if err != nil && !errors.Is(err, ErrNotWARC) {
			t.Fatalf("unexpected error: %v", err)
		}
		if int64(calls) != st.HTML {
			t.Fatalf("%d callbacks, %d pages counted", calls, st.HTML)
		}
		if st.Bytes > int64(len(data)) {
			t.Fatalf("consumed %d of %d bytes", st.Bytes, len(data))
		}
	})
}
