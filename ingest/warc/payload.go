package warc

import (
	"bytes"
	"compress/flate"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zlib"
	"github.com/klauspost/compress/zstd"
)

var errTooBig = errors.New("payload over the size cap")

// payload handles the block of a response or resource record: it parses
// the HTTP response, undoes its encodings and hands HTML to the callback.
func (rd *reader) payload(kind string, h header, offset int64) error {
	body := rd.block
	var ctype, charset string
	if kind == "response" {
		if !bytes.HasPrefix(body, []byte("HTTP/")) {
			rd.stats.NonHTML++ // dns:, ftp: and other non-HTTP captures
			return nil
		}
		status, hh, rest, err := parseHTTP(body)
		if err != nil {
			rd.log.Debug("bad http response", "offset", offset, "err", err)
			rd.stats.Corrupt++
			return nil
		}
		if status < 200 || status > 299 {
			rd.stats.NotOK++
			return nil
		}
		ctype, charset = mediaType(hh["content-type"])
		body, err = rd.decode(hh, rest)
		switch {
		case errors.Is(err, errTooBig):
			rd.stats.Oversize++
			return nil
		case err != nil:
			rd.log.Debug("undecodable payload", "offset", offset, "err", err)
			rd.stats.Corrupt++
			return nil
		}
	} else {
		ctype, charset = mediaType(h["content-type"])
	}
	if int64(len(body)) > rd.opts.MaxBody {
		rd.stats.Oversize++
		return nil
	}
	if !isHTML(ctype, body) {
		rd.stats.NonHTML++
		return nil
	}
	if ctype == "" || !strings.Contains(ctype, "html") {
		ctype = "text/html" // sniffed
	}
	rd.stats.HTML++
	p := Page{
		URL:         strings.Trim(h["warc-target-uri"], "<>"),
		Date:        parseDate(h["warc-date"]),
		ContentType: ctype,
		Charset:     charset,
		Body:        body,
		RecordID:    h["warc-record-id"],
		Offset:      offset,
	}
	if err := rd.fn(p); err != nil {
		return errStop{fmt.Errorf("warc record at offset %d: %w", offset, err)}
	}
	return nil
}

// parseHTTP splits an HTTP response into status, headers (keys
// lower-cased, repeated fields joined with ", ") and body.
func parseHTTP(b []byte) (status int, h map[string]string, body []byte, err error) {
	end, sep := bytes.Index(b, []byte("\r\n\r\n")), 4
	if end < 0 {
		end, sep = bytes.Index(b, []byte("\n\n")), 2
	}
	if end < 0 {
		// Headers only, or headers cut off: take all as headers.
		end, sep = len(b), 0
	}
	head, body := b[:end], b[end+sep:]
	lines := strings.Split(string(head), "\n")
	f := strings.Fields(lines[0])
	if len(f) < 2 {
		return 0, nil, nil, fmt.Errorf("status line %.40q", lines[0])
	}
	status, err = strconv.Atoi(f[1])
	if err != nil || status < 100 || status > 999 {
		return 0, nil, nil, fmt.Errorf("status line %.40q", lines[0])
	}
	h = map[string]string{}
	last := ""
	for _, l := range lines[1:] {
		l = strings.TrimRight(l, "\r")
		if l == "" {
			continue
		}
		if (l[0] == ' ' || l[0] == '\t') && last != "" {
			h[last] += " " + strings.TrimSpace(l)
			continue
		}
		k, v, ok := strings.Cut(l, ":")
		if !ok {
			continue // tolerate junk lines, as browsers do
		}
		last = strings.ToLower(strings.TrimSpace(k))
		if old, dup := h[last]; dup {
			h[last] = old + ", " + strings.TrimSpace(v)
		} else {
			h[last] = strings.TrimSpace(v)
		}
	}
	return status, h, body, nil
}

// mediaType splits a Content-Type value into its lower-case media type and
// charset parameter.
func mediaType(v string) (ctype, charset string) {
	if v == "" {
		return "", ""
	}
	mt, params, err := mime.ParseMediaType(v)
	if err != nil {
		// "text/html; charset" and other near misses: keep the type.
		mt, _, _ = strings.Cut(v, ";")
		return strings.ToLower(strings.TrimSpace(mt)), ""
	}
	return mt, params["charset"]
}

// unknownTypes are media types that say nothing; the payload is sniffed.
var unknownTypes = map[string]bool{
	"": true, "application/octet-stream": true, "binary/octet-stream": true,
	"application/unknown": true, "unknown/unknown": true, "content/unknown": true, "unk": true,
}

// isHTML reports whether a payload is HTML, by its media type or, when
// the type says nothing, by sniffing its first bytes.
func isHTML(ctype string, body []byte) bool {
	switch ctype {
	case "text/html", "application/xhtml+xml", "application/vnd.wap.xhtml+xml":
		return true
	}
	if unknownTypes[ctype] {
		return strings.HasPrefix(http.DetectContentType(body), "text/html")
	}
	return false
}

// decode undoes the transfer and content encodings of an HTTP body into
// the reader's decode buffer. A body that claims to be chunked but does
// not parse as chunks is taken as already de-chunked, as crawlers often
// store it; likewise a body that claims a compression but is plain HTML.
func (rd *reader) decode(h map[string]string, body []byte) ([]byte, error) {
	if strings.Contains(strings.ToLower(h["transfer-encoding"]), "chunked") {
		if out, ok := dechunk(body, rd.dec[:0]); ok {
			rd.dec = out
			// Copy out of the shared buffer before a content decoding
			// reuses it.
			body = append(rd.block[:0], out...)
			rd.block = body
		}
	}
	enc := strings.ToLower(strings.TrimSpace(h["content-encoding"]))
	if enc == "" || enc == "identity" || enc == "none" {
		return body, nil
	}
	var dr io.Reader
	var err error
	src := bytes.NewReader(body)
	switch enc {
	case "gzip", "x-gzip":
		dr, err = gzip.NewReader(src)
	case "deflate":
		// RFC 9110 deflate is zlib; many servers send raw deflate.
		if dr, err = zlib.NewReader(src); err != nil {
			src.Reset(body)
			dr, err = flate.NewReader(src), nil
		}
	case "br":
		dr = brotli.NewReader(src)
	case "zstd":
		var z *zstd.Decoder
		if z, err = zstd.NewReader(src, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(uint64(rd.opts.MaxBody)*2)); err == nil {
			defer z.Close()
			dr = z
		}
	default:
		err = fmt.Errorf("unknown content encoding %q", enc)
	}
	if err == nil {
		buf := bytes.NewBuffer(rd.dec[:0])
		var n int64
		n, err = io.Copy(buf, io.LimitReader(dr, rd.opts.MaxBody+1))
		rd.dec = buf.Bytes()[:0] // keep the grown buffer for the next record
		if err == nil && n > rd.opts.MaxBody {
			return nil, errTooBig
		}
		if err == nil {
			return buf.Bytes(), nil
		}
	}
	if strings.HasPrefix(http.DetectContentType(body), "text/html") {
		return body, nil // stored decoded under the original headers
	}
	return nil, fmt.Errorf("content encoding %s: %w", enc, err)
}

// dechunk decodes an HTTP/1.1 chunked body, appending to dst; ok is false
// when body is not well-formed chunks.
func dechunk(body, dst []byte) ([]byte, bool) {
	for {
		i := bytes.IndexByte(body, '\n')
		if i < 0 {
			return nil, false
		}
		line := bytes.TrimRight(body[:i], "\r")
		if j := bytes.IndexByte(line, ';'); j >= 0 {
			line = line[:j] // chunk extensions
		}
		size, err := strconv.ParseUint(string(bytes.TrimSpace(line)), 16, 31)
		if err != nil {
			return nil, false
		}
		body = body[i+1:]
		if size == 0 {
			return dst, true // trailers, if any, are ignored
		}
		if uint64(len(body)) < size {
			// Cut short: keep what there is.
			return append(dst, body...), true
		}
		dst = append(dst, body[:size]...)
		body = bytes.TrimPrefix(bytes.TrimPrefix(body[size:], []byte("\r")), []byte("\n"))
	}
}

// parseDate parses a WARC-Date; zero when it does not parse.
func parseDate(s string) time.Time {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05Z07:00", "2006-01-02T15:04Z07:00", "2006-01-02", "20060102150405"} {
		if t, err := time.Parse(layout, strings.TrimSpace(s)); err == nil {
			return t
		}
	}
	return time.Time{}
}
