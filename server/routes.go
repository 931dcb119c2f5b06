package server

import (
	"github.com/gofiber/fiber/v2"

	"leitai/models"
)

// routes is the route table; every path here is in openapi.json and every
// API route carries its access rule (access.go).
func (s *handlers) routes(app *fiber.App) *router {
	app.Get("/healthz", s.healthz)
	app.Get("/readyz", s.readyz)
	app.Get("/metrics", s.metrics())
	app.Get("/files/*", s.signedFile)
	app.Get("/ws/live/:id", s.liveUpgrade, s.liveSocket())
	app.Get("/ws/tracker", s.trackerUpgrade, s.trackerSocket())

	r := &router{app: app, s: s}
	const v1 = "/api/v1"
	r.get(v1+"/openapi.json", publicAccess, s.openAPI)

	r.post(v1+"/auth/login", sessionOpener, s.login)
	r.post(v1+"/auth/logout", anySession, s.logout)
	r.post(v1+"/auth/link", sessionOpener, s.redeemLink)
	r.get(v1+"/setup", publicAccess, s.setupStatus)
	r.post(v1+"/setup", sessionOpener, s.setup)
	r.get(v1+"/me", anySession, s.me)
	r.post(v1+"/me/password", signedIn, s.changePassword)
	r.get(v1+"/me/settings", signedIn, s.mySettings)
	r.put(v1+"/me/settings", signedIn, s.saveMySettings)
	// Notifications: storage answers only the caller's own (another's is
	// not found).
	r.get(v1+"/notifications", signedIn, s.listNotifications)
	r.post(v1+"/notifications/read-all", signedIn, s.readAllNotifications)
	r.post(v1+"/notifications/:id/read", signedIn, s.readNotification)

	r.get(v1+"/units", signedIn, s.listUnits)
	r.post(v1+"/units", adminsOnly, s.createUnit)
	r.post(v1+"/units/import", adminsOnly, s.importUnits)
	r.patch(v1+"/units/:id", adminsOnly, s.updateUnit)
	r.delete(v1+"/units/:id", adminsOnly, s.deleteUnit)

	r.get(v1+"/users", adminsOnly, s.listUsers)
	r.post(v1+"/users", adminsOnly, s.createUser)
	r.post(v1+"/users/import", adminsOnly, s.importUsers)
	r.patch(v1+"/users/:id", adminsOnly, s.updateUser)
	r.post(v1+"/users/:id/password", adminsOnly, s.resetPassword)
	r.post(v1+"/users/:id/login-links", adminsOnly, s.createLoginLink)

	r.get(v1+"/editions", publicAccess, s.listEditions)
	r.get(v1+"/editions/current", publicAccess, s.currentEdition)
	r.post(v1+"/editions", adminsOnly, s.createEdition)
	r.get(v1+"/editions/:id", publicAccess, s.getEdition)
	r.patch(v1+"/editions/:id", adminsOnly, s.updateEdition)
	r.get(v1+"/editions/:id/projects", unitsAndAdmins, s.listProjects)
	r.get(v1+"/editions/:id/projects/export", adminsOnly, s.exportProjects)
	r.post(v1+"/editions/:id/projects", unitsOnly, s.createProject)
	r.post(v1+"/projects/eligibility", adminsOnly, s.setEligibility)
	r.get(v1+"/projects/:id", projectViewers, s.getProject)
	r.put(v1+"/projects/:id", unitsAndAdmins, s.saveProject)
	r.delete(v1+"/projects/:id", unitsOnly, s.deleteDraft)
	r.post(v1+"/projects/:id/submit", unitsAndAdmins, s.submitProject)
	r.post(v1+"/projects/:id/withdraw", unitsAndAdmins, s.withdrawProject)
	r.post(v1+"/projects/:id/return", adminsOnly, s.returnProject)
	r.get(v1+"/projects/:id/versions", projectViewers, s.projectVersions)

	// Project media: the storage layer checks the project's scope (a unit
	// sees only its own; changes need an editable project in its window).
	r.get(v1+"/projects/:id/media", projectViewers, s.listMedia)
	r.get(v1+"/projects/:id/uploads", unitsAndAdmins, s.listUploads)
	r.post(v1+"/projects/:id/uploads", unitsAndAdmins, s.createUpload)
	r.get(v1+"/uploads/:id", uploaders, s.getUpload)
	r.delete(v1+"/uploads/:id", uploaders, s.abortUpload)
	r.put(v1+"/uploads/:id/parts/:n", uploaders, s.putPart)
	r.post(v1+"/uploads/:id/parts/:n/url", uploaders, s.presignPart)
	r.post(v1+"/uploads/:id/parts/:n/done", uploaders, s.partDone)
	r.post(v1+"/uploads/:id/complete", uploaders, s.completeUpload)
	r.get(v1+"/media/:id", unitsAndAdmins, s.getMedia)
	r.delete(v1+"/media/:id", unitsAndAdmins, s.deleteMedia)

	r.get(v1+"/editions/:id/rounds", adminsOnly, s.listRounds)
	r.post(v1+"/editions/:id/rounds", adminsOnly, s.createRound)
	r.get(v1+"/rounds/:id", adminsOnly, s.getRound)
	r.patch(v1+"/rounds/:id", adminsOnly, s.updateRound)
	r.post(v1+"/rounds/:id/status", adminsOnly, s.moveRound)
	r.post(v1+"/rounds/:id/assign", adminsOnly, s.assignRound)
	r.get(v1+"/rounds/:id/progress", adminsOnly, s.roundProgress)
	r.get(v1+"/rounds/:id/results", adminsOnly, s.roundResults)
	r.get(v1+"/rounds/:id/sheet", adminsOnly, s.roundSheet)
	r.get(v1+"/rounds/:id/statistics", adminsOnly, s.roundStatistics)
	r.get(v1+"/rounds/:id/export", adminsOnly, s.exportRound)
	r.get(v1+"/rounds/:id/decisions", adminsOnly, s.roundDecisions)
	r.post(v1+"/rounds/:id/decisions", adminsOnly, s.decideTie)
	r.delete(v1+"/rounds/:id/decisions/:did", adminsOnly, s.withdrawTie)
	r.put(v1+"/rounds/:id/advancement", adminsOnly, s.setAdvancement)
	r.get(v1+"/rounds/:id/experts", adminsOnly, s.roundExperts)
	r.put(v1+"/rounds/:id/experts", adminsOnly, s.setRoundExperts)
	r.get(v1+"/rounds/:id/reminders", adminsOnly, s.roundReminders)
	r.post(v1+"/rounds/:id/reminders", adminsOnly, s.remindExperts)
	r.get(v1+"/rounds/:id/objections", adminsOnly, s.roundObjections)
	r.get(v1+"/rounds/:id/projects/:pid/score-history", adminsOnly, s.scoreHistory)
	r.post(v1+"/objections/:id/answer", adminsOnly, s.answerObjection)
	// Review gaps (gaps.go): conflicts the admin adds or removes, moving
	// one project, the edition's holiday calendar, the publication window.
	r.get(v1+"/conflicts", adminsOnly, s.listConflicts)
	r.post(v1+"/conflicts", adminsOnly, s.addConflict)
	r.post(v1+"/conflicts/remove", adminsOnly, s.removeConflict)
	r.get(v1+"/rounds/:id/assignments", adminsOnly, s.roundAssignments)
	r.post(v1+"/rounds/:id/reassign", adminsOnly, s.reassignProject)
	r.get(v1+"/rounds/:id/publication-window", adminsOnly, s.publicationWindow)
	r.get(v1+"/editions/:id/calendar", adminsOnly, s.editionCalendar)
	r.put(v1+"/editions/:id/calendar", adminsOnly, s.setEditionCalendar)
	// Blind rounds: the hits that name each unit and the redacted copies.
	r.get(v1+"/rounds/:id/blind", adminsOnly, s.blindReview)
	r.put(v1+"/rounds/:id/blind/:pid", adminsOnly, s.saveRedaction)

	// The live final (docs/live.md).
	r.post(v1+"/rounds/:id/live-events", adminsOnly, s.createLiveEvent)
	r.get(v1+"/live-events", hostsAndAdmins, s.listLiveEvents)
	r.get(v1+"/live-events/:id", hostsAndAdmins, s.getLiveEvent)
	r.patch(v1+"/live-events/:id", adminsOnly, s.updateLiveEvent)
	r.post(v1+"/live-events/:id/draw", adminsOnly, s.drawLiveEvent)
	r.post(v1+"/live-events/:id/tickets", adminsOnly, s.addTickets)
	r.get(v1+"/live-events/:id/tickets", adminsOnly, s.listTickets)
	r.post(v1+"/live-events/:id/judges/:seat/link", hostsAndAdmins, s.judgeLink)
	r.get(v1+"/live-events/:id/host", hostsAndAdmins, s.hostState)
	r.post(v1+"/live-events/:id/actions", hostsAndAdmins, s.liveAction)
	r.put(v1+"/live-events/:id/scores/:pid/seats/:seat", hostsAndAdmins, s.hostScore)
	r.post(v1+"/live-events/:id/wipe", hostsAndAdmins, s.wipeLiveEvent)
	r.get(v1+"/live-events/:id/slots/:n/sheet", hostsAndAdmins, s.slotSheet)
	r.get(v1+"/live-events/:id/judge", judgeTablet, s.judgeState)
	r.put(v1+"/live-events/:id/judge/scores/:pid", judgeTablet, s.judgeScore)
	// The audience's defences (liveaudience.go): the big screen's link and
	// its rotating code (the presence route's credential is the screen key
	// in X-Screen-Key), the per-address breakdown, voids, phone tallies.
	r.post(v1+"/live-events/:id/screen-link", hostsAndAdmins, s.createScreenLink)
	r.delete(v1+"/live-events/:id/screen-link", hostsAndAdmins, s.revokeScreenLink)
	r.get(v1+"/live-events/:id/presence", publicAccess, s.presence)
	r.get(v1+"/live-events/:id/audience", hostsAndAdmins, s.audienceBreakdown)
	r.post(v1+"/live-events/:id/audience/voids", hostsAndAdmins, s.voidAddress)
	r.put(v1+"/live-events/:id/tallies-public", hostsAndAdmins, s.setTalliesPublic)
	r.post(v1+"/live-events/:id/device", publicAccess, s.deviceToken)
	r.post(v1+"/live-events/:id/votes", publicAccess, s.vote)
	r.get(v1+"/live-events/:id/board", publicAccess, s.board)
	r.get(v1+"/live-events/:id/projects/:pid/photo", publicAccess, s.finalistPhoto)

	r.get(v1+"/results", publicAccess, s.publicResults)
	r.get(v1+"/rounds/:id/published-sheet", publicAccess, s.publishedSheet)
	// Objections during the publication window: anyone, with a name and a
	// contact (see submitObjection).
	r.post(v1+"/results/:id/objections", publicAccess, s.submitObjection)

	// Follow-through of funded projects (实施跟踪): storage narrows a unit to
	// its own awards; the unit files plans and reports, the organisers
	// decide and pay, assigned experts grade the checks.
	r.get(v1+"/editions/:id/award-tiers", publicAccess, s.awardTiers)
	r.put(v1+"/editions/:id/award-tiers", adminsOnly, s.setAwardTiers)
	r.get(v1+"/editions/:id/awards", unitsAndAdmins, s.listAwards)
	r.get(v1+"/editions/:id/awards/export", adminsOnly, s.exportAwards)
	r.get(v1+"/unit-flags", adminsOnly, s.unitFlags)
	r.get(v1+"/follow/dashboard", adminsOnly, s.followDashboard)
	r.post(v1+"/rounds/:id/awards", adminsOnly, s.createAwards)
	r.get(v1+"/awards/:id", unitsAndAdmins, s.getAward)
	r.patch(v1+"/awards/:id", adminsOnly, s.updateAward)
	r.post(v1+"/awards/:id/sign", adminsOnly, s.signAward)
	r.post(v1+"/awards/:id/suspend", adminsOnly, s.awardStatus(models.AwardSuspended))
	r.post(v1+"/awards/:id/resume", adminsOnly, s.awardStatus(models.AwardActive))
	r.post(v1+"/awards/:id/terminate", adminsOnly, s.awardStatus(models.AwardTerminated))
	r.post(v1+"/awards/:id/adoptions", adminsOnly, s.addAdoption)
	r.post(v1+"/awards/:id/mentors", adminsOnly, s.assignMentor)
	r.post(v1+"/awards/:id/visits", expertsOnly, s.logVisit)
	r.get(v1+"/mentoring", expertsOnly, s.mentoring)
	r.put(v1+"/awards/:id/plan", unitsOnly, s.proposePlan)
	r.post(v1+"/awards/:id/plan/:version/approve", adminsOnly, s.decidePlan(true))
	r.post(v1+"/awards/:id/plan/:version/return", adminsOnly, s.decidePlan(false))
	r.put(v1+"/awards/:id/milestones/:seq/report", unitsOnly, s.saveReport)
	r.post(v1+"/awards/:id/milestones/:seq/report/submit", unitsOnly, s.submitReport)
	r.post(v1+"/awards/:id/milestones/:seq/report/accept", adminsOnly, s.decideReport(true))
	r.post(v1+"/awards/:id/milestones/:seq/report/changes", adminsOnly, s.decideReport(false))
	r.post(v1+"/awards/:id/milestones/:seq/check", adminsOnly, s.createCheck)
	r.post(v1+"/awards/:id/tranches/:seq/approve", adminsOnly, s.moveTranche(models.TrancheApprove))
	r.post(v1+"/awards/:id/tranches/:seq/pay", adminsOnly, s.moveTranche(models.TranchePay))
	r.post(v1+"/awards/:id/tranches/:seq/withhold", adminsOnly, s.moveTranche(models.TrancheWithhold))
	r.get(v1+"/checks", expertsOnly, s.myChecks)
	r.get(v1+"/checks/:id", expertsOnly, s.getCheck)
	r.put(v1+"/checks/:id/grade", expertsOnly, s.gradeCheck(false))
	r.post(v1+"/checks/:id/grade/submit", expertsOnly, s.gradeCheck(true))
	r.get(v1+"/tracker", publicAccess, s.tracker)
	r.get(v1+"/tracker/:id", publicAccess, s.trackerProject)
	r.get(v1+"/tracker/photos/:id", publicAccess, s.trackerPhoto)

	r.get(v1+"/review/rounds", expertsOnly, s.reviewRounds)
	r.get(v1+"/review/rounds/:id", expertsOnly, s.reviewRound)
	r.get(v1+"/review/rounds/:id/projects/:pid", expertsOnly, s.reviewProject)
	r.put(v1+"/review/rounds/:id/projects/:pid/score", expertsOnly, s.saveScore)
	r.get(v1+"/review/rounds/:id/projects/:pid/media", expertsOnly, s.reviewMedia)
	r.get(v1+"/me/conflicts", expertsOnly, s.myConflicts)
	r.post(v1+"/me/conflicts", expertsOnly, s.declareConflict)
	r.get(v1+"/review/rounds/:id/projects/:pid/visits", expertsOnly, s.projectVisits(true))
	r.put(v1+"/review/rounds/:id/projects/:pid/visit", expertsOnly, s.saveVisit)
	r.post(v1+"/review/rounds/:id/projects/:pid/visit/uploads", expertsOnly, s.createVisitUpload)
	r.get(v1+"/rounds/:id/projects/:pid/visits", adminsOnly, s.projectVisits(false))
	r.get(v1+"/editions/:id/figures", adminsOnly, s.editionFigures)
	r.get(v1+"/editions/:id/figures/export", adminsOnly, s.exportFigures)

	s.recommendRoutes(r)

	r.get(v1+"/audit", adminsOnly, s.listAudit)
	r.get(v1+"/audit/verify", adminsOnly, s.verifyAudit)

	// Unknown API paths stay JSON, never the single-page app.
	app.All("/api/*", s.apiNotFound)
	app.Get("/*", s.spa())
	return r
}
