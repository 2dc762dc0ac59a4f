package gen

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// Outlet names for republished copies: a place and a masthead, as local
// papers and news sites that carry wire copy are named.
var (
	places = []string{
		"Springfield", "Riverside", "Fairview", "Lakewood", "Greenville", "Bristol", "Clinton", "Salem",
		"Madison", "Franklin", "Georgetown", "Ashland", "Oxford", "Dover", "Hudson", "Jackson",
		"Milton", "Newport", "Auburn", "Burlington", "Dayton", "Kingston", "Lexington", "Marion",
		"Northfield", "Plymouth", "Richmond", "Shelby", "Troy", "Winchester", "Harbor City", "Mesa Valley",
	}
	mastheads = []string{
		"Courier", "Herald", "Gazette", "Tribune", "Daily News", "Times", "Post", "Chronicle",
		"Observer", "Journal", "Register", "Sentinel", "Star", "Examiner", "Leader", "Record",
		"News Online", "Today", "Daily", "Dispatch", "Bulletin", "Press", "Mirror", "Standard",
	}
	sections = []string{"News", "World", "Business", "Politics", "Nation", "Markets", "Europe", "US", "Economy", "Top Stories"}
)

// outletName returns a plausible outlet name.
func outletName(rng *rand.Rand) string {
	p := places[rng.IntN(len(places))]
	m := mastheads[rng.IntN(len(mastheads))]
	if rng.IntN(4) == 0 {
		return "The " + p + " " + m
	}
	return p + " " + m
}

// pageChrome is the text a web page or a scanned page wraps around an
// article: navigation before it, advertising and promotion lines inside
// it, and footers after it. None of it is article text.
type pageChrome struct {
	top, bottom []string
	inline      []string // lines inserted between paragraphs, in order
}

// makeChrome builds the chrome of one page. related holds titles of other
// articles for "read more" and "trending" lists.
func makeChrome(rng *rand.Rand, outlet, title string, published time.Time, related []string) pageChrome {
	var c pageChrome
	sec := sections[rng.IntN(len(sections))]
	date := published
	if date.IsZero() {
		date = time.Date(2019+rng.IntN(6), time.Month(1+rng.IntN(12)), 1+rng.IntN(28), rng.IntN(24), rng.IntN(60), 0, 0, time.UTC)
	}
	pick := func(xs ...string) string { return xs[rng.IntN(len(xs))] }
	rel := func() string {
		if len(related) == 0 {
			return title
		}
		return related[rng.IntN(len(related))]
	}
	// Navigation and metadata.
	switch rng.IntN(4) {
	case 0:
		c.top = append(c.top, "Home › "+sec+" › "+pick("Latest", "Top Stories", "Wire"))
	case 1:
		c.top = append(c.top, "You Are At:", "News", sec)
	case 2:
		c.top = append(c.top, strings.ToUpper(outlet), "Menu  Search  Subscribe  Sign in")
	}
	if rng.IntN(2) == 0 {
		c.top = append(c.top, "Advertisement")
	}
	if rng.IntN(3) == 0 {
		c.top = append(c.top, date.Format("Monday, January 2, 2006"))
	}
	if rng.IntN(2) == 0 {
		c.top = append(c.top, pick("Published", "Updated", "Posted")+": "+date.Add(time.Duration(rng.IntN(300))*time.Minute).Format(pick("Jan 2, 2006 15:04", "January 2, 2006 3:04 PM", "02 Jan 2006 15:04 MST")))
	}
	if rng.IntN(3) == 0 {
		c.top = append(c.top, pick("Share on Facebook  Share on Twitter  Email", "Share this article", "Print  Email  Share", "Listen to this article"))
	}
	if rng.IntN(3) == 0 {
		c.top = append(c.top, pick("Image Source : AP (FILE)", "Photo: Reuters", "(Photo: AFP/File)", "Image: Getty Images", "File photo"))
	}
	// Inside the article.
	for range rng.IntN(4) {
		c.inline = append(c.inline, pick(
			"Advertisement", "ADVERTISEMENT", "Story continues below advertisement",
			"READ MORE: "+rel(), "Related: "+rel(), "Also read: "+rel(), "Advertisement - Scroll to continue",
		))
	}
	// Footers.
	if rng.IntN(2) == 0 {
		c.bottom = append(c.bottom, pick("Sign up for our daily newsletter", "Get the latest news delivered to your inbox", "Follow us on Twitter and Facebook"))
	}
	if rng.IntN(2) == 0 {
		c.bottom = append(c.bottom, pick("Trending now", "Most read", "More from "+outlet, "You may also like"))
		for range 2 + rng.IntN(3) {
			c.bottom = append(c.bottom, rel())
		}
	}
	if rng.IntN(2) == 0 {
		c.bottom = append(c.bottom, fmt.Sprintf("© %d %s. All rights reserved.", date.Year(), outlet))
	}
	if rng.IntN(4) == 0 {
		c.bottom = append(c.bottom, pick("Comments", "Load comments", "Report an error", "Tags: "+sec))
	}
	return c
}

// makeScanChrome builds what OCR of a printed page leaves around an
// article: a running head with the paper's name, date and page, and jump
// lines.
func makeScanChrome(rng *rand.Rand, outlet string, published time.Time) pageChrome {
	var c pageChrome
	date := published
	if date.IsZero() {
		date = time.Date(1950+rng.IntN(40), time.Month(1+rng.IntN(12)), 1+rng.IntN(28), 0, 0, 0, 0, time.UTC)
	}
	page := 1 + rng.IntN(24)
	if rng.IntN(2) == 0 {
		c.top = append(c.top, fmt.Sprintf("%s, %s PAGE %d", strings.ToUpper(outlet), strings.ToUpper(date.Format("Monday, January 2, 2006")), page))
	}
	if rng.IntN(3) == 0 {
		c.top = append(c.top, fmt.Sprintf("Continued From Page %d", 1+rng.IntN(page)))
	}
	if rng.IntN(3) == 0 {
		c.inline = append(c.inline, fmt.Sprintf("(Continued on Page %d)", page+1+rng.IntN(8)))
	}
	if rng.IntN(4) == 0 {
		c.bottom = append(c.bottom, fmt.Sprintf("%d %s", page, strings.ToUpper(outlet)))
	}
	return c
}
