// Lets `node -r ./tools/register.js some.ts` run the TypeScript sources directly: swc strips the
// types (tsc checks them in `npm test`), keeps Nest's decorator metadata, and `@klp/<lib>`
// resolves to libs/<lib>/src like tsconfig.base.json says. One loader for apps, tools and
// benches means no build step sits between a change and a run.
'use strict';
const Module = require('node:module');
const fs = require('node:fs');
const path = require('node:path');
const swc = require('@swc/core');

const root = path.resolve(__dirname, '..');
const libAlias = /^@klp\/(config|contracts|domain|kafka|store)$/;

const originalResolve = Module._resolveFilename;
Module._resolveFilename = function resolveKlpAlias(request, parent, isMain, options) {
  const match = libAlias.exec(request);
  if (match) request = path.join(root, 'libs', match[1], 'src', 'index.ts');
  return originalResolve.call(this, request, parent, isMain, options);
};

const swcOptions = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2022',
    keepClassNames: true,
  },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
};

Module._extensions['.ts'] = function compileTypeScript(module, filename) {
  const source = fs.readFileSync(filename, 'utf8');
  const { code } = swc.transformSync(source, { ...swcOptions, filename });
  module._compile(code, filename);
};

process.setSourceMapsEnabled?.(true);
