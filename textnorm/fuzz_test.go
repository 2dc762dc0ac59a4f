package textnorm_test

import (
	"testing"

	"github.com/wiretrace/wiretrace/textnorm"
)

func FuzzAnalyze(f *testing.F) {
	for _, s := range []string{
		"",
		"Biden spoke. Putin listened.",
		"“We know,” Psaki said. “We see…”",
		"move forward. and do what people fear he will do, ”Biden said on Friday.",
		"The U.S.-led coalition. Mr. Putin. Jan. 5. John F. Kennedy. 3.5 percent.",
		"Moody's said it\nlowered the debt and preferred stock ratings of USX Corp and\nits units. About seven billion dlrs of securities.\n    The company appears to have positioned its steel segment\nfor a return.",
		"ﬁnal ７０,０００ Ｕ.Ｓ. café Москва",
		"\xff\xfe invalid \xc3\x28 utf8 \xe2\x82. Next.",
		"...\n\n\n. . .\r\n\t“”",
		"a.b.c.d. E.F. g. H.",
	} {
		f.Add(s, uint8(0))
		f.Add(s, uint8(0b101))
	}
	an := textnorm.NewAnalyzer()
	f.Fuzz(func(t *testing.T, text string, mask uint8) {
		skip := func(paras []string) []bool {
			out := make([]bool, len(paras))
			for i := range out {
				out[i] = mask&(1<<(i%8)) != 0
			}
			return out
		}
		d := an.Analyze(text, skip)
		if d.Text != text {
			t.Fatalf("Text: got a different string, want the input")
		}
		checkDoc(t, d)
		d = an.Analyze(text, nil)
		checkDoc(t, d)
		for _, p := range d.Paras {
			if p.End > len(text) {
				t.Fatalf("paragraph end %d past text end %d", p.End, len(text))
			}
		}
	})
}
