package server

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/xuri/excelize/v2"

	"leitai/models"
)

// exportHeader is the submissions export's header row, Chinese first with
// the English in brackets so both audiences can read it.
var exportHeader = []string{"编号 ID", "项目名称 Title", "类别 Category", "申报单位 Unit", "县区 County", "单位路径 Unit path",
	"状态 Status", "资格审核意见 Eligibility note", "版本 Version", "提交时间 Submitted", "开始日期 Start date",
	"联系人 Contact", "联系电话 Phone", "项目简介 Summary", "项目与附件链接 Project and media"}

// exportProjects writes the filtered submissions as CSV (UTF-8 with BOM,
// as Excel in China expects) or .xlsx.
func (s *handlers) exportProjects(c *fiber.Ctx) error {
	f, err := s.projectFilter(c)
	if err != nil {
		return err
	}
	format := c.Query("format", "xlsx")
	if format != "csv" && format != "xlsx" {
		return models.Invalid("bad query parameter", map[string]string{"format": "csv or xlsx"})
	}
	edition, err := s.deps.Editions.EditionByID(c.UserContext(), f.EditionID)
	if err != nil {
		return err
	}
	sess, _ := sessionOf(c)
	projects, err := s.deps.Projects.ListProjects(c.UserContext(), sess.User, f)
	if err != nil {
		return err
	}
	tree, err := s.unitTree(c)
	if err != nil {
		return err
	}
	rows := make([][]string, 0, len(projects)+1)
	rows = append(rows, exportHeader)
	loc := s.deps.Config.Location
	for _, p := range projects {
		j := toProjectJSON(tree, p)
		county := ""
		if len(j.UnitPath) > 1 {
			county = j.UnitPath[1]
		}
		submitted := ""
		if p.SubmittedAt != nil {
			submitted = p.SubmittedAt.In(loc).Format("2006-01-02 15:04")
		}
		rows = append(rows, []string{strconv.FormatInt(p.ID, 10), p.Title, p.Category, j.UnitName, county,
			strings.Join(j.UnitPath, "/"), string(p.Status), p.EligibilityReason, strconv.Itoa(p.Version), submitted,
			p.StartDate, p.ContactName, p.ContactPhone, p.Summary,
			fmt.Sprintf("%s/admin/projects/%d", strings.TrimRight(s.deps.Config.PublicURL, "/"), p.ID)})
	}
	return sendTable(c, fmt.Sprintf("submissions-%d-edition-%d", edition.Year, edition.ID), "申报项目", rows, format)
}

// sendTable answers with rows (the first is the header) as CSV (UTF-8 with
// a BOM, formula cells neutralised) or as .xlsx.
func sendTable(c *fiber.Ctx, name, sheet string, rows [][]string, format string) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	if format == "csv" {
		var buf bytes.Buffer
		buf.WriteString("\ufeff")
		w := csv.NewWriter(&buf)
		for _, r := range rows {
			_ = w.Write(neutraliseFormulas(r))
		}
		w.Flush()
		c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+`.csv"`)
		c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
		return c.Send(buf.Bytes())
	}
	x := excelize.NewFile()
	defer x.Close()
	if err := x.SetSheetName("Sheet1", sheet); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	sw, err := x.NewStreamWriter(sheet)
	if err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	for i, r := range rows {
		cells := make([]any, len(r))
		for k, v := range r {
			cells[k] = v
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := sw.SetRow(cell, cells); err != nil {
			return fmt.Errorf("xlsx: %w", err)
		}
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	var buf bytes.Buffer
	if err := x.Write(&buf); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+`.xlsx"`)
	c.Set(fiber.HeaderContentType, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	return c.Send(buf.Bytes())
}

// neutraliseFormulas prefixes cells that a spreadsheet would run as a
// formula (CSV injection) with an apostrophe.
func neutraliseFormulas(r []string) []string {
	out := make([]string, len(r))
	for i, v := range r {
		if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
			v = "'" + v
		}
		out[i] = v
	}
	return out
}
