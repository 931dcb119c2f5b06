package main

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"math"
	"path/filepath"
	"sort"
	"strconv"
	"time"

	"leitai/judging"
	"leitai/models"
	"leitai/storage"
)

// The demo edition: Huizhou's unit tree, accounts for every role and
// projects named after the initiatives in the seed text, so that a newcomer
// sees every screen with data.

// demoTree is the unit tree: counties/districts with towns/streets and a
// few villages/communities under them.
var demoTree = []struct {
	county string
	towns  map[string][]string
}{
	{"惠城区", map[string][]string{"江北街道": {"三新南社区", "云山社区"}, "桥东街道": {"东湖社区", "环城东社区"}, "水口街道": {"东江村"}, "汝湖镇": {"仍图村"}, "小金口街道": {"小金社区"}}},
	{"惠阳区", map[string][]string{"淡水街道": {"土湖社区", "古屋社区"}, "秋长街道": {"茶园村"}, "新圩镇": {"长布村"}}},
	{"惠东县", map[string][]string{"平山街道": {"华侨城社区"}, "吉隆镇": {"吉隆村"}, "稔山镇": {"范和村"}}},
	{"博罗县", map[string][]string{"罗阳街道": {"北门社区"}, "龙溪街道": {"龙溪村"}, "园洲镇": {"园洲村"}, "石湾镇": {"铁场村"}}},
	{"龙门县", map[string][]string{"龙城街道": {"城南社区"}, "永汉镇": {"油田村"}, "龙潭镇": {"土湖村"}}},
	{"大亚湾开发区", map[string][]string{"澳头街道": {"澳头社区"}, "西区街道": {"塘尾村"}, "霞涌街道": {"霞新村"}}},
	{"仲恺高新区", map[string][]string{"惠环街道": {"平南社区"}, "陈江街道": {"甲子社区"}, "潼湖镇": {"永平村"}}},
}

var demoDepartments = []string{"市委政法委", "市司法局", "市公安局", "市民政局", "市城管局", "市退役军人事务局", "市卫生健康局", "市交通运输局"}

// demoProjects are the projects: title, the unit's name, category, and the
// gist that the texts are written around.
var demoProjects = []struct{ title, unit, category, gist string }{
	{"四民主工作法", "土湖村", "基层治理", "村务决策实行民主提议、民主商议、民主表决、民主监督"},
	{"村(居)法制副主任", "市司法局", "法治建设", "每个村(社区)配备一名律师担任法制副主任，走村入户调解纠纷"},
	{"复退军人之家", "市退役军人事务局", "社区服务", "为复退军人提供就业帮扶、政策咨询和矛盾调处的特色之家"},
	{"和美网格", "市城管局", "基层治理", "以网格为单元整合城管、综治力量，推动城市管理精细化"},
	{"e普法", "市司法局", "法治建设", "以微信平台和短视频推送普法内容，实现指尖上的普法"},
	{"医调委：医疗纠纷人民调解", "市卫生健康局", "平安建设", "第三方医疗纠纷人民调解委员会，依法化解医患矛盾"},
	{"中介超市", "市民政局", "基层治理", "行政审批中介服务集中进驻、公开比选，压缩办事时限"},
	{"社区约请办公制度", "东湖社区", "基层治理", "社区约请市直部门现场办公，群众难题就地解决"},
	{"司法惠民工作室", "江北街道", "法治建设", "整合法律援助、人民调解和公证服务进社区"},
	{"出租车司机之家", "市交通运输局", "社区服务", "为出租车司机提供休息、维权和学习的服务站点"},
	{"流动商户之家", "小金口街道", "社区服务", "将流动商户纳入自治组织，规范经营、共建平安"},
	{"大巡防：群防群治队伍建设", "市公安局", "平安建设", "组建多支群防群治队伍，实现街面巡防全覆盖"},
	{"雪亮工程进村居", "惠阳区", "平安建设", "视频监控延伸到村居，建成立体化治安防控网"},
	{"平安细胞创建", "淡水街道", "平安建设", "以平安家庭、平安村居为细胞，推动全民创安"},
	{"社区+社会组织+社工三社联动", "桥东街道", "社区服务", "社区搭台、社会组织运作、社工专业服务"},
	{"中心+网格化+信息化", "惠城区", "基层治理", "综治中心、网格化管理和信息化平台三位一体"},
	{"法德同治：村规民约修订", "吉隆村", "法治建设", "依法修订村规民约，以德化人、以法治村"},
	{"依法治企：劳资纠纷源头预防", "仲恺高新区", "平安建设", "在企业建立劳资纠纷预警和调解机制"},
	{"零上访村居创建", "龙门县", "基层治理", "以矛盾不出村为目标的信访源头治理"},
	{"民主法治示范村创建", "范和村", "法治建设", "推动村务公开和民主管理，创建民主法治示范村"},
	{"青少年法治教育基地", "博罗县", "法治建设", "建设青少年法治教育实践基地，开展模拟法庭"},
	{"外来务工人员融入计划", "陈江街道", "社区服务", "为新惠州人提供积分入学、技能培训和社区融入服务"},
	{"长者饭堂与居家养老", "云山社区", "社区服务", "社区长者饭堂和居家养老上门服务"},
	{"校园周边平安护学岗", "平山街道", "平安建设", "上下学高峰时段警民联合护学"},
	{"河长+网格员巡河护河", "东江村", "基层治理", "网格员兼任巡河员，守护东江一江清水"},
	{"海上渔船综合治理", "澳头街道", "平安建设", "渔船进出港登记和海上纠纷调处"},
	{"邻里守望互助队", "北门社区", "平安建设", "楼栋长牵头的邻里守望和互助服务"},
	{"村务监督委员会规范化", "长布村", "基层治理", "村务监督委员会履职清单和公开制度"},
	{"公共法律服务站点全覆盖", "龙城街道", "法治建设", "县镇村三级公共法律服务站点建设"},
	{"心理服务进社区", "三新南社区", "社区服务", "社区心理服务室和危机干预"},
	{"智慧停车与文明交通", "大亚湾开发区", "平安建设", "智慧停车和文明交通劝导"},
	{"乡贤理事会参与乡村治理", "油田村", "基层治理", "乡贤理事会协助调解纠纷、兴办公益"},
	{"禁毒社工进校园", "惠环街道", "平安建设", "禁毒社工驻校开展预防教育"},
	{"农村集体三资阳光监管", "园洲镇", "基层治理", "农村集体资金、资产、资源网上公开监管"},
	{"人民调解+保险理赔一站式", "石湾镇", "平安建设", "交通事故人民调解与保险理赔联动"},
	{"少数民族流动人口服务站", "秋长街道", "社区服务", "为少数民族流动人口提供服务和矛盾调处"},
	{"物业纠纷联调机制", "古屋社区", "基层治理", "业委会、物业、社区三方联调物业纠纷"},
	{"特殊人群帮扶衔接", "西区街道", "平安建设", "刑满释放和社区矫正人员帮扶衔接"},
	{"村级小微权力清单", "仍图村", "基层治理", "梳理村级小微权力清单和运行流程"},
	{"网上信访代办服务", "汝湖镇", "基层治理", "村级代办员帮助群众网上信访、一次办结"},
}

// demoResult is what `leitai demo --json` prints (ARCHITECTURE.md).
type demoResult struct {
	Password  string        `json:"password"`
	Accounts  []demoAccount `json:"accounts"`
	EditionID int64         `json:"edition_id"`
	// The live final, ready to run.
	LiveEventID int64       `json:"live_event_id"`
	DisplayPath string      `json:"display_path"`
	JudgeLinks  []judgeLink `json:"judge_links"`
	// The follow-through: the public tracker and one funded project.
	TrackerPath     string `json:"tracker_path"`
	FundedProjectID int64  `json:"funded_project_id"`
}

// judgeLink is a judge's single-use tablet login link.
type judgeLink struct {
	Seat     int    `json:"seat"`
	Username string `json:"username"`
	Path     string `json:"path"`
}

type demoAccount struct {
	Username string        `json:"username"`
	Roles    []models.Role `json:"roles"`
	Name     string        `json:"display_name"`
}

func cmdDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var password string
	var asJSON bool
	cfg, _, err := configFor("demo", args, stderr, func(f *flag.FlagSet) {
		f.StringVar(&password, "password", "", "password for every demo account (default: generated)")
		f.BoolVar(&asJSON, "json", false, "print the result as one JSON object")
	})
	if err != nil {
		return err
	}
	if password == "" {
		password = models.GeneratePassword()
	}
	if p := models.PasswordProblem(password); p != "" {
		return usageError{fmt.Errorf("--password: %s", p)}
	}
	log := newLogger(cfg, stderr)
	if err := cfg.ensureSecret(); err != nil {
		return err
	}
	db, err := openDatabase(ctx, cfg, log, false)
	if err != nil {
		return err
	}
	defer db.Close()
	store, _, err := openObjectStore(ctx, cfg)
	if err != nil {
		return err
	}
	media := storage.NewMediaService(db, store, storage.MediaConfig{TempDir: filepath.Join(cfg.DataDir, "tmp"), Location: cfg.Location, Log: log})
	res, err := seedDemo(ctx, db, media, password, cfg.Location)
	if err != nil {
		return err
	}
	lives := storage.NewLiveService(db, db.NewLiveBroker(storage.LiveBrokerOptions{Log: log}), cfg.Secret)
	if err := seedLive(ctx, db, lives, &res, cfg.Location); err != nil {
		return err
	}
	if err := seedFollow(ctx, db, media, &res, cfg.Location); err != nil {
		return err
	}
	if asJSON {
		return json.NewEncoder(stdout).Encode(res)
	}
	fmt.Fprintf(stdout, "演示数据已生成 · Demo edition %d seeded.\nPassword for every account: %s\n\n", res.EditionID, res.Password)
	for _, a := range res.Accounts {
		fmt.Fprintf(stdout, "  %-22s %-14v %s\n", a.Username, a.Roles, a.Name)
	}
	fmt.Fprintf(stdout, "\nSign in at %s/login\n", cfg.PublicURL)
	fmt.Fprintf(stdout, "\n终审PK赛 · Live final %d — big screen: %s%s · phones: %s/vote/%d\n", res.LiveEventID, cfg.PublicURL, res.DisplayPath, cfg.PublicURL, res.LiveEventID)
	fmt.Fprintf(stdout, "Host console: %s/host/events/%d (sign in as host)\nJudges' tablet links (single use, 24 h):\n", cfg.PublicURL, res.LiveEventID)
	for _, j := range res.JudgeLinks {
		fmt.Fprintf(stdout, "  评委%d %-10s %s%s\n", j.Seat, j.Username, cfg.PublicURL, j.Path)
	}
	return nil
}

// seedLive adds the live final: a 终审 round of kind live with the six best
// projects of the published 初审 as finalists, five judges, ticket codes,
// and a rehearsal-mode event whose programme is drawn from a fixed seed.
func seedLive(ctx context.Context, db *storage.DB, lives *storage.LiveService, res *demoResult, loc *time.Location) error {
	admin, err := db.UserByUsername(ctx, "admin")
	if err != nil {
		return err
	}
	actor := models.Actor{UserID: &admin.ID, Name: admin.Username}
	rounds, err := db.ListRounds(ctx, res.EditionID)
	if err != nil || len(rounds) == 0 {
		return fmt.Errorf("demo live final: no rounds: %w", err)
	}
	first := rounds[0]
	pub, err := db.PublicationOf(ctx, first.ID)
	if err != nil {
		return err
	}
	var entries []struct {
		ProjectID string `json:"project_id"`
	}
	if err := json.Unmarshal([]byte(pub.Results), &entries); err != nil {
		return err
	}
	var finalists []int64
	for _, e := range entries[:min(6, len(entries))] {
		id, _ := strconv.ParseInt(e.ProjectID, 10, 64)
		finalists = append(finalists, id)
	}
	now := time.Now()
	final, err := db.CreateRound(ctx, actor, res.EditionID, models.Round{Name: "终审", Kind: models.RoundLive,
		OpensAt: now.Add(-time.Hour), ClosesAt: now.Add(30 * 24 * time.Hour), Rubric: models.FinalRubric(),
		ReviewersPerProject: 5, Method: "trimmed_mean", Trim: 1, KeyCriterion: "innovative"})
	if err != nil {
		return err
	}
	if err := db.SetRoundProjects(ctx, actor, final.ID, finalists, "初审前6名进入终审PK赛（演示）"); err != nil {
		return err
	}
	var judges []int64
	for i := 1; i <= 5; i++ {
		u, err := db.UserByUsername(ctx, fmt.Sprintf("expert%d", i))
		if err != nil {
			return err
		}
		judges = append(judges, u.ID)
	}
	ev, err := lives.CreateLiveShow(ctx, actor, final.ID, models.LiveShowSettings{
		Title: "2026年惠州市社会治理创新十大项目终审PK赛", AudienceMode: models.AudienceBoth, Weights: models.DefaultLiveWeights,
		Timings: models.DefaultShowTimings, Pairing: models.PairingPK, PreviousRoundID: &first.ID, Rehearsal: true, JudgeIDs: judges})
	if err != nil {
		return err
	}
	if ev, err = lives.DrawLiveShow(ctx, actor, ev.ID, "huizhou-2026-final"); err != nil {
		return err
	}
	if _, err := lives.AddTickets(ctx, actor, ev.ID, 50); err != nil {
		return err
	}
	res.LiveEventID, res.DisplayPath = ev.ID, fmt.Sprintf("/display/%d", ev.ID)
	for _, j := range ev.Judges {
		token, _, err := db.CreateLoginLink(ctx, actor, j.UserID, 24*time.Hour)
		if err != nil {
			return err
		}
		res.JudgeLinks = append(res.JudgeLinks, judgeLink{Seat: j.Seat, Username: j.Username, Path: fmt.Sprintf("/login/link?next=/judge/%d#%s", ev.ID, token)})
	}
	return nil
}

// seedDemo fills an empty database with the demo edition.
func seedDemo(ctx context.Context, db *storage.DB, media *storage.MediaService, password string, loc *time.Location) (demoResult, error) {
	actor := models.Actor{Name: "demo"}
	if units, err := db.ListUnits(ctx); err != nil {
		return demoResult{}, err
	} else if len(units) > 0 {
		return demoResult{}, errors.New("the database is not empty: the demo seeds only an empty database (use a fresh --data-dir)")
	}
	unitIDs := map[string]int64{}
	mk := func(parent *int64, kind models.UnitKind, name, contact string) (int64, error) {
		u, err := db.CreateUnit(ctx, actor, models.UnitInput{ParentID: parent, Kind: kind, Name: name, ContactName: contact, ContactPhone: fmt.Sprintf("0752-%07d", 2000000+len(unitIDs)*137)})
		if err != nil {
			return 0, fmt.Errorf("demo unit %s: %w", name, err)
		}
		unitIDs[name] = u.ID
		return u.ID, nil
	}
	city, err := mk(nil, models.UnitCity, "惠州市", "市社会治理创新办")
	if err != nil {
		return demoResult{}, err
	}
	for _, c := range demoTree {
		county, err := mk(&city, models.UnitCounty, c.county, "综治办")
		if err != nil {
			return demoResult{}, err
		}
		towns := make([]string, 0, len(c.towns))
		for t := range c.towns {
			towns = append(towns, t)
		}
		sort.Strings(towns) // deterministic ids
		for _, t := range towns {
			town, err := mk(&county, models.UnitTown, t, "综治中心")
			if err != nil {
				return demoResult{}, err
			}
			for _, v := range c.towns[t] {
				if _, err := mk(&town, models.UnitVillage, v, "两委办公室"); err != nil {
					return demoResult{}, err
				}
			}
		}
	}
	for _, d := range demoDepartments {
		if _, err := mk(&city, models.UnitDepartment, d, "办公室"); err != nil {
			return demoResult{}, err
		}
	}
	university, err := mk(nil, models.UnitExternal, "惠州学院", "社会治理研究中心")
	if err != nil {
		return demoResult{}, err
	}

	var res demoResult
	res.Password = password
	addUser := func(username, name string, roles []models.Role, unit *int64, expertise []string) error {
		_, err := db.CreateUser(ctx, actor, models.NewUser{Username: username, DisplayName: name, Password: password,
			Roles: roles, UnitID: unit, Expertise: expertise, Phone: fmt.Sprintf("138%08d", 10000000+len(res.Accounts)*7919)})
		if err != nil {
			return fmt.Errorf("demo user %s: %w", username, err)
		}
		res.Accounts = append(res.Accounts, demoAccount{Username: username, Roles: roles, Name: name})
		return nil
	}
	if err := addUser("admin", "组委会管理员", []models.Role{models.RoleAdmin}, nil, nil); err != nil {
		return res, err
	}
	if err := addUser("finance", "财务审核（资金拨付）", []models.Role{models.RoleAdmin}, nil, nil); err != nil {
		return res, err
	}
	if err := addUser("host", "终审主持人", []models.Role{models.RoleHost}, nil, nil); err != nil {
		return res, err
	}
	experts := []struct {
		user, name string
		unit       *int64
		fields     []string
	}{
		{"expert1", "陈教授", &university, []string{"社会治理", "公共管理"}},
		{"expert2", "林律师", ptr(unitIDs["市司法局"]), []string{"法治建设", "人民调解"}},
		{"expert3", "黄研究员", &university, []string{"社区服务", "社会工作"}},
		{"expert4", "周主任", ptr(unitIDs["惠阳区"]), []string{"平安建设"}},
		{"expert5", "吴博士", nil, []string{"数字治理"}},
		{"expert6", "郑处长", ptr(unitIDs["市民政局"]), []string{"基层治理", "社会组织"}},
	}
	for _, e := range experts {
		if err := addUser(e.user, e.name, []models.Role{models.RoleExpert}, e.unit, e.fields); err != nil {
			return res, err
		}
	}

	now := time.Now().UTC()
	edition, err := db.CreateEdition(ctx, actor, models.EditionInput{
		Year: now.In(loc).Year(), Title: fmt.Sprintf("%d年惠州市社会治理创新十大项目", now.In(loc).Year()),
		Categories: []string{"基层治理", "平安建设", "法治建设", "社区服务"},
		OpensAt:    now.Add(-10 * 24 * time.Hour), ClosesAt: now.Add(14 * 24 * time.Hour), GraceMinutes: 60,
		QuotaPerUnit: 2, Status: models.EditionActive,
	})
	if err != nil {
		return res, err
	}
	res.EditionID = edition.ID

	unitUsers := map[string]models.User{}
	var submitted []int64
	expertNames := make([]string, len(experts))
	for i, e := range experts {
		expertNames[i] = e.user
	}
	for i, p := range demoProjects {
		unitID, ok := unitIDs[p.unit]
		if !ok {
			return res, fmt.Errorf("demo project %s: no unit %s", p.title, p.unit)
		}
		user, ok := unitUsers[p.unit]
		if !ok {
			username := fmt.Sprintf("unit%02d", len(unitUsers)+1)
			if err := addUser(username, p.unit+"申报员", []models.Role{models.RoleUnit}, &unitID, nil); err != nil {
				return res, err
			}
			if user, err = db.UserByUsername(ctx, username); err != nil {
				return res, err
			}
			unitUsers[p.unit] = user
		}
		ua := models.Actor{UserID: &user.ID, Name: user.Username}
		fields := demoFields(p.title, p.category, p.gist, p.unit, i)
		if i%8 == 7 {
			// Every eighth project is still a draft, half filled in.
			fields.Approach, fields.Results, fields.Sustainability = "", "", ""
		}
		project, err := db.CreateProject(ctx, ua, user, edition.ID, fields, loc)
		if err != nil {
			return res, fmt.Errorf("demo project %s: %w", p.title, err)
		}
		if i%8 == 7 {
			continue
		}
		if err := demoPhoto(ctx, media, ua, user, project.ID, p.title, i); err != nil {
			return res, fmt.Errorf("demo photo of %s: %w", p.title, err)
		}
		if _, err := db.SubmitProject(ctx, ua, user, project.ID, loc); err != nil {
			return res, fmt.Errorf("demo submit %s: %w", p.title, err)
		}
		submitted = append(submitted, project.ID)
	}
	// Thumbnails now, so the first screens show them.
	for {
		found, err := media.ProcessNext(ctx)
		if err != nil || !found {
			break
		}
	}
	if err := seedReview(ctx, db, actor, edition.ID, submitted, expertNames, loc); err != nil {
		return res, err
	}
	return res, nil
}

// demoPhoto uploads a generated picture through the same path a browser
// takes (upload, part with its MD5, complete).
func demoPhoto(ctx context.Context, media *storage.MediaService, actor models.Actor, user models.User, projectID int64, title string, i int) error {
	data, err := demoImage(i)
	if err != nil {
		return err
	}
	up, err := media.CreateUpload(ctx, actor, user, projectID, models.NewUploadInput{Filename: title + ".png", Size: int64(len(data)),
		ContentType: "image/png", Mode: models.UploadProxy})
	if err != nil {
		return err
	}
	sum := md5.Sum(data)
	if _, err := media.PutPart(ctx, user, up.ID, 1, bytes.NewReader(data), int64(len(data)), sum[:]); err != nil {
		return err
	}
	_, err = media.CompleteUpload(ctx, actor, user, up.ID)
	return err
}

// demoImage draws a 960×600 picture: a warm gradient with bands, different
// for every project.
func demoImage(i int) ([]byte, error) {
	const w, h = 960, 600
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	hue := float64(i*37%360) / 360
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			t := float64(x+y) / float64(w+h)
			band := 0.0
			if (x/(40+i%5*10)+y/60)%3 == 0 {
				band = 0.12
			}
			r, g, b := hsv(hue+0.15*t, 0.55, 0.55+0.35*t+band)
			img.Set(x, y, color.RGBA{R: r, G: g, B: b, A: 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func hsv(h, s, v float64) (uint8, uint8, uint8) {
	h = h - math.Floor(h)
	v = math.Min(v, 1)
	i := math.Floor(h * 6)
	f := h*6 - i
	p, q, t := v*(1-s), v*(1-f*s), v*(1-(1-f)*s)
	var r, g, b float64
	switch int(i) % 6 {
	case 0:
		r, g, b = v, t, p
	case 1:
		r, g, b = q, v, p
	case 2:
		r, g, b = p, v, t
	case 3:
		r, g, b = p, q, v
	case 4:
		r, g, b = t, p, v
	default:
		r, g, b = v, p, q
	}
	return uint8(r * 255), uint8(g * 255), uint8(b * 255)
}

// seedReview judges eligibility, runs a preliminary round to its end (every
// expert's scores submitted, closed and published for 公示) and opens a second round for the
// best fifteen, with one expert's draft under way.
func seedReview(ctx context.Context, db *storage.DB, actor models.Actor, editionID int64, submitted []int64, experts []string, loc *time.Location) error {
	var eligible, ineligible []int64
	for i, id := range submitted {
		if i%11 == 5 {
			ineligible = append(ineligible, id)
		} else {
			eligible = append(eligible, id)
		}
	}
	if _, err := db.SetEligibility(ctx, actor, eligible, true, ""); err != nil {
		return err
	}
	if _, err := db.SetEligibility(ctx, actor, ineligible, false, "申报材料与社会治理创新主题关联不足"); err != nil {
		return err
	}
	now := time.Now().UTC()
	first, err := db.CreateRound(ctx, actor, editionID, models.Round{Name: "初审", Kind: models.RoundOnline,
		OpensAt: now.Add(-72 * time.Hour), ClosesAt: now.Add(2 * time.Hour), Rubric: models.DefaultRubric(),
		ReviewersPerProject: 3, Method: "mean", KeyCriterion: "innovative"})
	if err != nil {
		return err
	}
	if _, err := db.AssignRound(ctx, actor, first.ID, 2026); err != nil {
		return err
	}
	if _, err := db.MoveRound(ctx, actor, first.ID, models.RoundOpen, loc); err != nil {
		return err
	}
	for e, name := range experts {
		expert, err := db.UserByUsername(ctx, name)
		if err != nil {
			return err
		}
		ea := models.Actor{UserID: &expert.ID, Name: expert.Username}
		_, items, err := db.ExpertReviews(ctx, expert, first.ID)
		if err != nil {
			return err
		}
		for _, it := range items {
			if _, err := db.SaveScore(ctx, ea, expert, first.ID, it.Project.ID, demoPoints(first.Rubric, int(it.Project.ID), e), "材料翔实，做法可借鉴。", true); err != nil {
				return err
			}
		}
	}
	if _, err := db.MoveRound(ctx, actor, first.ID, models.RoundClosed, loc); err != nil {
		return err
	}
	// The top 15 go on. A tie straddling that line is decided, with its
	// reason, before the 公示 (publication refuses an undecided one).
	sheet, err := db.RoundSheet(ctx, first.ID)
	if err != nil {
		return err
	}
	ranked, err := judging.Rank(sheet)
	if err != nil {
		return err
	}
	if cut, err := judging.Advance(ranked, judging.AdvanceRule{Top: 15}); err != nil {
		return err
	} else if len(cut.TieAtCut) > 0 {
		if _, err := db.DecideTie(ctx, actor, first.ID, cut.TieAtCut, "评审组合议：同分项目按创新性得分及现场材料完整程度排序"); err != nil {
			return err
		}
	}
	adv, err := db.SetAdvancement(ctx, actor, first.ID, models.AdvanceInput{Top: 15})
	if err != nil {
		return err
	}
	if _, err := db.MoveRound(ctx, actor, first.ID, models.RoundPublished, loc); err != nil {
		return err
	}
	var best []int64
	for _, p := range adv.Advancing {
		id, _ := strconv.ParseInt(p, 10, 64)
		best = append(best, id)
	}
	// 复审 is blind: its experts never see the unit, and the texts, which
	// name their units, are redacted — all but one, so the admin's page
	// shows what is left to do.
	second, err := db.CreateRound(ctx, actor, editionID, models.Round{Name: "复审", Kind: models.RoundOnline,
		OpensAt: now.Add(-time.Hour), ClosesAt: now.Add(5 * 24 * time.Hour), Rubric: models.DefaultRubric(),
		ReviewersPerProject: 3, Method: "mean", KeyCriterion: "innovative", Blind: true})
	if err != nil {
		return err
	}
	if err := db.SetRoundProjects(ctx, actor, second.ID, best, "初审前15名进入复审"); err != nil {
		return err
	}
	if _, err := db.AssignRound(ctx, actor, second.ID, 2027); err != nil {
		return err
	}
	if err := seedRedactions(ctx, db, actor, second.ID); err != nil {
		return err
	}
	if _, err := db.MoveRound(ctx, actor, second.ID, models.RoundOpen, loc); err != nil {
		return err
	}
	expert, err := db.UserByUsername(ctx, experts[0])
	if err != nil {
		return err
	}
	_, items, err := db.ExpertReviews(ctx, expert, second.ID)
	if err != nil || len(items) == 0 {
		return err
	}
	draft := demoPoints(second.Rubric, int(items[0].Project.ID), 0)
	delete(draft, "sustainable")
	_, err = db.SaveScore(ctx, models.Actor{UserID: &expert.ID, Name: expert.Username}, expert, second.ID, items[0].Project.ID, draft, "", false)
	return err
}

// seedRedactions masks, with 【单位】, every place that names the unit in
// the blind round's projects except the last one (left for the admin to
// try).
func seedRedactions(ctx context.Context, db *storage.DB, actor models.Actor, roundID int64) error {
	_, list, err := db.BlindReview(ctx, roundID)
	if err != nil {
		return err
	}
	for i, p := range list {
		if i == len(list)-1 || p.Unredacted() == 0 {
			continue
		}
		texts := map[string]string{}
		for f, hits := range p.Hits {
			texts[f] = models.Redact(p.Original[f], hits, models.MaskUnit)
		}
		if _, err := db.SaveRedaction(ctx, actor, roundID, p.ProjectID, texts); err != nil {
			return fmt.Errorf("demo redaction of project %d: %w", p.ProjectID, err)
		}
	}
	return nil
}

// demoPoints gives plausible, varied points on each criterion's step.
func demoPoints(r models.Rubric, project, expert int) map[string]int64 {
	out := map[string]int64{}
	for ci, c := range r {
		steps := c.Max * 4 / 10 / c.Step
		out[c.Key] = c.Max*6/10 + int64((project*7+expert*13+ci*5)%int(steps+1))*c.Step
	}
	return out
}

func ptr[T any](v T) *T { return &v }

// demoFields writes plausible texts around a project's gist.
func demoFields(title, category, gist, unit string, i int) models.ProjectFields {
	return models.ProjectFields{
		Title:    title,
		Category: category,
		Summary:  fmt.Sprintf("%s立足基层实际，%s，形成了可复制、可推广的经验做法。", unit, gist),
		Problem:  fmt.Sprintf("过去，%s面临群众诉求多元、矛盾纠纷易发、部门协同不足等问题，群众办事和求助渠道不畅。", unit),
		Approach: fmt.Sprintf("一是建机制：%s。二是强队伍：组建专兼职工作力量，明确职责清单。三是用科技：依托信息化平台实现受理、流转、办结、回访全流程闭环。", gist),
		Results: fmt.Sprintf("项目实施以来，累计服务群众%d人次，化解矛盾纠纷%d宗，群众满意率达%d%%，相关做法被%d家单位学习借鉴。",
			3000+i*417, 120+i*13, 90+i%9, 2+i%6),
		Replicability:  "项目制度清单、工作流程和培训教材均已标准化，其他县区、镇街可按图索骥、因地制宜复制推广。",
		Sustainability: "已纳入单位年度工作要点和财政预算，建立考核激励和定期评估机制，确保项目长效运行。",
		StartDate:      fmt.Sprintf("20%02d-%02d-01", 18+i%7, 1+i%12),
		ContactName:    "项目联系人",
		ContactPhone:   fmt.Sprintf("0752-%07d", 2800000+i*31),
	}
}
