package judging

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"leitai/models"
)

// ParseSheet reads exactly one score sheet from r and validates it (see
// Validate). The reading is strict: malformed JSON (RFC 8259, UTF-8), fields
// that are not in the contract (names are matched exactly, not
// case-insensitively), a name given twice in one object, numbers written as
// strings, more than 2 decimals in a number, and anything after the sheet
// are refused. null counts as absent for optional fields. Numbers never pass
// through float64. Errors are models.KindInvalid with a one-line message
// naming the problem; a failure to read r is returned wrapped as
// models.KindInternal.
func ParseSheet(r io.Reader) (Sheet, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return Sheet{}, models.Wrap(models.KindInternal, "could not read the score sheet", err)
	}
	p := &sheetParser{data: data}
	p.space()
	if p.pos == len(p.data) {
		return Sheet{}, sheetError("", "the score sheet is empty")
	}
	s, hasTrim, err := p.sheet()
	if err != nil {
		return Sheet{}, err
	}
	p.space()
	if p.pos != len(p.data) {
		return Sheet{}, sheetError("", "unexpected data after the score sheet at byte %d", p.pos)
	}
	if s.Method == MethodTrimmedMean && !hasTrim {
		return Sheet{}, sheetError("trim", "trimmed_mean needs trim (how many highest and lowest totals to drop)")
	}
	if err := s.Validate(); err != nil {
		return Sheet{}, err
	}
	return s, nil
}

// sheetParser is a small recursive-descent JSON reader specialised for the
// score sheet: it knows which value each field must hold, so it can name
// the field in every error and never builds generic values.
type sheetParser struct {
	data []byte
	pos  int
	// strings keeps one copy of each short string read: judge, project
	// and criterion names repeat thousands of times in a sheet.
	strings map[string]string
	// criteria is how many criteria the sheet has (once read): the usual
	// length of a score's criteria.
	criteria int
}

func (p *sheetParser) intern(b []byte) string {
	if len(b) > 64 {
		return string(b)
	}
	if s, ok := p.strings[string(b)]; ok { // no allocation for the lookup
		return s
	}
	s := string(b)
	if p.strings == nil {
		p.strings = make(map[string]string, 1024)
	}
	if len(p.strings) < 1<<16 {
		p.strings[s] = s
	}
	return s
}

// path names a field for an error message; it is only called on error.
type path func() string

func fixed(s string) path { return func() string { return s } }

func (p *sheetParser) malformed(format string, args ...any) error {
	return sheetError("", "malformed JSON at byte %d: %s", p.pos, fmt.Sprintf(format, args...))
}

func (p *sheetParser) space() {
	for p.pos < len(p.data) {
		switch p.data[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

// kind is the kind of the next value, after white space: one of
// '"', '{', '[', 'n' (null), 'b' (true or false), '0' (number), or 0 for
// none (end of input or a character that starts no value).
func (p *sheetParser) kind() byte {
	p.space()
	if p.pos >= len(p.data) {
		return 0
	}
	switch c := p.data[p.pos]; {
	case c == '"', c == '{', c == '[':
		return c
	case c == 'n':
		return 'n'
	case c == 't', c == 'f':
		return 'b'
	case c == '-', isDigit(c):
		return '0'
	}
	return 0
}

func kindName(k byte) string {
	switch k {
	case '"':
		return "a string"
	case '{':
		return "an object"
	case '[':
		return "an array"
	case 'n':
		return "null"
	case 'b':
		return "a boolean"
	case '0':
		return "a number"
	}
	return "nothing"
}

// wrongType reports that the value at field is of kind got, not want; a
// value that is not JSON at all is malformed.
func (p *sheetParser) wrongType(field path, want string, got byte) error {
	if got == 0 {
		if p.pos >= len(p.data) {
			return p.malformed("unexpected end of input")
		}
		return p.malformed("invalid character %s looking for a value", quoteChar(p.data[p.pos]))
	}
	f := field()
	return sheetError(f, "%s must be %s, not %s", f, want, kindName(got))
}

func quoteChar(c byte) string {
	if c < utf8.RuneSelf {
		return strconv.QuoteRune(rune(c))
	}
	return fmt.Sprintf("byte 0x%02x", c)
}

// literal consumes null, true or false.
func (p *sheetParser) literal() error {
	for _, lit := range []string{"null", "true", "false"} {
		if strings.HasPrefix(string(p.data[p.pos:min(len(p.data), p.pos+len(lit))]), lit) {
			p.pos += len(lit)
			return nil
		}
	}
	return p.malformed("invalid literal")
}

// null consumes a null when one comes next and reports whether it did.
func (p *sheetParser) null() (bool, error) {
	if p.kind() != 'n' {
		return false, nil
	}
	return true, p.literal()
}

// str reads a string value.
func (p *sheetParser) str(field path) (string, error) {
	if k := p.kind(); k != '"' {
		return "", p.wrongType(field, "a string", k)
	}
	return p.stringToken()
}

// stringToken reads the string at pos (which holds '"').
func (p *sheetParser) stringToken() (string, error) {
	p.pos++ // opening quote
	start := p.pos
	// Fast path: no escapes, ASCII or valid UTF-8.
	for p.pos < len(p.data) {
		c := p.data[p.pos]
		switch {
		case c == '"':
			s := p.intern(p.data[start:p.pos])
			p.pos++
			return s, nil
		case c == '\\':
			return p.escapedString(start)
		case c < 0x20:
			return "", p.malformed("control character in a string")
		case c < utf8.RuneSelf:
			p.pos++
		default:
			r, size := utf8.DecodeRune(p.data[p.pos:])
			if r == utf8.RuneError && size == 1 {
				return "", p.malformed("invalid UTF-8 in a string")
			}
			p.pos += size
		}
	}
	return "", p.malformed("unexpected end of input in a string")
}

func (p *sheetParser) escapedString(start int) (string, error) {
	b := append([]byte(nil), p.data[start:p.pos]...)
	for p.pos < len(p.data) {
		c := p.data[p.pos]
		switch {
		case c == '"':
			p.pos++
			return string(b), nil
		case c == '\\':
			if p.pos+1 >= len(p.data) {
				return "", p.malformed("unexpected end of input in a string")
			}
			e := p.data[p.pos+1]
			p.pos += 2
			switch e {
			case '"', '\\', '/':
				b = append(b, e)
			case 'b':
				b = append(b, '\b')
			case 'f':
				b = append(b, '\f')
			case 'n':
				b = append(b, '\n')
			case 'r':
				b = append(b, '\r')
			case 't':
				b = append(b, '\t')
			case 'u':
				r, ok := p.hex4()
				if !ok {
					return "", p.malformed(`invalid \u escape in a string`)
				}
				if utf16.IsSurrogate(r) {
					r2 := utf8.RuneError
					if p.pos+1 < len(p.data) && p.data[p.pos] == '\\' && p.data[p.pos+1] == 'u' {
						save := p.pos
						p.pos += 2
						if low, ok := p.hex4(); ok && utf16.DecodeRune(r, low) != utf8.RuneError {
							r2 = utf16.DecodeRune(r, low)
						} else {
							p.pos = save
						}
					}
					r = r2
				}
				b = utf8.AppendRune(b, r)
			default:
				p.pos--
				return "", p.malformed("invalid escape %s in a string", quoteChar(e))
			}
		case c < 0x20:
			return "", p.malformed("control character in a string")
		case c < utf8.RuneSelf:
			b = append(b, c)
			p.pos++
		default:
			r, size := utf8.DecodeRune(p.data[p.pos:])
			if r == utf8.RuneError && size == 1 {
				return "", p.malformed("invalid UTF-8 in a string")
			}
			b = append(b, p.data[p.pos:p.pos+size]...)
			p.pos += size
		}
	}
	return "", p.malformed("unexpected end of input in a string")
}

func (p *sheetParser) hex4() (rune, bool) {
	if p.pos+4 > len(p.data) {
		return 0, false
	}
	v, err := strconv.ParseUint(string(p.data[p.pos:p.pos+4]), 16, 32)
	if err != nil {
		return 0, false
	}
	p.pos += 4
	return rune(v), true
}

// numberToken reads the text of the number at pos; its grammar is checked
// by ParsePoints (or strconv for trim).
func (p *sheetParser) numberToken() string {
	start := p.pos
	for p.pos < len(p.data) {
		c := p.data[p.pos]
		if !isDigit(c) && c != '-' && c != '+' && c != '.' && c != 'e' && c != 'E' {
			break
		}
		p.pos++
	}
	return string(p.data[start:p.pos])
}

// points reads a number exactly; null is refused unless nullable, when it
// returns ok == false.
func (p *sheetParser) points(field path, nullable bool) (v Points, ok bool, err error) {
	k := p.kind()
	if k == 'n' && nullable {
		return 0, false, p.literal()
	}
	if k != '0' {
		return 0, false, p.wrongType(field, "a number", k)
	}
	start := p.pos
	lit := p.numberToken()
	v, err = ParsePoints(lit)
	if err != nil {
		if !validJSONNumber(lit) {
			p.pos = start
			return 0, false, p.malformed("invalid number %s", quoteNumber(lit))
		}
		f := field()
		return 0, false, pointsError(f, f, err)
	}
	return v, true, nil
}

// validJSONNumber reports whether s follows the JSON number grammar (any
// magnitude, any number of decimals).
func validJSONNumber(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && isDigit(s[i]):
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	default:
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if i == len(s) || !isDigit(s[i]) {
			return false
		}
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if i == len(s) || !isDigit(s[i]) {
			return false
		}
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	}
	return i == len(s)
}

// object reads an object, calling member for each name; member must read
// the value. Names given twice are refused.
func (p *sheetParser) object(field path, member func(name string) error) error {
	if k := p.kind(); k != '{' {
		return p.wrongType(field, "an object", k)
	}
	p.pos++
	// Most objects are small: a list finds a repeated name faster than a
	// map, which takes over for big ones (previous, audience).
	var buf [16]string
	names := buf[:0]
	var seen map[string]bool
	p.space()
	if p.pos < len(p.data) && p.data[p.pos] == '}' {
		p.pos++
		return nil
	}
	for {
		p.space()
		if p.pos >= len(p.data) {
			return p.malformed("unexpected end of input")
		}
		if p.data[p.pos] != '"' {
			return p.malformed("invalid character %s looking for beginning of object key string", quoteChar(p.data[p.pos]))
		}
		name, err := p.stringToken()
		if err != nil {
			return err
		}
		dup := false
		if seen != nil {
			dup = seen[name]
			seen[name] = true
		} else {
			dup = slices.Contains(names, name)
			names = append(names, name)
			if len(names) == len(buf) {
				seen = make(map[string]bool, 64)
				for _, n := range names {
					seen[n] = true
				}
			}
		}
		if dup {
			f := field()
			return sheetError(f, "%s: %q is given twice", f, name)
		}
		p.space()
		if p.pos >= len(p.data) || p.data[p.pos] != ':' {
			return p.malformed("expected ':' after object key %q", name)
		}
		p.pos++
		if err := member(name); err != nil {
			return err
		}
		p.space()
		if p.pos >= len(p.data) {
			return p.malformed("unexpected end of input")
		}
		switch p.data[p.pos] {
		case ',':
			p.pos++
		case '}':
			p.pos++
			return nil
		default:
			return p.malformed("invalid character %s after object key:value pair", quoteChar(p.data[p.pos]))
		}
	}
}

// array reads an array, calling elem for each element; elem must read it.
func (p *sheetParser) array(field path, elem func(i int) error) error {
	if k := p.kind(); k != '[' {
		return p.wrongType(field, "an array", k)
	}
	p.pos++
	p.space()
	if p.pos < len(p.data) && p.data[p.pos] == ']' {
		p.pos++
		return nil
	}
	for i := 0; ; i++ {
		if err := elem(i); err != nil {
			return err
		}
		p.space()
		if p.pos >= len(p.data) {
			return p.malformed("unexpected end of input")
		}
		switch p.data[p.pos] {
		case ',':
			p.pos++
		case ']':
			p.pos++
			return nil
		default:
			return p.malformed("invalid character %s after array element", quoteChar(p.data[p.pos]))
		}
	}
}

// pointsList reads an object of numbers in order, e.g. a score's criteria.
func (p *sheetParser) pointsList(field path) (CriterionPoints, error) {
	list := make(CriterionPoints, 0, max(p.criteria, 1))
	err := p.object(field, func(name string) error {
		v, _, err := p.points(func() string { return fmt.Sprintf("%s %q", field(), name) }, false)
		list = append(list, CriterionPoint{Key: name, Points: v})
		return err
	})
	return list, err
}

// pointsMap reads an object of numbers, e.g. previous.
func (p *sheetParser) pointsMap(field path) (map[string]Points, error) {
	m := map[string]Points{}
	err := p.object(field, func(name string) error {
		v, _, err := p.points(func() string { return fmt.Sprintf("%s %q", field(), name) }, false)
		m[name] = v
		return err
	})
	return m, err
}

// skip reads past the next value, whatever it is.
func (p *sheetParser) skip() error {
	switch k := p.kind(); k {
	case '{':
		return p.object(fixed(""), func(string) error { return p.skip() })
	case '[':
		return p.array(fixed(""), func(int) error { return p.skip() })
	case '"':
		_, err := p.stringToken()
		return err
	case '0':
		if lit := p.numberToken(); !validJSONNumber(lit) {
			return p.malformed("invalid number %q", lit)
		}
		return nil
	case 'n', 'b':
		return p.literal()
	default:
		return p.wrongType(fixed(""), "a value", k)
	}
}

func unknownField(where, name string) error {
	if where == "" {
		return sheetError(name, "unknown field %q", name)
	}
	return sheetError(where+"."+name, "%s: unknown field %q", where, name)
}

func (p *sheetParser) sheet() (s Sheet, hasTrim bool, err error) {
	if k := p.kind(); k != '{' {
		if k == 0 {
			return s, false, p.wrongType(nil, "", k)
		}
		return s, false, sheetError("", "the score sheet must be a JSON object, not %s", kindName(k))
	}
	err = p.object(fixed("the score sheet"), func(name string) error {
		switch name {
		case "method":
			m, err := p.str(fixed("method"))
			s.Method = Method(m)
			return err
		case "trim":
			if null, err := p.null(); null || err != nil {
				return err
			}
			if k := p.kind(); k != '0' {
				return p.wrongType(fixed("trim"), "a whole number", k)
			}
			start := p.pos
			lit := p.numberToken()
			if !validJSONNumber(lit) {
				p.pos = start
				return p.malformed("invalid number %s", quoteNumber(lit))
			}
			v, err := strconv.ParseInt(lit, 10, 32)
			if err != nil {
				return sheetError("trim", "trim must be a whole number, not %s", quoteNumber(lit))
			}
			s.Trim, hasTrim = int(v), true
			return nil
		case "key_criterion":
			if null, err := p.null(); null || err != nil {
				return err
			}
			var err error
			s.KeyCriterion, err = p.str(fixed("key_criterion"))
			return err
		case "criteria":
			if null, err := p.null(); null || err != nil {
				return err
			}
			s.Criteria = []Criterion{}
			return p.array(fixed("criteria"), func(i int) error {
				var c Criterion
				where := "criteria[" + strconv.Itoa(i) + "]"
				err := p.object(fixed(where), func(name string) error {
					var err error
					switch name {
					case "key":
						c.Key, err = p.str(fixed(where + ".key"))
					case "max":
						c.Max, _, err = p.points(fixed(where+".max"), false)
					default:
						return unknownField(where, name)
					}
					return err
				})
				s.Criteria = append(s.Criteria, c)
				p.criteria = len(s.Criteria)
				return err
			})
		case "scores":
			if null, err := p.null(); null || err != nil {
				return err
			}
			s.Scores = []SheetScore{}
			return p.array(fixed("scores"), func(i int) error {
				sc, err := p.score(i)
				s.Scores = append(s.Scores, sc)
				return err
			})
		case "previous", "audience":
			if null, err := p.null(); null || err != nil {
				return err
			}
			m, err := p.pointsMap(fixed(name))
			if name == "previous" {
				s.Previous = m
			} else {
				s.Audience = m
			}
			return err
		case "audience_derivation":
			if null, err := p.null(); null || err != nil {
				return err
			}
			if k := p.kind(); k != '{' {
				return p.wrongType(fixed("audience_derivation"), "an object", k)
			}
			start := p.pos
			if err := p.skip(); err != nil {
				return err
			}
			var err error
			s.AudienceDerivation, err = parseAudienceDerivation(p.data[start:p.pos])
			return err
		case "weights":
			if null, err := p.null(); null || err != nil {
				return err
			}
			w := &Weights{}
			s.Weights = w
			return p.object(fixed("weights"), func(name string) error {
				var err error
				switch name {
				case "panel":
					w.Panel, _, err = p.points(fixed("weights.panel"), true)
				case "previous":
					w.Previous, _, err = p.points(fixed("weights.previous"), true)
				case "audience":
					w.Audience, _, err = p.points(fixed("weights.audience"), true)
				default:
					return unknownField("weights", name)
				}
				return err
			})
		case "decisions":
			if null, err := p.null(); null || err != nil {
				return err
			}
			s.Decisions = []Decision{}
			return p.array(fixed("decisions"), func(i int) error {
				d, err := p.decision(i)
				s.Decisions = append(s.Decisions, d)
				return err
			})
		}
		return unknownField("", name)
	})
	return s, hasTrim, err
}

func (p *sheetParser) decision(i int) (Decision, error) {
	var d Decision
	where := "decisions[" + strconv.Itoa(i) + "]"
	err := p.object(fixed(where), func(name string) error {
		switch name {
		case "order":
			d.Order = []string{}
			return p.array(fixed(where+".order"), func(j int) error {
				field := func() string { return fmt.Sprintf("%s.order[%d]", where, j) }
				if k := p.kind(); k != '"' {
					return p.wrongType(field, "a project id (string)", k)
				}
				id, err := p.stringToken()
				if err != nil {
					return err
				}
				d.Order = append(d.Order, id)
				return nil
			})
		case "reason":
			var err error
			d.Reason, err = p.str(fixed(where + ".reason"))
			return err
		}
		return unknownField(where, name)
	})
	return d, err
}

func (p *sheetParser) score(i int) (SheetScore, error) {
	var sc SheetScore
	where := func() string { return "scores[" + strconv.Itoa(i) + "]" }
	err := p.object(where, func(name string) error {
		var err error
		switch name {
		case "judge":
			sc.Judge, err = p.str(func() string { return where() + ".judge" })
		case "project":
			sc.Project, err = p.str(func() string { return where() + ".project" })
		case "criteria":
			var null bool
			if null, err = p.null(); null || err != nil {
				return err
			}
			sc.Criteria, err = p.pointsList(func() string { return where() + ".criteria" })
		case "total":
			var v Points
			var ok bool
			v, ok, err = p.points(func() string { return where() + ".total" }, true)
			if ok {
				sc.Total = &v
			}
		default:
			return unknownField(where(), name)
		}
		return err
	})
	return sc, err
}
