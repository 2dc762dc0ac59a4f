package dedup

import (
	"errors"
	"io"
	"os"
	"slices"
	"syscall"
)

// directReader reads a file from an offset to its end, for a merge that
// streams gigabytes of runs once: with direct I/O (a file from
// openDirect), in aligned blocks into aligned buffers, so that nothing
// goes through the page cache; otherwise in plain reads of the same size.
// A goroutine reads the next block while the current one is consumed (a
// direct read has no read-ahead of the kernel's to hide the disk's
// latency). If the file system refuses a direct read, the file leaves
// direct I/O mode and the reader goes on.
//
// Close stops the goroutine; the caller closes the file after it.
type directReader struct {
	cur    block
	r      int
	ready  chan block  // blocks read, in file order
	free   chan []byte // buffers to read into
	stop   chan struct{}
	closed bool
}

// block is one read: buf[skip:n] is new data; err ends the stream (io.EOF
// at the end of the file).
type block struct {
	buf     []byte
	skip, n int
	err     error
}

// newDirectReader reads f from start on in blocks of about size bytes,
// with two blocks in memory.
func newDirectReader(f *os.File, direct bool, start int64, size int) *directReader {
	size = max(size&^(directAlign-1), directAlign)
	d := &directReader{ready: make(chan block, 1), free: make(chan []byte, 2), stop: make(chan struct{})}
	d.free <- alignedBuffer(size)[:size]
	d.free <- alignedBuffer(size)[:size]
	off, skip := start, 0
	if direct {
		off = start &^ (directAlign - 1)
		skip = int(start - off)
	}
	go d.read(f, direct, off, skip)
	return d
}

// read is the goroutine: it reads blocks from off until the end of the
// file, an error or Close.
func (d *directReader) read(f *os.File, direct bool, off int64, skip int) {
	for {
		var buf []byte
		select {
		case buf = <-d.free:
		case <-d.stop:
			return
		}
		n, err := preadDirect(f, &direct, buf, off)
		b := block{buf: buf, n: n, err: err}
		if err == nil {
			off += int64(n)
			b.skip = min(skip, n)
			skip -= b.skip
			// A short read is the end of the file (a direct read past
			// it could not go on from an unaligned offset anyway).
			if n < len(buf) {
				b.err = io.EOF
			}
		}
		select {
		case d.ready <- b:
		case <-d.stop:
			return
		}
		if b.err != nil {
			return
		}
	}
}

// preadDirect is pread, except that when the file system refuses a direct
// read the file leaves direct I/O mode (*direct becomes false) and the
// read is done again.
func preadDirect(f *os.File, direct *bool, b []byte, off int64) (int, error) {
	n, err := pread(f, b, off)
	if err != nil && *direct && errors.Is(err, syscall.EINVAL) {
		if err := endDirect(f); err != nil {
			return 0, err
		}
		*direct = false
		n, err = pread(f, b, off)
	}
	return n, err
}

// next makes the next block current; it returns the stream's error once
// the data before it is consumed.
func (d *directReader) next() error {
	for d.r >= d.cur.n {
		if d.cur.err != nil {
			return d.cur.err
		}
		if d.cur.buf != nil {
			d.free <- d.cur.buf
		}
		d.cur = <-d.ready
		d.r = d.cur.skip
	}
	return nil
}

// view returns the next n bytes: a slice of the current block when they lie
// in it, else a copy into scratch (grown as needed), assembled across
// blocks. A slice of a block stays valid until the reader moves past the
// block (a later view or ReadByte may).
func (d *directReader) view(n int, scratch *[]byte) ([]byte, error) {
	if n == 0 {
		return nil, nil
	}
	if err := d.next(); err != nil {
		return nil, err
	}
	if d.r+n <= d.cur.n {
		b := d.cur.buf[d.r : d.r+n : d.r+n]
		d.r += n
		return b, nil
	}
	b := slices.Grow((*scratch)[:0], n)[:n]
	*scratch = b
	for k := 0; k < n; {
		if err := d.next(); err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		}
		c := copy(b[k:], d.cur.buf[d.r:d.cur.n])
		d.r += c
		k += c
	}
	return b, nil
}

// ReadByte reads one byte (binary.ReadUvarint reads lengths so).
func (d *directReader) ReadByte() (byte, error) {
	if err := d.next(); err != nil {
		return 0, err
	}
	c := d.cur.buf[d.r]
	d.r++
	return c, nil
}

// Close stops the reading goroutine. Closing again does nothing.
func (d *directReader) Close() {
	if !d.closed {
		d.closed = true
		close(d.stop)
	}
}
