// The one script index.html loads. It only picks an entry by the address, so the audience's phone
// page (/vote/…, opened from the big screen's QR code on venue Wi-Fi) downloads Vue, its messages and
// itself — not the router, the store, Element Plus or the text of every other interface.
// ElMessage and ElMessageBox are called from code, not templates, so their CSS is not picked up on
// demand: the layout that uses them imports it (AppLayout), and the API client loads it with them.
import '@/styles/base.css'
import { votePageEvent } from '@/entries/path'

if (votePageEvent(window.location.pathname) !== null) void import('@/entries/vote')
else void import('@/entries/app')
