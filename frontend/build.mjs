// Bundles the staff pages' JavaScript into chalicelib/web/static/ (served by the app, packaged
// into Lambda). Run by `make` through `npm run build`; the output is not committed.
import { build } from 'esbuild';

await build({
  entryPoints: {
    sergeant: 'src/sergeant.js', officer: 'src/officer.js', control: 'src/control.js',
    // The sergeant page's service worker (Web Push): its own script, served with a wider scope.
    'sergeant-sw': 'src/sergeant-sw.js',
  },
  outdir: '../chalicelib/web/static',
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['es2020'],
  platform: 'browser',
  // Explicit, so the AWS SDK packages the Chime SDK requires resolve to their browser builds
  // (ES modules with browser runtime config) rather than their Node-only CommonJS builds.
  mainFields: ['browser', 'module', 'main'],
  legalComments: 'none',
  logLevel: 'warning',
});
