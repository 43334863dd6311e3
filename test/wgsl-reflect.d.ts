// wgsl_reflect's Node build (CommonJS in a "type": "module" package) does not load as ESM; its ESM build has the same API.
declare module 'wgsl_reflect/wgsl_reflect.module.js' {
  export * from 'wgsl_reflect';
}
