import { createPinia } from 'pinia'
import { createApp } from 'vue'
// ElMessage is called from code, not templates, so its CSS is not picked up on demand.
import 'element-plus/es/components/message/style/css'
import 'element-plus/es/components/message-box/style/css'
import '@/styles/base.css'
import App from '@/App.vue'
import { i18n } from '@/i18n'
import { router } from '@/router'

createApp(App).use(createPinia()).use(i18n).use(router).mount('#app')
