package store

import (
	"encoding/binary"
	"hash/crc32"
)

// AppendChecksumForTest appends the envelope checksum of body, so tests can
// hand-craft bodies that reach the parser behind the checksum.
func AppendChecksumForTest(body []byte) []byte {
	return binary.LittleEndian.AppendUint32(body, crc32.Checksum(body, castagnoli))
}
