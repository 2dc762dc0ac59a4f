package dedup

import (
	"os"

	"golang.org/x/sys/unix"
)

// directAlign is the alignment of buffers, offsets and lengths for direct
// I/O: a page, which is a multiple of every device's logical block.
const directAlign = 4096

// createDirect creates (or truncates) a file for a large sequential
// output, in direct I/O mode (O_DIRECT) where the file system allows it.
// Written once and not read back by this process, the output need not go
// through the page cache: writing gigabytes through it costs seconds of
// system time, and more on machines where fresh page cache memory is slow
// to get (virtual machines handing free memory back to their host).
func createDirect(path string) (*os.File, bool, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC|unix.O_DIRECT, 0o666)
	if err == nil {
		return f, true, nil
	}
	f, err = os.Create(path)
	return f, false, err
}

// endDirect turns direct I/O off for f: later writes go through the page
// cache and need no alignment.
func endDirect(f *os.File) error {
	c, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var ferr error
	err = c.Control(func(fd uintptr) {
		fl, err := unix.FcntlInt(fd, unix.F_GETFL, 0)
		if err != nil {
			ferr = err
			return
		}
		_, ferr = unix.FcntlInt(fd, unix.F_SETFL, fl&^unix.O_DIRECT)
	})
	if err != nil {
		return err
	}
	return ferr
}

// openDirect opens a file for reading in direct I/O mode where the file
// system allows it; direct reports whether it does.
func openDirect(path string) (f *os.File, direct bool, err error) {
	f, err = os.OpenFile(path, os.O_RDONLY|unix.O_DIRECT, 0)
	if err == nil {
		return f, true, nil
	}
	f, err = os.Open(path)
	return f, false, err
}

// pread reads into b at off with one system call.
func pread(f *os.File, b []byte, off int64) (int, error) {
	c, err := f.SyscallConn()
	if err != nil {
		return 0, err
	}
	var n int
	var rerr error
	err = c.Read(func(fd uintptr) bool {
		for {
			n, rerr = unix.Pread(int(fd), b, off)
			if rerr != unix.EINTR {
				return true
			}
		}
	})
	if err != nil {
		return 0, err
	}
	return n, rerr
}
