import type { RouteLocationNormalizedLoaded } from 'vue-router'
import type { Role } from '@/api/auth'

/** requiredRole returns the role a route needs (its own or an ancestor's), if any. */
export function requiredRole(to: RouteLocationNormalizedLoaded): Role | undefined {
  // Parent records' meta is merged into to.meta, but read the records too, to be explicit.
  for (let i = to.matched.length - 1; i >= 0; i--) {
    const role = to.matched[i]?.meta.role
    if (role) return role
  }
  return to.meta.role
}
