package textnorm

// IsFunctionWord reports whether the normalised word n carries no content of
// its own: articles, pronouns, auxiliaries, prepositions, conjunctions, and
// the reporting verbs every news sentence uses ("said", "says").
func IsFunctionWord(n string) bool {
	_, ok := functionWords[n]
	return ok
}

var functionWords = func() map[string]struct{} {
	m := make(map[string]struct{}, len(functionWordList))
	for _, w := range functionWordList {
		m[w] = struct{}{}
	}
	return m
}()

var functionWordList = []string{
	"a", "about", "above", "according", "across", "after", "again", "against", "ago", "all",
	"almost", "along", "already", "also", "although", "always", "am", "among", "an", "and",
	"another", "any", "anyone", "anything", "are", "around", "as", "at", "be", "became",
	"because", "become", "been", "before", "being", "below", "between", "both", "but", "by",
	"can", "cannot", "could", "did", "do", "does", "doing", "done", "down", "during",
	"each", "either", "else", "enough", "etc", "even", "ever", "every", "few", "for", "from",
	"further", "get", "gets", "got", "had", "has", "have", "having", "he", "her", "here",
	"hers", "herself", "him", "himself", "his", "how", "however", "i", "if", "in", "into",
	"is", "it", "its", "itself", "just", "least", "less", "like", "many", "may", "me",
	"meanwhile", "might", "more", "most", "much", "must", "my", "myself", "neither", "never",
	"no", "nor", "not", "now", "of", "off", "often", "on", "once", "only", "onto", "or",
	"other", "others", "otherwise", "our", "ours", "ourselves", "out", "over", "own",
	"per", "perhaps", "quite", "rather", "s", "said", "same", "say", "says", "saying",
	"several", "shall", "she", "should", "since", "so", "some", "somehow", "something",
	"still", "such", "t", "than", "that", "the", "their", "theirs", "them", "themselves",
	"then", "there", "therefore", "these", "they", "this", "those", "though", "through",
	"thus", "to", "too", "toward", "towards", "under", "unless", "until", "up", "upon",
	"us", "very", "via", "was", "we", "well", "were", "what", "whatever", "when", "whenever",
	"where", "whereas", "whether", "which", "while", "who", "whoever", "whom", "whose",
	"why", "will", "with", "within", "without", "would", "yet", "you", "your", "yours",
	"yourself", "yourselves", "mr", "mrs", "ms", "dr", "don't", "didn't", "doesn't",
	"isn't", "wasn't", "weren't", "won't", "wouldn't", "can't", "couldn't", "hasn't",
	"haven't", "hadn't", "it's", "i'm", "we're", "they're", "you're", "he's", "she's",
	"that's", "there's", "i've", "we've", "they've", "i'd", "we'd", "they'd", "i'll",
	"we'll", "they'll", "let", "lets", "let's",
}
