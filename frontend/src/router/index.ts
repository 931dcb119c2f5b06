import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'
import type { Role } from '@/api/auth'
import { requiredRole } from '@/router/roles'
import { useSessionStore } from '@/stores/session'

declare module 'vue-router' {
  interface RouteMeta {
    /** titleKey is the i18n key of the page title (document.title). */
    titleKey?: string
    /** role is the role an interface is for; the router sends others to sign in or to /forbidden. */
    role?: Role
    /** alsoFor are other roles that may open the page (admins may run the host console). */
    alsoFor?: Role[]
    /** signedIn pages are for anyone signed in, whatever their role (notifications, settings). */
    signedIn?: boolean
  }
}

// Every interface is its own lazily loaded chunk, so the big screen and the phone vote page do not
// download the working screens. /display and /vote have no app chrome: they sit outside AppLayout.
const routes: RouteRecordRaw[] = [
  {
    path: '/',
    // Lazy: the layout brings Element Plus, which the big screen and the phone page never need.
    component: () => import('@/layouts/AppLayout.vue'),
    children: [
      { path: '', name: 'home', component: () => import('@/views/home/HomeView.vue'), meta: { titleKey: 'home.title' } },
      { path: 'login', name: 'login', component: () => import('@/views/auth/LoginView.vue'), meta: { titleKey: 'login.title' } },
      {
        path: 'login/link',
        name: 'login-link',
        component: () => import('@/views/auth/LinkLoginView.vue'),
        meta: { titleKey: 'linkLogin.title' },
      },
      { path: 'setup', name: 'setup', component: () => import('@/views/auth/SetupView.vue'), meta: { titleKey: 'setup.title' } },
      {
        path: 'forbidden',
        name: 'forbidden',
        component: () => import('@/views/errors/ForbiddenView.vue'),
        meta: { titleKey: 'forbidden.title' },
      },
      { path: 'results', name: 'results', component: () => import('@/views/results/ResultsView.vue'), meta: { titleKey: 'results.title' } },
      {
        path: 'notifications',
        name: 'notifications',
        component: () => import('@/views/notify/NotificationsView.vue'),
        meta: { titleKey: 'notify.title', signedIn: true },
      },
      {
        path: 'settings',
        name: 'settings',
        component: () => import('@/views/notify/SettingsView.vue'),
        meta: { titleKey: 'notify.settings.title', signedIn: true },
      },
      { path: 'tracker', name: 'tracker', component: () => import('@/views/tracker/TrackerView.vue'), meta: { titleKey: 'tracker.title' } },
      {
        path: 'tracker/:id(\\d+)',
        name: 'tracker-project',
        component: () => import('@/views/tracker/TrackerProjectView.vue'),
        props: (route) => ({ id: Number(route.params.id) }),
        meta: { titleKey: 'tracker.title' },
      },
      {
        path: 'portal/awards/:id(\\d+)/plan',
        name: 'portal-plan',
        component: () => import('@/views/follow/PlanEditor.vue'),
        props: (route) => ({ id: Number(route.params.id) }),
        meta: { titleKey: 'follow.editor.title', role: 'unit' },
      },
      {
        path: 'portal/awards/:id(\\d+)/milestones/:seq(\\d+)',
        name: 'portal-report',
        component: () => import('@/views/follow/ReportForm.vue'),
        props: (route) => ({ id: Number(route.params.id), seq: Number(route.params.seq) }),
        meta: { titleKey: 'follow.portal.title', role: 'unit' },
      },
      { path: 'checks', name: 'checks', component: () => import('@/views/follow/ChecksList.vue'), meta: { titleKey: 'follow.checks.title', role: 'expert' } },
      { path: 'mentoring', name: 'mentoring', component: () => import('@/views/follow/MentoringView.vue'), meta: { titleKey: 'follow.mentoring.title', role: 'expert' } },
      {
        path: 'checks/:id(\\d+)',
        name: 'check-grade',
        component: () => import('@/views/follow/CheckGrading.vue'),
        props: (route) => ({ id: Number(route.params.id) }),
        meta: { titleKey: 'follow.checks.title', role: 'expert' },
      },
      { path: 'portal', name: 'portal', component: () => import('@/views/portal/PortalHome.vue'), meta: { titleKey: 'portal.title', role: 'unit' } },
      {
        path: 'portal/projects/:id(\\d+)',
        name: 'portal-project',
        component: () => import('@/views/portal/ProjectEditor.vue'),
        props: (route) => ({ id: Number(route.params.id) }),
        meta: { titleKey: 'portal.title', role: 'unit' },
      },
      // County and department recommendation (县区推荐): the recommender's console and scoped admin.
      {
        path: 'recommend',
        name: 'recommend',
        component: () => import('@/views/recommend/RecommendConsole.vue'),
        meta: { titleKey: 'recommend.title', role: 'recommender' },
      },
      {
        path: 'recommend/projects/:id(\\d+)',
        name: 'recommend-project',
        component: () => import('@/views/recommend/RecommendProject.vue'),
        props: (route) => ({ id: Number(route.params.id) }),
        meta: { titleKey: 'recommend.title', role: 'recommender' },
      },
      {
        path: 'recommend/units',
        name: 'recommend-units',
        component: () => import('@/views/recommend/ScopedAdmin.vue'),
        meta: { titleKey: 'recommend.scope.title', role: 'recommender' },
      },
      { path: 'review', name: 'review', component: () => import('@/views/review/ReviewHome.vue'), meta: { titleKey: 'review.title', role: 'expert' } },
      {
        path: 'review/rounds/:id(\\d+)/projects/:pid(\\d+)',
        name: 'review-project',
        component: () => import('@/views/review/ScoringPage.vue'),
        props: (route) => ({ id: Number(route.params.id), pid: Number(route.params.pid) }),
        meta: { titleKey: 'review.title', role: 'expert' },
      },
      { path: 'host', name: 'host', component: () => import('@/views/host/HostConsole.vue'), meta: { titleKey: 'host.title', role: 'host', alsoFor: ['admin'] } },
      {
        path: 'host/events/:id(\\d+)',
        name: 'host-event',
        component: () => import('@/views/host/HostEventConsole.vue'),
        props: (route) => ({ id: Number(route.params.id) }),
        meta: { titleKey: 'host.title', role: 'host', alsoFor: ['admin'] },
      },
      {
        path: 'judge/:eventId(\\d+)',
        name: 'judge',
        component: () => import('@/views/judge/JudgeTablet.vue'),
        props: (route) => ({ eventId: Number(route.params.eventId) }),
        meta: { titleKey: 'tablet.title', role: 'expert' },
      },
      {
        path: 'admin',
        component: () => import('@/views/admin/AdminLayout.vue'),
        meta: { role: 'admin' },
        children: [
          { path: '', name: 'admin', component: () => import('@/views/admin/AdminHome.vue'), meta: { titleKey: 'admin.title' } },
          { path: 'units', name: 'admin-units', component: () => import('@/views/admin/UnitsView.vue'), meta: { titleKey: 'units.title' } },
          { path: 'users', name: 'admin-users', component: () => import('@/views/admin/UsersView.vue'), meta: { titleKey: 'users.title' } },
          { path: 'audit', name: 'admin-audit', component: () => import('@/views/admin/AuditView.vue'), meta: { titleKey: 'audit.title' } },
          { path: 'figures', name: 'admin-figures', component: () => import('@/views/admin/FiguresView.vue'), meta: { titleKey: 'figures.title' } },
          {
            path: 'editions',
            name: 'admin-editions',
            component: () => import('@/views/admin/editions/EditionsView.vue'),
            meta: { titleKey: 'editions.title' },
          },
          {
            path: 'submissions',
            name: 'admin-submissions',
            component: () => import('@/views/admin/submissions/SubmissionsView.vue'),
            meta: { titleKey: 'submissions.title' },
          },
          {
            path: 'projects/:id(\\d+)',
            name: 'admin-project',
            component: () => import('@/views/admin/submissions/ProjectDetail.vue'),
            props: (route) => ({ id: Number(route.params.id) }),
            meta: { titleKey: 'submissions.title' },
          },
          {
            path: 'rounds',
            name: 'admin-rounds',
            component: () => import('@/views/admin/rounds/RoundsView.vue'),
            meta: { titleKey: 'rounds.title' },
          },
          {
            path: 'follow',
            name: 'admin-follow',
            component: () => import('@/views/admin/follow/FollowView.vue'),
            meta: { titleKey: 'follow.title' },
          },
          {
            path: 'follow/awards/:id(\\d+)',
            name: 'admin-follow-award',
            component: () => import('@/views/admin/follow/AwardDetailView.vue'),
            props: (route) => ({ id: Number(route.params.id) }),
            meta: { titleKey: 'follow.title' },
          },
          {
            path: 'live',
            name: 'admin-live',
            component: () => import('@/views/admin/live/LiveEventsView.vue'),
            meta: { titleKey: 'liveAdmin.title' },
          },
          {
            path: 'live/:id(\\d+)',
            name: 'admin-live-event',
            component: () => import('@/views/admin/live/LiveEventDetail.vue'),
            props: (route) => ({ id: Number(route.params.id) }),
            meta: { titleKey: 'liveAdmin.title' },
          },
        ],
      },
      { path: ':pathMatch(.*)*', name: 'not-found', component: () => import('@/views/errors/NotFoundView.vue'), meta: { titleKey: 'notFound.title' } },
    ],
  },
  {
    path: '/display/:eventId',
    name: 'display',
    component: () => import('@/views/display/DisplayScreen.vue'),
    props: true,
    meta: { titleKey: 'display.title' },
  },
  {
    // The printable score sheet of a slot: a page of its own, without the app's chrome.
    path: '/host/events/:id(\\d+)/slots/:n(\\d+)/print',
    name: 'host-sheet',
    component: () => import('@/views/host/SlotSheetPrint.vue'),
    props: (route) => ({ id: Number(route.params.id), n: Number(route.params.n) }),
    meta: { titleKey: 'hostConsole.sheet.title', role: 'host', alsoFor: ['admin'] },
  },
  {
    // The award certificate (荣誉证书): a print view of its own, A4 landscape, without the chrome.
    path: '/follow/awards/:id(\\d+)/certificate',
    name: 'award-certificate',
    component: () => import('@/views/follow/CertificatePrint.vue'),
    props: (route) => ({ id: Number(route.params.id) }),
    meta: { titleKey: 'follow.certificate.title', role: 'admin', alsoFor: ['unit'] },
  },
  {
    path: '/vote/:eventId',
    name: 'vote',
    // A full page load of /vote/… takes the light entry (@/entries/vote) and never reaches the
    // router; this route serves a navigation inside the app.
    component: () => import('@/views/vote/VotePage.vue'),
    props: (route) => ({ eventId: String(route.params.eventId), code: typeof route.query.c === 'string' ? route.query.c : '' }),
    meta: { titleKey: 'vote.title' },
  },
]

/** router is the app's history-mode router; the server answers unknown paths with index.html. */
export const router = createRouter({
  history: createWebHistory(import.meta.env.BASE_URL),
  routes,
  scrollBehavior(_to, _from, saved) {
    return saved ?? { top: 0 }
  },
})

// Role pages: signed out → the login page (coming back afterwards); wrong role → /forbidden. The
// server refuses the data anyway; this only spares people a page that cannot work for them.
router.beforeEach(async (to) => {
  const role = requiredRole(to)
  if (!role && !to.meta.signedIn) return true
  const session = useSessionStore()
  await session.ensureLoaded()
  if (!session.user) return { name: 'login', query: { redirect: to.fullPath } }
  if (role && !session.hasRole(role) && !(to.meta.alsoFor ?? []).some((r) => session.hasRole(r))) {
    return { name: 'forbidden', query: { need: role, from: to.fullPath } }
  }
  return true
})
