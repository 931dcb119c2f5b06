package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"leitai/judging"
	"leitai/models"
)

// cmdDraw is `leitai draw --seed S [--pairing pk|single] ID…`: it re-runs a
// live final's lot draw exactly as the server does (judging.DrawLots on the
// finalists' ids in ascending order, then cut into slots), so that anyone
// with the published seed and the ids can check the programme. It prints the
// order on one line and one line a slot.
func cmdDraw(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("draw", flag.ContinueOnError)
	fs.SetOutput(stderr)
	seed := fs.String("seed", "", "the published seed of the draw")
	pairing := fs.String("pairing", string(models.PairingPK), "pk (two projects a slot) or single")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: leitai draw --seed SEED [--pairing pk|single] ID [ID…]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	p := models.Pairing(*pairing)
	if p != models.PairingPK && p != models.PairingSingle {
		return usageError{fmt.Errorf("--pairing must be pk or single, not %q", *pairing)}
	}
	var ids []int64
	for _, a := range fs.Args() {
		for _, part := range strings.FieldsFunc(a, func(r rune) bool { return r == ',' || r == ' ' }) {
			id, err := strconv.ParseInt(part, 10, 64)
			if err != nil || id <= 0 {
				return usageError{fmt.Errorf("%q is not a project id", part)}
			}
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return usageError{errors.New("want: leitai draw --seed SEED [--pairing pk|single] ID [ID…]")}
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	names := make([]string, len(ids))
	for i, id := range ids {
		names[i] = strconv.FormatInt(id, 10)
	}
	order, err := judging.DrawLots(*seed, names)
	if err != nil {
		var e *models.Error
		if errors.As(err, &e) && e.Kind == models.KindInvalid {
			return usageError{errors.New(e.Message)}
		}
		return err
	}
	drawn := make([]int64, len(order))
	for i, o := range order {
		drawn[i], _ = strconv.ParseInt(o, 10, 64)
	}
	fmt.Fprintf(stdout, "order: %s\n", strings.Join(order, " "))
	for i, slot := range models.PairSlots(drawn, p) {
		parts := make([]string, len(slot))
		for k, id := range slot {
			parts[k] = strconv.FormatInt(id, 10)
		}
		fmt.Fprintf(stdout, "slot %d: %s\n", i+1, strings.Join(parts, " vs "))
	}
	return nil
}
