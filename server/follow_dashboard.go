// The organiser's follow-through dashboard.

package server

import (
	"leitai/models"

	"github.com/gofiber/fiber/v2"
)

// followDashboard is the organiser's follow-through dashboard.
func (s *handlers) followDashboard(c *fiber.Ctx) error {
	f, err := s.follow()
	if err != nil {
		return err
	}
	edition, err := queryOptID(c, "edition")
	if err != nil {
		return err
	}
	d, err := f.Dashboard(c.UserContext(), edition)
	if err != nil {
		return err
	}
	money := func(list []models.MoneyBy) []moneyByJSON {
		out := make([]moneyByJSON, 0, len(list))
		for _, m := range list {
			out = append(out, moneyByJSON(m))
		}
		return out
	}
	type riskJSON struct {
		AwardID int64    `json:"award_id"`
		Title   string   `json:"project_title"`
		Reasons []string `json:"reasons"`
	}
	risks := []riskJSON{}
	for _, r := range d.AtRisk {
		risks = append(risks, riskJSON{AwardID: r.AwardID, Title: r.Title, Reasons: r.Reasons})
	}
	return c.JSON(fiber.Map{
		"overdue_reports": d.OverdueReports, "due_this_month": d.DueThisMonth, "reports_to_review": d.ReportsToReview,
		"plans_to_review": d.PlansToReview, "checks_awaiting": d.ChecksAwaiting,
		"tranches": fiber.Map{"payable": d.TranchesPayable, "approved": d.TranchesApproved, "paid": d.TranchesPaid,
			"payable_fen": d.PayableFen, "approved_fen": d.ApprovedFen, "paid_fen": d.PaidFen},
		"funding_fen": d.FundingFen, "by_edition": money(d.ByEdition), "by_county": money(d.ByCounty), "at_risk": risks,
		"projects_by_status": d.ProjectsByStatus, "milestones_by_flag": d.MilestonesByFlags,
	})
}
