package models

import (
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Blind rounds (盲评): the texts an expert reads must not name the unit.
// BlindTerms lists what would name it (the unit's name, its ancestors',
// their common short forms, the contact person and phone), FindBlindHits
// finds them in a text and Redact masks them. The admin reviews the hits
// and saves a redacted copy per round and project; the original stays.

// BlindFields are the project texts a blind round's expert reads, which a
// redaction covers (category and start date come from fixed forms; the
// contact fields are never shown to experts).
var BlindFields = []string{"title", "summary", "problem", "approach", "results", "replicability", "sustainability"}

// The masks a redaction may put in place of a hit.
const (
	MaskBlocks = "■■"
	MaskUnit   = "【单位】"
)

// BlindTermKind says why a term names the unit.
type BlindTermKind string

// The kinds of terms.
const (
	TermUnit     BlindTermKind = "unit"     // the unit's own name
	TermAncestor BlindTermKind = "ancestor" // a unit above it in the tree (not the city: it names every project alike)
	TermShort    BlindTermKind = "short"    // a common short form of one of those (惠城区 → 惠城, 市民政局 → 民政局)
	TermContact  BlindTermKind = "contact"  // the contact person (the project's or the unit's)
	TermPhone    BlindTermKind = "phone"    // a contact phone, matched with or without separators
)

// BlindTerm is one string that would name the unit.
type BlindTerm struct {
	Text string        `json:"text"`
	Kind BlindTermKind `json:"kind"`
}

// BlindHit is one place in a text that names the unit: [Start, End) in
// characters (runes; code points in the browser), the text found there and
// the term that matched. Hits of overlapping terms are merged into one.
type BlindHit struct {
	Start int           `json:"start"`
	End   int           `json:"end"`
	Text  string        `json:"text"`
	Term  string        `json:"term"`
	Kind  BlindTermKind `json:"kind"`
}

// unitSuffixes are the endings of place and body names that people drop in
// running text (惠城区 → 惠城, 江北街道 → 江北, 大亚湾开发区 → 大亚湾),
// longest first.
var unitSuffixes = []string{"经济技术开发区", "高新技术产业开发区", "开发区", "高新区", "街道办事处", "街道", "社区居委会", "居委会", "村委会", "社区", "区", "县", "市", "镇", "乡", "村"}

// levelPrefixes are the leading level words of a department's name
// (市民政局 → 民政局).
var levelPrefixes = []string{"市", "区", "县", "镇"}

// BlindTerms lists the terms that name the unit of a project: the unit's
// name and its ancestors' (except a city: every project sits under it),
// their short forms, the project's and the unit's contact person and
// phone. Terms shorter than two characters are left out (one character
// matches everywhere); the list is longest first, without duplicates.
func BlindTerms(tree *UnitTree, unitID int64, p ProjectFields) []BlindTerm {
	var out []BlindTerm
	seen := map[string]bool{}
	add := func(text string, kind BlindTermKind) {
		text = strings.TrimSpace(text)
		key := string(foldRunes(text))
		if utf8.RuneCountInString(text) < 2 || seen[key] {
			return
		}
		seen[key] = true
		out = append(out, BlindTerm{Text: text, Kind: kind})
	}
	var cities []string
	var named []Unit // the unit, then its ancestors below the city
	if tree != nil {
		if u, ok := tree.Unit(unitID); ok {
			named = append(named, u)
			for _, a := range tree.Ancestors(unitID) {
				au, ok := tree.Unit(a)
				if !ok {
					continue
				}
				if au.Kind == UnitCity {
					cities = append(cities, au.Name)
					continue
				}
				named = append(named, au)
			}
		}
	}
	for i, u := range named {
		kind := TermAncestor
		if i == 0 {
			kind = TermUnit
		}
		add(u.Name, kind)
	}
	for _, u := range named {
		for _, s := range ShortForms(u.Name, cities) {
			add(s, TermShort)
		}
	}
	add(p.ContactName, TermContact)
	add(p.ContactPhone, TermPhone)
	if len(named) > 0 {
		add(named[0].ContactName, TermContact)
		add(named[0].ContactPhone, TermPhone)
	}
	sort.SliceStable(out, func(i, j int) bool {
		return utf8.RuneCountInString(out[i].Text) > utf8.RuneCountInString(out[j].Text)
	})
	return out
}

// ShortForms are the common shorter names of a unit: without the city's
// name in front (惠州市民政局 → 民政局), without the level word of a
// department (市民政局 → 民政局), and without the place-kind ending
// (惠城区 → 惠城, 江北街道 → 江北). A form keeps at least two characters
// (three for a department without its level word, so 市局 stays whole).
func ShortForms(name string, cities []string) []string {
	var out []string
	add := func(s string) {
		if s != name && utf8.RuneCountInString(s) >= 2 && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	core := name
	// Only the city's full name: without 市 the rest is often a common
	// word (惠州学院 → 学院).
	prefixes := append(slices.Clone(cities), "惠州市")
	for _, p := range prefixes {
		if p != "" && strings.HasPrefix(name, p) && utf8.RuneCountInString(name)-utf8.RuneCountInString(p) >= 2 {
			core = strings.TrimPrefix(name, p)
			add(core)
			break
		}
	}
	for _, lp := range levelPrefixes {
		if strings.HasPrefix(core, lp) && utf8.RuneCountInString(core)-1 >= 3 {
			add(strings.TrimPrefix(core, lp))
		}
	}
	for _, suf := range unitSuffixes {
		if strings.HasSuffix(core, suf) && utf8.RuneCountInString(core)-utf8.RuneCountInString(suf) >= 2 {
			add(strings.TrimSuffix(core, suf))
			break
		}
	}
	return out
}

// fold maps a character to the form matching compares: full-width ASCII
// (ＡＢＣ１２３，（）) to its ASCII twin, the ideographic space to a space,
// ASCII letters to lower case. Each character maps to exactly one, so
// offsets in the folded text are offsets in the original.
func fold(r rune) rune {
	switch {
	case r >= 0xFF01 && r <= 0xFF5E:
		r -= 0xFEE0
	case r == 0x3000:
		r = ' '
	}
	if r >= 'A' && r <= 'Z' {
		r += 'a' - 'A'
	}
	return r
}

func foldRunes(s string) []rune {
	rs := []rune(s)
	for i, r := range rs {
		rs[i] = fold(r)
	}
	return rs
}

func isDigit(r rune) bool { return r >= '0' && r <= '9' }

// phoneSeparators may stand between a phone number's digits in a text.
func phoneSeparator(r rune) bool {
	return r == '-' || r == ' ' || r == '—' || r == '–' || r == '.' || r == '(' || r == ')'
}

// FindBlindHits finds the terms in text, ignoring letter case and the width
// of ASCII characters; a phone matches with any separators between its
// digits (0752-2345678, 0752 2345678, 07522345678) but not inside a longer
// number. Overlapping or touching matches become one hit, so a mask never
// leaves half a name; the hits are in order.
func FindBlindHits(text string, terms []BlindTerm) []BlindHit {
	if text == "" || len(terms) == 0 {
		return nil
	}
	src := []rune(text)
	t := make([]rune, len(src))
	for i, r := range src {
		t[i] = fold(r)
	}
	type span struct {
		start, end int
		term       BlindTerm
	}
	var spans []span
	for _, term := range terms {
		if term.Kind == TermPhone {
			var digits []rune
			for _, r := range foldRunes(term.Text) {
				if isDigit(r) {
					digits = append(digits, r)
				}
			}
			if len(digits) < 5 {
				continue
			}
			for i := range t {
				if t[i] != digits[0] || (i > 0 && isDigit(t[i-1])) {
					continue
				}
				j, k := i, 0
				for j < len(t) && k < len(digits) {
					if t[j] == digits[k] {
						j, k = j+1, k+1
					} else if k > 0 && phoneSeparator(t[j]) {
						j++
					} else {
						break
					}
				}
				if k == len(digits) && (j == len(t) || !isDigit(t[j])) {
					spans = append(spans, span{i, j, term})
				}
			}
			continue
		}
		pat := foldRunes(term.Text)
		if len(pat) == 0 {
			continue
		}
		for i := 0; i+len(pat) <= len(t); i++ {
			if slices.Equal(t[i:i+len(pat)], pat) {
				spans = append(spans, span{i, i + len(pat), term})
			}
		}
	}
	if len(spans) == 0 {
		return nil
	}
	sort.Slice(spans, func(i, j int) bool {
		if spans[i].start != spans[j].start {
			return spans[i].start < spans[j].start
		}
		return spans[i].end > spans[j].end
	})
	var out []BlindHit
	for _, s := range spans {
		if n := len(out); n > 0 && s.start <= out[n-1].End {
			if s.end > out[n-1].End {
				out[n-1].End = s.end
				out[n-1].Text = string(src[out[n-1].Start:s.end])
			}
			continue
		}
		out = append(out, BlindHit{Start: s.start, End: s.end, Text: string(src[s.start:s.end]), Term: s.term.Text, Kind: s.term.Kind})
	}
	return out
}

// Redact replaces each hit with mask. Hits must be FindBlindHits's (in
// order, not overlapping); one out of range is skipped.
func Redact(text string, hits []BlindHit, mask string) string {
	src := []rune(text)
	var b strings.Builder
	at := 0
	for _, h := range hits {
		if h.Start < at || h.End > len(src) || h.Start >= h.End {
			continue
		}
		b.WriteString(string(src[at:h.Start]))
		b.WriteString(mask)
		at = h.End
	}
	b.WriteString(string(src[at:]))
	return b.String()
}

// BlindTexts are a project's texts that a blind round's expert reads, by
// field name (BlindFields).
func BlindTexts(p ProjectFields) map[string]string {
	m := p.Map()
	out := make(map[string]string, len(BlindFields))
	for _, f := range BlindFields {
		out[f] = m[f]
	}
	return out
}

// WithBlindTexts returns p with the blind fields taken from texts (those
// present), the others as they were.
func (p ProjectFields) WithBlindTexts(texts map[string]string) ProjectFields {
	set := map[string]*string{"title": &p.Title, "summary": &p.Summary, "problem": &p.Problem, "approach": &p.Approach,
		"results": &p.Results, "replicability": &p.Replicability, "sustainability": &p.Sustainability}
	for k, v := range texts {
		if ptr, ok := set[k]; ok {
			*ptr = v
		}
	}
	return p
}

// CheckRedaction checks an admin's redacted copy: only blind fields, each
// within the field's limit, and a field that has text in the original
// keeps some (a redaction masks, it does not delete the project's texts).
func CheckRedaction(original ProjectFields, texts map[string]string) error {
	f := map[string]string{}
	orig := original.Map()
	limits := map[string]int{}
	for _, l := range ProjectFieldLimits {
		limits[l.Name] = l.Max
	}
	for k, v := range texts {
		if !slices.Contains(BlindFields, k) {
			f["fields."+k] = "not a text experts read; one of " + strings.Join(BlindFields, ", ")
			continue
		}
		if n := utf8.RuneCountInString(v); n > limits[k] {
			f["fields."+k] = "at most " + strconv.Itoa(limits[k]) + " characters (now " + strconv.Itoa(n) + ")"
		} else if strings.TrimSpace(v) == "" && strings.TrimSpace(orig[k]) != "" {
			f["fields."+k] = "required: mask the names instead of deleting the text"
		}
	}
	if len(f) > 0 {
		return Invalid("the redacted copy is not valid", f)
	}
	return nil
}

// BlindFieldHits are the hits in each blind field of texts, fields without
// hits left out; Count totals them.
type BlindFieldHits map[string][]BlindHit

// Count is the number of hits in all fields.
func (h BlindFieldHits) Count() int {
	n := 0
	for _, v := range h {
		n += len(v)
	}
	return n
}

// FindBlindFieldHits finds the terms in every blind field of texts.
func FindBlindFieldHits(texts map[string]string, terms []BlindTerm) BlindFieldHits {
	out := BlindFieldHits{}
	for _, f := range BlindFields {
		if hs := FindBlindHits(texts[f], terms); len(hs) > 0 {
			out[f] = hs
		}
	}
	return out
}

// BlindProject is one project of a blind round as the admin reviews it: the
// original texts with the hits that name the unit, the saved copy (nil
// before one is saved) with the hits still in it, and whether it may still
// change (not once an expert has a score for it).
type BlindProject struct {
	ProjectID int64
	Version   int
	Original  map[string]string
	Hits      BlindFieldHits
	Copy      map[string]string
	CopyHits  BlindFieldHits
	Terms     []BlindTerm
	SavedBy   string
	SavedAt   *time.Time
	// Stale: the copy was made from an earlier version of the project.
	Stale bool
	// Scored: an expert has a draft or a submitted score for the project
	// in this round, so the copy is fixed.
	Scored bool
}

// Unredacted reports whether what experts would read still names the unit:
// the copy's hits, or the original's when there is no copy.
func (b BlindProject) Unredacted() int {
	if b.Copy != nil {
		return b.CopyHits.Count()
	}
	return b.Hits.Count()
}
