package extract

import (
	"bytes"
	"fmt"
	"mime"
	"strings"
	"unicode/utf8"

	"github.com/gogs/chardet"
	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/unicode"
)

// sniffLen is how much of a page the encoding sniffers look at.
const sniffLen = 64 << 10

// toUTF8 decodes a page to UTF-8. The encoding is, in order: a byte-order
// mark; the charset declared by the transport (declared, a charset name or
// a whole Content-Type value); a <meta> charset in the first 1024 bytes;
// and when none is given and the bytes are not valid UTF-8, a statistical
// guess (windows-1251, Shift_JIS, ISO-8859-x, …). A declared UTF-8 that
// the bytes contradict is overruled by the guess. It returns the decoded
// bytes and the encoding's name.
func toUTF8(raw []byte, declared string) ([]byte, string, error) {
	name := ""
	var enc encoding.Encoding
	if e, n, ok := bomEncoding(raw); ok {
		enc, name = e, n
	}
	if enc == nil && declared != "" {
		label := declared
		if strings.Contains(declared, "/") || strings.Contains(declared, ";") {
			label = ""
			if _, params, err := mime.ParseMediaType(declared); err == nil {
				label = params["charset"]
			}
		}
		if label != "" {
			if e, err := htmlindex.Get(label); err == nil {
				enc, name = e, canonicalName(e, label)
			}
		}
	}
	if enc == nil {
		head := raw[:min(len(raw), 1024)]
		if e, n, certain := charset.DetermineEncoding(head, "text/html"); certain && e != nil {
			enc, name = e, n
		}
	}
	isUTF8 := name == "utf-8" || name == "UTF-8"
	// Pages that declare a legacy charset but are written in UTF-8 are
	// common (a template's stale <meta>); non-ASCII text in a legacy
	// encoding is all but never valid UTF-8, so the bytes decide.
	if enc != nil && !isUTF8 && hasNonASCII(raw) && utf8.Valid(raw) && !strings.HasPrefix(name, "utf-16") {
		return raw, "utf-8", nil
	}
	if enc == nil || (isUTF8 && !utf8.Valid(raw)) {
		if utf8.Valid(raw) {
			return bytes.TrimPrefix(raw, []byte{0xEF, 0xBB, 0xBF}), "utf-8", nil
		}
		enc, name = guessEncoding(raw)
	}
	if name == "utf-8" || name == "UTF-8" {
		raw = bytes.TrimPrefix(raw, []byte{0xEF, 0xBB, 0xBF})
		return bytes.ToValidUTF8(raw, []byte("\uFFFD")), "utf-8", nil
	}
	out, err := enc.NewDecoder().Bytes(raw)
	if err != nil {
		return nil, name, fmt.Errorf("decode %s: %w", name, err)
	}
	return out, name, nil
}

func bomEncoding(raw []byte) (encoding.Encoding, string, bool) {
	switch {
	case bytes.HasPrefix(raw, []byte{0xEF, 0xBB, 0xBF}):
		return unicode.UTF8BOM, "utf-8", true
	case bytes.HasPrefix(raw, []byte{0xFE, 0xFF}):
		return unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM), "utf-16be", true
	case bytes.HasPrefix(raw, []byte{0xFF, 0xFE}):
		return unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM), "utf-16le", true
	}
	return nil, "", false
}

func canonicalName(e encoding.Encoding, label string) string {
	if n, err := htmlindex.Name(e); err == nil {
		return n
	}
	return strings.ToLower(label)
}

// guessEncoding guesses a page's encoding from its bytes, falling back to
// windows-1252 (which decodes any byte) when the guess is unusable.
func guessEncoding(raw []byte) (encoding.Encoding, string) {
	sample := raw[:min(len(raw), sniffLen)]
	if r, err := chardet.NewHtmlDetector().DetectBest(sample); err == nil && r.Confidence >= 20 {
		if e, err := htmlindex.Get(r.Charset); err == nil {
			return e, canonicalName(e, r.Charset)
		}
	}
	e, _ := htmlindex.Get("windows-1252")
	return e, "windows-1252"
}

func hasNonASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return true
		}
	}
	return false
}
