package livebench

import (
	"bytes"
	"errors"
	"strconv"
)

// boardFrame is what a viewer needs of a live-board message: its type,
// epoch and offset (top-level members only; the board state inside is
// skipped, not decoded, to keep the load generator cheap).
type boardFrame struct {
	Type   string
	Epoch  string
	Offset uint64
	// HasOffset says whether the message carried an offset.
	HasOffset bool
}

var errBadFrame = errors.New("not a JSON object")

// parseBoardFrame reads the top-level "type", "epoch" and "offset" members
// of a live-board message, skipping every other value whatever it holds
// (so a "type" key nested in the state is not taken for the message's).
func parseBoardFrame(data []byte) (boardFrame, error) {
	var f boardFrame
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		return f, errBadFrame
	}
	i++
	for {
		i = skipSpace(data, i)
		if i < len(data) && data[i] == '}' {
			return f, nil
		}
		if i >= len(data) || data[i] != '"' {
			return f, errBadFrame
		}
		end, err := skipString(data, i)
		if err != nil {
			return f, err
		}
		key := data[i+1 : end-1]
		i = skipSpace(data, end)
		if i >= len(data) || data[i] != ':' {
			return f, errBadFrame
		}
		i = skipSpace(data, i+1)
		vend, err := skipValue(data, i)
		if err != nil {
			return f, err
		}
		val := data[i:vend]
		switch string(key) {
		case "type", "epoch":
			s, err := strconv.Unquote(string(val))
			if err != nil {
				return f, errBadFrame
			}
			if key[0] == 't' {
				f.Type = s
			} else {
				f.Epoch = s
			}
		case "offset":
			n, err := strconv.ParseUint(string(val), 10, 64)
			if err != nil {
				return f, errBadFrame
			}
			f.Offset, f.HasOffset = n, true
		}
		i = skipSpace(data, vend)
		if i < len(data) && data[i] == ',' {
			i++
			continue
		}
		if i < len(data) && data[i] == '}' {
			return f, nil
		}
		return f, errBadFrame
	}
}

func skipSpace(data []byte, i int) int {
	for i < len(data) && (data[i] == ' ' || data[i] == '\n' || data[i] == '\r' || data[i] == '\t') {
		i++
	}
	return i
}

// skipString returns the index after the string starting at data[i] ('"').
func skipString(data []byte, i int) (int, error) {
	for j := i + 1; j < len(data); j++ {
		switch data[j] {
		case '\\':
			j++
		case '"':
			return j + 1, nil
		}
	}
	return 0, errBadFrame
}

// skipValue returns the index after the JSON value starting at data[i].
func skipValue(data []byte, i int) (int, error) {
	if i >= len(data) {
		return 0, errBadFrame
	}
	switch data[i] {
	case '"':
		return skipString(data, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(data); j++ {
			switch data[j] {
			case '"':
				end, err := skipString(data, j)
				if err != nil {
					return 0, err
				}
				j = end - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1, nil
				}
			}
		}
		return 0, errBadFrame
	default: // number, true, false, null
		j := i
		for j < len(data) && !bytes.ContainsRune([]byte(",}] \n\r\t"), rune(data[j])) {
			j++
		}
		if j == i {
			return 0, errBadFrame
		}
		return j, nil
	}
}

// Centrifugo's JSON protocol: one websocket message may carry several
// replies separated by newlines; "{}" is the server's ping, answered with
// "{}"; a publication arrives as {"push":{"channel":…,"pub":{"data":…}}}.

// centrifugoReply is what the benchmark needs of one reply line.
type centrifugoReply struct {
	Ping bool
	// ID is the command id a reply answers (0 for pushes and pings).
	ID uint64
	// Push is set for a publication; Seq is the "seq" member the benchmark
	// puts into every published payload.
	Push  bool
	Seq   uint64
	Error bool
}

// splitCentrifugo splits a message into its reply lines.
func splitCentrifugo(msg []byte) [][]byte {
	var out [][]byte
	for len(msg) > 0 {
		line := msg
		if i := bytes.IndexByte(msg, '\n'); i >= 0 {
			line, msg = msg[:i], msg[i+1:]
		} else {
			msg = nil
		}
		line = bytes.TrimSpace(line)
		if len(line) > 0 {
			out = append(out, line)
		}
	}
	return out
}

var (
	seqKey   = []byte(`"seq":`)
	idPrefix = []byte(`{"id":`)
	errorKey = []byte(`"error":`)
)

// parseCentrifugo reads one reply line.
func parseCentrifugo(line []byte) (centrifugoReply, error) {
	var r centrifugoReply
	switch {
	case bytes.Equal(line, []byte("{}")):
		r.Ping = true
	case bytes.HasPrefix(line, []byte(`{"push":`)):
		r.Push = true
		i := bytes.Index(line, seqKey)
		if i < 0 {
			return r, errors.New("push without seq")
		}
		n, err := leadingUint(line[i+len(seqKey):])
		if err != nil {
			return r, err
		}
		r.Seq = n
	case bytes.HasPrefix(line, idPrefix):
		n, err := leadingUint(line[len(idPrefix):])
		if err != nil {
			return r, err
		}
		r.ID = n
		r.Error = bytes.Contains(line, errorKey)
	default:
		return r, errBadFrame
	}
	return r, nil
}

func leadingUint(b []byte) (uint64, error) {
	j := 0
	for j < len(b) && b[j] >= '0' && b[j] <= '9' {
		j++
	}
	if j == 0 {
		return 0, errBadFrame
	}
	return strconv.ParseUint(string(b[:j]), 10, 64)
}
