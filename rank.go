package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"leitai/judging"
	"leitai/models"
)

// cmdRank is `leitai rank`: it reads a score sheet (ARCHITECTURE.md, "Score
// sheet") on stdin and prints the ranking JSON on stdout as one line, using
// the same judging.ParseSheet and judging.Rank as the server. Bad input
// exits 2 with a one-line error naming the problem; a failure to read stdin
// or write stdout exits 1.
func cmdRank(stdin io.Reader, stdout, stderr io.Writer) int {
	sheet, err := judging.ParseSheet(stdin)
	if err == nil {
		var res judging.Result
		if res, err = judging.Rank(sheet); err == nil {
			out, err := json.Marshal(res)
			if err == nil {
				_, err = stdout.Write(append(out, '\n'))
			}
			if err != nil {
				fmt.Fprintf(stderr, "leitai rank: %v\n", err)
				return 1
			}
			return 0
		}
	}
	var e *models.Error
	if errors.As(err, &e) && e.Kind == models.KindInvalid {
		fmt.Fprintf(stderr, "leitai rank: %s\n", oneLine(e.Message))
		return 2
	}
	fmt.Fprintf(stderr, "leitai rank: %s\n", oneLine(err.Error()))
	return 1
}

// oneLine keeps an error message on one line whatever it quotes.
func oneLine(s string) string {
	return strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(s)
}
