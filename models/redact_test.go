package models

import (
	"errors"
	"reflect"
	"testing"
)

func blindTree() *UnitTree {
	city, county, town, dept := int64(1), int64(2), int64(3), int64(5)
	return NewUnitTree([]Unit{
		{ID: city, Kind: UnitCity, Name: "惠州市"},
		{ID: county, ParentID: &city, Kind: UnitCounty, Name: "惠城区", ContactName: "综治办", ContactPhone: "0752-2000137"},
		{ID: town, ParentID: &county, Kind: UnitTown, Name: "江北街道", ContactName: "综治中心"},
		{ID: 4, ParentID: &town, Kind: UnitVillage, Name: "三新南社区", ContactName: "李四", ContactPhone: "13800001111"},
		{ID: dept, ParentID: &city, Kind: UnitDepartment, Name: "市民政局"},
		{ID: 6, ParentID: &city, Kind: UnitDepartment, Name: "惠州市公安局"},
		{ID: 7, ParentID: &city, Kind: UnitCounty, Name: "大亚湾开发区"},
	})
}

func termTexts(ts []BlindTerm) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Text
	}
	return out
}

func TestShortForms(t *testing.T) {
	cities := []string{"惠州市"}
	for _, c := range []struct {
		name string
		want []string
	}{
		{"惠城区", []string{"惠城"}},
		{"市民政局", []string{"民政局"}},
		{"惠州市公安局", []string{"公安局"}},
		{"惠州市惠城区", []string{"惠城区", "惠城"}},
		{"江北街道", []string{"江北"}},
		{"三新南社区", []string{"三新南"}},
		{"大亚湾开发区", []string{"大亚湾"}},
		{"土湖村", []string{"土湖"}},
		{"市局", nil},   // too short to lose its level word
		{"东区", nil},   // 东 alone would match everywhere
		{"惠州学院", nil}, // not the city's full name in front: 学院 alone is a common word
		{"惠州市第一中学", []string{"第一中学"}},
	} {
		if got := ShortForms(c.name, cities); !reflect.DeepEqual(got, c.want) {
			t.Errorf("ShortForms(%q) = %q, want %q", c.name, got, c.want)
		}
	}
}

func TestBlindTerms(t *testing.T) {
	tree := blindTree()
	got := BlindTerms(tree, 4, ProjectFields{ContactName: "王五", ContactPhone: "0752-2800031"})
	want := map[string]BlindTermKind{"三新南社区": TermUnit, "江北街道": TermAncestor, "惠城区": TermAncestor, "三新南": TermShort,
		"江北": TermShort, "惠城": TermShort, "王五": TermContact, "0752-2800031": TermPhone, "李四": TermContact, "13800001111": TermPhone}
	if len(got) != len(want) {
		t.Fatalf("terms %v, want %d of them", termTexts(got), len(want))
	}
	for i, term := range got {
		if want[term.Text] != term.Kind {
			t.Errorf("term %q kind %q, want %q", term.Text, term.Kind, want[term.Text])
		}
		if i > 0 && len([]rune(term.Text)) > len([]rune(got[i-1].Text)) {
			t.Errorf("terms not longest first: %v", termTexts(got))
		}
	}
	for _, term := range got {
		if term.Text == "惠州市" || term.Text == "惠州" {
			t.Errorf("the city names every project and is not a term: %v", termTexts(got))
		}
	}
	// The department: its name and short form; no duplicate when the
	// project's contact repeats the unit's.
	got = BlindTerms(tree, 5, ProjectFields{ContactName: "市民政局"})
	if !reflect.DeepEqual(termTexts(got), []string{"市民政局", "民政局"}) {
		t.Errorf("department terms %v", termTexts(got))
	}
	if got := BlindTerms(tree, 99, ProjectFields{}); len(got) != 0 {
		t.Errorf("an unknown unit has no terms: %v", got)
	}
	// One-character contact names are never terms.
	if got := BlindTerms(nil, 0, ProjectFields{ContactName: "李"}); len(got) != 0 {
		t.Errorf("a one-character term: %v", got)
	}
}

func TestFindBlindHits(t *testing.T) {
	terms := BlindTerms(blindTree(), 4, ProjectFields{ContactName: "王五", ContactPhone: "0752-2800031"})
	dept := BlindTerms(blindTree(), 5, ProjectFields{})
	org := []BlindTerm{{Text: "ABC公益", Kind: TermUnit}, {Text: "BC公益服务", Kind: TermShort}}
	type hit struct {
		text string
		term string
	}
	for _, c := range []struct {
		name  string
		text  string
		terms []BlindTerm
		want  []hit
	}{
		{"none", "项目立足基层实际", terms, nil},
		{"unit and its short form", "三新南社区立足基层，三新南居民受益", terms, []hit{{"三新南社区", "三新南社区"}, {"三新南", "三新南"}}},
		{"nested names become one hit", "惠城区江北街道三新南社区", terms, []hit{{"惠城区江北街道三新南社区", "惠城区"}}},
		{"overlap of different terms", "江北街道办", terms, []hit{{"江北街道", "江北街道"}}},
		{"department short form", "市民政局立足…民政局牵头", dept, []hit{{"市民政局", "市民政局"}, {"民政局", "民政局"}}},
		{"full-width and case", "ａｂｃ公益服务中心与Abc公益", org, []hit{{"ａｂｃ公益服务", "ABC公益"}, {"Abc公益", "ABC公益"}}},
		{"overlapping terms extend the hit", "xABC公益服务y", org, []hit{{"ABC公益服务", "ABC公益"}}},
		{"phone as written", "电话0752-2800031。", terms, []hit{{"0752-2800031", "0752-2800031"}}},
		{"phone without separators", "电话07522800031", terms, []hit{{"07522800031", "0752-2800031"}}},
		{"phone with full-width digits and space", "电话０７５２ ２８０００３１", terms, []hit{{"０７５２ ２８０００３１", "0752-2800031"}}},
		{"phone inside a longer number", "编号907522800031", terms, nil},
		{"phone followed by a digit", "07522800031999", terms, nil},
		{"contact person", "联系人：王五", terms, []hit{{"王五", "王五"}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := FindBlindHits(c.text, c.terms)
			var g []hit
			for _, h := range got {
				if string([]rune(c.text)[h.Start:h.End]) != h.Text {
					t.Errorf("hit %+v: offsets do not match its text", h)
				}
				g = append(g, hit{h.Text, h.Term})
			}
			if !reflect.DeepEqual(g, c.want) {
				t.Errorf("FindBlindHits(%q) = %v, want %v", c.text, g, c.want)
			}
		})
	}
}

func TestRedact(t *testing.T) {
	terms := BlindTerms(blindTree(), 5, ProjectFields{ContactPhone: "0752-2345678"})
	text := "市民政局立足基层，民政局牵头，电话0752 2345678。"
	hits := FindBlindHits(text, terms)
	if got := Redact(text, hits, MaskUnit); got != "【单位】立足基层，【单位】牵头，电话【单位】。" {
		t.Errorf("redact all: %q", got)
	}
	if got := Redact(text, hits[:1], MaskBlocks); got != "■■立足基层，民政局牵头，电话0752 2345678。" {
		t.Errorf("redact one: %q", got)
	}
	if got := FindBlindHits(Redact(text, hits, MaskBlocks), terms); len(got) != 0 {
		t.Errorf("hits left after redacting all: %v", got)
	}
	if got := Redact(text, []BlindHit{{Start: 3, End: 999}}, MaskBlocks); got != text {
		t.Errorf("an out-of-range hit changed the text: %q", got)
	}
}

func TestCheckRedaction(t *testing.T) {
	orig := ProjectFields{Title: "中介超市", Summary: "市民政局立足基层"}
	if err := CheckRedaction(orig, map[string]string{"summary": "■■立足基层"}); err != nil {
		t.Errorf("a good copy: %v", err)
	}
	for field, texts := range map[string]map[string]string{
		"fields.contact_name": {"contact_name": "x"},
		"fields.summary":      {"summary": "  "},
		"fields.title":        {"title": string(make([]rune, 61))},
	} {
		var e *Error
		err := CheckRedaction(orig, texts)
		if !errors.As(err, &e) || e.Fields[field] == "" {
			t.Errorf("%v: want a problem with %s, got %v", texts, field, err)
		}
	}
}
