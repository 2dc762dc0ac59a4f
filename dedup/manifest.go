package dedup

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// manifestName is the checkpoint file in the work directory. Everything
// else there is either listed by it or garbage from an interrupted step,
// removed on resume.
const manifestName = "manifest.json"

// HasCheckpoint reports whether workDir holds a run's checkpoint, from
// which a run there resumes (if it was made for the same inputs and
// options).
func HasCheckpoint(workDir string) bool {
	_, err := loadManifest(workDir)
	return err == nil
}

// manifest records what a run has completed. It is rewritten atomically
// (temporary file, fsync, rename, directory fsync) after each step, and a
// step's files are durable before the manifest names them.
type manifest struct {
	Version  int           `json:"version"` // FormatVersion
	WorkHash string        `json:"work_hash"`
	Inputs   []inputStamp  `json:"inputs"`
	Segments []segmentInfo `json:"segments"`
	// ReadDone: every input has been read (pass 1 complete).
	ReadDone bool `json:"read_done"`
	// Articles is the number of articles prepared (handles 0..Articles-1).
	Articles int `json:"articles"`
	// Deaths maps an article handle to the handle of the later article
	// with the same id that replaces it (pass ids).
	Deaths   [][2]uint32 `json:"deaths"`
	IDsDone  bool        `json:"ids_done"`
	Parts    int         `json:"partitions"`
	PartW    int         `json:"partition_width"`
	PairsOK  bool        `json:"pairs_done"`
	Lists    int         `json:"bucket_lists"`    // bucket list files written by pass 2a
	CandDone []int       `json:"candidates_done"` // partitions
	EdgeDone []int       `json:"aligned_done"`    // partitions
}

// segmentInfo is one committed pass-1 segment: articles [Base,
// Base+Count), read from the records before input NextInput's record
// NextRecord.
type segmentInfo struct {
	Index      int   `json:"index"`
	Base       int   `json:"base"`
	Count      int   `json:"count"`
	Skipped    int   `json:"skipped"`
	Bytes      int64 `json:"bytes"` // article text bytes
	NextInput  int   `json:"next_input"`
	NextRecord int64 `json:"next_record"`
}

// inputStamp identifies an input as it was when the run started.
type inputStamp struct {
	Path  string `json:"path"`
	Dir   bool   `json:"dir,omitempty"`
	Size  int64  `json:"size"`
	MTime int64  `json:"mtime_ns"`
	Files int    `json:"files,omitempty"`
	Hash  string `json:"hash,omitempty"` // of the paths, sizes and times of a directory's files
}

func loadManifest(dir string) (*manifest, error) {
	b, err := os.ReadFile(filepath.Join(dir, manifestName))
	if err != nil {
		return nil, err
	}
	var m manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("read %s: %w: %v", filepath.Join(dir, manifestName), ErrCorrupt, err)
	}
	if m.Version != FormatVersion {
		return nil, fmt.Errorf("%w: work directory format %d, this build uses %d", ErrWorkMismatch, m.Version, FormatVersion)
	}
	return &m, nil
}

func (m *manifest) save(dir string) error {
	b, err := json.MarshalIndent(m, "", " ")
	if err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(dir, manifestName), b)
}

// writeFileAtomic writes data to path through a synced temporary file and
// a rename, then syncs the directory.
func writeFileAtomic(path string, data []byte) error {
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", tmp, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("sync %s: %w", tmp, err)
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	return syncDir(filepath.Dir(path))
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}

// stampInputs describes the inputs so a resumed run can tell whether they
// changed. Directories are walked the way ingest walks them (hidden
// entries skipped).
func stampInputs(inputs []string) ([]inputStamp, error) {
	out := make([]inputStamp, 0, len(inputs))
	for _, in := range inputs {
		if in == "-" {
			out = append(out, inputStamp{Path: "-"})
			continue
		}
		st, err := os.Stat(in)
		if err != nil {
			// Reported (and skipped) by the reader; stamp it as missing.
			out = append(out, inputStamp{Path: in, Size: -1})
			continue
		}
		s := inputStamp{Path: in, Size: st.Size(), MTime: st.ModTime().UnixNano()}
		if st.IsDir() {
			s.Dir, s.Size, s.MTime = true, 0, 0
			h := sha256.New()
			var lines []string
			filepath.WalkDir(in, func(p string, d fs.DirEntry, err error) error {
				if err != nil {
					return nil
				}
				if d.IsDir() {
					if p != in && strings.HasPrefix(d.Name(), ".") {
						return filepath.SkipDir
					}
					return nil
				}
				if strings.HasPrefix(d.Name(), ".") || !d.Type().IsRegular() {
					return nil
				}
				info, err := d.Info()
				if err != nil {
					return nil
				}
				s.Files++
				s.Size += info.Size()
				lines = append(lines, fmt.Sprintf("%s\x00%d\x00%d\n", p, info.Size(), info.ModTime().UnixNano()))
				return nil
			})
			slices.Sort(lines)
			for _, l := range lines {
				h.Write([]byte(l))
			}
			s.Hash = hex.EncodeToString(h.Sum(nil))
		}
		out = append(out, s)
	}
	return out, nil
}

// totalBytes is the input size when every input is a file or directory
// (0 when standard input is among them).
func totalBytes(st []inputStamp) int64 {
	var n int64
	for _, s := range st {
		if s.Path == "-" {
			return 0
		}
		if s.Size > 0 {
			n += s.Size
		}
	}
	return n
}

func sameStamps(a, b []inputStamp) bool { return slices.Equal(a, b) }
