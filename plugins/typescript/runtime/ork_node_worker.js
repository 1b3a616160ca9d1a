// The warm Node.js worker of ork's `node` executor (the typescript language
// plugin), started as `node --enable-source-maps ork_node_worker.js`. It runs
// one task at a time, for as long as the plugin keeps it. The plugin talks to
// it over a socket on fd 3 in JSON lines (a header line, and for a run one
// raw payload line after it); fd 1 and 2 are pipes the plugin reads as the
// current task's logs, so console.log/console.error and child processes all
// land there. After each task the worker writes an end marker to both, so the
// plugin knows it has every log line of that task (mirrors the python worker).
//
// Requests: {"type": "run", "id", "module", "function", "parameters": [NAME],
//            "optional": [NAME], "dates": {NAME: PLAN}, "output_int", "workdir",
//            "env": ["K=V"]} + payload line: the input object
// Replies:  {"type": "ready", "pid", "node"}  once, at start
//           {"type": "result", "id", "ok", "error"?, "payload"?} + payload line
'use strict';

const fs = require('fs');

const CHANNEL_FD = 3;
const END_OF_TASK_MARKER = '\0ork-task-end\0\n';
const MAX_DEPTH = 512;

class TaskError extends Error {}

function main() {
  const channel = new Channel(CHANNEL_FD);
  channel.send({ type: 'ready', pid: process.pid, node: process.versions.node });
  serve(channel).catch((error) => {
    process.stderr.write(`ork node worker: ${error && error.stack ? error.stack : error}\n`);
    process.exit(70);
  });
}

async function serve(channel) {
  for (;;) {
    const line = channel.receive();
    if (line === null) process.exit(0); // the plugin went away
    const request = JSON.parse(line);
    if (request.type !== 'run') {
      channel.send({ type: 'error', id: request.id, error: `unknown request ${JSON.stringify(request.type)}` });
      continue;
    }
    const payload = channel.receive();
    if (payload === null) process.exit(0);
    const { header, output } = await run(request, payload);
    channel.send(header, output);
  }
}

async function run(request, payload) {
  const header = { type: 'result', id: request.id };
  const restore = applyEnvironment(request.env || []);
  try {
    process.chdir(request.workdir);
    const output = await call(request, JSON.parse(payload));
    header.ok = true;
    header.payload = true;
    return { header, output };
  } catch (error) {
    header.ok = false;
    header.error = describeError(error);
    return { header, output: null };
  } finally {
    restore();
    endLogs();
  }
}

async function call(request, input) {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new TaskError(`the task input must be a JSON object, got ${JSON.stringify(input).slice(0, 40)}`);
  }
  const loaded = require(request.module);
  const fn = loaded[request.function];
  if (typeof fn !== 'function') {
    throw new TaskError(`${request.module} exports no function '${request.function}'`);
  }
  const optional = new Set(request.optional || []);
  const dates = request.dates || {};
  const args = request.parameters.map((name) => {
    let value = input[name];
    if (value === null && optional.has(name)) value = undefined; // `x?: T` takes its default
    return dates[name] ? revive(value, dates[name], name) : value;
  });
  let result;
  try {
    result = fn(...args);
    if (result && typeof result.then === 'function') result = await result;
  } catch (error) {
    printStack(error);
    throw error;
  }
  if (request.output_int && result !== null && result !== undefined && !Number.isInteger(result)) {
    throw new TaskError(`function '${request.function}' is declared to return int but returned ${String(result)}`);
  }
  return serialise(result);
}

// Turns ISO strings into Date objects where the signature has a Date.
function revive(value, plan, where) {
  if (value === null || value === undefined) return value;
  if (plan === 'date') {
    if (typeof value !== 'string') return value;
    const date = new Date(value);
    if (Number.isNaN(date.getTime())) throw new TaskError(`cannot convert input '${where}' to Date: '${value}' is not an ISO 8601 date`);
    return date;
  }
  if (plan.list && Array.isArray(value)) return value.map((v, i) => revive(v, plan.list, `${where}[${i}]`));
  if (plan.tuple && Array.isArray(value)) return value.map((v, i) => (plan.tuple[i] ? revive(v, plan.tuple[i], `${where}[${i}]`) : v));
  if (plan.dict && typeof value === 'object') {
    const out = {};
    for (const [k, v] of Object.entries(value)) out[k] = revive(v, plan.dict, `${where}.${k}`);
    return out;
  }
  if (plan.fields && typeof value === 'object') {
    const out = { ...value };
    for (const [k, inner] of Object.entries(plan.fields)) if (k in out) out[k] = revive(out[k], inner, `${where}.${k}`);
    return out;
  }
  return value;
}

// JSON text of the result: Dates as ISO text (Date.toJSON), undefined as
// null; NaN, infinities, functions, bigints and deep nesting fail the task
// naming where they are.
function serialise(result) {
  if (result === undefined) return 'null';
  check(result, 'return value', 0);
  return JSON.stringify(result);
}

function check(value, where, depth) {
  if (depth > MAX_DEPTH) throw new TaskError(`output nests deeper than ${MAX_DEPTH} levels (at ${where})`);
  switch (typeof value) {
    case 'number':
      if (!Number.isFinite(value)) throw new TaskError(`cannot serialise ${value} at ${where}: JSON has no NaN or infinities`);
      return;
    case 'bigint': case 'function': case 'symbol':
      throw new TaskError(`cannot serialise a ${typeof value} at ${where}`);
    case 'object':
      if (value === null || value instanceof Date) return;
      if (Array.isArray(value)) value.forEach((v, i) => check(v, `${where}[${i}]`, depth + 1));
      else for (const [k, v] of Object.entries(value)) if (v !== undefined) check(v, `${where}.${k}`, depth + 1);
      return;
    default:
      return;
  }
}

function printStack(error) {
  const text = error && error.stack ? error.stack : String(error);
  process.stderr.write(text.endsWith('\n') ? text : text + '\n');
}

// "Error: bad row 3 (at /abs/tasks/clean.ts:14:11)": the innermost frame of user code.
function describeError(error) {
  if (error instanceof TaskError) return error.message;
  const name = error && error.name ? error.name : 'Error';
  const message = error && error.message !== undefined ? error.message : String(error);
  const text = message ? `${name}: ${message}` : name;
  const frame = userFrame(error);
  return frame ? `${text} (at ${frame})` : text;
}

function userFrame(error) {
  const stack = error && typeof error.stack === 'string' ? error.stack : '';
  for (const line of stack.split('\n').slice(1)) {
    const match = /\(?((?:\/|file:\/\/)[^()]+:\d+:\d+)\)?\s*$/.exec(line.trim());
    if (match && !match[1].includes(__filename) && !match[1].startsWith('node:')) return match[1];
  }
  return null;
}

function applyEnvironment(entries) {
  const before = { ...process.env };
  for (const entry of entries) {
    const at = entry.indexOf('=');
    if (at > 0) process.env[entry.slice(0, at)] = entry.slice(at + 1);
  }
  const cwd = process.cwd();
  return () => {
    for (const key of Object.keys(process.env)) if (!(key in before)) delete process.env[key];
    for (const [key, value] of Object.entries(before)) if (process.env[key] !== value) process.env[key] = value;
    try {
      process.chdir(cwd);
    } catch {
      // the directory went away; the next task chdirs anyway
    }
  };
}

function endLogs() {
  fs.writeSync(1, END_OF_TASK_MARKER);
  fs.writeSync(2, END_OF_TASK_MARKER);
}

// The socket on fd 3, read and written with blocking calls: between tasks
// the worker has nothing else to do, and a blocking read wakes it as soon as a
// request arrives, without a trip through the event loop (a fraction of a
// millisecond per task). A task's own timers and promises run while its
// returned promise is awaited.
class Channel {
  constructor(fd) {
    this.fd = fd;
    this.buffer = Buffer.alloc(0);
    this.chunk = Buffer.alloc(256 * 1024);
  }

  // The next line without its newline, or null at end of stream.
  receive() {
    for (;;) {
      const at = this.buffer.indexOf(10);
      if (at >= 0) {
        const line = this.buffer.toString('utf8', 0, at);
        this.buffer = this.buffer.subarray(at + 1);
        return line;
      }
      let n;
      try {
        n = fs.readSync(this.fd, this.chunk, 0, this.chunk.length, null);
      } catch (error) {
        if (error.code === 'EAGAIN' || error.code === 'EINTR') continue;
        return null;
      }
      if (n === 0) return null;
      this.buffer = this.buffer.length === 0 ? Buffer.from(this.chunk.subarray(0, n)) : Buffer.concat([this.buffer, this.chunk.subarray(0, n)]);
    }
  }

  send(header, payload) {
    let text = JSON.stringify(header) + '\n';
    if (payload !== undefined && payload !== null) text += payload + '\n'; // JSON.stringify escapes every newline
    const bytes = Buffer.from(text, 'utf8');
    let sent = 0;
    while (sent < bytes.length) {
      try {
        sent += fs.writeSync(this.fd, bytes, sent, bytes.length - sent);
      } catch (error) {
        if (error.code !== 'EAGAIN' && error.code !== 'EINTR') process.exit(0); // the plugin went away
      }
    }
  }
}

main();
