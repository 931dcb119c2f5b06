// Eligibility decisions from the admin pages: "eligible" after a confirmation, "ineligible" with a
// reason typed in a prompt. Both send every chosen project at once (the server does all or none).
import { ElMessage, ElMessageBox } from 'element-plus'
import { isApiError } from '@/api/client'
import { setEligibility, type Project } from '@/api/projects'
import { i18n } from '@/i18n'
import { fieldError } from '@/domain/fieldErrors'

const t = (key: string, values?: Record<string, unknown>) => i18n.global.t(key, values ?? {})

/** approve marks projects eligible after confirming; resolves with the changed projects or null. */
export async function approve(ids: number[]): Promise<Project[] | null> {
  try {
    await ElMessageBox.confirm(t('submissions.approveConfirm', { n: ids.length }), t('submissions.approveTitle'), {
      type: 'info',
      confirmButtonText: t('submissions.approve'),
      cancelButtonText: t('common.cancel'),
      autofocus: false,
    })
  } catch {
    return null
  }
  return send(ids, true, '', 'submissions.approved')
}

/** reject asks for the reason and marks projects ineligible; resolves with them or null. */
export async function reject(ids: number[]): Promise<Project[] | null> {
  let reason: string
  try {
    const res = await ElMessageBox.prompt(t('submissions.rejectIntro', { n: ids.length }), t('submissions.rejectTitle'), {
      inputType: 'textarea',
      inputPlaceholder: t('submissions.reasonPlaceholder'),
      inputValidator: (v: string) => (v && v.trim() !== '' ? true : t('submissions.reasonRequired')),
      confirmButtonText: t('submissions.detail.reject'),
      cancelButtonText: t('common.cancel'),
      confirmButtonClass: 'el-button--danger',
      customClass: 'reject-prompt',
      autofocus: true,
    })
    reason = String(res.value ?? '').trim()
  } catch {
    return null
  }
  return send(ids, false, reason, 'submissions.rejected')
}

async function send(ids: number[], eligible: boolean, reason: string, done: string): Promise<Project[] | null> {
  try {
    const projects = await setEligibility(ids, eligible, reason, {
      silent: (err) => err.code === 'conflict' || err.code === 'invalid',
    })
    ElMessage({ type: 'success', message: t(done, { n: projects.length }) })
    return projects
  } catch (err) {
    if (isApiError(err, 'conflict')) {
      ElMessage({ type: 'error', message: t('submissions.conflict'), showClose: true, duration: 6000 })
    } else if (isApiError(err, 'invalid')) {
      const first = Object.values(err.fields)[0]
      ElMessage({ type: 'error', message: first ? fieldError(first) : t('errors.invalid'), showClose: true, duration: 6000 })
    }
    return null
  }
}
