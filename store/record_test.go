package store_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/wiretrace/wiretrace"
	"github.com/wiretrace/wiretrace/store"
	"github.com/wiretrace/wiretrace/store/storetest"
)

var update = flag.Bool("update", false, "rewrite testdata golden files")

// fullRecord sets every Article field by reflection, so a field added to
// wiretrace.Article without a change to the envelope fails the round trip.
func fullRecord(t *testing.T) *store.Record {
	t.Helper()
	r := &store.Record{State: []byte{0, 1, 2, 0xfe, 0xff}, Seq: 99}
	v := reflect.ValueOf(&r.Article).Elem()
	for i := range v.NumField() {
		f := v.Field(i)
		name := v.Type().Field(i).Name
		switch f.Interface().(type) {
		case string:
			f.SetString(name + " ✓ значение")
		case time.Time:
			f.Set(reflect.ValueOf(time.Date(2021, 12, 4, 10, i, 5, 123456789, time.FixedZone("MSK", 3*3600))))
		case []string:
			f.Set(reflect.ValueOf([]string{name, "", "Reuters"}))
		default:
			t.Fatalf("Article.%s has type %s, which the record envelope does not encode; extend it and raise RecordFormat", name, f.Type())
		}
	}
	return r
}

func TestRecordRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		rec  *store.Record
	}{
		{"every field", fullRecord(t)},
		{"empty", &store.Record{}},
		{"id only", &store.Record{Article: wiretrace.Article{ID: "x"}}},
		{"utc times", &store.Record{Article: wiretrace.Article{ID: "u", Published: time.Unix(1638612000, 0).UTC(), Updated: time.Unix(-1, 999).UTC()}}},
		{"large text", &store.Record{Article: wiretrace.Article{ID: "l", Text: strings.Repeat("Kremlin said. ", 300_000)}}},
		{"seed article", storetest.BenchRecord(3)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data := store.EncodeRecord(tc.rec)
			if n := store.EncodedSize(tc.rec); len(data) > n || n-len(data) > 200 {
				t.Errorf("EncodedSize: got %d, encoded %d bytes (want an upper bound within 200)", n, len(data))
			}
			got, err := store.DecodeRecord(data)
			if err != nil {
				t.Fatalf("DecodeRecord: %v", err)
			}
			if got.Seq != 0 {
				t.Errorf("Seq: got %d, want 0 (not in the envelope)", got.Seq)
			}
			storetest.CheckRecord(t, got, tc.rec)
			if tc.rec.Article.Published.Location() == time.UTC && got.Article.Published.Location() != time.UTC {
				t.Errorf("UTC time came back in %v, want time.UTC", got.Article.Published.Location())
			}
			// Appending to a prefix gives the same bytes after the prefix.
			app := store.AppendRecord([]byte("prefix"), tc.rec)
			if !bytes.Equal(app[6:], data) {
				t.Errorf("AppendRecord differs from EncodeRecord")
			}
			// The decoded record owns its memory.
			clear(data)
			storetest.CheckRecord(t, got, tc.rec)
		})
	}
}

// TestRecordFormat1Golden decodes an envelope written by format 1, so a later
// change to the encoder cannot silently break reading old stores. Regenerate
// only on purpose: go test ./store -run Golden -update.
func TestRecordFormat1Golden(t *testing.T) {
	path := filepath.Join("testdata", "format1", "record.bin")
	want := fullRecord(t)
	if *update {
		if store.RecordFormat != 1 {
			t.Fatal("refusing to overwrite the format 1 golden file with another format")
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, store.EncodeRecord(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	got, err := store.DecodeRecord(data)
	if err != nil {
		t.Fatalf("DecodeRecord(%s): %v", path, err)
	}
	storetest.CheckRecord(t, got, want)
	if store.RecordFormat == 1 && !bytes.Equal(store.EncodeRecord(want), data) {
		t.Errorf("EncodeRecord no longer writes the format 1 bytes of %s; if the format changed, raise RecordFormat", path)
	}
}

func TestDecodeRecordRejects(t *testing.T) {
	good := store.EncodeRecord(fullRecord(t))
	flip := func(i int) []byte {
		b := bytes.Clone(good)
		b[i] ^= 0x10
		return b
	}
	tests := []struct {
		name string
		data []byte
		want error
		msg  string
	}{
		{"nil", nil, store.ErrCorrupt, "empty"},
		{"version 0", append([]byte{0}, good[1:]...), store.ErrUnsupportedVersion, "format version 0, this program reads 1"},
		{"version 2", append([]byte{2}, good[1:]...), store.ErrUnsupportedVersion, "format version 2"},
		{"version only", []byte{store.RecordFormat}, store.ErrCorrupt, "too short"},
		{"truncated", good[:len(good)-1], store.ErrCorrupt, "checksum"},
		{"extra byte", append(bytes.Clone(good), 0), store.ErrCorrupt, "checksum"},
		{"bit flip in text", flip(len(good) / 2), store.ErrCorrupt, "checksum"},
		{"bit flip in checksum", flip(len(good) - 1), store.ErrCorrupt, "checksum"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := store.DecodeRecord(tc.data)
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("got %v, %v; want %v mentioning %q", r, err, tc.want, tc.msg)
			}
		})
	}
}

func TestDecodeRecordMalformedBody(t *testing.T) {
	tests := []struct {
		name string
		body []byte
		msg  string
	}{
		{"length beyond end", []byte{1, 100, 'a'}, "field length 100 exceeds 1 bytes left"},
		{"bad uvarint", append([]byte{1}, bytes.Repeat([]byte{0xff}, 11)...), "bad uvarint"},
		{"missing fields", []byte{1, 1, 'a', 0, 0, 0}, "unexpected end"},
		{"unknown time kind", []byte{1, 0, 0, 0, 0, 9}, "unknown time kind 9"},
		{"offset out of range", []byte{1, 0, 0, 0, 0, 2, 0xfe, 0xff, 0xff, 0x0f, 0}, "offset 16777215 s out of range"},
		{"zero instant with a zone", append([]byte{1, 0, 0, 0, 0, 2, 0, 0}, append(binaryVarint(-62135596800), 0)...), "zero time with a zone"},
		{"nanoseconds out of range", []byte{1, 0, 0, 0, 0, 1, 0, 0x80, 0x94, 0xeb, 0xdc, 0x03}, "out of range"},
		{"huge credits count", []byte{1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0x0f}, "credits count"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := store.DecodeRecord(store.AppendChecksumForTest(tc.body))
			if !errors.Is(err, store.ErrCorrupt) || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("got %v, %v; want ErrCorrupt mentioning %q", r, err, tc.msg)
			}
		})
	}
	// Trailing bytes after a complete record.
	body := store.EncodeRecord(&store.Record{Article: wiretrace.Article{ID: "x"}})
	body = append(body[:len(body)-4:len(body)-4], 0)
	if _, err := store.DecodeRecord(store.AppendChecksumForTest(body)); !errors.Is(err, store.ErrCorrupt) || !strings.Contains(err.Error(), "trailing") {
		t.Errorf("trailing byte: got %v, want ErrCorrupt about trailing bytes", err)
	}
}

func binaryVarint(v int64) []byte { return binary.AppendVarint(nil, v) }

func FuzzDecodeRecord(f *testing.F) {
	f.Add(store.EncodeRecord(&store.Record{}))
	f.Add(store.EncodeRecord(storetest.Rec("seed", 1)))
	f.Add(store.EncodeRecord(&store.Record{Article: wiretrace.Article{ID: "t", Published: time.Date(2021, 1, 1, 0, 0, 0, 0, time.FixedZone("X", -3600))}}))
	f.Add([]byte{1})
	f.Add([]byte{2, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		// Also try the input as a body behind a valid checksum, or the
		// fuzzer rarely gets past the CRC.
		for _, in := range [][]byte{data, store.AppendChecksumForTest(bytes.Clone(data))} {
			r, err := store.DecodeRecord(in)
			if err != nil {
				if !errors.Is(err, store.ErrCorrupt) && !errors.Is(err, store.ErrUnsupportedVersion) {
					t.Fatalf("error %v is neither ErrCorrupt nor ErrUnsupportedVersion", err)
				}
				continue
			}
			// Whatever decodes must re-encode to an equal record.
			again, err := store.DecodeRecord(store.EncodeRecord(r))
			if err != nil {
				t.Fatalf("re-decode: %v", err)
			}
			if diff := storetest.DiffRecord(again, r); diff != "" {
				t.Fatalf("re-encode changed the record: %s", diff)
			}
		}
	})
}
