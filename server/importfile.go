package server

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"leitai/models"
)

// maxImportFile caps uploaded import files.
const maxImportFile = 5 << 20

// table is an uploaded sheet: the header and the data rows with their line
// numbers in the file.
type table struct {
	header []string
	rows   []tableRow
}

type tableRow struct {
	line  int
	cells []string
}

// readUploadedTable reads the multipart field "file" as .xlsx (by its
// content, a zip) or as CSV in UTF-8 or GBK/GB18030 (as Excel saves it in
// China).
func readUploadedTable(c *fiber.Ctx) (table, error) {
	fh, err := c.FormFile("file")
	if err != nil {
		return table{}, models.Invalid("no file uploaded", map[string]string{"file": "send a .csv or .xlsx file in the form field \"file\""})
	}
	if fh.Size > maxImportFile {
		return table{}, models.Errorf(models.KindTooLarge, "the file is larger than %d MiB", maxImportFile>>20)
	}
	f, err := fh.Open()
	if err != nil {
		return table{}, fmt.Errorf("open upload: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxImportFile+1))
	if err != nil {
		return table{}, fmt.Errorf("read upload: %w", err)
	}
	return parseTable(data)
}

func parseTable(data []byte) (table, error) {
	var records [][]string
	// lines[i] is the file line of records[i]: CSV skips blank lines and
	// quoted cells may span lines, so count as the reader does.
	var lines []int
	if bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		x, err := excelize.OpenReader(bytes.NewReader(data))
		if err != nil {
			return table{}, models.Invalid("the Excel file cannot be read", map[string]string{"file": "not a valid .xlsx file"})
		}
		defer x.Close()
		sheets := x.GetSheetList()
		if len(sheets) == 0 {
			return table{}, models.Invalid("the Excel file has no sheet", map[string]string{"file": "no sheet"})
		}
		if records, err = x.GetRows(sheets[0]); err != nil {
			return table{}, models.Invalid("the Excel file cannot be read", map[string]string{"file": err.Error()})
		}
		for i := range records {
			lines = append(lines, i+1)
		}
	} else {
		text, err := decodeText(data)
		if err != nil {
			return table{}, err
		}
		r := csv.NewReader(strings.NewReader(text))
		r.FieldsPerRecord = -1
		r.LazyQuotes = true
		for {
			rec, err := r.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				return table{}, models.Invalid("the CSV file cannot be read", map[string]string{"file": err.Error()})
			}
			line, _ := r.FieldPos(0)
			records = append(records, rec)
			lines = append(lines, line)
		}
	}
	if len(records) == 0 {
		return table{}, models.Invalid("the file is empty", map[string]string{"file": "no header row"})
	}
	t := table{header: trimAll(records[0])}
	for i, rec := range records[1:] {
		cells := trimAll(rec)
		if strings.Join(cells, "") == "" {
			continue // blank lines are not rows
		}
		t.rows = append(t.rows, tableRow{line: lines[i+1], cells: cells})
	}
	return t, nil
}

// decodeText returns UTF-8 text (without a BOM), decoding GB18030 when the
// bytes are not valid UTF-8.
func decodeText(data []byte) (string, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if utf8.Valid(data) {
		return string(data), nil
	}
	out, err := simplifiedchinese.GB18030.NewDecoder().Bytes(data)
	if err != nil {
		return "", models.Invalid("the file's text encoding is not recognised", map[string]string{"file": "save it as UTF-8 or GBK CSV, or as .xlsx"})
	}
	return string(out), nil
}

func trimAll(cells []string) []string {
	out := make([]string, len(cells))
	for i, c := range cells {
		out[i] = strings.TrimSpace(c)
	}
	return out
}

// columns maps header names (Chinese or English) to a canonical key.
type columns map[string]string

// index finds each canonical column in the header; missing required ones
// are reported together.
func (t table) index(names columns, required ...string) (map[string]int, error) {
	idx := map[string]int{}
	for i, h := range t.header {
		if key, ok := names[strings.ToLower(h)]; ok {
			if _, dup := idx[key]; !dup {
				idx[key] = i
			}
		}
	}
	var missing []string
	for _, r := range required {
		if _, ok := idx[r]; !ok {
			missing = append(missing, r)
		}
	}
	if len(missing) > 0 {
		return nil, models.Invalid("the header row lacks required columns", map[string]string{"file": "missing column(s): " + strings.Join(missing, ", ")})
	}
	return idx, nil
}

func cell(r tableRow, idx map[string]int, key string) string {
	i, ok := idx[key]
	if !ok || i >= len(r.cells) {
		return ""
	}
	return r.cells[i]
}

var unitColumns = columns{
	"name": "name", "名称": "name", "单位名称": "name",
	"kind": "kind", "类型": "kind", "单位类型": "kind",
	"parent": "parent", "上级": "parent", "上级单位": "parent",
	"contact_name": "contact_name", "联系人": "contact_name",
	"contact_phone": "contact_phone", "联系电话": "contact_phone", "电话": "contact_phone",
}

// unitKindNames accepts the kinds in English and as the console labels them.
var unitKindNames = map[string]models.UnitKind{
	"city": models.UnitCity, "市": models.UnitCity, "地级市": models.UnitCity,
	"county": models.UnitCounty, "县(区)": models.UnitCounty, "县（区）": models.UnitCounty, "县": models.UnitCounty, "区": models.UnitCounty, "县区": models.UnitCounty, "功能区": models.UnitCounty,
	"town": models.UnitTown, "镇(街道)": models.UnitTown, "镇（街道）": models.UnitTown, "镇": models.UnitTown, "街道": models.UnitTown, "镇街": models.UnitTown,
	"village": models.UnitVillage, "村(社区)": models.UnitVillage, "村（社区）": models.UnitVillage, "村": models.UnitVillage, "社区": models.UnitVillage, "村居": models.UnitVillage,
	"department": models.UnitDepartment, "市直部门": models.UnitDepartment, "部门": models.UnitDepartment,
	"organisation": models.UnitOrganisation, "organization": models.UnitOrganisation, "社会组织": models.UnitOrganisation,
	"external": models.UnitExternal, "外部机构": models.UnitExternal, "外部机构（高校等）": models.UnitExternal, "高校": models.UnitExternal,
}

func unitRows(t table) ([]models.UnitImportRow, error) {
	idx, err := t.index(unitColumns, "name", "kind")
	if err != nil {
		return nil, err
	}
	out := make([]models.UnitImportRow, 0, len(t.rows))
	for _, r := range t.rows {
		kindText := cell(r, idx, "kind")
		kind, ok := unitKindNames[strings.ToLower(kindText)]
		if !ok {
			kind = models.UnitKind(kindText) // validation names the problem
		}
		out = append(out, models.UnitImportRow{Line: r.line, ParentPath: cell(r, idx, "parent"), Input: models.UnitInput{
			Kind: kind, Name: cell(r, idx, "name"), ContactName: cell(r, idx, "contact_name"), ContactPhone: cell(r, idx, "contact_phone"),
		}})
	}
	return out, nil
}

var userColumns = columns{
	"username": "username", "用户名": "username", "账号": "username", "登录名": "username",
	"display_name": "display_name", "姓名": "display_name", "名称": "display_name",
	"roles": "roles", "role": "roles", "角色": "roles",
	"unit": "unit", "单位": "unit", "所属单位": "unit", "工作单位": "unit",
	"expertise": "expertise", "专业领域": "expertise", "专业": "expertise", "领域": "expertise",
	"phone": "phone", "电话": "phone", "手机": "phone", "联系电话": "phone",
	"bio": "bio", "简介": "bio", "个人简介": "bio",
	"password": "password", "密码": "password", "初始密码": "password",
}

var roleNames = map[string]models.Role{
	"admin": models.RoleAdmin, "管理员": models.RoleAdmin, "组委会": models.RoleAdmin,
	"unit": models.RoleUnit, "申报单位": models.RoleUnit, "单位": models.RoleUnit,
	"expert": models.RoleExpert, "专家": models.RoleExpert, "评审专家": models.RoleExpert,
	"host": models.RoleHost, "主持": models.RoleHost, "主持人": models.RoleHost, "导播": models.RoleHost,
}

// splitList splits "a、b, c；d" into its items.
func splitList(s string) []string {
	f := strings.FieldsFunc(s, func(r rune) bool {
		return r == ',' || r == '，' || r == '、' || r == ';' || r == '；' || r == '|'
	})
	return trimAll(f)
}

func userRows(t table) ([]models.UserImportRow, error) {
	idx, err := t.index(userColumns, "username")
	if err != nil {
		return nil, err
	}
	out := make([]models.UserImportRow, 0, len(t.rows))
	for _, r := range t.rows {
		roles := []models.Role{models.RoleExpert}
		if text := cell(r, idx, "roles"); text != "" {
			roles = nil
			for _, name := range splitList(text) {
				role, ok := roleNames[strings.ToLower(name)]
				if !ok {
					role = models.Role(name) // validation names the problem
				}
				roles = append(roles, role)
			}
		}
		out = append(out, models.UserImportRow{Line: r.line, UnitPath: cell(r, idx, "unit"), User: models.NewUser{
			Username: cell(r, idx, "username"), DisplayName: cell(r, idx, "display_name"), Password: cell(r, idx, "password"),
			Roles: roles, Phone: cell(r, idx, "phone"), Expertise: splitList(cell(r, idx, "expertise")), Bio: cell(r, idx, "bio"),
		}})
	}
	return out, nil
}
