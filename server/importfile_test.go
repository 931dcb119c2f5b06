package server

import (
	"bytes"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"leitai/models"
)

const unitCSV = "名称,类型,上级,联系人,联系电话\n惠州市,市,,,\n\n惠城区,县（区）,惠州市,张三,0752-2345678\n江北街道,town,惠州市/惠城区,,\n"

func TestParseTableEncodings(t *testing.T) {
	gbk, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(unitCSV))
	if err != nil {
		t.Fatal(err)
	}
	xlsx := excelize.NewFile()
	rows := [][]any{{"name", "kind", "parent", "contact_name", "contact_phone"}, {"惠州市", "city"}, {}, {"惠城区", "county", "惠州市", "张三", "0752-2345678"}, {"江北街道", "镇(街道)", "惠州市/惠城区"}}
	for i, r := range rows {
		cellName, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := xlsx.SetSheetRow("Sheet1", cellName, &r); err != nil {
			t.Fatal(err)
		}
	}
	var xbuf bytes.Buffer
	if err := xlsx.Write(&xbuf); err != nil {
		t.Fatal(err)
	}
	inputs := map[string][]byte{
		"utf-8":          []byte(unitCSV),
		"utf-8 with BOM": append([]byte("\xef\xbb\xbf"), unitCSV...),
		"gbk":            gbk,
		"xlsx":           xbuf.Bytes(),
	}
	for name, data := range inputs {
		t.Run(name, func(t *testing.T) {
			tbl, err := parseTable(data)
			if err != nil {
				t.Fatal(err)
			}
			got, err := unitRows(tbl)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 3 {
				t.Fatalf("%d rows: %+v", len(got), got)
			}
			want := []models.UnitImportRow{
				{Line: 2, Input: models.UnitInput{Kind: models.UnitCity, Name: "惠州市"}},
				{Line: 4, ParentPath: "惠州市", Input: models.UnitInput{Kind: models.UnitCounty, Name: "惠城区", ContactName: "张三", ContactPhone: "0752-2345678"}},
				{Line: 5, ParentPath: "惠州市/惠城区", Input: models.UnitInput{Kind: models.UnitTown, Name: "江北街道"}},
			}
			for i := range want {
				if got[i] != want[i] {
					t.Errorf("row %d = %+v, want %+v", i, got[i], want[i])
				}
			}
		})
	}
}

func TestParseTableProblems(t *testing.T) {
	if _, err := parseTable(nil); models.KindOf(err) != models.KindInvalid {
		t.Fatalf("empty file: %v", err)
	}
	if _, err := parseTable([]byte("PK\x03\x04not really a zip")); models.KindOf(err) != models.KindInvalid {
		t.Fatalf("broken xlsx: %v", err)
	}
	tbl, _ := parseTable([]byte("名称\n某单位\n"))
	_, err := unitRows(tbl)
	var me *models.Error
	if models.KindOf(err) != models.KindInvalid || !errorsAs(err, &me) || me.Fields["file"] == "" {
		t.Fatalf("missing kind column: %v", err)
	}
	tbl, _ = parseTable([]byte("用户名,姓名,角色,单位,专业领域\nwang,王,专家、主持人,惠州市/市司法局,法治；调解\n"))
	users, err := userRows(tbl)
	if err != nil || len(users) != 1 {
		t.Fatal(err)
	}
	u := users[0]
	if u.UnitPath != "惠州市/市司法局" || len(u.User.Roles) != 2 || u.User.Roles[1] != models.RoleHost || len(u.User.Expertise) != 2 || u.User.Expertise[1] != "调解" {
		t.Fatalf("user row: %+v", u)
	}
}

func errorsAs(err error, target **models.Error) bool {
	e, ok := err.(*models.Error)
	if ok {
		*target = e
	}
	return ok
}
