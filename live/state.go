package live

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"

	"github.com/wiretrace/wiretrace"
	"github.com/wiretrace/wiretrace/engine"
)

// StateFormat is the version of the State an Index writes into each
// store.Record. A state in another format, or from a build that prepares
// articles differently, is not trusted: the article is prepared again from
// its stored text, which costs time on open but never gives wrong matches.
//
// Changelog:
//
//	1: version byte; the preparation canary (8 bytes, little-endian: a hash
//	   of how this build prepares a fixed text, so that a tokenizer or term
//	   weight change invalidates states that options and format versions
//	   cannot tell apart); then the engine's encoding of the prepared
//	   article (engine.PreparedFormat, without the article itself).
const StateFormat = 1

// errStale: a state this build does not trust; prepare from text instead.
var errStale = errors.New("stale state")

// canaryText is a fixed article whose preparation identifies how this
// build prepares articles.
const canaryText = `MOSCOW (AP) — The Kremlin said on Saturday that President Vladimir Putin and U.S. President Joe Biden will hold a video call on Tuesday, amid tensions over a build-up of 94,000 Russian troops near Ukraine's border.

Kremlin spokesman Dmitry Peskov confirmed the plans to state news agency RIA Novosti. "The presidents will decide for themselves how long they talk," he said, adding that the agenda included Ukraine and strategic stability.

Advertisement

White House press secretary Jen Psaki said Biden would underline American concerns about Russian military activities on the border with Ukraine and reaffirm support for Ukraine's sovereignty and territorial integrity.`

// preparationCanary hashes the encoding of canaryText prepared with opts.
func preparationCanary(opts engine.Options, codec *engine.Codec) (uint64, error) {
	p, err := engine.NewPreparer(opts).Prepare(wiretrace.Article{ID: "canary", Text: canaryText})
	if err != nil {
		return 0, fmt.Errorf("prepare canary: %w", err)
	}
	h := fnv.New64a()
	h.Write(codec.Encode(nil, p))
	return h.Sum64(), nil
}

// encodeState returns the State for prepared article p.
func (ix *Index) encodeState(p *engine.Prepared) []byte {
	b := make([]byte, 0, 9+40*len(p.Doc.Sentences)+8*len(p.SentKeys)+4*len(p.Doc.Terms)+8*len(p.Terms)+64)
	b = append(b, StateFormat)
	b = binary.LittleEndian.AppendUint64(b, ix.canary)
	return ix.codec.Encode(b, p)
}

// decodeState rebuilds a prepared article from its State and stored
// article; errStale (wrapped) means the state is not trusted.
func (ix *Index) decodeState(state []byte, a wiretrace.Article) (*engine.Prepared, error) {
	if len(state) < 9 || state[0] != StateFormat {
		return nil, fmt.Errorf("state format: %w", errStale)
	}
	if binary.LittleEndian.Uint64(state[1:9]) != ix.canary {
		return nil, fmt.Errorf("prepared by another build: %w", errStale)
	}
	p, err := ix.codec.Decode(state[9:], a)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errStale, err)
	}
	return p, nil
}
