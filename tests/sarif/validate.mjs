#!/usr/bin/env node
// validate.mjs - validates SARIF files against the SARIF 2.1.0 JSON schema
// (draft-04, read with ajv-draft-04 + ajv-formats) and checks what GitHub
// code scanning requires of an upload.
//
//   node validate.mjs [--path-result=FILE[:RULE]]... SCHEMA FILE...
//
// Every FILE is checked; one line per failure ("FILE: where: what"), then a
// summary.  --path-result=FILE also asserts that FILE has a path result (of
// RULE, when given) with everything GitHub shows for it: codeFlows with at
// least two steps, relatedLocations, a full region, a relative URI under
// %SRCROOT%, and partialFingerprints["tasklint/v1"] (reported as skipped
// when no result carries fingerprints yet).
// Exit status: 0 all valid, 1 a file is invalid, 2 usage or unreadable input.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const Ajv04 = require("ajv-draft-04");
const addFormats = require("ajv-formats");

const GH = {
  maxRuns: 20,
  maxResults: 25000,
  maxRules: 25000,
  maxDescription: 1024,
  maxRuleName: 255,
  maxTags: 20,
  maxFlowLocations: 10000,
  maxLocations: 1000,
};
const PRECISIONS = new Set(["very-high", "high", "medium", "low"]);
const PROBLEM_SEVERITIES = new Set(["error", "warning", "recommendation"]);
const LEVELS = new Set(["none", "note", "warning", "error"]);
const FINGERPRINT_KEY = "tasklint/v1";

function usage(msg) {
  if (msg) console.error(`validate.mjs: ${msg}`);
  console.error("usage: node validate.mjs [--path-result=FILE[:RULE]]... SCHEMA FILE...");
  process.exit(2);
}

const pathChecks = [];
const positional = [];
for (const a of process.argv.slice(2)) {
  if (a.startsWith("--path-result=")) {
    const v = a.slice("--path-result=".length);
    const i = v.lastIndexOf(":");
    pathChecks.push(i > 0 ? { file: v.slice(0, i), rule: v.slice(i + 1) } : { file: v, rule: null });
  } else if (a.startsWith("--")) {
    usage(`unknown option ${a}`);
  } else {
    positional.push(a);
  }
}
if (positional.length < 2) usage("need a schema and at least one SARIF file");
const [schemaPath, ...files] = positional;

function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    return { __error: e.message };
  }
}

const schema = readJson(schemaPath);
if (schema.__error) {
  console.error(`validate.mjs: cannot read the schema ${schemaPath}: ${schema.__error}`);
  process.exit(2);
}
const ajv = new Ajv04({ allErrors: true });
addFormats(ajv);
const validateSchema = ajv.compile(schema);

// ---- GitHub code scanning requirements ----

function githubProblems(doc) {
  const out = [];
  const bad = (where, what) => out.push(`${where}: ${what}`);
  // no empty strings anywhere ("The empty string is not supported")
  const walk = (v, where) => {
    if (v === "") bad(where, "empty string");
    else if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${where}[${i}]`));
    else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) walk(x, `${where}.${k}`);
  };
  walk(doc, "$");
  if (typeof doc.$schema !== "string") bad("$", "no $schema");
  if (doc.version !== "2.1.0") bad("$", `version is ${JSON.stringify(doc.version)}, not "2.1.0"`);
  if (!Array.isArray(doc.runs) || doc.runs.length === 0) {
    bad("$", "no runs");
    return out;
  }
  if (doc.runs.length !== 1) bad("$.runs", `${doc.runs.length} runs: tasklint writes one run per file`);
  if (doc.runs.length > GH.maxRuns) bad("$.runs", `more than ${GH.maxRuns} runs`);
  doc.runs.forEach((run, ri) => {
    const rw = `$.runs[${ri}]`;
    const driver = run.tool && run.tool.driver;
    if (!driver || !driver.name) {
      bad(`${rw}.tool.driver`, "no name");
      return;
    }
    const rules = driver.rules;
    if (!Array.isArray(rules) || rules.length === 0) bad(`${rw}.tool.driver`, "no rules");
    const ruleIds = (rules || []).map((r) => r.id);
    if (rules && rules.length > GH.maxRules) bad(`${rw}.tool.driver.rules`, "too many rules");
    (rules || []).forEach((r, i) => {
      const w = `${rw}.tool.driver.rules[${i}]`;
      if (!r.id) bad(w, "no id");
      if (ruleIds.indexOf(r.id) !== i) bad(w, `duplicate rule id ${r.id}`);
      if (r.name && [...r.name].length > GH.maxRuleName) bad(w, "name longer than 255 characters");
      // Microsoft's validator (SARIF1001): a name equal to the id is no name
      if (r.name && r.name.toLowerCase() === String(r.id).toLowerCase())
        bad(w, `name ${r.name} does not differ from the id beyond case`);
      for (const k of ["shortDescription", "fullDescription"]) {
        const t = r[k] && r[k].text;
        if (!t) bad(w, `no ${k}.text`);
        else if ([...t].length > GH.maxDescription) bad(w, `${k}.text longer than ${GH.maxDescription} characters`);
      }
      if (!r.help || !r.help.text) bad(w, "no help.text");
      if (!r.help || !r.help.markdown) bad(w, "no help.markdown");
      const lvl = r.defaultConfiguration && r.defaultConfiguration.level;
      if (!LEVELS.has(lvl)) bad(w, `defaultConfiguration.level ${JSON.stringify(lvl)}`);
      const p = r.properties || {};
      if (!Array.isArray(p.tags) || p.tags.length === 0) bad(w, "no properties.tags");
      else if (p.tags.length > GH.maxTags) bad(w, `more than ${GH.maxTags} tags`);
      if (!PRECISIONS.has(p.precision)) bad(w, `properties.precision ${JSON.stringify(p.precision)}`);
      if (!PROBLEM_SEVERITIES.has(p["problem.severity"]))
        bad(w, `properties["problem.severity"] ${JSON.stringify(p["problem.severity"])}`);
    });
    const inv = run.invocations;
    if (!Array.isArray(inv) || inv.length === 0 || typeof inv[0].executionSuccessful !== "boolean")
      bad(`${rw}.invocations`, "no invocations[0].executionSuccessful");
    const results = run.results;
    if (!Array.isArray(results)) {
      bad(rw, "no results array");
      return;
    }
    if (results.length > GH.maxResults) bad(`${rw}.results`, `more than ${GH.maxResults} results`);
    if (results.length > 0 && !run.columnKind) bad(rw, "results but no columnKind");
    const bases = run.originalUriBaseIds || {};
    for (const [k, v] of Object.entries(bases))
      if (!v.uri || !v.uri.endsWith("/")) bad(`${rw}.originalUriBaseIds.${k}`, "uri must end with '/'");
    const checkLocation = (loc, w, needRegion) => {
      const pl = loc && loc.physicalLocation;
      const al = pl && pl.artifactLocation;
      if (!al || !al.uri) {
        bad(w, "no physicalLocation.artifactLocation.uri");
        return;
      }
      if (/\s/.test(al.uri)) bad(w, `uri ${JSON.stringify(al.uri)} has unencoded whitespace`);
      if (/[^\x21-\x7e]/.test(al.uri)) bad(w, `uri ${JSON.stringify(al.uri)} is not percent-encoded`);
      if (!/^[a-z][a-z0-9+.-]*:/i.test(al.uri)) {
        if (al.uri.startsWith("/")) bad(w, `relative uri ${al.uri} starts with '/'`);
        if (!al.uriBaseId) bad(w, `relative uri ${al.uri} without uriBaseId`);
        else if (!bases[al.uriBaseId]) bad(w, `uriBaseId ${al.uriBaseId} not in originalUriBaseIds`);
      }
      if (needRegion && (!pl.region || !(pl.region.startLine >= 1))) bad(w, "no region.startLine");
    };
    results.forEach((res, i) => {
      const w = `${rw}.results[${i}]`;
      if (!res.message || !res.message.text) bad(w, "no message.text");
      if (res.ruleId && !ruleIds.includes(res.ruleId)) bad(w, `ruleId ${res.ruleId} is not a rule of the driver`);
      if (res.ruleIndex !== undefined && ruleIds[res.ruleIndex] !== res.ruleId)
        bad(w, `ruleIndex ${res.ruleIndex} is not rule ${res.ruleId}`);
      if (res.level && !LEVELS.has(res.level)) bad(w, `level ${res.level}`);
      if (!Array.isArray(res.locations) || res.locations.length === 0) bad(w, "no locations");
      else {
        if (res.locations.length > GH.maxLocations) bad(w, "too many locations");
        checkLocation(res.locations[0], `${w}.locations[0]`, res.baselineState !== "absent");
      }
      const ids = new Set();
      (res.relatedLocations || []).forEach((l, k) => {
        checkLocation(l, `${w}.relatedLocations[${k}]`, true);
        if (ids.has(l.id)) bad(`${w}.relatedLocations[${k}]`, `duplicate id ${l.id}`);
        ids.add(l.id);
      });
      (res.codeFlows || []).forEach((cf, c) =>
        (cf.threadFlows || []).forEach((tf, t) => {
          if (tf.locations.length > GH.maxFlowLocations) bad(`${w}.codeFlows[${c}]`, "too many thread-flow locations");
          tf.locations.forEach((tl, k) => checkLocation(tl.location, `${w}.codeFlows[${c}].threadFlows[${t}].locations[${k}]`, true));
        }),
      );
    });
  });
  return out;
}

// ---- the path-result assertion ----

function pathResultProblems(doc, rule) {
  const run = doc.runs && doc.runs[0];
  const results = ((run && run.results) || []).filter((r) => !rule || r.ruleId === rule);
  const paths = results.filter((r) => Array.isArray(r.codeFlows) && r.codeFlows.length > 0);
  if (paths.length === 0) return { problems: [`no ${rule || ""} result with codeFlows`], notes: [] };
  const problems = [];
  const notes = [];
  const r = paths[0];
  const w = `result ${r.ruleId} "${r.message.text}"`;
  const steps = r.codeFlows[0].threadFlows[0].locations;
  if (steps.length < 2) problems.push(`${w}: codeFlows has ${steps.length} step(s), want >= 2`);
  for (const s of steps) if (!s.location.message || !s.location.message.text) problems.push(`${w}: a codeFlow step without a message`);
  if (!Array.isArray(r.relatedLocations) || r.relatedLocations.length !== steps.length - 1)
    problems.push(`${w}: want one relatedLocation per note`);
  const pl = r.locations[0].physicalLocation;
  const reg = pl.region || {};
  for (const k of ["startLine", "startColumn", "endLine", "endColumn"])
    if (!(reg[k] >= 1)) problems.push(`${w}: region.${k} missing`);
  if (reg.endLine === reg.startLine && !(reg.endColumn > reg.startColumn)) problems.push(`${w}: endColumn <= startColumn`);
  const al = pl.artifactLocation;
  if (/^[a-z]+:/i.test(al.uri) || al.uri.startsWith("/")) problems.push(`${w}: uri ${al.uri} is not relative`);
  if (al.uriBaseId !== "%SRCROOT%") problems.push(`${w}: uriBaseId is ${al.uriBaseId}`);
  if (!run.originalUriBaseIds || !run.originalUriBaseIds["%SRCROOT%"]) problems.push("no originalUriBaseIds[%SRCROOT%]");
  if (!run.columnKind) problems.push("no columnKind");
  const anyFingerprint = run.results.some((x) => x.partialFingerprints);
  if (!anyFingerprint) notes.push(`partialFingerprints check skipped: no result has fingerprints yet`);
  else if (!r.partialFingerprints || !r.partialFingerprints[FINGERPRINT_KEY])
    problems.push(`${w}: no partialFingerprints["${FINGERPRINT_KEY}"]`);
  return { problems, notes };
}

// ---- main ----

let failed = 0;
let usageError = false;
const docs = new Map();
for (const f of files) {
  const doc = readJson(f);
  if (doc.__error) {
    console.log(`${f}: not JSON: ${doc.__error}`);
    failed++;
    if (/ENOENT|EACCES/.test(doc.__error)) usageError = true;
    continue;
  }
  docs.set(f, doc);
  const problems = [];
  if (!validateSchema(doc))
    for (const e of validateSchema.errors) problems.push(`schema: ${e.instancePath || "/"} ${e.message}${e.params && e.params.additionalProperty ? ` (${e.params.additionalProperty})` : ""}`);
  for (const p of githubProblems(doc)) problems.push(`github: ${p}`);
  for (const p of problems.slice(0, 20)) console.log(`${f}: ${p}`);
  if (problems.length > 20) console.log(`${f}: ... ${problems.length - 20} more`);
  if (problems.length) failed++;
}
for (const pc of pathChecks) {
  const doc = docs.get(pc.file) || readJson(pc.file);
  if (doc.__error) {
    console.log(`${pc.file}: not JSON: ${doc.__error}`);
    failed++;
    continue;
  }
  const { problems, notes } = pathResultProblems(doc, pc.rule);
  for (const n of notes) console.log(`${pc.file}: note: ${n}`);
  for (const p of problems) console.log(`${pc.file}: path result: ${p}`);
  if (problems.length) failed++;
  else console.log(`${pc.file}: path result ${pc.rule || ""}: codeFlows, relatedLocations, region, relative uri ok`);
}
console.log(`validate.mjs: ${files.length} file(s) checked against ${schemaPath}: ${failed ? `${failed} failed` : "all valid"}`);
process.exit(usageError ? 2 : failed ? 1 : 0);
