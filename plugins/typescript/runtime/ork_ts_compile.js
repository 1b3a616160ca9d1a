// The compile step of ork's typescript language plugin, run by the plugin as
// `node ork_ts_compile.js REQUEST-JSON` once per task file whose build is not
// cached. With the TypeScript compiler API it type-checks the task file (and
// the files it imports), reads the signature of every exported function in
// ork's type language, and emits CommonJS into a content-addressed directory
// `<build_dir>/<sha256>/` (the hash covers every source file of the program,
// the plugin's, the compiler's and Node's versions), built in a temporary
// directory and renamed into place so that concurrent compiles of the same
// sources cannot corrupt each other. It prints one JSON object on stdout:
//   {"ok": true, "hash", "dir", "module", "deps": [abs paths], "functions":
//    {NAME: {"signature"} | {"errors": [msg]}}, "local": [non-exported names]}
//   {"ok": false, "errors": [{"key", "message"}]}
// Messages about the source start with "FILE:LINE:COL: " (FILE relative to
// the workflow directory, as the workflow names it).
'use strict';

const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const ts = require('typescript');
const { describeExports } = require('./ork_ts_types.js');

const BUILD_RECORD = 'ork-build.json';

function main() {
  const request = JSON.parse(process.argv[2]);
  let reply;
  try {
    reply = compile(request);
  } catch (error) {
    reply = { ok: false, errors: [{ key: 'file', message: `${request.display}: ${error && error.stack ? error.stack : error}` }] };
  }
  process.stdout.write(JSON.stringify(reply) + '\n');
}

// ---- compile: program, cache, signatures, emit -----------------------------

function compile(request) {
  const file = path.resolve(request.file);
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) {
    return { ok: false, errors: [{ key: 'file', message: `${request.display}: file not found (looked for ${file})` }] };
  }
  const options = compilerOptions(request);
  const program = ts.createProgram({ rootNames: [file], options });
  const source = program.getSourceFile(file);
  const deps = userSources(program, request.toolchain_dir);
  const rootDir = commonDirectory(deps.map((f) => path.dirname(f.fileName)));
  const hash = buildHash(request, deps, rootDir);
  const dir = path.join(request.build_dir, hash);
  const moduleFile = path.join(dir, jsName(path.relative(rootDir, file)));
  const depPaths = deps.map((f) => f.fileName);

  const cached = readRecord(dir);
  if (cached) return { ok: true, hash, dir, module: moduleFile, deps: depPaths, cached: true, ...cached };

  const display = (f) => displayPath(request, f);
  const diagnostics = firstErrors(program, deps, display);
  if (diagnostics.length > 0) return { ok: false, errors: diagnostics.map((message) => ({ key: 'file', message })) };

  const checker = program.getTypeChecker();
  const { functions, local } = describeExports(checker, source, display);
  emit(program, rootDir, dir, { functions, local });
  return { ok: true, hash, dir, module: moduleFile, deps: depPaths, cached: false, functions, local };
}

function compilerOptions(request) {
  return {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    strict: true,
    noImplicitAny: false, // an untyped task parameter gets ork's own message, naming the function
    esModuleInterop: true,
    skipLibCheck: true,
    noEmitOnError: true,
    inlineSourceMap: true,
    // Node's globals from the pinned @types/node, and no DOM: tasks run in
    // Node.js, and lib.dom.d.ts alone is a fifth of a cold compile.
    types: ['node'],
    lib: ['lib.es2022.d.ts'],
    typeRoots: [path.join(request.toolchain_dir, 'node_modules', '@types')],
  };
}

// The program's files that are the user's: not TypeScript's lib files and
// not the toolchain's own type packages.
function userSources(program, toolchainDir) {
  const toolchain = path.resolve(toolchainDir) + path.sep;
  return program
    .getSourceFiles()
    .filter((f) => !program.isSourceFileDefaultLibrary(f) && !path.resolve(f.fileName).startsWith(toolchain))
    .sort((a, b) => (a.fileName < b.fileName ? -1 : a.fileName > b.fileName ? 1 : 0));
}

function commonDirectory(dirs) {
  let common = path.resolve(dirs[0]);
  for (const dir of dirs.slice(1)) {
    let candidate = path.resolve(dir);
    while (!(candidate + path.sep).startsWith(common + path.sep)) {
      const parent = path.dirname(common);
      if (parent === common) break;
      common = parent;
    }
  }
  return common;
}

function buildHash(request, deps, rootDir) {
  const hash = crypto.createHash('sha256');
  hash.update(`ork typescript plugin ${request.plugin_version}\ntypescript ${ts.version}\nnode ${process.version}\n`);
  for (const f of deps) {
    hash.update(path.relative(rootDir, f.fileName) + '\0' + f.text + '\0');
  }
  return hash.digest('hex').slice(0, 32);
}

function jsName(relative) {
  return relative.replace(/\.(m|c)?tsx?$/, (_, m) => `.${m || ''}js`);
}

function readRecord(dir) {
  try {
    const record = JSON.parse(fs.readFileSync(path.join(dir, BUILD_RECORD), 'utf8'));
    return { functions: record.functions, local: record.local };
  } catch {
    return null;
  }
}

function displayPath(request, fileName) {
  if (path.resolve(fileName) === path.resolve(request.file)) return request.display;
  const relative = path.relative(request.workflow_dir, fileName);
  return relative.startsWith('..') ? fileName : relative;
}

// The first errors of the program's user files: syntax first (they make the
// rest meaningless), then type errors. At most 5, each "FILE:LINE:COL: text".
function firstErrors(program, deps, display) {
  for (const kind of ['getSyntacticDiagnostics', 'getSemanticDiagnostics']) {
    const found = [];
    for (const f of deps) {
      for (const d of program[kind](f)) {
        if (d.category === ts.DiagnosticCategory.Error) found.push(formatDiagnostic(d, display));
      }
    }
    if (found.length > 0) return found.slice(0, 5);
  }
  const options = program.getOptionsDiagnostics().concat(program.getGlobalDiagnostics());
  return options.filter((d) => d.category === ts.DiagnosticCategory.Error).slice(0, 5).map((d) => formatDiagnostic(d, display));
}

function formatDiagnostic(d, display) {
  const text = ts.flattenDiagnosticMessageText(d.messageText, '; ');
  if (!d.file) return `TS${d.code}: ${text}`;
  const { line, character } = d.file.getLineAndCharacterOfPosition(d.start || 0);
  return `${display(d.file.fileName)}:${line + 1}:${character + 1}: TS${d.code}: ${text}`;
}

// Emits every user file of the program into `dir` via a temporary sibling,
// then renames it into place; a concurrent compile that got there first wins.
function emit(program, rootDir, dir, record) {
  const temp = `${dir}.tmp-${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
  fs.mkdirSync(temp, { recursive: true });
  try {
    const result = program.emit(undefined, (fileName, text) => {
      const target = path.join(temp, path.relative(rootDir, fileName));
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, fileName.endsWith('.js') ? absoluteSourceMap(fileName, text) : text);
    }, undefined, false, undefined);
    if (result.emitSkipped) throw new Error('the TypeScript compiler skipped the emit');
    fs.writeFileSync(path.join(temp, BUILD_RECORD), JSON.stringify(record));
    try {
      fs.renameSync(temp, dir);
    } catch (error) {
      if (!fs.existsSync(path.join(dir, BUILD_RECORD))) throw error;
      fs.rmSync(temp, { recursive: true, force: true });
    }
  } catch (error) {
    fs.rmSync(temp, { recursive: true, force: true });
    throw error;
  }
}

// The inline source map names the .ts sources relative to where the .js
// would sit beside them; the build directory is elsewhere, so name them by
// absolute path (stack traces of a failed task then point at the .ts lines).
function absoluteSourceMap(fileName, text) {
  const marker = '//# sourceMappingURL=data:application/json;base64,';
  const at = text.lastIndexOf(marker);
  if (at < 0) return text;
  const map = JSON.parse(Buffer.from(text.slice(at + marker.length).trim(), 'base64').toString('utf8'));
  map.sources = map.sources.map((s) => path.resolve(path.dirname(fileName), map.sourceRoot || '', s));
  map.sourceRoot = '';
  return text.slice(0, at) + marker + Buffer.from(JSON.stringify(map)).toString('base64') + '\n';
}

main();
