/// <reference types="vitest/config" />
import { mkdirSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath, URL } from 'node:url'
import vue from '@vitejs/plugin-vue'
import Components from 'unplugin-vue-components/vite'
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers'
import { defineConfig, type Plugin } from 'vite'
import { pickVoteMessages } from './src/entries/pickVoteMessages'
import en from './src/locales/en'
import screenEn from './src/locales/screen.en'
import screenZhCN from './src/locales/screen.zh-CN'
import zhCN from './src/locales/zh-CN'

/**
 * keepDistPlaceholder recreates dist/.gitkeep after every build.
 *
 * frontend/embed.go embeds `all:dist`, and `go build` fails when that folder is missing, so the repo
 * tracks dist/.gitkeep (frontend/.gitignore ignores everything else in dist/). Vite empties outDir
 * before writing, which deletes the placeholder; this plugin puts it back so a build never leaves the
 * work tree with a deleted tracked file.
 */
function keepDistPlaceholder(): Plugin {
  let outDir = ''
  return {
    name: 'leitai:keep-dist-placeholder',
    apply: 'build',
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir)
    },
    closeBundle() {
      mkdirSync(outDir, { recursive: true })
      writeFileSync(join(outDir, '.gitkeep'), '')
    },
  }
}

/**
 * voteMessages serves `virtual:leitai-vote-messages`: the phone vote page's few messages, picked
 * from the locale files here, at build time, so the light vote entry does not bundle the whole
 * zh-CN.ts and en.ts (every interface's text). In `npm run dev` a change to those messages needs a
 * restart of the dev server.
 */
function voteMessages(): Plugin {
  const id = 'virtual:leitai-vote-messages'
  return {
    name: 'leitai:vote-messages',
    resolveId(source) {
      return source === id ? `\0${id}` : null
    },
    load(resolved) {
      if (resolved !== `\0${id}`) return null
      const messages = { 'zh-CN': pickVoteMessages(zhCN, screenZhCN), en: pickVoteMessages(en, screenEn) }
      return `export default ${JSON.stringify(messages)}`
    },
  }
}

// The API server a developer runs beside `npm run dev` (`leitai serve` defaults to 127.0.0.1:8080).
const devAPI = process.env.LEITAI_DEV_API ?? 'http://127.0.0.1:8080'

export default defineConfig({
  plugins: [
    vue(),
    // Element Plus on demand: only the components used in templates (and their CSS) are bundled.
    Components({
      dts: 'components.d.ts',
      // Our own components are imported explicitly; only Element Plus is resolved on demand.
      dirs: [],
      resolvers: [ElementPlusResolver({ importStyle: 'css' })],
    }),
    keepDistPlaceholder(),
    voteMessages(),
  ],
  resolve: {
    alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) },
  },
  define: {
    // vue-i18n feature flags: Composition API only, no devtools hooks in production.
    __VUE_I18N_FULL_INSTALL__: true,
    __VUE_I18N_LEGACY_API__: false,
    __INTLIFY_PROD_DEVTOOLS__: false,
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Supported browsers (ARCHITECTURE.md): Chromium ≥ 87 (360/QQ browsers), Safari ≥ 14 (iPads).
    target: ['chrome87', 'safari14'],
    cssTarget: ['chrome87', 'safari14'],
    chunkSizeWarningLimit: 800,
  },
  server: {
    proxy: {
      '/api': devAPI,
      '/healthz': devAPI,
      '/ws': { target: devAPI, ws: true },
    },
  },
  test: {
    environment: 'node',
    include: ['src/**/*.test.ts'],
  },
})
