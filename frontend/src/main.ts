import { createPinia } from 'pinia'
import { createApp } from 'vue'
// ElMessage and ElMessageBox are called from code, not templates, so their CSS is not picked up on
// demand: the layout that uses them imports it (AppLayout), and the API client loads it with them.
import '@/styles/base.css'
import App from '@/App.vue'
import { i18n } from '@/i18n'
import { router } from '@/router'

createApp(App).use(createPinia()).use(i18n).use(router).mount('#app')
