package server

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"

	"leitai/models"
)

// County and department recommendation (县区推荐, #13): the recommender's
// console (their subtree's submissions, the quota, recommend, return,
// comment) and their scoped administration of units and unit accounts.
// Storage narrows every call to the caller's subtree (others are not
// found).

// Recommendations is what the recommendation handlers call.
type Recommendations interface {
	ListProjects(ctx context.Context, user models.User, f models.ProjectFilter) ([]models.Project, error)
	RecommendQuotaUse(ctx context.Context, user models.User, editionID int64) ([]models.RecommendQuotaUse, error)
	RecommendProject(ctx context.Context, actor models.Actor, user models.User, id int64, comment string) (models.Project, error)
	ReturnByRecommender(ctx context.Context, actor models.Actor, user models.User, id int64, reason string) (models.Project, error)
	CommentProject(ctx context.Context, actor models.Actor, user models.User, id int64, comment string) (models.Project, error)
	ScopedUnits(ctx context.Context, user models.User) ([]models.Unit, error)
	ScopedCreateUnit(ctx context.Context, actor models.Actor, user models.User, in models.UnitInput) (models.Unit, error)
	ScopedUpdateUnit(ctx context.Context, actor models.Actor, user models.User, id int64, in models.UnitInput) (models.Unit, error)
	ScopedUsers(ctx context.Context, user models.User) ([]models.User, error)
	ScopedCreateUser(ctx context.Context, actor models.Actor, user models.User, n models.NewUser) (models.User, error)
	ScopedUpdateUser(ctx context.Context, actor models.Actor, user models.User, id int64, ch models.ScopedAccountChange) (models.User, error)
	ScopedResetPassword(ctx context.Context, actor models.Actor, user models.User, id int64, password string) error
}

var (
	recommendersOnly      = access{roles: []models.Role{models.RoleRecommender}}
	recommendersAndAdmins = access{roles: []models.Role{models.RoleRecommender, models.RoleAdmin}}
	// projectViewers may read a project, its versions and media: units
	// their own, recommenders their subtree's, admins all.
	projectViewers = access{roles: []models.Role{models.RoleUnit, models.RoleAdmin, models.RoleRecommender}}
)

func (s *handlers) recommendRoutes(r *router) {
	const v1 = "/api/v1"
	r.get(v1+"/editions/:id/recommendations", recommendersAndAdmins, s.recommendations)
	r.post(v1+"/projects/:id/recommend", recommendersOnly, s.recommendProject)
	r.post(v1+"/projects/:id/recommender-return", recommendersOnly, s.recommenderReturn)
	r.put(v1+"/projects/:id/recommend-comment", recommendersOnly, s.recommendComment)
	r.get(v1+"/recommend/units", recommendersOnly, s.scopedUnits)
	r.post(v1+"/recommend/units", recommendersOnly, s.scopedCreateUnit)
	r.patch(v1+"/recommend/units/:id", recommendersOnly, s.scopedUpdateUnit)
	r.get(v1+"/recommend/users", recommendersOnly, s.scopedUsers)
	r.post(v1+"/recommend/users", recommendersOnly, s.scopedCreateUser)
	r.patch(v1+"/recommend/users/:id", recommendersOnly, s.scopedUpdateUser)
	r.post(v1+"/recommend/users/:id/password", recommendersOnly, s.scopedResetPassword)
}

func (s *handlers) recommendStore() (Recommendations, error) {
	if s.deps.Recommend == nil {
		return nil, models.Errorf(models.KindUnavailable, "recommendation is not configured")
	}
	return s.deps.Recommend, nil
}

type quotaUseJSON struct {
	UnitID   int64  `json:"unit_id"`
	UnitName string `json:"unit_name"`
	Quota    int    `json:"quota"`
	Set      bool   `json:"set"`
	Used     int    `json:"used"`
	Left     int    `json:"left"`
}

// recommendations is the console's page: the edition's step, the
// caller's quotas (an admin: every root's) and the submissions of the
// caller's subtree (an admin: every submission), drafts left out.
func (s *handlers) recommendations(c *fiber.Ctx) error {
	st, err := s.recommendStore()
	if err != nil {
		return err
	}
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	e, err := s.deps.Editions.EditionByID(c.UserContext(), id)
	if err != nil {
		return err
	}
	sess, _ := sessionOf(c)
	use, err := st.RecommendQuotaUse(c.UserContext(), sess.User, id)
	if err != nil {
		return err
	}
	projects, err := st.ListProjects(c.UserContext(), sess.User, models.ProjectFilter{EditionID: id})
	if err != nil {
		return err
	}
	tree, err := s.unitTree(c)
	if err != nil {
		return err
	}
	quotas := make([]quotaUseJSON, len(use))
	for i, q := range use {
		quotas[i] = quotaUseJSON{UnitID: q.UnitID, UnitName: q.UnitName, Quota: q.Quota, Set: q.Set, Used: q.Used, Left: max(q.Quota-q.Used, 0)}
	}
	out := []projectJSON{}
	for _, p := range projects {
		if p.Status != models.ProjectDraft {
			out = append(out, toProjectJSON(tree, p))
		}
	}
	return c.JSON(fiber.Map{"edition_id": e.ID, "recommend_step": e.Recommend.Step, "quotas": quotas, "projects": out})
}

type recommendRequest struct {
	Comment string `json:"comment"`
}

func (s *handlers) recommendProject(c *fiber.Ctx) error {
	return s.recommendAction(c, func(st Recommendations, user models.User, id int64) (models.Project, error) {
		var req recommendRequest
		if err := decodeJSON(c, &req); err != nil {
			return models.Project{}, err
		}
		return st.RecommendProject(c.UserContext(), actorOf(c), user, id, req.Comment)
	})
}

func (s *handlers) recommenderReturn(c *fiber.Ctx) error {
	return s.recommendAction(c, func(st Recommendations, user models.User, id int64) (models.Project, error) {
		var req returnRequest
		if err := decodeJSON(c, &req); err != nil {
			return models.Project{}, err
		}
		return st.ReturnByRecommender(c.UserContext(), actorOf(c), user, id, req.Reason)
	})
}

func (s *handlers) recommendComment(c *fiber.Ctx) error {
	return s.recommendAction(c, func(st Recommendations, user models.User, id int64) (models.Project, error) {
		var req recommendRequest
		if err := decodeJSON(c, &req); err != nil {
			return models.Project{}, err
		}
		return st.CommentProject(c.UserContext(), actorOf(c), user, id, req.Comment)
	})
}

func (s *handlers) recommendAction(c *fiber.Ctx, do func(st Recommendations, user models.User, id int64) (models.Project, error)) error {
	st, err := s.recommendStore()
	if err != nil {
		return err
	}
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	sess, _ := sessionOf(c)
	p, err := do(st, sess.User, id)
	if err != nil {
		return err
	}
	return s.projectResponse(c, fiber.StatusOK, p)
}

func (s *handlers) scopedUnits(c *fiber.Ctx) error {
	st, err := s.recommendStore()
	if err != nil {
		return err
	}
	sess, _ := sessionOf(c)
	units, err := st.ScopedUnits(c.UserContext(), sess.User)
	if err != nil {
		return err
	}
	tree, err := s.unitTree(c)
	if err != nil {
		return err
	}
	out := make([]unitJSON, len(units))
	for i, u := range units {
		out[i] = toUnitJSON(c, tree, u)
	}
	return c.JSON(fiber.Map{"units": out})
}

func (s *handlers) scopedCreateUnit(c *fiber.Ctx) error {
	st, err := s.recommendStore()
	if err != nil {
		return err
	}
	var req unitRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	sess, _ := sessionOf(c)
	u, err := st.ScopedCreateUnit(c.UserContext(), actorOf(c), sess.User, req.input())
	if err != nil {
		return err
	}
	return s.unitResponse(c, fiber.StatusCreated, u)
}

func (s *handlers) scopedUpdateUnit(c *fiber.Ctx) error {
	st, err := s.recommendStore()
	if err != nil {
		return err
	}
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req unitRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	sess, _ := sessionOf(c)
	u, err := st.ScopedUpdateUnit(c.UserContext(), actorOf(c), sess.User, id, req.input())
	if err != nil {
		return err
	}
	return s.unitResponse(c, fiber.StatusOK, u)
}

func (s *handlers) scopedUsers(c *fiber.Ctx) error {
	st, err := s.recommendStore()
	if err != nil {
		return err
	}
	sess, _ := sessionOf(c)
	users, err := st.ScopedUsers(c.UserContext(), sess.User)
	if err != nil {
		return err
	}
	tree, err := s.unitTree(c)
	if err != nil {
		return err
	}
	out := make([]adminUserJSON, len(users))
	for i, u := range users {
		out[i] = toAdminUserJSON(c, tree, u)
	}
	return c.JSON(fiber.Map{"users": out})
}

// scopedUserRequest is a unit account a recommender creates: the role is
// always unit.
type scopedUserRequest struct {
	Username    string        `json:"username"`
	DisplayName string        `json:"display_name"`
	Password    string        `json:"password"`
	UnitID      *int64        `json:"unit_id"`
	Phone       string        `json:"phone"`
	Email       string        `json:"email"`
	Roles       []models.Role `json:"roles"`
}

func (s *handlers) scopedCreateUser(c *fiber.Ctx) error {
	st, err := s.recommendStore()
	if err != nil {
		return err
	}
	var req scopedUserRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	roles := req.Roles
	if roles == nil {
		roles = []models.Role{models.RoleUnit}
	}
	sess, _ := sessionOf(c)
	u, err := st.ScopedCreateUser(c.UserContext(), actorOf(c), sess.User, models.NewUser{
		Username: req.Username, DisplayName: req.DisplayName, Password: req.Password, Roles: roles,
		UnitID: req.UnitID, Phone: req.Phone, Email: req.Email,
	})
	if err != nil {
		return err
	}
	return s.userResponse(c, fiber.StatusCreated, u)
}

type scopedUserUpdateRequest struct {
	DisplayName *string `json:"display_name"`
	Disabled    *bool   `json:"disabled"`
}

func (s *handlers) scopedUpdateUser(c *fiber.Ctx) error {
	st, err := s.recommendStore()
	if err != nil {
		return err
	}
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req scopedUserUpdateRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	sess, _ := sessionOf(c)
	u, err := st.ScopedUpdateUser(c.UserContext(), actorOf(c), sess.User, id, models.ScopedAccountChange{DisplayName: req.DisplayName, Disabled: req.Disabled})
	if err != nil {
		return err
	}
	return s.userResponse(c, fiber.StatusOK, u)
}

func (s *handlers) scopedResetPassword(c *fiber.Ctx) error {
	st, err := s.recommendStore()
	if err != nil {
		return err
	}
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req passwordResetRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	sess, _ := sessionOf(c)
	if err := st.ScopedResetPassword(c.UserContext(), actorOf(c), sess.User, id, req.Password); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// recommendationJSON is the recommender's word on a project, as the unit,
// the recommender and the city see it (null before any).
type recommendationJSON struct {
	RootID   *int64     `json:"root_id"`
	RootName string     `json:"root_name"`
	By       string     `json:"by"`
	At       *time.Time `json:"at"`
	Comment  string     `json:"comment"`
}

func toRecommendationJSON(tree *models.UnitTree, r models.Recommendation) *recommendationJSON {
	if r.RecommendedBy == "" && r.RecommendComment == "" && r.RecommendRootID == nil {
		return nil
	}
	out := &recommendationJSON{RootID: r.RecommendRootID, By: r.RecommendedBy, At: r.RecommendedAt, Comment: r.RecommendComment}
	if r.RecommendRootID != nil && tree != nil {
		if u, ok := tree.Unit(*r.RecommendRootID); ok {
			out.RootName = u.Name
		}
	}
	return out
}

// editionRecommendJSON is an edition's recommendation step as the API
// shows and takes it.
type recommendQuotaJSON struct {
	UnitID int64 `json:"unit_id"`
	Quota  int   `json:"quota"`
}

func toQuotasJSON(qs []models.RecommendQuota) []recommendQuotaJSON {
	out := make([]recommendQuotaJSON, len(qs))
	for i, q := range qs {
		out[i] = recommendQuotaJSON{UnitID: q.UnitID, Quota: q.Quota}
	}
	return out
}

// recommendInput is the request's recommendation settings: nil when the
// request names neither field (the edition keeps its own); a field left
// out takes the current value.
func recommendInput(step *bool, quotas *[]recommendQuotaJSON, current models.RecommendSettings) *models.RecommendSettings {
	if step == nil && quotas == nil {
		return nil
	}
	out := current
	if step != nil {
		out.Step = *step
	}
	if quotas != nil {
		out.Quotas = make([]models.RecommendQuota, len(*quotas))
		for i, q := range *quotas {
			out.Quotas[i] = models.RecommendQuota{UnitID: q.UnitID, Quota: q.Quota}
		}
	}
	return &out
}
