package extract

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestCredits(t *testing.T) {
	tests := []struct {
		name     string
		text     string
		credits  []string
		dateline string
	}{
		{"ap dateline", "MOSCOW (AP) – President Joe Biden and Russian President Vladimir Putin will speak on a video call.", []string{"AP"}, "MOSCOW"},
		{"reuters dateline with date", "LONDON, Dec 4 (Reuters) - Britain's energy regulator said on Saturday it would review the price cap.", []string{"Reuters"}, "LONDON"},
		{"reuters without place", "(Reuters) - Oil prices rose on Monday as traders weighed the outlook for demand.", []string{"Reuters"}, ""},
		{"bloomberg lead", "(Bloomberg) -- Stocks fell in early trading as investors digested the central bank's latest signals.", []string{"Bloomberg"}, ""},
		{"xinhua", "BEIJING, Dec. 4 (Xinhua) -- China will further expand its high-speed rail network next year, officials said.", []string{"Xinhua"}, "BEIJING"},
		{"pti title case", "New Delhi, Dec 4 (PTI) The government on Saturday announced new rules for the sale of drones.", []string{"PTI"}, "New Delhi"},
		{"ani bracket", "New Delhi [India], December 4 (ANI): The Election Commission on Saturday reviewed preparations for the polls.", []string{"ANI"}, "New Delhi"},
		{"dpa title case", "Berlin (dpa) - Die Bundesregierung will die Corona-Regeln für den Handel weiter verschärfen, hieß es am Samstag.", []string{"dpa"}, "Berlin"},
		{"efe spanish", "Madrid, 4 dic (EFE).- El Gobierno aprobó este sábado un nuevo plan de ayudas para los agricultores afectados.", []string{"EFE"}, "Madrid"},
		{"tass slashes", "МОСКВА, 4 декабря. /ТАСС/. Президент России проведет переговоры с президентом США во вторник, сообщили в Кремле.", []string{"TASS"}, "МОСКВА"},
		{"ria dash", "МОСКВА, 4 дек — РИА Новости. Переговоры президентов пройдут во вторник вечером, сообщил Песков журналистам.", []string{"RIA Novosti"}, "МОСКВА"},
		{"ansa leading", "(ANSA) - ROMA, 4 DIC - Il governo ha approvato oggi il decreto sulle nuove misure contro la pandemia.", []string{"ANSA"}, "ROMA"},
		{"kyodo japanese", "【ワシントン共同】バイデン米大統領とプーチン・ロシア大統領は７日にオンライン形式で会談する。", []string{"Kyodo"}, "ワシントン"},
		{"japanese trailer", "政府は４日、新たな経済対策を発表した。\n\n対策の規模は５０兆円を超える見通しだ。（共同）", []string{"Kyodo"}, ""},
		{"several agencies", "KYIV, Ukraine (AP/Reuters) — Ukrainian officials said on Saturday that Russia could invade next month.", []string{"AP", "Reuters"}, "KYIV"},
		{"dateline without agency", "KYIV, Ukraine — Ukrainian officials said on Saturday that Russia could invade as soon as next month.", nil, "KYIV"},
		{"edited by", "Some text of the article that runs on for a while.\n\nEdited by: AP Washington Updated on: December 04, 2021 23:45 IST", []string{"AP"}, ""},
		{"trailer after last sentence", "It remains unclear if Mr Putin intends to go through with what would be a risky offensive, they say. – Associated Press/Reuters", []string{"AP", "Reuters"}, ""},
		{"parenthesised trailer", "The ministry said the talks would resume next week in Geneva. (AFP)", []string{"AFP"}, ""},
		{"with inputs from", "The court will hear the case again on Monday.\n\n(With inputs from PTI)", []string{"PTI"}, ""},
		{"with inputs from several", "The court will hear the case again on Monday. (With inputs from Reuters, AFP)", []string{"Reuters", "AFP"}, ""},
		{"standalone line", "Reuters\n\nThe central bank kept rates on hold, as expected by most economists polled.", []string{"Reuters"}, ""},
		{"byline with agency", "By Jane Roe, Reuters\n\nThe central bank kept rates on hold, as expected by most economists polled.", []string{"Reuters"}, ""},
		{"copyright line", "The storm is expected to reach the coast on Sunday.\n\nCopyright 2023 The Associated Press. All rights reserved.", []string{"AP"}, ""},
		{"copyright glued", "©2023 Bloomberg L.P.", []string{"Bloomberg"}, ""},
		{"dpa copyright", "© dpa-infocom, dpa:211204-99-262719/3", []string{"dpa"}, ""},
		{"ap tag line", "Associated Press writer Jane Doe in Kyiv contributed to this report.", []string{"AP"}, ""},
		{"source label", "Quelle: dpa", []string{"dpa"}, ""},

		// Mentions that are not credits.
		{"running text mention", "On the eve of the Associated Press, citing a source in the Biden administration, reported that the invasion could occur in 2022.", nil, ""},
		{"told reuters", "“The conversation will indeed take place on Tuesday,” Kremlin spokesman Dmitry Peskov told Reuters.", nil, ""},
		{"photo credit", "Image Source : AP (FILE)", nil, ""},
		{"photo author", "Photo author, Sergei Malgavko / TASS Photo caption, An Orthodox priest blesses Russian conscripts.", nil, ""},
		{"ap photo in parens", "President Joe Biden speaks in Washington. (AP Photo/Evan Vucci)", nil, ""},
		{"getty", "AFP via Getty Images", nil, ""},
		{"by sentence", "By the end of the year, Reuters expects to have hired more reporters.", nil, ""},
		{"agency in mid paragraph", "The White House declined to comment to Reuters (Reuters) on the report, which the paper said came from officials.", nil, ""},
		{"title case non place", "President Joe Biden (AP) spoke to reporters on Friday before leaving for Camp David for the weekend.", nil, ""},
		{"no such agency in parens", "LONDON (Sky News) – The prime minister is expected to announce new measures later today, officials said.", nil, ""},
		{"lowercase ap", "ap – some text that is not a credit at all, just lowercase words in a row here.", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			credits, dateline := Credits(tt.text)
			if !slices.Equal(credits, tt.credits) {
				t.Errorf("credits: got %q, want %q", credits, tt.credits)
			}
			if dateline != tt.dateline {
				t.Errorf("dateline: got %q, want %q", dateline, tt.dateline)
			}
		})
	}
}

// TestCreditsSeeds checks the five seed texts (testdata/seeds at the module
// root): 001 carries an AP dateline, 002 an "Edited by: AP" line, 004 an
// "Associated Press/Reuters" trailer; 003 names AP, Reuters' photo agency
// TASS and others only in running text and photo credits; 000 lost its
// credit in translation.
func TestCreditsSeeds(t *testing.T) {
	tests := []struct {
		file     string
		credits  []string
		dateline string
	}{
		{"000_593ee4de91dc436a.txt", nil, ""},
		{"001_81501ed7d460c921.txt", []string{"AP"}, "MOSCOW"},
		{"002_6d69baa46a2ff832.txt", []string{"AP"}, ""},
		{"003_a886183e1788cefc.txt", nil, ""},
		{"004_203724dd82367cc3.txt", []string{"AP", "Reuters"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("..", "testdata", "seeds", tt.file))
			if err != nil {
				t.Fatalf("read seed: %v", err)
			}
			credits, dateline := Credits(string(b))
			if !slices.Equal(credits, tt.credits) {
				t.Errorf("credits: got %q, want %q", credits, tt.credits)
			}
			if dateline != tt.dateline {
				t.Errorf("dateline: got %q, want %q", dateline, tt.dateline)
			}
		})
	}
}
