#!/usr/bin/env node
// tests/conformance/tap_counts.js < FILE: what node's tap-parser (Debian node-tap-parser,
// a library; run with NODE_PATH=/usr/share/nodejs) reads in a TAP stream, as one JSON
// object on stdout: its final results plus the YAML diagnostics it parsed, per test.
// Used by tests/conformance/check_logs.
"use strict";
const Parser = require("tap-parser");

const diagnostics = {};
const parser = new Parser((results) => {
  process.stdout.write(JSON.stringify({
    ok: results.ok, count: results.count, pass: results.pass, fail: results.fail,
    todo: results.todo, skip: results.skip, bailout: results.bailout,
    plan: results.plan, failures: (results.failures || []).map((f) => f.id || f.tapError || f.name),
    diagnostics,
  }) + "\n");
});
parser.on("assert", (a) => { if (a.diag) diagnostics[a.id] = a.diag; });
process.stdin.pipe(parser);
