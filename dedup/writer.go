package dedup

import (
	"errors"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"unsafe"
)

// asyncWriter buffers writes in chunks that a goroutine of its own writes
// to the file, so that the output pass formats lines while the kernel
// copies the previous chunk (writing gigabytes costs seconds of system
// time). Flush waits for everything written so far; the first write error
// is returned by every later Write and Flush.
//
// A file made by createDirect is written with direct I/O (no page cache)
// while the writes stay aligned: whole chunks are, and the first chunk
// that is not (the last one, or one a Flush cut short) is written
// through the page cache from its last aligned byte on, as is the rest.
type asyncWriter struct {
	f      *os.File
	direct bool // f is in direct I/O mode; only the writing goroutine changes it
	cur    []byte
	full   chan []byte   // chunks to write, in order; nil flushes
	free   chan []byte   // written chunks to reuse
	done   chan struct{} // a flush has completed
	errMu  sync.Mutex
	err    error
	failed atomic.Bool // err is set: Write checks this, not the mutex (it is called per record)
	closed bool
}

const (
	asyncChunk  = 1 << 20
	asyncChunks = 4 // in flight at most: bounds memory and lets the writer fall behind a little
)

func newAsyncWriter(f *os.File, direct bool) *asyncWriter {
	w := &asyncWriter{f: f, direct: direct, full: make(chan []byte, asyncChunks), free: make(chan []byte, asyncChunks), done: make(chan struct{})}
	for range asyncChunks - 1 {
		w.free <- alignedBuffer(asyncChunk)
	}
	w.cur = alignedBuffer(asyncChunk)
	go func() {
		for b := range w.full {
			if b == nil {
				w.done <- struct{}{}
				continue
			}
			if w.error() == nil {
				if err := w.write(b); err != nil {
					w.errMu.Lock()
					w.err = err
					w.errMu.Unlock()
					w.failed.Store(true)
				}
			}
			w.free <- b[:0]
		}
	}()
	return w
}

// write writes one chunk, which starts at an aligned address.
func (w *asyncWriter) write(b []byte) error {
	if w.direct {
		if n := len(b) &^ (directAlign - 1); n > 0 {
			k, err := w.f.Write(b[:n])
			if err != nil && !errors.Is(err, syscall.EINVAL) {
				return err
			}
			b = b[k:] // all of b[:n], or on EINVAL (direct I/O refused) none
		}
		if len(b) > 0 {
			if err := endDirect(w.f); err != nil {
				return err
			}
			w.direct = false
		}
	}
	if len(b) == 0 {
		return nil
	}
	_, err := w.f.Write(b)
	return err
}

// alignedBuffer returns an empty buffer of capacity n starting at a
// multiple of directAlign, as direct I/O needs.
func alignedBuffer(n int) []byte {
	b := make([]byte, n+directAlign)
	off := int(-uintptr(unsafe.Pointer(unsafe.SliceData(b))) & (directAlign - 1))
	return b[off : off : off+n]
}

func (w *asyncWriter) error() error {
	w.errMu.Lock()
	defer w.errMu.Unlock()
	return w.err
}

func (w *asyncWriter) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		if len(w.cur) == cap(w.cur) {
			w.full <- w.cur
			w.cur = <-w.free
		}
		k := copy(w.cur[len(w.cur):cap(w.cur)], p)
		w.cur = w.cur[:len(w.cur)+k]
		p = p[k:]
	}
	if w.failed.Load() {
		return n, w.error()
	}
	return n, nil
}

// Flush writes what is buffered and waits until the file has it; the
// writer stays usable until Close.
func (w *asyncWriter) Flush() error {
	if len(w.cur) > 0 {
		w.full <- w.cur
		w.cur = <-w.free
	}
	w.full <- nil
	<-w.done
	return w.error()
}

// Close flushes and ends the writing goroutine (the file stays open).
// Closing again does nothing.
func (w *asyncWriter) Close() error {
	if w.closed {
		return w.error()
	}
	err := w.Flush()
	close(w.full)
	w.closed = true
	return err
}
