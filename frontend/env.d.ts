/// <reference types="vite/client" />

// Element Plus's per-component CSS entry points (side-effect modules without types).
declare module 'element-plus/es/components/*/style/css'
