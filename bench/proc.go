package bench

import (
	"bufio"
	"os"
	"strconv"
	"strings"
)

// procStatus returns a memory figure of /proc/self/status ("VmRSS",
// "VmHWM"; the kernel gives kB) in bytes, or 0 where there is no /proc.
func procStatus(key string) int64 {
	return procValue("/proc/self/status", key)
}

// MemAvailable returns the memory the kernel considers available for new
// work (MemAvailable in /proc/meminfo), in bytes, or 0 where there is no
// /proc.
func MemAvailable() int64 { return procValue("/proc/meminfo", "MemAvailable") }

func procValue(path, key string) int64 {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok || k != key {
			continue
		}
		fs := strings.Fields(v)
		if len(fs) == 0 {
			return 0
		}
		n, err := strconv.ParseInt(fs[0], 10, 64)
		if err != nil {
			return 0
		}
		if len(fs) > 1 && fs[1] == "kB" {
			n <<= 10
		}
		return n
	}
	return 0
}
